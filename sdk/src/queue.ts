import { MAX_EVENTS_PER_BATCH, type PathmarkEvent } from './protocol.ts';
import { deviceKey } from './lib/deviceKey.ts';
import { isRetryable, splitIntoBodies, type Delivery, type Envelope, type Transport } from './transport.ts';

/** What the persistent queue keeps on the device, under one key, changed atomically. */
export interface StoredQueue {
  events: PathmarkEvent[];
  /** Events dropped by the cap and not yet reported to the collector. */
  dropped: number;
  /** Sender lease, for browsers without Web Locks. */
  lease?: { by: string; until: number };
}

/** A queue shared by every tab of the site. `update` must be atomic (one IndexedDB transaction). */
export interface QueueStore {
  update(change: (queue: StoredQueue) => StoredQueue): Promise<StoredQueue>;
  /** Closes the connection, so that the database can be deleted. */
  close?(): void;
}

/** The part of `navigator.locks` the queue uses. */
export interface SenderLocks {
  request(name: string, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

/** Resolves with a request's result (or a transaction's completion), rejects with its error. */
const settled = <T>(request: IDBRequest<T> | IDBTransaction) =>
  new Promise<T>((resolve, reject) => {
    const either = request as IDBRequest<T> & IDBTransaction;
    either.onsuccess = either.oncomplete = () => resolve(either.result);
    either.onerror = either.onabort = () => reject(either.error);
  });

/** The IndexedDB queue. Opening it creates the database, so only call it in `granted` mode. */
export function idbQueueStore(site: string): QueueStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () => {
    if (!db) {
      const request = indexedDB.open(deviceKey(site));
      request.onupgradeneeded = () => request.result.createObjectStore('queue');
      // The browser may close the connection (storage cleared, another version opened): the next use reopens it.
      (db = settled(request)).then(
        (opened) => (opened.onclose = () => (db = undefined)),
        () => (db = undefined),
      );
    }
    return db;
  };
  return {
    async update(change) {
      const transaction = (await open()).transaction('queue', 'readwrite');
      const queue = transaction.objectStore('queue');
      const next = change((await settled<StoredQueue | undefined>(queue.get('queue'))) ?? { events: [], dropped: 0 });
      queue.put(next, 'queue');
      await settled(transaction);
      return next;
    },
    close: () => void db?.then((opened) => opened.close()),
  };
}

export interface QueueOptions {
  transport: Transport;
  /** The batch envelope, or `undefined` while nothing may be sent (consent `pending`). */
  envelope: () => Envelope | undefined;
  now?: () => number;
  random?: () => number;
  /** Web Locks; `null` forces the lease fallback. Default `navigator.locks`. */
  locks?: SenderLocks | null;
  /** One sender per name: the site's tabs share it. */
  lockName: string;
  /** Events kept before the oldest are dropped. Default 1000. */
  maxQueue?: number;
  /** Queue length that triggers a flush. Default 20. */
  batchSize?: number;
  /** Default 5000. */
  flushIntervalMs?: number;
  /** Debug output. */
  warn: (...problem: unknown[]) => void;
}

export interface Queue {
  enqueue(event: PathmarkEvent): void;
  /** `hidden`: the page is going away; send what this tab holds at once, with keepalive. */
  flush(hidden?: boolean): Promise<void>;
  /** Switches between the shared persistent store (`granted`) and memory only; events held here move along. */
  useStore(store?: QueueStore): Promise<void>;
  /** Forgets every event held in memory (the persistent store is the caller's to delete). */
  clear(): void;
  /** Rewrites the events held in memory, e.g. to strip identifiers when consent is lowered. */
  rewrite(change: (event: PathmarkEvent) => PathmarkEvent): void;
  /** The `online` event: a network failure may be over. */
  online(): void;
  destroy(): void;
}

/**
 * Batches events and delivers them at least once: an event keeps its id until
 * a request carrying it was accepted (or refused with a 4xx). Transport,
 * store, clock and lock are passed in, so tests hand in fakes.
 */
export function createQueue(options: QueueOptions): Queue {
  const { transport, envelope, now = Date.now, random = Math.random, lockName, warn } = options;
  const cap = options.maxQueue ?? 1000;
  const interval = options.flushIntervalMs ?? 5000;
  const locks = options.locks === undefined ? (navigator as { locks?: SenderLocks }).locks : options.locks;
  const owner = String(random());

  /** Events this tab captured and has not seen delivered (in `granted`, also in the store). */
  let held: PathmarkEvent[] = [];
  /** Events dropped by the cap in memory-only mode, not yet reported (the store counts its own). */
  let dropped = 0;
  let store: QueueStore | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryAt = 0;
  /** The collector asked for the wait (Retry-After): even a page on its way out keeps to it. */
  let asked = false;
  let attempts = 0;
  let offline = false;
  let destroyed = false;
  let inflight: Promise<void> | undefined;
  /**
   * The one further round every flush asked for during a send waits for. A burst calls
   * flush once per event past the batch size: chaining a round per call made the rounds
   * grow quadratically, a long task once the send was over.
   */
  let rerun: Promise<void> | undefined;
  /** Ids in a request not yet answered: a second flush must not post them again. */
  const posting = new Set<string>();
  /** Events enqueued in this task, written to the store together at its end. */
  const unstored: PathmarkEvent[] = [];

  /** Still to come: the page's first events wait a second, not the interval, so that its page view arrives soon. */
  let firstFlush = true;

  /** `replace`: drop the timer already set, so that this delay counts instead. */
  const schedule = (delay: number, replace?: boolean) => {
    if (replace) timer = void clearTimeout(timer);
    if (!timer && !destroyed) timer = setTimeout(() => ((timer = undefined), void flush()), delay);
  };

  /** IndexedDB failing (quota, private mode, blocked) leaves this tab in memory mode, silently. */
  const persist = async (change: (queue: StoredQueue) => StoredQueue) => {
    const current = store;
    try {
      return await current?.update(change);
    } catch (error) {
      if (store == current) store = undefined;
      warn(error);
    }
  };

  const append = (events: PathmarkEvent[]) => (queue: StoredQueue) => {
    const stored = new Set(queue.events.map((e) => e.id));
    const all = queue.events.concat(events.filter((e) => !stored.has(e.id)));
    return { ...queue, events: all.slice(-cap), dropped: queue.dropped + Math.max(0, all.length - cap) };
  };

  /** Sends in as many requests as needed; stops at the first retryable failure. */
  const send = async (events: PathmarkEvent[], unreported: number, hidden?: boolean) => {
    const batch = envelope()!;
    events = events.filter((e) => !posting.has(e.id));
    while (events.length) {
      // One request's worth serialized at a time: a thousand events at once would be a long task on a slow phone.
      const [{ body, events: chunk }] = splitIntoBodies(
        { ...batch, dropped: unreported || undefined },
        events.slice(0, MAX_EVENTS_PER_BATCH),
        now(),
      ) as [{ body: string; events: PathmarkEvent[] }];
      events = events.slice(chunk.length);
      const ids = new Set(chunk.map((e) => e.id));
      const sent = (e: PathmarkEvent) => ids.has(e.id);
      ids.forEach((id) => posting.add(id));
      // A transport that throws (a custom one) counts as a network error, so these events stay sendable.
      const { code, retryAfter = 0 }: Delivery = await transport(body, !!hidden).catch(() => ({ code: 0 }));
      ids.forEach((id) => posting.delete(id));
      if (isRetryable(code)) {
        offline = !code;
        // Exponential backoff with jitter, so that tabs and devices do not retry in step.
        const delay = Math.max(Math.min(3e5, 1000 * 2 ** attempts++) * (0.5 + random() / 2), retryAfter);
        retryAt = now() + delay;
        asked = retryAfter > 0;
        return schedule(delay, true);
      }
      if (code > 299) warn('dropped, HTTP', code);
      attempts = 0;
      held = held.filter((e) => !sent(e));
      if (!store) dropped -= unreported;
      await persist((queue) => ({
        events: queue.events.filter((e) => !sent(e)),
        dropped: queue.dropped - unreported,
        lease: queue.lease,
      }));
      unreported = 0;
    }
  };

  /**
   * One sender per site across tabs, so that two tabs never post the same
   * stored events. With Web Locks a tab waits its turn, then finds what the
   * other tab delivered gone from the store (and forgets it); the lease
   * fallback skips the flush instead.
   */
  const asSoleSender = async (work: () => Promise<void>) => {
    if (locks) return void (await locks.request(lockName, work));
    const mine = (queue: StoredQueue) => queue.lease?.by == owner;
    const leased = await persist((queue) =>
      !queue.lease || queue.lease.until < now() || mine(queue) ? { ...queue, lease: { by: owner, until: now() + 3e4 } } : queue,
    );
    if (leased && mine(leased)) {
      try {
        await work();
      } finally {
        await persist((queue) => (mine(queue) ? { ...queue, lease: undefined } : queue));
      }
    }
  };

  /** Resolves once what was queued when called was attempted; calls during a send wait for it, then share one more. */
  const attempt = (hidden?: boolean): Promise<void> => {
    if (destroyed || !envelope()) return Promise.resolve();
    // A page on its way out makes a last attempt during a backoff, unless the collector asked to wait.
    if (now() < retryAt && (asked || !hidden)) return Promise.resolve(schedule(retryAt - now()));
    // Hidden: no await before the request, the page may be frozen after this task.
    if (hidden) return send(held, dropped, true);
    if (inflight) return (rerun ??= inflight.finally(() => ((rerun = undefined), attempt())));
    timer = void clearTimeout(timer);
    return (inflight = (
      store
        ? asSoleSender(async () => {
            const queue = await persist((q) => q);
            if (!queue) return send(held, dropped);
            // The store is the truth: what another tab delivered is gone from it.
            held = held.filter((e) => queue.events.some((q) => q.id == e.id));
            await send(queue.events, queue.dropped);
          })
        : send(held, dropped)
    ).finally(() => {
      inflight = undefined;
      if (held.length) schedule(interval);
    }));
  };

  /** Never rejects: most flushes are started by timers and events, with nobody to catch a failure. */
  const flush = (hidden?: boolean) => attempt(hidden).catch(warn);

  return {
    enqueue(event) {
      held.push(event);
      // In place: copying the queue for every event would cost a burst the square of its length.
      const overCap = held.splice(0, held.length - cap).length;
      // One IndexedDB write per task, not per event: a burst of calls must not rewrite the stored queue each time.
      if (!store) dropped += overCap;
      else if (unstored.push(event) == 1) Promise.resolve().then(() => persist(append(unstored.splice(0))));
      if (held.length >= (options.batchSize ?? 20)) void flush();
      // A backoff in force still holds: the flush reschedules itself for its end.
      else if (firstFlush) {
        firstFlush = false;
        schedule(1000, true);
      } else schedule(interval);
    },
    flush,
    async useStore(next) {
      store = next;
      await persist(append(held));
      // Events stored by earlier pages are waiting.
      if (next) schedule(interval);
    },
    clear() {
      held = [];
      dropped = 0;
      store = undefined;
    },
    rewrite(change) {
      held = held.map(change);
    },
    online() {
      if (offline) retryAt = 0;
      void flush();
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
    },
  };
}
