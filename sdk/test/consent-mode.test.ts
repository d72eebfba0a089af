/// <reference types="node" />
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consentDefault } from '../src/consent.ts';
import type { SiteConfigResponse } from '../src/protocol.ts';
import {
  collector,
  deviceStorage,
  drain,
  EMPTY_DEVICE,
  expectEvents,
  requests,
  server,
  settle,
  tracker,
  useFakeTime,
} from './support.ts';

/** Google's data-layer-helper, the real library (it wraps `dataLayer.push` as Google Tag Manager does). */
const dataLayerHelperSource = readFileSync(
  createRequire(import.meta.url).resolve('data-layer-helper/dist/data-layer-helper.js'),
  'utf8',
);
type DataLayerHelperClass = new (
  dataLayer: unknown[],
  listener?: (model: unknown, message: unknown) => void,
  listenToPast?: boolean,
) => unknown;
function loadDataLayerHelper(): DataLayerHelperClass {
  new Function(dataLayerHelperSource)();
  return (window as unknown as { DataLayerHelper: DataLayerHelperClass }).DataLayerHelper;
}

const win = window as unknown as { dataLayer?: unknown[] };
/** Google's snippet, as consent managers run it: creates `dataLayer` if it is not there yet. */
function gtag(...args: unknown[]): void;
function gtag() {
  win.dataLayer = win.dataLayer || [];
  // eslint-disable-next-line prefer-rest-params
  win.dataLayer.push(arguments);
}

afterEach(() => {
  delete win.dataLayer;
});

const CONFIG_URL = 'http://localhost:3000/v1/config/demo';
function collectorSays(answer: Partial<SiteConfigResponse> | (() => Response)) {
  const asked: string[] = [];
  server.use(
    http.get(CONFIG_URL, ({ request }) => {
      asked.push(request.url);
      return typeof answer == 'function'
        ? answer()
        : HttpResponse.json({
            site: 'demo',
            default_consent: 'pending',
            max_consent: 'granted',
            gpc: 'anonymous',
            query_params: [],
            policy_version: '1',
            ...answer,
          });
    }),
  );
  return asked;
}

describe('Google Consent Mode: a dataLayer the page creates after the SDK started', () => {
  it('is followed: its default, then the update a consent manager pushes later', async () => {
    useFakeTime();
    const c = collector();
    const t = tracker({ consent: 'pending' });
    await settle();
    // A deferred consent manager script runs Google's snippet now.
    gtag('consent', 'default', { analytics_storage: 'denied', wait_for_update: 500 });
    await drain();
    expect(t.consent.get()).toBe('pending');
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(t.consent.get()).toBe('granted');
    await t.flush();
    expectEvents(c.events(), {
      expected: [{ name: 'page_view' }, { name: 'consent', props: { mode: 'granted', previous: 'pending', source: 'gcm' } }],
    });
  });

  it('is followed when data-layer-helper wraps push after the SDK, or had wrapped it before', async () => {
    const DataLayerHelper = loadDataLayerHelper();
    for (const helperFirst of [false, true]) {
      const messages: unknown[] = [];
      if (helperFirst) {
        win.dataLayer = [];
        new DataLayerHelper(win.dataLayer, (_model, message) => messages.push(message));
      }
      const t = tracker({ consent: 'pending', autoPageviews: false });
      gtag('consent', 'default', { analytics_storage: 'denied' });
      if (!helperFirst) new DataLayerHelper(win.dataLayer!, (_model, message) => messages.push(message), true);
      gtag('consent', 'update', { analytics_storage: 'granted' });
      expect(t.consent.get(), `helper first: ${helperFirst}`).toBe('granted');
      gtag('consent', 'update', { analytics_storage: 'denied' });
      expect(t.consent.get()).toBe('denied');
      // The helper still sees every message.
      expect(messages.length).toBeGreaterThanOrEqual(2);
      t.destroy();
      delete win.dataLayer;
    }
  });

  it('reassigning the same array (Google’s snippet runs again) replays nothing', async () => {
    useFakeTime();
    const c = collector();
    gtag('consent', 'default', { analytics_storage: 'denied' });
    gtag('consent', 'update', { analytics_storage: 'granted' });
    const t = tracker({ consent: 'pending', autoPageviews: false });
    gtag('consent', 'update', { analytics_storage: 'denied' });
    await drain();
    gtag('event', 'page_view');
    await drain();
    expect(t.consent.get()).toBe('denied');
    await settle(10_000);
    expect(c.attempts).toEqual([]);
  });

  it('a second tracker (another site) follows it too, and each destroy() puts back what was there', async () => {
    useFakeTime();
    collector();
    const a = tracker({ consent: 'pending', autoPageviews: false });
    const b = tracker({ site: 'other', consent: 'pending', autoPageviews: false });
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect([a.consent.get(), b.consent.get()]).toEqual(['granted', 'granted']);
    a.destroy();
    gtag('consent', 'update', { analytics_storage: 'denied' });
    expect([a.consent.get(), b.consent.get()]).toEqual(['granted', 'denied']);
    win.dataLayer = [];
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(b.consent.get()).toBe('granted');
    b.destroy();
    const layer = win.dataLayer;
    expect(layer.push).toBe(Array.prototype.push);
    // What is left behaves as a plain global, and no tracker reacts to it any more.
    win.dataLayer = [];
    gtag('consent', 'update', { analytics_storage: 'denied' });
    expect(win.dataLayer).toHaveLength(1);
    expect([a.consent.get(), b.consent.get()]).toEqual(['granted', 'granted']);
  });

  it('destroy() puts back a plain dataLayer property with its current value', () => {
    const t = tracker({ consent: 'pending', autoPageviews: false });
    gtag('consent', 'default', { analytics_storage: 'denied' });
    const layer = win.dataLayer;
    t.destroy();
    expect(Object.getOwnPropertyDescriptor(window, 'dataLayer')).toMatchObject({
      value: layer,
      writable: true,
      configurable: true,
    });
    expect(layer!.push).toBe(Array.prototype.push);
  });
});

describe('Google Consent Mode: default is not a decision', () => {
  it('a returning visitor who accepted keeps the same ids across page loads, and every page view arrives', async () => {
    useFakeTime();
    const c = collector();
    for (const path of ['/', '/shoes', '/cart']) {
      history.replaceState(null, '', path);
      // Each page load: the SDK, then the consent manager's default, then its restore of the stored choice.
      const t = tracker({ consent: 'pending' });
      gtag('consent', 'default', { analytics_storage: 'denied', wait_for_update: 500 });
      await settle(300);
      expect(localStorage.length, 'nothing purged or written while pending').toBe(path == '/' ? 0 : 1);
      gtag('consent', 'update', { analytics_storage: 'granted' });
      await settle();
      await t.flush();
      t.destroy();
      delete win.dataLayer;
    }
    const views = c.events().filter((e) => e.name == 'page_view');
    expect(views.map((e) => new URL(e.url).pathname)).toEqual(['/', '/shoes', '/cart']);
    expect(new Set(c.events().map((e) => e.anonymous_id)).size).toBe(1);
    expect(new Set(c.events().map((e) => e.session_id)).size).toBe(1);
    expect(views.map((e) => (e.props as { page_index: number }).page_index)).toEqual([1, 2, 3]);
  });

  it('an update that denies withdraws: the buffer and everything stored go, nothing is sent', async () => {
    useFakeTime();
    const c = collector();
    // What an earlier page stored for this visitor.
    localStorage.setItem('pathmark:demo', JSON.stringify({ aid: 'old', sid: 's', seq: 3, pages: 1, last: Date.now() }));
    const attempts = c.attempts.length;
    const t = tracker({ consent: 'pending', vitals: true }, { loadVitals: vi.fn(() => new Promise<never>(() => {})) });
    gtag('consent', 'default', { analytics_storage: 'denied' });
    await settle();
    gtag('consent', 'update', { analytics_storage: 'denied' });
    await drain();
    expect(t.consent.get()).toBe('denied');
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
    await settle(60_000);
    expect(c.attempts).toHaveLength(attempts);
  });

  it('no request at all while the default denies and no update came, not even for the web-vitals part', async () => {
    useFakeTime();
    const load = vi.fn(() => new Promise<never>(() => {}));
    const t = tracker({ consent: 'pending', vitals: true }, { loadVitals: load });
    gtag('consent', 'default', { analytics_storage: 'denied' });
    t.search('boots');
    await settle(60_000);
    await drain();
    expect(requests).toEqual([]);
    expect(load).not.toHaveBeenCalled();
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
  });

  it('a default that grants is the mode until an update (a configured starting mode ignores defaults)', async () => {
    useFakeTime();
    collector();
    gtag('consent', 'default', { analytics_storage: 'granted' });
    const t = tracker({ consent: 'pending' });
    await drain();
    expect(t.consent.get()).toBe('granted');
    expect(tracker({ site: 'b', consent: 'anonymous' }).consent.get()).toBe('anonymous');
    await drain();
    expect(tracker({ site: 'c', consent: 'denied' }).consent.get()).toBe('denied');
  });
});

describe('Google Consent Mode: region-scoped defaults', () => {
  const EEA = ['AT', 'BE', 'DE', 'FR', 'IT', 'NL', 'GB'];

  it.each([
    [['US', 'US-CA'], 'granted'],
    [['FR', 'FR-IDF'], 'pending'],
    [undefined, 'pending'],
  ] as const)(
    'deny in the listed regions and grant elsewhere: visitor in %j → %s, on the collector’s word',
    async (regions, expected) => {
      useFakeTime();
      collector();
      const asked = collectorSays(regions ? { regions: [...regions] } : {});
      const t = tracker({ consent: 'pending' });
      gtag('consent', 'default', { analytics_storage: 'denied', region: EEA });
      gtag('consent', 'default', { analytics_storage: 'granted' });
      await Promise.resolve();
      // Before the answer: failing closed, and nothing written to the device.
      expect(t.consent.get()).toBe('pending');
      expect(localStorage.length).toBe(0);
      await drain();
      expect(asked).toEqual([CONFIG_URL]);
      expect(t.consent.get()).toBe(expected);
    },
  );

  it('the global default first, then the regional one, in the same task: still never granted before the answer', async () => {
    useFakeTime();
    collector();
    let answer = () => {};
    server.use(
      http.get(
        CONFIG_URL,
        () =>
          new Promise<Response>(
            (resolve) => (answer = () => resolve(HttpResponse.json({ default_consent: 'pending', regions: ['DE'] }))),
          ),
      ),
    );
    const t = tracker({ consent: 'pending' });
    gtag('consent', 'default', { analytics_storage: 'granted' });
    gtag('consent', 'default', { analytics_storage: 'denied', region: EEA });
    await drain();
    expect(t.consent.get()).toBe('pending');
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
    answer();
    await drain();
    expect(t.consent.get()).toBe('pending');
  });

  it('stays pending when the collector cannot answer; an update decides without it', async () => {
    useFakeTime();
    collector();
    collectorSays(() => new HttpResponse(null, { status: 503 }));
    const t = tracker({ consent: 'pending' });
    gtag('consent', 'default', { analytics_storage: 'denied', region: EEA });
    gtag('consent', 'default', { analytics_storage: 'granted' });
    await drain();
    expect(t.consent.get()).toBe('pending');
    gtag('consent', 'update', { analytics_storage: 'granted' });
    expect(t.consent.get()).toBe('granted');
  });

  it('asks nothing without a region-scoped default (and never in denied)', async () => {
    useFakeTime();
    const asked = collectorSays({ regions: ['US'] });
    gtag('consent', 'default', { analytics_storage: 'denied' });
    tracker({ consent: 'pending' });
    tracker({ site: 'demo', consent: 'denied' });
    await drain();
    expect(asked).toEqual([]);
  });

  it('the most specific region wins, whatever the order; unknown whereabouts fail closed', () => {
    const defaults = [['granted', ['US-CA']], ['denied', ['US', 'FR']], ['granted']] as ['granted' | 'denied', string[]?][];
    expect(consentDefault(defaults, ['US', 'US-CA'])).toBe('granted');
    expect(consentDefault(defaults, ['US', 'US-TX'])).toBe('denied');
    expect(consentDefault(defaults, ['FR'])).toBe('denied');
    expect(consentDefault(defaults, ['JP', 'JP-13'])).toBe('granted');
    expect(consentDefault(defaults, undefined)).toBe('denied');
    // A region-scoped grant does not count where the visitor is unknown: the global default does.
    expect(consentDefault([['granted', ['US']], ['denied']], undefined)).toBe('denied');
    expect(consentDefault([['granted', ['US']]], undefined)).toBeUndefined();
    // Later defaults for the same scope replace earlier ones.
    expect(consentDefault([['denied'], ['granted']], ['DE'])).toBe('granted');
    expect(consentDefault([], ['DE'])).toBeUndefined();
  });

  it('a region given as one string is still a region', async () => {
    useFakeTime();
    collector();
    collectorSays({ regions: ['DE'] });
    const t = tracker({ consent: 'pending' });
    gtag('consent', 'default', { analytics_storage: 'denied', region: 'DE' });
    gtag('consent', 'default', { analytics_storage: 'granted' });
    await drain();
    expect(t.consent.get()).toBe('pending');
  });
});
