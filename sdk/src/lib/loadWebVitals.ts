import type { VitalsModule } from '../vitals.ts';

/**
 * The module build's way to load web vitals: a dynamic import, which bundlers
 * split into its own chunk. The script-tag build replaces this module (see
 * build.mjs) because it loads `pathmark-vitals.js` next to itself instead.
 */
export const loadWebVitals = (): Promise<VitalsModule> => import('../vitals.ts');
