import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import type { ConsentProps } from '../src/protocol.ts';
import { http } from 'msw';
import {
  collector,
  deviceStorage,
  drain,
  EMPTY_DEVICE,
  expectEvents,
  names,
  requests,
  server,
  settle,
  tracker,
  useFakeTime,
} from './support.ts';

describe('consent gating', () => {
  it('pending: captures into memory only, then flushes with identifiers when granted', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ consent: 'pending' });
    await settle();
    t.search('tent');
    await settle(30_000);
    await drain();
    expect(requests).toHaveLength(0);
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
    t.consent.set('granted');
    await t.flush();
    expect(names(c.events())).toEqual(['page_view', 'search', 'consent']);
    expectEvents(c.events(), { expected: [{ name: 'consent', props: { mode: 'granted', previous: 'pending', source: 'api' } }] });
    const ids = new Set(c.events().map((e) => e.anonymous_id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.batches.every((b) => b.consent == 'granted')).toBe(true);
    expect(localStorage.getItem('pathmark:demo')).toContain([...ids][0]);
  });

  it("events buffered while pending continue the persisted session's sequence when granted on a later page", async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ consent: 'granted', autoPageviews: false });
    first.track('one');
    first.track('two');
    await first.flush();
    first.destroy();
    const second = tracker({ consent: 'pending', autoPageviews: false });
    second.track('three');
    second.consent.set('granted');
    await second.flush();
    const session = c.events().filter((e) => e.session_id == c.events()[0]!.session_id);
    expect(names(session)).toEqual(['one', 'two', 'three', 'consent']);
    expect(session.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('events buffered while pending are numbered when granted: page_index and seq follow the stored session', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ consent: 'granted' });
    await settle();
    await first.flush();
    first.destroy();
    history.pushState(null, '', '/second');
    const second = tracker({ consent: 'pending' });
    await settle();
    second.track('two');
    second.consent.set('granted');
    await second.flush();
    const views = c.events().filter((e) => e.name == 'page_view');
    expect(views.map((e) => [e.url, (e.props as { page_index: number }).page_index])).toEqual([
      ['http://localhost:3000/', 1],
      ['http://localhost:3000/second', 2],
    ]);
    expect(new Set(c.events().map((e) => e.session_id)).size).toBe(1);
    expect(c.events().map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('events buffered while pending start the session from 1 when nothing was stored before', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ consent: 'pending' });
    await settle();
    t.track('one');
    t.consent.set('granted');
    await t.flush();
    expect(c.events().map((e) => [e.name, e.seq])).toEqual([
      ['page_view', 1],
      ['one', 2],
      ['consent', 3],
    ]);
    expectEvents(c.events(), { expected: [{ name: 'page_view', props: { page_index: 1 } }] });
  });

  it('pending keeps at most 100 events, the newest', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ consent: 'pending', autoPageviews: false, batchSize: 500 });
    for (let i = 0; i < 150; i++) t.track('tick', { i });
    t.consent.set('anonymous');
    await t.flush();
    const ticks = c.events().filter((e) => e.name == 'tick');
    expect(ticks).toHaveLength(100);
    expect(ticks[0]!.props).toEqual({ i: 50 });
  });

  it('pending → denied discards the buffer and sends nothing, ever (not even the web-vitals script)', async () => {
    useFakeTime();
    const load = vi.fn(() => new Promise<never>(() => {}));
    const t = tracker({ consent: 'pending', vitals: true }, { loadVitals: load });
    await settle();
    t.cart.add({ item_id: 'x' });
    t.consent.set('denied');
    t.consent.set('denied');
    t.track('after_denied');
    await t.flush();
    await settle(60_000);
    await drain();
    expect(requests).toHaveLength(0);
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
    expect(t.consent.get()).toBe('denied');
    expect(load).not.toHaveBeenCalled();
  });

  it('loads the web-vitals part only once the mode allows sending', async () => {
    useFakeTime();
    collector();
    const load = vi.fn(() => new Promise<never>(() => {}));
    const t = tracker({ consent: 'pending', vitals: true }, { loadVitals: load });
    await settle(30_000);
    expect(load).not.toHaveBeenCalled();
    t.consent.set('anonymous');
    await drain();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('denied from the start: no request (not even for web vitals), nothing on the device, earlier data purged', async () => {
    useFakeTime();
    localStorage.setItem('pathmark:demo', JSON.stringify({ aid: 'old', sid: 's', seq: 3, pages: 1, last: Date.now() }));
    const load = vi.fn(() => new Promise<never>(() => {}));
    const t = tracker({ consent: 'denied', vitals: true }, { loadVitals: load });
    await settle();
    t.search('x');
    t.purchase({ transaction_id: 'T', value: 1, currency: 'EUR', items: [] });
    window.dispatchEvent(new Event('pagehide'));
    await t.flush();
    await settle(60_000);
    await drain();
    expect(load).not.toHaveBeenCalled();
    expect(requests).toHaveLength(0);
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
  });

  it('granted → denied purges identifiers and the stored queue, and stops sending', async () => {
    useFakeTime();
    const c = collector(() => new HttpResponse(null, { status: 503 }));
    const t = tracker();
    await settle();
    t.track('stored_while_down');
    await t.flush();
    await drain();
    const before = await deviceStorage();
    expect(before.databases).toEqual(['pathmark:demo']);
    expect(Object.keys(before.localStorage)).toEqual(['pathmark:demo']);
    const attempts = c.attempts.length;
    t.consent.set('denied');
    await drain();
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
    await settle(10 * 60_000);
    await drain();
    expect(c.attempts).toHaveLength(attempts);
  });

  it('anonymous: sends without any identifier and writes nothing to the device', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ consent: 'anonymous' });
    await settle();
    t.search('tent');
    t.cart.add({ item_id: 'T1', price: 10 });
    t.track('custom');
    window.dispatchEvent(new Event('pagehide'));
    await t.flush();
    await drain();
    expect(c.events().length).toBeGreaterThan(4);
    for (const event of c.events()) {
      expect(event).not.toHaveProperty('anonymous_id');
      expect(event).not.toHaveProperty('session_id');
    }
    expect(c.batches.every((b) => b.consent == 'anonymous')).toBe(true);
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
  });

  it('granted → anonymous strips identifiers from queued events and removes them from the device', async () => {
    useFakeTime();
    let down = true;
    const c = collector(() => (down ? HttpResponse.error() : undefined));
    const t = tracker();
    await settle();
    t.track('queued_while_offline');
    await t.flush();
    t.consent.set('anonymous');
    await drain();
    down = false;
    window.dispatchEvent(new Event('online'));
    await settle();
    await t.flush();
    expectEvents(c.events(), {
      expected: [{ name: 'queued_while_offline' }, { name: 'consent', props: { mode: 'anonymous', previous: 'granted' } }],
    });
    expect(c.events().some((e) => 'anonymous_id' in e || 'session_id' in e)).toBe(false);
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
  });

  it('a consent event is only sent where the new mode allows sending', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker();
    await t.flush();
    t.consent.set('pending');
    t.consent.set('anonymous');
    t.consent.set('nonsense' as never);
    await t.flush();
    const changes = c
      .events()
      .filter((e) => e.name == 'consent')
      .map((e) => e.props as ConsentProps);
    expect(changes).toEqual([{ mode: 'anonymous', previous: 'pending', source: 'api' }]);
    expect(t.consent.get()).toBe('anonymous');
  });

  it('follows Google Consent Mode v2 analytics_storage from dataLayer, and restores dataLayer.push on destroy', async () => {
    useFakeTime();
    const c = collector();
    const w = window as unknown as { dataLayer: unknown[] };
    w.dataLayer = [];
    const originalPush = w.dataLayer.push;
    function gtag(..._args: unknown[]) {
      // gtag pushes its `arguments` object, not an array.
      // eslint-disable-next-line prefer-rest-params
      w.dataLayer.push(arguments);
    }
    gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' });
    const t = tracker({ consent: 'pending' });
    await drain();
    expect(t.consent.get()).toBe('pending');
    gtag('event', 'page_view');
    gtag('consent', 'update', { ad_storage: 'granted' });
    expect(t.consent.get()).toBe('pending');
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(t.consent.get()).toBe('granted');
    await t.flush();
    expectEvents(c.events(), { expected: [{ name: 'consent', props: { mode: 'granted', previous: 'pending', source: 'gcm' } }] });
    expect(w.dataLayer).toHaveLength(4);
    t.destroy();
    expect(w.dataLayer.push).toBe(originalPush);
    expect(Object.getOwnPropertyDescriptor(window, 'dataLayer')).toMatchObject({ value: w.dataLayer, writable: true });
    delete (window as { dataLayer?: unknown }).dataLayer;
  });

  it('Global Privacy Control caps the mode at anonymous by default, configurable', async () => {
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { globalPrivacyControl: true }));
    const capped = tracker({ consent: 'granted' });
    expect(capped.consent.get()).toBe('anonymous');
    capped.consent.set('granted');
    expect(capped.consent.get()).toBe('anonymous');
    expect(tracker({ site: 'b', consent: 'granted', gpc: 'ignore' }).consent.get()).toBe('granted');
    expect(tracker({ site: 'c', consent: 'anonymous', gpc: 'denied' }).consent.get()).toBe('denied');
    expect(tracker({ site: 'd', consent: 'pending' }).consent.get()).toBe('pending');
  });

  it('forget() deletes identifiers and the stored queue, then continues under a new identity', async () => {
    useFakeTime();
    let down = true;
    const c = collector(() => (down ? new HttpResponse(null, { status: 503 }) : undefined));
    const t = tracker({ autoPageviews: false });
    t.track('before_forget');
    await t.flush();
    await drain();
    const old = JSON.parse(localStorage.getItem('pathmark:demo')!);
    await t.forget();
    await drain();
    down = false;
    t.track('after_forget');
    await settle(10 * 60_000);
    await t.flush();
    expect(names(c.events())).toEqual(['after_forget']);
    // Neither identifier links the new identity to the forgotten one.
    expect(c.events()[0]!.anonymous_id).not.toBe(old.aid);
    expect(c.events()[0]!.session_id).not.toBe(old.sid);
  });
});

describe('consent never lets an error reach the page', () => {
  it('survives a broken dataLayer entry', () => {
    collector();
    (window as unknown as { dataLayer: unknown[] }).dataLayer = [
      null,
      ['consent', 'update', null],
      { 0: 'consent', 1: 'update', 2: { analytics_storage: 'granted' }, length: 3 },
    ];
    const t = tracker({ consent: 'pending' });
    expect(t.consent.get()).toBe('granted');
    expect(() => (window as unknown as { dataLayer: unknown[] }).dataLayer.push(undefined)).not.toThrow();
    delete (window as { dataLayer?: unknown }).dataLayer;
  });
});

describe("consent: 'site', the collector's policy picks the starting mode", () => {
  const CONFIG_URL = 'http://localhost:3000/v1/config/demo';
  const siteAnswers = (answer: () => Response) => {
    const asked: string[] = [];
    server.use(http.get(CONFIG_URL, ({ request }) => (asked.push(request.url), answer())));
    return asked;
  };
  const policy = (default_consent: string) => () =>
    HttpResponse.json({
      site: 'demo',
      default_consent,
      max_consent: 'granted',
      gpc: 'anonymous',
      query_params: [],
      policy_version: '1',
    });

  it('starts pending, then takes the mode the collector names for this visitor, without a consent event', async () => {
    useFakeTime();
    const c = collector();
    const asked = siteAnswers(policy('anonymous'));
    const t = tracker({ consent: 'site' });
    expect(t.consent.get()).toBe('pending');
    await settle();
    await drain();
    expect(asked).toEqual([CONFIG_URL]);
    expect(t.consent.get()).toBe('anonymous');
    await t.flush();
    expect(names(c.events())).toEqual(['page_view']);
    expect(c.batches[0]!.consent).toBe('anonymous');
    expect(c.events()[0]).not.toHaveProperty('anonymous_id');
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
  });

  it('a decision the page made before the answer stands (and one made in the same task asks nothing)', async () => {
    const asked = siteAnswers(policy('granted'));
    collector();
    const early = tracker({ consent: 'site' });
    early.consent.set('denied');
    await drain();
    expect(asked).toHaveLength(0);
    expect(early.consent.get()).toBe('denied');
    let answer: () => void = () => {};
    server.use(http.get(CONFIG_URL, () => new Promise<Response>((resolve) => (answer = () => resolve(policy('granted')())))));
    const late = tracker({ site: 'demo', consent: 'site' });
    await drain();
    late.consent.set('anonymous');
    answer();
    await drain();
    expect(late.consent.get()).toBe('anonymous');
  });

  it('stays pending when the collector cannot answer, or answers something that is not a mode', async () => {
    siteAnswers(() => new HttpResponse('upstream down', { status: 502 }));
    const unreachable = tracker({ consent: 'site' });
    await drain();
    expect(unreachable.consent.get()).toBe('pending');
    siteAnswers(policy('yes'));
    const nonsense = tracker({ site: 'demo', consent: 'site' });
    await drain();
    expect(nonsense.consent.get()).toBe('pending');
  });

  it('asks nothing when GPC already denies; a Consent Mode default wins over the answer', async () => {
    const asked = siteAnswers(policy('granted'));
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator), { globalPrivacyControl: true }));
    const gpc = tracker({ consent: 'site', gpc: 'denied' });
    await drain();
    expect(gpc.consent.get()).toBe('denied');
    gpc.destroy();
    vi.unstubAllGlobals();
    expect(asked).toEqual([]);
    expect(requests).toEqual([]);
    // The page's own Consent Mode default wins over the collector's (granted here); denied in it is not a decision: pending.
    (window as unknown as { dataLayer: unknown[] }).dataLayer = [['consent', 'default', { analytics_storage: 'denied' }]];
    const consentMode = tracker({ site: 'demo', consent: 'site' });
    await drain();
    delete (window as { dataLayer?: unknown }).dataLayer;
    expect(consentMode.consent.get()).toBe('pending');
  });

  it('a starting mode that is not one (a typo in data-consent) is pending', () => {
    expect(tracker({ consent: 'Granted' as 'granted' }).consent.get()).toBe('pending');
  });
});
