import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import type { SenderLocks } from '../src/queue.ts';
import { createQueue, type Delivery, type PathmarkEvent, type QueueStore } from '../src/index.ts';
import { advance, collector, drain, expectEvents, names, settle, setVisibility, tracker, useFakeTime } from './support.ts';

const manual = { autoPageviews: false } as const;
const ids = (events: { id: string }[]) => events.map((e) => e.id);
const unique = (list: string[]) => new Set(list).size == list.length;

describe('batching', () => {
  it('sends the page’s first events after a second, then at 20 events or every 5 seconds', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ ...manual, consent: 'anonymous' });
    t.track('first');
    await settle(900);
    expect(c.attempts).toHaveLength(0);
    await settle(100);
    expect(c.attempts.map((b) => b.events.length)).toEqual([1]);
    for (let i = 0; i < 19; i++) t.track('tick');
    await settle(4_000);
    expect(c.attempts).toHaveLength(1);
    t.track('tick');
    await drain();
    expect(c.attempts.map((b) => b.events.length)).toEqual([1, 20]);
    t.track('tock');
    await settle(4_900);
    expect(c.attempts).toHaveLength(2);
    await settle(100);
    expect(c.attempts).toHaveLength(3);
    expect(c.contentTypes.every((type) => type?.startsWith('text/plain'))).toBe(true);
    const batch = c.batches[1];
    expect(batch).toMatchObject({ v: 1, site: 'demo', consent: 'anonymous', sdk: 'pathmark-js/0.1.0' });
    expect(batch!.sent_at).toBeGreaterThanOrEqual(batch!.events[19]!.ts);
    expect(batch!.events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });

  it('sends on pagehide in the same task, with keepalive', async () => {
    useFakeTime();
    const c = collector();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    tracker({ consent: 'anonymous' });
    await settle(400); // the load's page view, before the first flush (1 s)
    window.dispatchEvent(new Event('pagehide'));
    // No await in between: a page being unloaded gets no further tasks.
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [, init] = fetchSpy.mock.calls[0]!;
    expect(init).toMatchObject({ method: 'POST', keepalive: true });
    await drain();
    expect(names(c.events())).toEqual(['page_view', 'page_leave']);
  });

  it('sends when the page becomes hidden, with keepalive', async () => {
    useFakeTime();
    const c = collector();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    tracker({ consent: 'anonymous' });
    await settle(400); // the load's page view, before the first flush (1 s)
    setVisibility('hidden');
    expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true });
    setVisibility('visible');
    await drain();
    expect(names(c.events())).toEqual(['page_view', 'page_leave']);
  });

  it('keeps events whose keepalive request failed (granted: in the stored queue for the next page)', async () => {
    useFakeTime();
    let online = false;
    const c = collector(() => (online ? undefined : HttpResponse.error()));
    tracker();
    await settle(400); // the load's page view, before the first flush (1 s)
    await drain();
    window.dispatchEvent(new Event('pagehide'));
    await drain();
    expect(c.attempts).toHaveLength(1);
    online = true;
    const next = tracker(manual); // the next page load
    await drain();
    await next.flush();
    expect(names(c.events())).toEqual(['page_view', 'page_leave']);
  });
});

describe('retries', () => {
  it('backs off exponentially with jitter on 5xx and network errors, then delivers once', async () => {
    useFakeTime();
    const c = collector((attempt) =>
      attempt == 1
        ? new HttpResponse(null, { status: 503 })
        : attempt == 2
          ? HttpResponse.error()
          : attempt == 3
            ? new HttpResponse(null, { status: 408 })
            : undefined,
    );
    // random() = 0.5: every delay is 0.75 × 1 s × 2^n.
    const t = tracker({ ...manual, consent: 'anonymous' }, { random: () => 0.5 });
    t.track('important');
    await t.flush();
    expect(c.attempts).toHaveLength(1);
    await settle(749);
    expect(c.attempts).toHaveLength(1);
    await settle(1);
    expect(c.attempts).toHaveLength(2);
    await settle(1_499);
    expect(c.attempts).toHaveLength(2);
    await settle(1);
    expect(c.attempts).toHaveLength(3);
    await settle(3_000);
    expect(c.attempts).toHaveLength(4);
    await settle(60_000);
    expect(c.attempts).toHaveLength(4);
    expect(c.times.slice(1).map((time, i) => time - c.times[i]!)).toEqual([750, 1500, 3000]);
    expect(names(c.events())).toEqual(['important']);
    // The same event, with the same id, in every attempt.
    expect(new Set(c.attempts.map((b) => b.events[0]!.id)).size).toBe(1);
  });

  it('honours Retry-After on 429, in seconds or as a date', async () => {
    useFakeTime();
    let answer = 0;
    const c = collector(() => {
      answer++;
      if (answer == 1) return new HttpResponse(null, { status: 429, headers: { 'Retry-After': '10' } });
      if (answer == 2)
        return new HttpResponse(null, { status: 503, headers: { 'Retry-After': new Date(Date.now() + 20_000).toUTCString() } });
      return undefined;
    });
    const t = tracker({ ...manual, consent: 'anonymous' }, { random: () => 0 });
    t.track('limited');
    await t.flush();
    await settle(9_999);
    expect(c.attempts).toHaveLength(1);
    await t.flush(); // an explicit flush does not jump the queue either
    expect(c.attempts).toHaveLength(1);
    await settle(1);
    expect(c.attempts).toHaveLength(2);
    await settle(19_000);
    expect(c.attempts).toHaveLength(2);
    await settle(1_000);
    expect(c.attempts).toHaveLength(3);
    expect(names(c.events())).toEqual(['limited']);
  });

  it('a page on its way out makes a last attempt during a 5xx backoff, but not against a Retry-After', async () => {
    useFakeTime();
    const c = collector((attempt) => (attempt == 1 ? new HttpResponse(null, { status: 503 }) : undefined));
    const t = tracker({ ...manual, consent: 'anonymous' });
    t.track('kept_in_memory');
    await t.flush();
    expect(c.attempts).toHaveLength(1);
    window.dispatchEvent(new Event('pagehide'));
    await drain();
    expect(names(c.events())).toEqual(['kept_in_memory']);

    const limited = collector(() => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '60' } }));
    const u = tracker({ ...manual, site: 'other', consent: 'anonymous' });
    u.track('waits');
    await u.flush();
    window.dispatchEvent(new Event('pagehide'));
    await drain();
    expect(limited.attempts.filter((b) => b.site == 'other')).toHaveLength(1);
  });

  it('drops a batch refused with 400 (debug warning) and carries on with the next one', async () => {
    useFakeTime();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const c = collector((attempt) =>
      attempt == 1 ? HttpResponse.json({ error: 'invalid', detail: 'events[0].name' }, { status: 400 }) : undefined,
    );
    const t = tracker({ ...manual, consent: 'anonymous', debug: true });
    t.track('refused');
    await t.flush();
    await settle(10 * 60_000);
    expect(c.attempts).toHaveLength(1);
    expect(warn.mock.calls.map((call) => call.join(' '))).toContain('[pathmark] dropped, HTTP 400');
    t.track('accepted');
    await t.flush();
    expect(names(c.events())).toEqual(['accepted']);
  });
});

describe('offline safety', () => {
  it('offline → online: every event arrives, once, with the id it was captured with', async () => {
    useFakeTime();
    let online = false;
    const c = collector(() => (online ? undefined : HttpResponse.error()));
    const t = tracker(manual);
    for (let i = 0; i < 45; i++) {
      t.track('while_offline', { i });
      await advance(1_000);
    }
    await advance(5 * 60_000, 5_000);
    expect(c.batches).toHaveLength(0);
    expect(c.attempts.length).toBeGreaterThan(3);
    online = true;
    window.dispatchEvent(new Event('online'));
    await advance(1_000);
    await t.flush();
    const delivered = c.events();
    expect(delivered).toHaveLength(45);
    expect(unique(ids(delivered))).toBe(true);
    expect(delivered.map((e) => (e.props as { i: number }).i)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    // Ids seen in failed attempts are the ids delivered.
    expect(new Set(c.attempts.flatMap((b) => ids(b.events)))).toEqual(new Set(ids(delivered)));
  });

  it('granted: events stored while offline survive a reload and are sent by the next page', async () => {
    useFakeTime();
    let online = false;
    const c = collector(() => (online ? undefined : HttpResponse.error()));
    const first = tracker(manual);
    first.track('before_reload', { n: 1 });
    first.track('before_reload', { n: 2 });
    await first.flush();
    await drain();
    first.destroy(); // the tab goes away
    online = true;
    const second = tracker(manual);
    await drain();
    await settle(0);
    await second.flush();
    expect(c.events().map((e) => e.props)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(unique(ids(c.attempts.flatMap((b) => b.events)))).toBe(false); // retried …
    expect(unique(ids(c.events()))).toBe(true); // … but delivered once
  });

  it('keeps at most maxQueue events, drops the oldest and reports how many (memory queue)', async () => {
    useFakeTime();
    let online = false;
    const c = collector(() => (online ? undefined : HttpResponse.error()));
    const t = tracker({ ...manual, consent: 'anonymous', maxQueue: 5 });
    for (let i = 0; i < 8; i++) t.track('tick', { i });
    await t.flush();
    online = true;
    window.dispatchEvent(new Event('online'));
    await drain();
    await t.flush();
    expect(c.events().map((e) => (e.props as { i: number }).i)).toEqual([3, 4, 5, 6, 7]);
    expect(c.batches[0]!.dropped).toBe(3);
    t.track('later');
    await t.flush();
    expect(c.batches[1]!.dropped).toBeUndefined();
  });

  it('keeps at most maxQueue events in the stored queue too', async () => {
    useFakeTime();
    let online = false;
    const c = collector(() => (online ? undefined : HttpResponse.error()));
    const t = tracker({ ...manual, maxQueue: 5 });
    await drain();
    for (let i = 0; i < 8; i++) t.track('tick', { i });
    await drain();
    online = true;
    window.dispatchEvent(new Event('online'));
    await drain();
    await t.flush();
    expect(c.events().map((e) => (e.props as { i: number }).i)).toEqual([3, 4, 5, 6, 7]);
    expect(c.batches[0]!.dropped).toBe(3);
  });
});

describe('stored queue writes', () => {
  it('calls made while a request is out wait for it, then share one more round (not a round per call)', async () => {
    const answers: ((delivery: Delivery) => void)[] = [];
    const transport = vi.fn((_body: string) => new Promise<Delivery>((resolve) => answers.push(resolve)));
    const envelope = vi.fn(() => ({ v: 1, site: 'demo', consent: 'anonymous', sdk: 'test' }) as const);
    const queue = createQueue({ transport, envelope, lockName: 'test', locks: null, warn: () => {} });
    const event = (i: number): PathmarkEvent => ({
      id: `id-${i}`,
      ts: 1,
      seq: i + 1,
      page_id: 'p',
      url: 'https://shop.example/',
      name: 'tick',
    });
    // Past 20 events every call asks for a flush while the first request is out.
    for (let i = 0; i < 1000; i++) queue.enqueue(event(i));
    envelope.mockClear();
    while (answers.length) {
      answers.shift()!({ code: 202 });
      await drain(5);
    }
    queue.destroy();
    expect(transport.mock.calls.map(([body]) => JSON.parse(body).events.length)).toEqual([20, ...Array(9).fill(100), 80]);
    // After the burst: an attempt and a send per round. A round chained per call made this about 480,000.
    expect(envelope.mock.calls.length).toBeLessThan(20);
  });

  it('calls made during a round that failed still get their round, at once (not at the next timer)', async () => {
    useFakeTime();
    const transport = vi.fn(async (_body: string): Promise<Delivery> => ({ code: 202 }));
    const envelope = () => ({ v: 1, site: 'demo', consent: 'granted', sdk: 'test' }) as const;
    let stored = { events: [], dropped: 0 } as Awaited<ReturnType<QueueStore['update']>>;
    const store: QueueStore = { update: async (change) => (stored = change(stored)) };
    let lockRequests = 0;
    // The first sender lock is refused (a browser quirk, say): that round fails as a whole.
    const locks: SenderLocks = {
      request: async (_name, work) => (++lockRequests == 1 ? Promise.reject(new Error('no lock')) : work(null)),
    };
    const queue = createQueue({ transport, envelope, lockName: 'test', locks, warn: () => {}, batchSize: 2 });
    await queue.useStore(store);
    const event = (i: number): PathmarkEvent => ({
      id: `id-${i}`,
      ts: 1,
      seq: i + 1,
      page_id: 'p',
      url: 'https://shop.example/',
      name: 'tick',
    });
    for (let i = 0; i < 3; i++) queue.enqueue(event(i));
    await drain();
    queue.destroy();
    expect(lockRequests).toBe(2);
    expect(transport.mock.calls.flatMap(([body]) => JSON.parse(body).events.map((e: PathmarkEvent) => e.id))).toEqual([
      'id-0',
      'id-1',
      'id-2',
    ]);
  });

  it('a transport that throws counts as a network error: the events are retried, not stuck', async () => {
    useFakeTime();
    const bodies: string[] = [];
    const transport = vi.fn(async (body: string): Promise<Delivery> => {
      bodies.push(body);
      if (bodies.length == 1) throw new Error('custom transport failed');
      return { code: 202 };
    });
    const envelope = () => ({ v: 1, site: 'demo', consent: 'anonymous', sdk: 'test' }) as const;
    const queue = createQueue({ transport, envelope, lockName: 'test', locks: null, warn: () => {} });
    queue.enqueue({ id: 'only', ts: 1, seq: 1, page_id: 'p', url: 'https://shop.example/', name: 'tick' });
    await settle(1_000);
    await settle(2_000);
    queue.destroy();
    expect(bodies.map((body) => JSON.parse(body).events.map((e: PathmarkEvent) => e.id))).toEqual([['only'], ['only']]);
  });

  it('a burst of calls in one task is written to the stored queue once, not once per event', async () => {
    useFakeTime();
    collector();
    let stored = { events: [], dropped: 0 } as Awaited<ReturnType<QueueStore['update']>>;
    const growingWrites: number[] = [];
    const store: QueueStore = {
      update: async (change) => {
        const next = change(stored);
        if (next.events.length > stored.events.length) growingWrites.push(next.events.length - stored.events.length);
        return (stored = next);
      },
    };
    const t = tracker({ ...manual, batchSize: 500 }, { store: () => store });
    await drain();
    for (let i = 0; i < 50; i++) t.track('burst', { i });
    await drain();
    expect(growingWrites).toEqual([50]);
    expect(stored.events.map((e) => (e.props as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('storage failures', () => {
  it('falls back to memory when IndexedDB fails (quota, private mode), without an error reaching the page', async () => {
    useFakeTime();
    const c = collector();
    const broken: QueueStore = { update: () => Promise.reject(new DOMException('quota', 'QuotaExceededError')) };
    const t = tracker(manual, { store: () => broken });
    t.track('kept_in_memory');
    await drain();
    await t.flush();
    expect(names(c.events())).toEqual(['kept_in_memory']);
  });

  it('works without IndexedDB or localStorage at all', async () => {
    useFakeTime();
    vi.stubGlobal('indexedDB', undefined);
    vi.stubGlobal('localStorage', {
      getItem() {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    const c = collector();
    const t = tracker(manual);
    t.track('no_storage');
    await drain();
    await t.flush();
    expectEvents(c.events(), { expected: [{ name: 'no_storage' }] });
  });
});

describe('request size', () => {
  it('splits batches so that every request stays under 64 KB and 100 events', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ ...manual, consent: 'anonymous', batchSize: 10_000 });
    const blob = 'é'.repeat(2_000); // 4 KB of UTF-8
    for (let i = 0; i < 40; i++) t.track('big', { blob, i });
    for (let i = 0; i < 150; i++) t.track('small', { i });
    await t.flush();
    expect(c.attempts.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...c.sizes)).toBeLessThanOrEqual(64 * 1024);
    expect(Math.max(...c.attempts.map((b) => b.events.length))).toBeLessThanOrEqual(100);
    expect(c.events()).toHaveLength(190);
    expect(unique(ids(c.events()))).toBe(true);
  });

  it('refuses at capture an event bigger than a request', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ ...manual, consent: 'anonymous' });
    // Strings are cut to 2,048 characters, so it takes many of them.
    t.track('huge', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(2_000)])));
    t.track('fine');
    await t.flush();
    expect(names(c.events())).toEqual(['fine']);
  });
});

describe('one sender across tabs', () => {
  /** Web Locks as specified (exclusive, granted in request order), shared by the "tabs" like the browser's lock manager. */
  function webLocks(): SenderLocks & { granted: number } {
    const tails = new Map<string, Promise<unknown>>();
    const locks = {
      granted: 0,
      request(name: string, callback: (lock: unknown) => Promise<void>) {
        const previous = tails.get(name) ?? Promise.resolve();
        const turn = previous.then(() => {
          locks.granted++;
          return callback({ name });
        });
        tails.set(
          name,
          turn.catch(() => {}),
        );
        return turn;
      },
    };
    return locks;
  }

  for (const [label, locks] of [
    ['Web Locks', webLocks],
    ['the IndexedDB lease fallback', () => null],
  ] as const) {
    it(`two tabs sharing the stored queue never post the same event (${label})`, async () => {
      const c = collector();
      const shared = locks();
      const tabA = tracker(manual, { locks: shared });
      const tabB = tracker(manual, { locks: shared });
      await drain();
      for (let i = 0; i < 3; i++) {
        tabA.track('from_a', { i });
        tabB.track('from_b', { i });
      }
      await drain();
      await Promise.all([tabA.flush(), tabB.flush(), tabA.flush(), tabB.flush()]);
      await drain();
      await Promise.all([tabA.flush(), tabB.flush()]);
      const sent = c.attempts.flatMap((b) => ids(b.events));
      expect(sent).toHaveLength(6);
      expect(unique(sent)).toBe(true);
      if (shared) expect(shared.granted).toBeGreaterThan(0);
    });
  }
});
