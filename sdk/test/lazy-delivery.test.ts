import { describe, expect, it, vi } from 'vitest';
import * as delivery from '../src/delivery.ts';
import { buildScriptFiles } from '../build.mjs';
import { SDK_VERSION } from '../src/version.ts';
import {
  collector,
  deviceStorage,
  EMPTY_DEVICE,
  names,
  pageTransition,
  setVisibility,
  settle,
  tracker,
  useFakeTime,
} from './support.ts';

describe('delivery is loaded once a mode may send, and not before', () => {
  it('pending and denied never load it; the first mode that may send does, once; what was captured then goes', async () => {
    useFakeTime();
    const c = collector();
    const load = vi.fn(async () => delivery);
    const denied = tracker({ site: 'd', consent: 'denied' }, { loadDelivery: load });
    const t = tracker({ consent: 'pending' }, { loadDelivery: load });
    t.track('while_pending');
    t.cart.add({ item_id: 'P1', price: 2 });
    await settle();
    await t.flush();
    await denied.flush();
    expect(load).not.toHaveBeenCalled();
    t.consent.set('anonymous');
    t.consent.set('granted');
    await settle();
    await t.flush();
    expect(load).toHaveBeenCalledTimes(1);
    expect(names(c.events())).toEqual(['page_view', 'while_pending', 'add_to_cart', 'consent', 'consent']);
  });

  it(
    'the script tag holds no queue, store, transport or item validation: they are in pathmark-delivery.js',
    { timeout: 30_000 },
    async () => {
      const files = await buildScriptFiles();
      for (const marker of ['createObjectStore', 'retry-after', 'data-pm-item-', 'answered HTTP']) {
        expect(files['pathmark.js'], marker).not.toContain(marker);
        expect(files['pathmark-delivery.js'], marker).toContain(marker);
      }
    },
  );
});

describe('a page that goes away before delivery has loaded', () => {
  /** Delivery that has not arrived yet: the chunk is still on its way when the page goes away. */
  const neverLoads = () => new Promise<typeof delivery>(() => {});
  /** An anonymous tracker whose delivery arrives when the test calls `arrive()`. */
  const anonymousWithLateDelivery = () => {
    let resolve!: (module: typeof delivery) => void;
    const late = tracker({ consent: 'anonymous' }, { loadDelivery: () => new Promise<typeof delivery>((r) => (resolve = r)) });
    return { late, arrive: () => resolve(delivery) };
  };

  it('granted: the next page sends what it captured, first and exactly once, with the same ids', async () => {
    useFakeTime();
    const c = collector();
    // Page 1: the visitor accepts, adds to cart and leaves before pathmark-delivery.js arrives.
    const first = tracker({ consent: 'pending' }, { loadDelivery: neverLoads });
    first.cart.add({ item_id: 'P1', price: 2 });
    first.consent.set('granted');
    first.track('clicked', { n: 1 });
    first.track('bare');
    window.dispatchEvent(new Event('pagehide'));
    first.destroy();
    await settle();
    expect(c.events()).toEqual([]);

    // Page 2, same visitor: consent restored at start, delivery arrives.
    history.replaceState(null, '', '/next');
    const load = vi.fn(async () => delivery);
    const second = tracker({ consent: 'granted' }, { loadDelivery: load });
    second.track('on_page_2');
    await settle();
    await second.flush();
    const sent = c.events();
    expect(names(sent)).toEqual([
      'page_view',
      'add_to_cart',
      'consent',
      'clicked',
      'bare',
      'page_leave',
      'page_view',
      'on_page_2',
    ]);
    const [page1, page2] = [sent[0]!, sent[6]!];
    // As processed on their page: the item validated, props as given, none where none were given.
    expect(sent[1]!.props).toMatchObject({ items: [{ item_id: 'P1', price: 2 }], value: 2 });
    expect(sent[3]!.props).toEqual({ n: 1 });
    expect(sent[4]).not.toHaveProperty('props');
    expect(page1.url).toBe('http://localhost:3000/');
    expect(page2.url).toBe('http://localhost:3000/next');
    expect(page1.page_id).not.toBe(page2.page_id);
    // One visitor, one session, in the order of capture.
    expect(new Set(sent.map((e) => e.anonymous_id)).size).toBe(1);
    expect(sent.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((page2.props as { page_index: number }).page_index).toBe(2);

    // Page 3: nothing from page 1 again.
    second.destroy();
    const third = tracker({ consent: 'granted' }, { loadDelivery: load });
    await settle();
    await third.flush();
    expect(names(c.events().slice(sent.length))).toEqual(['page_view']);
    expect(new Set(c.events().map((e) => e.id)).size).toBe(c.events().length);
  });

  it('granted: ids are given as the captures are kept, so that processing them twice (two tabs) sends each once', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ consent: 'granted' }, { loadDelivery: neverLoads });
    first.track('kept');
    window.dispatchEvent(new Event('pagehide'));
    first.destroy();
    const kept: [string, unknown[], { id: string }][] = JSON.parse(localStorage['pathmark:demo#unsent']);
    expect(kept.map(([, args]) => args[0])).toEqual(['page_view', 'kept', 'page_leave']);
    expect(kept.every(([, , context]) => /^[0-9a-f-]{36}$/.test(context.id))).toBe(true);
    // Two tabs of the next page pick them up at once: the shared stored queue keeps each id once.
    const load = async () => delivery;
    const tabs = [
      tracker({ consent: 'granted' }, { loadDelivery: load }),
      tracker({ consent: 'granted' }, { loadDelivery: load }),
    ];
    await settle();
    await Promise.all(tabs.map((t) => t.flush()));
    await settle(6000);
    const sent = c.events();
    expect(sent.filter((e) => e.name == 'kept').map((e) => e.id)).toEqual([kept[1]![2].id]);
    expect(sent.filter((e) => e.name == 'page_leave').map((e) => e.id)).toEqual([kept[2]![2].id]);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    expect(localStorage['pathmark:demo#unsent']).toBeUndefined();
  });

  it('withdrawn on the next page (denied): what was kept is deleted unsent', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ consent: 'granted' }, { loadDelivery: neverLoads });
    first.track('kept');
    setVisibility('hidden');
    first.destroy();
    setVisibility('visible');
    expect(localStorage['pathmark:demo#unsent']).toBeDefined();
    const second = tracker({ consent: 'denied' }, { loadDelivery: async () => delivery });
    await settle();
    await second.flush();
    expect(localStorage['pathmark:demo#unsent']).toBeUndefined();
    expect(c.events()).toEqual([]);
  });

  it('anonymous: nothing is kept on the device; the events go in one beacon, a valid batch, as delivery would make them', async () => {
    useFakeTime();
    const c = collector();
    const first = tracker({ consent: 'anonymous' }, { loadDelivery: neverLoads });
    first.track('clicked', { n: 1 });
    first.consent.set('granted');
    first.consent.set('anonymous');
    history.pushState(null, '', '/second');
    await settle();
    const leftAt = Date.now();
    setVisibility('hidden');
    window.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(await deviceStorage()).toEqual(EMPTY_DEVICE);
    // Hidden, then pagehide: one request.
    expect(c.batches).toHaveLength(1);
    const [batch] = c.batches;
    expect(batch).toMatchObject({ v: 1, site: 'demo', consent: 'anonymous', sdk: SDK_VERSION });
    expect(batch!.sent_at).toBe(leftAt);
    const sent = batch!.events;
    expect(sent.map((e) => [e.name, new URL(e.url).pathname])).toEqual([
      ['page_view', '/'],
      ['consent', '/'],
      ['consent', '/'],
      ['page_leave', '/'],
      ['page_view', '/second'],
      ['page_leave', '/second'],
    ]);
    // The custom event is a call (track): it needs delivery's processing, and is not in the beacon.
    expect(sent.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sent.filter((e) => e.name == 'page_view').map((e) => e.props)).toEqual([
      { navigation: 'load', page_index: 1 },
      { navigation: 'push', previous_path: '/', page_index: 2 },
    ]);
    expect(sent[3]!.page_id).toBe(sent[0]!.page_id);
    expect(sent.every((e) => /^[0-9a-f-]{36}$/.test(e.id) && !e.anonymous_id && !e.session_id)).toBe(true);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    setVisibility('visible');
  });

  it('anonymous: a page hidden before delivery came and shown again sends nothing twice once delivery loads', async () => {
    useFakeTime();
    const c = collector();
    const { late, arrive } = anonymousWithLateDelivery();
    late.cart.add({ item_id: 'P1', price: 2 });
    await settle();
    setVisibility('hidden');
    await settle();
    setVisibility('visible');
    late.track('back');
    arrive();
    await settle();
    await late.flush();
    setVisibility('hidden');
    await settle();
    setVisibility('visible');
    const sent = c.events();
    expect(names(sent)).toEqual(['page_view', 'page_leave', 'add_to_cart', 'back', 'page_leave']);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    // Numbered once, in one sequence: the beacon's events, then what delivery processed.
    expect(sent.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('anonymous: a page put in the back/forward cache and restored before delivery came sends nothing twice', async () => {
    useFakeTime();
    const c = collector();
    const { late, arrive } = anonymousWithLateDelivery();
    await settle();
    window.dispatchEvent(pageTransition('pagehide', true));
    await settle();
    expect(names(c.events())).toEqual(['page_view', 'page_leave']);
    window.dispatchEvent(pageTransition('pageshow', true));
    arrive();
    await settle();
    await late.flush();
    const sent = c.events();
    expect(names(sent)).toEqual(['page_view', 'page_leave', 'page_view']);
    expect(sent[2]!.props).toMatchObject({ navigation: 'bfcache', page_index: 2 });
    expect(sent[2]!.page_id).not.toBe(sent[0]!.page_id);
    expect(sent.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('anonymous: a beacon the browser refuses leaves the events to delivery, should the page come back', async () => {
    useFakeTime();
    const c = collector();
    const refuse = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(false);
    const { late, arrive } = anonymousWithLateDelivery();
    await settle();
    setVisibility('hidden');
    setVisibility('visible');
    expect(refuse).toHaveBeenCalledTimes(1);
    refuse.mockRestore();
    arrive();
    await settle();
    await late.flush();
    expect(names(c.events())).toEqual(['page_view', 'page_leave']);
  });
});
