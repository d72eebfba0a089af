export { createTracker, SDK_VERSION } from './createTracker.ts';
export type { Tracker, TrackerConfig, TrackerDeps } from './types.ts';
export { createTransport, splitIntoBodies } from './transport.ts';
export type { Delivery, Envelope, Transport } from './transport.ts';
export { createQueue, idbQueueStore } from './queue.ts';
export type { Queue, QueueOptions, QueueStore, SenderLocks, StoredQueue } from './queue.ts';
export type { VitalsModule } from './vitals.ts';
export * from './protocol.ts';
