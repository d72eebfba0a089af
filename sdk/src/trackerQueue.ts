import { PROTOCOL_VERSION, type ConsentMode, type WebVitalsProps } from './protocol.ts';
import { createQueue, idbQueueStore, type Queue, type QueueOptions, type QueueStore } from './queue.ts';
import { createTransport, type Transport } from './transport.ts';
import { deviceKey } from './lib/deviceKey.ts';
import { SDK_VERSION } from './version.ts';

export interface TrackerQueue extends Queue {
  /**
   * `true` (granted): the queue moves into the site's stored queue (IndexedDB, or `store`), opened once;
   * `false`: back into memory, and the stored queue is emptied and closed (the caller deletes the database); a failing
   * store is left as it is, never a rejection.
   */
  persist(on: boolean): Promise<void>;
}

/**
 * A tracker's queue (part of delivery): the transport to `endpoint` (unless one is given), the batch envelope of the
 * mode in force (none while it may not send), and one sender for all of the site's tabs.
 *
 * The page's first request goes as soon as it holds the page view and the first web vitals (TTFB and FCP, which
 * web-vitals reports once the page has painted and loaded), rather than after the queue's full first second: the
 * page view arrives sooner, and still with those vitals in the same request (docs/benchmarks.md, first page view).
 * The second stays the bound when they are late (a slow load, a tab opened in the background), and the rule when
 * vitals are off.
 */
export function trackerQueue(
  site: string,
  endpoint: URL,
  mode: () => ConsentMode,
  options: Omit<QueueOptions, 'envelope' | 'transport' | 'lockName'> & {
    transport?: Transport;
    fetch?: typeof fetch;
    vitals?: boolean;
    /** The stored queue in `granted`; default IndexedDB (idbQueueStore). */
    store?: (site: string) => QueueStore;
  },
): TrackerQueue {
  // Without vitals there is nothing to wait for but the page's first events; the first second stays as it was.
  const awaited = new Set(options.vitals == false ? [] : ['page_view', 'TTFB', 'FCP']);
  const queue = createQueue({
    ...options,
    transport: options.transport ?? createTransport(endpoint, options.fetch),
    envelope() {
      const consent = mode();
      return consent == 'anonymous' || consent == 'granted'
        ? { v: PROTOCOL_VERSION, site, consent, sdk: SDK_VERSION }
        : undefined;
    },
    lockName: deviceKey(site),
  });
  let stored: QueueStore | undefined;
  return {
    ...queue,
    async persist(on) {
      const store = stored;
      stored = on ? (store ?? (options.store ?? idbQueueStore)(site)) : undefined;
      await queue.useStore(stored);
      if (!on)
        try {
          await store?.update(() => ({ events: [], dropped: 0 }));
          store?.close?.();
        } catch {
          /* no IndexedDB: nothing stored there */
        }
    },
    enqueue(event) {
      queue.enqueue(event);
      const what = event.name == 'web_vitals' ? (event.props as WebVitalsProps).metric : event.name;
      if (awaited.delete(what) && !awaited.size) void queue.flush();
    },
  };
}
