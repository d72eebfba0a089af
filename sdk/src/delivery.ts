/**
 * Delivery: what the tracker needs once the consent mode first allows sending, and not before (the script tag loads
 * it then as `pathmark-delivery.js`, so a page in `pending` or `denied` never downloads it): the queue with its
 * IndexedDB store and transport, and the visitor-rights requests.
 */
export { createQueue, idbQueueStore } from './queue.ts';
export { createTransport, request } from './transport.ts';
