import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { expect, vi } from 'vitest';
import { createTracker, type Tracker, type TrackerConfig, type TrackerDeps } from '../src/index.ts';
import type { AccessResponse, Batch, ErasureReceipt, PathmarkEvent, RightsRequest } from '../src/protocol.ts';

export const ENDPOINT = 'http://localhost:3000/v1/events';
export const server = setupServer();

/** Every request that reached the network layer during the test. */
export const requests: { url: string; unhandled?: boolean; keepalive?: boolean }[] = [];
server.events.on('request:start', ({ request }) => void requests.push({ url: request.url, keepalive: request.keepalive }));
server.events.on('request:unhandled', ({ request }) => void requests.push({ url: request.url, unhandled: true }));

export interface Collector {
  /** Batches the collector accepted (2xx). */
  batches: Batch[];
  /** Every body posted, accepted or not. */
  attempts: Batch[];
  events(): PathmarkEvent[];
  contentTypes: (string | null)[];
  /** Request body sizes in bytes. */
  sizes: number[];
  /** Fake-clock time of each attempt. */
  times: number[];
}

/**
 * An msw collector at ENDPOINT. `respond` may answer a request differently
 * (given the attempt number from 1); by default it accepts with 202.
 */
export function collector(respond?: (attempt: number, batch: Batch) => Response | undefined): Collector {
  // forget() in granted mode also asks for an erasure: every test's collector answers it.
  rightsCollector();
  const c: Collector = {
    batches: [],
    attempts: [],
    events: () => c.batches.flatMap((b) => b.events),
    contentTypes: [],
    sizes: [],
    times: [],
  };
  server.use(
    http.post(ENDPOINT, async ({ request }) => {
      const text = await request.text();
      c.sizes.push(new TextEncoder().encode(text).length);
      c.times.push(Date.now());
      const batch = JSON.parse(text) as Batch;
      c.attempts.push(batch);
      c.contentTypes.push(request.headers.get('content-type'));
      const answer = respond?.(c.attempts.length, batch);
      if (answer) return answer;
      c.batches.push(batch);
      return HttpResponse.json({ accepted: batch.events.length, rejected: [] }, { status: 202 });
    }),
  );
  return c;
}

export const RIGHTS = 'http://localhost:3000/v1/rights/demo';

/** A receipt as the collector answers an erasure request. */
export const receiptFor = (id: string): ErasureReceipt => ({
  receipt_id: id,
  site: 'demo',
  requested_at: '2026-12-04T16:00:00.000Z',
  status: 'pending',
  steps: { database: 'done', insights: 'done', archive: 'pending', webhook: 'off' },
  check: `/v1/rights/demo/receipts/${id}`,
});

/**
 * The collector's visitor-rights routes (the real ones are tested in workerd): records what the SDK asked, with which
 * body and content type. `respond` may answer differently.
 */
export function rightsCollector(respond?: (path: string) => Response | undefined) {
  const asked: { method: string; path: string; body?: RightsRequest; contentType: string | null }[] = [];
  const record = async (request: Request, path: string) => {
    const text = request.method == 'POST' ? await request.text() : '';
    asked.push({
      method: request.method,
      path,
      body: text ? JSON.parse(text) : undefined,
      contentType: request.headers.get('content-type'),
    });
    return respond?.(path);
  };
  server.use(
    http.post(`${RIGHTS}/access`, async ({ request }) => {
      const answer = await record(request, 'access');
      if (answer) return answer;
      const access: AccessResponse = {
        site: 'demo',
        kept: 'records',
        records: [{ name: 'page_view' }],
        truncated: false,
        fields: { name: 'event name' },
        erasure: null,
      };
      return HttpResponse.json(access);
    }),
    http.post(
      `${RIGHTS}/erase`,
      async ({ request }) => (await record(request, 'erase')) ?? HttpResponse.json(receiptFor('r-1'), { status: 202 }),
    ),
    http.get(
      `${RIGHTS}/receipts/:id`,
      async ({ request, params }) =>
        (await record(request, `receipts/${params.id}`)) ??
        HttpResponse.json({ ...receiptFor(String(params.id)), status: 'done' }),
    ),
  );
  return asked;
}

const live: Tracker[] = [];
/** createTracker with test defaults, destroyed after the test. */
export function tracker(config: Partial<TrackerConfig> = {}, deps: TrackerDeps = {}): Tracker {
  const t = createTracker(
    { site: 'demo', endpoint: '/v1/events', consent: 'granted', vitals: false, ...config },
    { locks: null, ...deps },
  );
  live.push(t);
  return t;
}
export function destroyTrackers() {
  live.splice(0).forEach((t) => t.destroy());
}

/** Fake clock and timers, animation frames included; real Date moves with them. */
export function useFakeTime() {
  vi.useFakeTimers({
    // Not setImmediate: fake-indexeddb schedules with it, and IndexedDB should simply work.
    toFake: [
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'Date',
      'requestAnimationFrame',
      'cancelAnimationFrame',
    ],
  });
}

/** Lets a page view that waits for its title settle (1 s at most, see afterTitle) and pending promises run. */
export async function settle(ms = 1100) {
  await vi.advanceTimersByTimeAsync(ms);
}

type Partial_<T> = { [K in keyof T]?: T[K] extends object ? Partial_<T[K]> | unknown : T[K] | unknown };
export type EventPattern = Partial_<PathmarkEvent> & { name: string; props?: Record<string, unknown> };

const matches = (actual: unknown, pattern: unknown): boolean => {
  if (pattern && typeof pattern == 'object' && !Array.isArray(pattern)) {
    if (!actual || typeof actual != 'object') return false;
    return Object.entries(pattern).every(([k, v]) => matches((actual as Record<string, unknown>)[k], v));
  }
  if (Array.isArray(pattern))
    return Array.isArray(actual) && pattern.length == actual.length && pattern.every((p, i) => matches(actual[i], p));
  return Object.is(actual, pattern) || (pattern === undefined && actual === undefined);
};

/**
 * The payload matcher: every `expected` pattern matches exactly one event
 * (in order of appearance), and no event matches a `refuted` pattern.
 * Patterns are partial: `{ name: 'scroll', props: { depth: 50 } }`.
 */
export function expectEvents(
  events: PathmarkEvent[],
  { expected = [], refuted = [] }: { expected?: EventPattern[]; refuted?: EventPattern[] },
) {
  let from = 0;
  for (const pattern of expected) {
    const hits = events.filter((e) => matches(e, pattern));
    expect(
      hits,
      `expected exactly one event like ${JSON.stringify(pattern)} in ${JSON.stringify(events.map((e) => [e.name, e.props]))}`,
    ).toHaveLength(1);
    const at = events.indexOf(hits[0]!);
    expect(at, `${JSON.stringify(pattern)} out of order`).toBeGreaterThanOrEqual(from);
    from = at;
  }
  for (const pattern of refuted) {
    expect(
      events.filter((e) => matches(e, pattern)),
      `refuted ${JSON.stringify(pattern)}`,
    ).toEqual([]);
  }
}

export const names = (events: PathmarkEvent[]) => events.map((e) => e.name);

/** happy-dom's PageTransitionEvent ignores `persisted`; browsers set it for back/forward-cache pages. */
export const pageTransition = (type: 'pagehide' | 'pageshow', persisted: boolean) =>
  Object.assign(new Event(type), { persisted });

/** Makes the document report `state` as its visibility and fires visibilitychange. */
export function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Lets IndexedDB (fake-indexeddb schedules with setImmediate, which stays real) and promises finish. */
export async function drain(turns = 30) {
  const { setImmediate } = globalThis as unknown as { setImmediate(fn: () => void): void };
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Advances the fake clock in steps, letting IndexedDB work (real
 * setImmediate) in between, as it would while time passes in a browser.
 */
export async function advance(ms: number, step = 500) {
  for (let left = ms; left > 0; left -= step) {
    await vi.advanceTimersByTimeAsync(Math.min(step, left));
    await drain(5);
  }
}

/** Names of the IndexedDB databases on the "device". */
export async function databases() {
  return (await indexedDB.databases()).map((d) => d.name);
}

/** Everything the SDK could have written to the device. */
export async function deviceStorage() {
  return {
    localStorage: { ...localStorage },
    sessionStorage: { ...sessionStorage },
    cookie: document.cookie,
    databases: await databases(),
  };
}
export const EMPTY_DEVICE = { localStorage: {}, sessionStorage: {}, cookie: '', databases: [] };
