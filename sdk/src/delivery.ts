/**
 * Delivery: what the tracker needs once the consent mode first allows sending, and not before (the script tag loads
 * it then as `pathmark-delivery.js`, so a page in `pending` or `denied` never downloads it): the processing of what was
 * captured (ecommerce validation, serialization), the queue with its IndexedDB store and transport, and the
 * visitor-rights requests.
 */
export { processCaptures } from './processCaptures.ts';
export { trackerQueue } from './trackerQueue.ts';
export { rightsRequests } from './rightsRequests.ts';
export { pickUnsent, forgetUnsent } from './unsent.ts';
