import * as delivery from '../delivery.ts';

export type DeliveryModule = typeof delivery;

/**
 * The module build's delivery part: bundled with the tracker (an app's bundler has no reason to split it). The
 * script-tag build replaces this module (see build.mjs) to load `pathmark-delivery.js` from beside itself.
 */
export const loadDelivery = async (): Promise<DeliveryModule> => delivery;
