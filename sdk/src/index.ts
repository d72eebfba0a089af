export { createTracker, SDK_VERSION } from './createTracker';
export type { Tracker, TrackerConfig, TrackerDeps } from './createTracker';
export { createTransport, splitIntoBodies } from './transport';
export type { Delivery, Envelope, Transport } from './transport';
export { createQueue, idbQueueStore } from './queue';
export type { Queue, QueueOptions, QueueStore, SenderLocks, StoredQueue } from './queue';
export type { VitalsModule } from './vitals';
export * from './protocol';
