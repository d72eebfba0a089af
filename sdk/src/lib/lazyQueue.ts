import type { Queue } from '../queue.ts';

/** A queue that exists before its code is loaded; `start` loads it (once, or again after a failure). */
export type LazyQueue = Queue & { start(load: () => Promise<Queue>): void };

/** How a call reaches the loaded queue: a property access (the tag build mangles method names, not strings). */
type Invoke = (queue: Queue, args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The queue before delivery is loaded (the script tag loads it once the consent mode first allows sending). Calls are
 * kept and replayed in order on the loaded queue; a promise they answer settles with the replayed call's. Before
 * anything loads, `flush` has nothing to send and `useStore` nothing to move, so both resolve at once (a page in
 * `denied` purges the device without ever loading delivery). Delivery failing to load (offline) is retried at the
 * next `start` or flush.
 */
export function lazyQueue(warn: (error: unknown) => void): LazyQueue {
  let real: Queue | undefined;
  let loading: Promise<void> | undefined;
  let loader: (() => Promise<Queue>) | undefined;
  const calls: [Invoke, never[], ((result: unknown) => void)?][] = [];
  /** `answers`: 1 for flush (nothing to send before a load starts), 2 for useStore (replayed, answered at once). */
  const method =
    (invoke: Invoke, answers?: 1 | 2) =>
    (...args: never[]): unknown => {
      if (!real && loader) start(loader);
      if (real) return invoke(real, args);
      if (!answers) return void calls.push([invoke, args]);
      if (loading) return new Promise((resolve) => calls.push([invoke, args, resolve]));
      if (answers == 2) calls.push([invoke, args]);
      return Promise.resolve();
    };
  const start = (load: () => Promise<Queue>) => {
    loader = load;
    loading ??= load().then(
      (queue) => {
        real = queue;
        for (const [invoke, args, settle] of calls.splice(0)) settle ? settle(invoke(queue, args)) : invoke(queue, args);
      },
      (error) => {
        loading = undefined;
        // Whoever waits (a flush) is told it is over; the calls stay for the next attempt.
        for (const call of calls) {
          const settle = call[2];
          call.length = 2;
          settle?.(undefined);
        }
        warn(error);
      },
    );
  };
  return {
    enqueue: method((q, [event]) => q.enqueue(event)),
    clear: method((q) => q.clear()),
    rewrite: method((q, [change]) => q.rewrite(change)),
    online: method((q) => q.online()),
    destroy: method((q) => q.destroy()),
    flush: method((q, [hidden]) => q.flush(hidden), 1),
    useStore: method((q, [store]) => q.useStore(store), 2),
    start,
  } as LazyQueue;
}
