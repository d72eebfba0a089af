import { MAX_EVENTS_PER_BATCH, type PathmarkEvent } from './protocol.ts';
import { deviceKey } from './lib/deviceKey.ts';
import { isRetryable, splitIntoBodies, type Delivery, type Envelope, type Transport } from './transport.ts';

/** What the persistent queue keeps on the device, changed atomically. */
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

/**
 * How the IndexedDB queue is laid out: the events in records of a few each (those one change added), under a number
 * that grows with each record (so that reading them back keeps their order), beside this record under the key
 * `'queue'`. Rewriting the whole queue at each change cost a structured clone of up to 1,000 events each way: a long
 * task on a slow phone, for every batch sent after a burst (docs/benchmarks.md, section 2); one record per event cost
 * a request per event. Stores written before this layout hold their events here, in `events`: they move to a record
 * of their own at the next change.
 */
interface StoredHead extends Omit<StoredQueue, 'events'> {
  /** The key the next record of events gets. */
  next?: number;
  /**
   * New at each change (random, not a count, which would start again with a database deleted and created anew):
   * another tab has changed the queue since this one did when it differs.
   */
  stamp?: number;
  events?: PathmarkEvent[];
}

/**
 * The IndexedDB queue. Opening it creates the database, so only call it in `granted` mode. A change reads only the
 * head record while no other tab has changed the queue since this one last did (the events are kept from then), and
 * writes only the records whose events changed.
 */
export function idbQueueStore(site: string): QueueStore {
  let db: Promise<IDBDatabase> | undefined;
  /** The events as this tab last wrote them (the key of the record holding each beside it), and the head's `stamp`. */
  let known: { stamp?: number; keys: (number | undefined)[]; events: PathmarkEvent[] } | undefined;
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
  /** Every record of events, in order, and the key of each event's record. */
  const readAll = async (queue: IDBObjectStore) => {
    // Records of events have number keys, which sort before the head's string key.
    const records = IDBKeyRange.upperBound(Infinity);
    const recordKeys = await settled(queue.getAllKeys(records) as IDBRequest<number[]>);
    const all = await settled<PathmarkEvent[][]>(queue.getAll(records));
    return {
      keys: all.flatMap((events, i) => events.map(() => recordKeys[i])),
      events: all.flat(),
    };
  };
  return {
    async update(change) {
      const transaction = (await open()).transaction('queue', 'readwrite');
      const queue = transaction.objectStore('queue');
      const {
        next = 0,
        stamp,
        events: inHead,
        ...head
      } = (await settled<StoredHead | undefined>(queue.get('queue'))) ?? { dropped: 0 };
      const mine = known;
      // Until this change is written: a failed one leaves the store as it was, which this tab no longer knows.
      known = undefined;
      const before =
        mine && mine.stamp == stamp
          ? mine
          : inHead
            ? { keys: inHead.map(() => undefined), events: inHead }
            : await readAll(queue);
      const result = change({ ...head, events: before.events.slice() });
      const { events: after, ...rest } = result;
      const keyOf = new Map(before.events.map((event, i) => [event.id, before.keys[i]]));
      const staying = new Set(after.map((event) => event.id));
      // Each record some of whose events went: rewritten with the others, or deleted without any.
      const changed = new Set(before.events.filter((event) => !staying.has(event.id)).map((event) => keyOf.get(event.id)));
      changed.forEach((key) => {
        if (key == undefined) return;
        const kept = after.filter((event) => keyOf.get(event.id) == key);
        if (kept.length) queue.put(kept, key);
        else queue.delete(key);
      });
      // What the change added (and what the head held, in the earlier layout): one new record.
      const added = after.filter((event) => keyOf.get(event.id) == undefined);
      if (added.length) queue.put(added, next);
      const newStamp = Math.random();
      queue.put({ ...rest, next: next + 1, stamp: newStamp }, 'queue');
      await settled(transaction);
      known = { stamp: newStamp, keys: after.map((event) => keyOf.get(event.id) ?? next), events: after };
      return result;
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
  /** Strips the identifiers from the events held in memory (consent lowered to `anonymous`). */
  stripIds(): void;
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
    stripIds() {
      held = held.map(({ anonymous_id, session_id, ...event }) => event as PathmarkEvent);
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
