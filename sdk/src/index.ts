export { createTracker, SDK_VERSION } from './createTracker.js';
export type { Tracker, TrackerConfig, TrackerDeps } from './types.js';
export { createTransport, splitIntoBodies } from './transport.js';
export type { Delivery, Envelope, Transport } from './transport.js';
export { createQueue, idbQueueStore } from './queue.js';
export type { Queue, QueueOptions, QueueStore, SenderLocks, StoredQueue } from './queue.js';
export type { VitalsModule } from './vitals.js';
export * from './protocol.js';
