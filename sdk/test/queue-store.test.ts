import { afterEach, describe, expect, it, vi } from 'vitest';
import { idbQueueStore, type PathmarkEvent, type StoredQueue } from '../src/index.ts';

const events = (from: number, count: number) =>
  Array.from(
    { length: count },
    (_, i) => ({ id: `e${from + i}`, name: 'n', props: { i: from + i } }) as unknown as PathmarkEvent,
  );
const append = (added: PathmarkEvent[]) => (queue: StoredQueue) => ({ ...queue, events: queue.events.concat(added) });
const ids = (queue: StoredQueue | undefined) => queue!.events.map((e) => e.id);
const range = (from: number, count: number) => events(from, count).map((e) => e.id);

/** The raw records of the site's database. */
async function records(site: string) {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(`pathmark:${site}`);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const store = db.transaction('queue').objectStore('queue');
  const read = <T>(request: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const [keys, values] = [await read(store.getAllKeys()), await read(store.getAll())];
  db.close();
  return keys.map((key, i) => [key, values[i]] as const);
}

afterEach(() => vi.restoreAllMocks());

describe('the IndexedDB queue', () => {
  it('a change made where this tab changed the queue last reads no events and writes only the records that changed', async () => {
    const store = idbQueueStore('s');
    for (let i = 0; i < 3; i++) await store.update(append(events(i * 100, 100)));
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    const put = vi.spyOn(IDBObjectStore.prototype, 'put');
    const remove = vi.spyOn(IDBObjectStore.prototype, 'delete');
    // A batch of the first 100 delivered: its record goes, nothing else is read or written but the head.
    const sent = new Set(range(0, 100));
    const after = await store.update((queue) => ({ ...queue, events: queue.events.filter((e) => !sent.has(e.id)) }));
    expect(ids(after)).toEqual(range(100, 200));
    expect(getAll).not.toHaveBeenCalled();
    expect(remove).toHaveBeenCalledTimes(1);
    expect(put.mock.calls.map(([, key]) => key)).toEqual(['queue']);
    // Half a record delivered: that record is rewritten with the rest.
    put.mockClear();
    const half = new Set(range(100, 50));
    await store.update((queue) => ({ ...queue, events: queue.events.filter((e) => !half.has(e.id)) }));
    expect(put.mock.calls.map(([value, key]) => [key, Array.isArray(value) ? value.length : 'head'])).toEqual([
      [1, 50],
      ['queue', 'head'],
    ]);
    vi.restoreAllMocks();
    // What another tab (or the next page) reads: the same events, in order.
    expect(ids(await idbQueueStore('s').update((queue) => queue))).toEqual(range(150, 150));
  });

  it('a tab sees the changes another tab made since its own, in order', async () => {
    const first = idbQueueStore('s');
    const second = idbQueueStore('s');
    await first.update(append(events(0, 2)));
    await second.update(append(events(2, 2)));
    await first.update(append(events(4, 2)));
    expect(ids(await second.update((queue) => ({ ...queue, dropped: 3 })))).toEqual(range(0, 6));
    expect(await first.update((queue) => queue)).toMatchObject({ dropped: 3, events: events(0, 6) });
  });

  it('a queue stored in one record (before this layout) is read, then moved to records of events at the first change', async () => {
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open('pathmark:s');
      request.onupgradeneeded = () => request.result.createObjectStore('queue');
      request.onsuccess = () => {
        const transaction = request.result.transaction('queue', 'readwrite');
        transaction.objectStore('queue').put({ events: events(0, 3), dropped: 2 }, 'queue');
        transaction.oncomplete = () => (request.result.close(), resolve());
        transaction.onerror = () => reject(transaction.error);
      };
    });
    const store = idbQueueStore('s');
    const after = await store.update(append(events(3, 1)));
    expect(after).toMatchObject({ dropped: 2, events: events(0, 4) });
    store.close?.();
    const stored = await records('s');
    expect(stored.map(([key]) => key)).toEqual([0, 'queue']);
    expect(stored[1]![1]).not.toHaveProperty('events');
    expect(ids(await idbQueueStore('s').update((queue) => queue))).toEqual(range(0, 4));
  });
});
