import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_AHEAD_MS, MAX_EVENT_AGE_MS, MAX_STRING_LENGTH, type PathmarkEvent } from '#protocol';
import { createValidator } from '../src/core/validate.ts';
import { makeBatch, makeEvent } from './support/pipeline.ts';

const { validateBatch } = createValidator();

const now = Date.now();
const item = { item_id: 'SKU-1', item_name: 'Blue mug', price: 12.5, quantity: 1, currency: 'EUR' };

/** One valid event of every standard type, as the SDK sends them. */
const standardEvents: PathmarkEvent[] = [
  makeEvent({ name: 'page_view', props: { navigation: 'push', page_index: 2, previous_path: '/' } }),
  makeEvent({ name: 'page_leave', props: { total_ms: 5000, engaged_ms: 3000, max_scroll: 0.8 } }),
  makeEvent({ name: 'scroll', props: { depth: 75 } }),
  makeEvent({ name: 'search', props: { search_term: 'mug', search_id: 'search-0001', results: 3, source: 'form' } }),
  makeEvent({ name: 'select_item', props: { items: [item], index: 0, search_id: 'search-0001' } }),
  makeEvent({ name: 'view_item', props: { items: [item] } }),
  makeEvent({ name: 'add_to_cart', props: { items: [item], value: 12.5, currency: 'EUR' } }),
  makeEvent({ name: 'remove_from_cart', props: { items: [item] } }),
  makeEvent({ name: 'view_cart', props: { items: [item, { item_name: 'Teapot' }] } }),
  makeEvent({ name: 'begin_checkout', props: { items: [item], value: 12.5 } }),
  makeEvent({ name: 'purchase', props: { items: [item], transaction_id: 'T-1', value: 12.5, currency: 'EUR' } }),
  makeEvent({ name: 'web_vitals', props: { metric: 'LCP', value: 1234.5, rating: 'good' } }),
  makeEvent({ name: 'consent', props: { mode: 'granted', previous: 'pending', source: 'api' } }),
  makeEvent({ name: 'newsletter_signup', props: { plan: 'weekly', nested: { ok: true, list: [1, 2] } } }),
  makeEvent({ name: 'custom_without_props', props: undefined }),
];

function reasonFor(event: unknown): string {
  const result = validateBatch(makeBatch([event as PathmarkEvent]), { receivedAt: now });
  if (!result.ok) return result.detail;
  return result.batch.rejected[0]?.reason ?? 'accepted';
}

describe('validateBatch', () => {
  it('accepts every standard event type and custom events', () => {
    const result = validateBatch(makeBatch(standardEvents), { receivedAt: now });
    expect(result.ok && result.batch.rejected).toEqual([]);
    expect(result.ok && result.batch.events.map(({ event }) => event.name)).toEqual(standardEvents.map((event) => event.name));
  });

  it.each([
    [
      'a price that is not a number',
      { name: 'add_to_cart', props: { items: [{ item_id: 'a', price: 'x' }] } },
      'events[0].props.items[0].price: ',
    ],
    [
      'an item without id or name',
      { name: 'view_item', props: { items: [{ price: 1 }] } },
      'events[0].props.items[0]: an item needs item_id or item_name',
    ],
    [
      'a currency that is not ISO 4217',
      { name: 'purchase', props: { items: [], transaction_id: 't', value: 1, currency: 'euro' } },
      'events[0].props.currency: expected an ISO 4217',
    ],
    ['an unknown scroll depth', { name: 'scroll', props: { depth: 33 } }, 'events[0].props.depth: '],
    [
      'a missing search term',
      { name: 'search', props: { search_id: 'search-0001', source: 'api' } },
      'events[0].props.search_term: ',
    ],
    ['an event name with spaces', { name: 'add to cart' }, 'events[0].name: expected a standard event name'],
    ['a relative url', { url: '/products' }, 'events[0].url: expected an absolute http(s) URL'],
    ['a javascript: url', { url: 'javascript:alert(1)' }, 'events[0].url: expected an absolute http(s) URL'],
    ['an id with free text', { id: 'bob@example.com' }, 'events[0].id: expected a random id'],
    ['a string over 2 KB', { title: 'x'.repeat(MAX_STRING_LENGTH + 1) }, 'events[0].title: '],
    [
      'a __proto__ key in props',
      { name: 'custom', props: JSON.parse('{"__proto__": {"polluted": 1}}') },
      'events[0].props.__proto__: key not allowed',
    ],
    [
      'a constructor key deep in items',
      { name: 'view_item', props: { items: [{ item_id: 'a', constructor: 1 }] } },
      'events[0].props.items[0].constructor: key not allowed',
    ],
    [
      'props nested deeper than 3',
      { name: 'custom', props: { a: { b: { c: { d: 1 } } } } },
      'events[0].props.a.b.c: nested deeper than 3 levels',
    ],
    [
      'more than 50 property keys',
      { name: 'custom', props: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) },
      'events[0].props: more than 50 property keys',
    ],
    [
      'more than 200 items',
      { name: 'view_cart', props: { items: Array.from({ length: 201 }, () => ({ item_id: 'a' })) } },
      'events[0].props.items: ',
    ],
    [
      'a time more than a day ahead',
      { ts: now + MAX_CLOCK_AHEAD_MS + 60_000 },
      'events[0].ts: device time more than a day ahead',
    ],
    ['a time older than 30 days', { ts: now - MAX_EVENT_AGE_MS - 60_000 }, 'events[0].ts: older than 30 days'],
    ['an infinite number', { name: 'custom', props: { n: Infinity } }, 'events[0].props.n: expected a finite number'],
  ])('rejects %s, naming the field', (_label, overrides, reason) => {
    expect(reasonFor(makeEvent(overrides as Partial<PathmarkEvent>))).toContain(reason);
  });

  it('keeps the valid events of a batch and lists the invalid ones by index', () => {
    const events = [makeEvent(), makeEvent({ name: 'scroll', props: { depth: 1 } } as never), makeEvent()];
    const result = validateBatch(makeBatch(events), { receivedAt: now });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.batch.events.map(({ index }) => index)).toEqual([0, 2]);
    expect(result.batch.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/^events\[1\]\.props\.depth: /) }]);
  });

  it('judges every URL of a batch, not only the first (the last valid URL is remembered)', () => {
    const events = [
      makeEvent({ url: 'https://shop.example/a' }),
      makeEvent({ url: 'https://shop.example/a' }),
      makeEvent({ url: 'javascript:alert(1)' }),
      makeEvent({ url: 'https://shop.example/a', referrer: 'ftp://files.example/' }),
      makeEvent({ url: 'https://shop.example/b', referrer: 'https://shop.example/a' }),
    ];
    const result = validateBatch(makeBatch(events), { receivedAt: now });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.batch.events.map(({ index }) => index)).toEqual([0, 1, 4]);
    expect(result.batch.rejected.map(({ index, reason }) => [index, reason.split(':')[0]])).toEqual([
      [2, 'events[2].url'],
      [3, 'events[3].referrer'],
    ]);
  });

  it("keeps a page view's experiment and variant labels, and rejects free text in them naming the field", () => {
    const labelled = makeEvent({
      name: 'page_view',
      props: { navigation: 'load', page_index: 1, experiment: 'checkout-button', variant: 'green' },
    });
    const kept = validateBatch(makeBatch([labelled]), { receivedAt: now });
    expect(kept.ok && kept.batch.events[0]!.event.props).toEqual({
      navigation: 'load',
      page_index: 1,
      experiment: 'checkout-button',
      variant: 'green',
    });
    const freeText = makeEvent({
      name: 'page_view',
      props: { navigation: 'load', page_index: 1, experiment: 'checkout-button', variant: 'jane doe@example.com' },
    });
    const refused = validateBatch(makeBatch([freeText]), { receivedAt: now });
    expect(refused.ok && refused.batch.rejected[0]!.reason).toMatch(/^events\[0\]\.props\.variant: expected a label/);
  });

  it('lists fields it does not accept, such as a client-supplied ip or an undefined page_view property', () => {
    const event = makeEvent({
      ip: '203.0.113.9',
      user_agent: 'x',
      props: { navigation: 'load', page_index: 1, email: 'a@b.c' } as never,
    });
    const result = validateBatch(makeBatch([event]), { receivedAt: now });
    expect(result.ok && result.batch.events[0]!.event.unknownFields).toEqual(['ip', 'user_agent', 'props.email']);
    expect(result.ok && result.batch.events[0]!.event.props).toEqual({ navigation: 'load', page_index: 1 });
    expect(result.ok && 'ip' in result.batch.events[0]!.event).toBe(false);
  });

  it.each([
    ['a JSON array', [], 'body: expected a JSON object'],
    ['a wrong protocol version', { ...makeBatch(), v: 2 }, 'v: '],
    ['an empty batch', makeBatch([]), 'events: a batch needs at least one event'],
    ['101 events', makeBatch(Array.from({ length: 101 }, () => makeEvent())), 'events: '],
    ['a top-level __proto__', JSON.parse(`{"__proto__": 1, "v": 1}`), '__proto__: key not allowed'],
    ['an unknown consent mode', { ...makeBatch(), consent: 'maybe' }, 'consent: '],
    [
      'sent_at more than a day ahead',
      makeBatch(undefined, { sent_at: now + 2 * MAX_CLOCK_AHEAD_MS }),
      'sent_at: device clock more than a day ahead',
    ],
  ])('rejects the whole batch for %s', (_label, body, detail) => {
    const result = validateBatch(body, { receivedAt: now });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.detail).toContain(detail);
  });
});
