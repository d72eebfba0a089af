import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONSENT_MODES,
  CONSENT_SOURCES,
  MAX_EVENT_AGE_MS,
  NAVIGATIONS,
  SCROLL_DEPTHS,
  SEARCH_SOURCES,
  VITAL_NAMES,
  VITAL_RATINGS,
  type JsonValue,
} from '#protocol';
import { createValidator } from '../src/core/validate.ts';
import { createValibotValidator } from './support/valibot-validator.ts';

/**
 * The compiled validator against the valibot one it replaced (support/valibot-validator.ts),
 * on generated batches: valid ones, and the same with one to three fields replaced by
 * other JSON values, removed, or joined by unknown and forbidden keys. Both must agree on
 * accepting or rejecting the batch, on each event's fate, on the output (key order
 * included) and on the first reason, which is what a client is told.
 */

const now = Date.UTC(2026, 11, 4, 16);
const compiled = createValidator();
const reference = createValibotValidator();

const randomId = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
const label = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('Linen shirt', 'SKU-1001', '', 'x'.repeat(2048)));
const money = fc.oneof(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.constantFrom(0, 49.9, 1e12));
const position = fc.integer({ min: 0, max: 1e6 });
const currency = fc.constantFrom('EUR', 'USD', 'JPY');
const pageUrl = fc.oneof(
  fc.constantFrom('https://shop.example/', 'http://localhost:8787/product/SKU-1?utm_source=x#top'),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

const item = fc
  .record(
    {
      item_id: text,
      item_name: text,
      item_brand: text,
      item_category: text,
      item_variant: text,
      item_list_name: text,
      price: money,
      quantity: position,
      currency,
      index: position,
    },
    { requiredKeys: [] },
  )
  .map((value) => (value.item_id === undefined && value.item_name === undefined ? { ...value, item_id: 'SKU-1' } : value));
const ecommerce = {
  items: fc.array(item, { maxLength: 3 }),
  value: money,
  currency,
  search_id: randomId,
};
const ecommerceProps = fc.record(ecommerce, { requiredKeys: ['items'] });

const props: Record<string, fc.Arbitrary<Record<string, unknown> | undefined>> = {
  page_view: fc.record(
    {
      navigation: fc.constantFrom(...NAVIGATIONS),
      previous_path: text,
      page_index: fc.integer({ min: 1, max: 1e6 }),
      experiment: label,
      variant: label,
    },
    { requiredKeys: ['navigation', 'page_index'] },
  ),
  page_leave: fc.record({
    total_ms: fc.integer({ min: 0, max: MAX_EVENT_AGE_MS }),
    engaged_ms: fc.double({ min: 0, max: MAX_EVENT_AGE_MS, noNaN: true }),
    max_scroll: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  scroll: fc.record({ depth: fc.constantFrom(...SCROLL_DEPTHS) }),
  search: fc.record(
    {
      search_term: text,
      search_id: randomId,
      results: fc.integer({ min: 0, max: 1e9 }),
      source: fc.constantFrom(...SEARCH_SOURCES),
    },
    { requiredKeys: ['search_term', 'search_id', 'source'] },
  ),
  select_item: fc.record({ ...ecommerce, index: position }, { requiredKeys: ['items', 'index'] }),
  view_item: ecommerceProps,
  add_to_cart: ecommerceProps,
  purchase: fc.record({ ...ecommerce, transaction_id: text }, { requiredKeys: ['items', 'transaction_id', 'value', 'currency'] }),
  web_vitals: fc.record({
    metric: fc.constantFrom(...VITAL_NAMES),
    value: fc.double({ min: 0, max: 1e7, noNaN: true }),
    rating: fc.constantFrom(...VITAL_RATINGS),
  }),
  consent: fc.record({
    mode: fc.constantFrom(...CONSENT_MODES),
    previous: fc.constantFrom(...CONSENT_MODES),
    source: fc.constantFrom(...CONSENT_SOURCES),
  }),
  newsletter_signup: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), {
    nil: undefined,
  }),
};

const event = fc.constantFrom(...Object.keys(props)).chain((name) =>
  fc.record(
    {
      id: randomId,
      ts: fc.integer({ min: now - MAX_EVENT_AGE_MS - 1000, max: now + 25 * 3600_000 }),
      seq: fc.integer({ min: 0, max: 1e9 }),
      page_id: randomId,
      url: pageUrl,
      title: text,
      referrer: fc.oneof(fc.constant(''), pageUrl),
      anonymous_id: randomId,
      session_id: randomId,
      name: fc.constant(name),
      props: props[name]!,
    },
    { requiredKeys: ['id', 'ts', 'seq', 'page_id', 'url', 'name'] },
  ),
);

const batch = fc.record(
  {
    v: fc.constant(1),
    site: fc.constantFrom('demo', 'shop-2'),
    consent: fc.constantFrom(...CONSENT_MODES),
    sent_at: fc.integer({ min: now - 1000, max: now + 2000 }),
    sdk: fc.constant('pathmark-js/0.1.0'),
    dropped: fc.nat(1e9),
    events: fc.array(event, { minLength: 1, maxLength: 5 }),
  },
  { requiredKeys: ['v', 'site', 'consent', 'sent_at', 'sdk', 'events'] },
);

/** Values a client might send where another was expected: JSON values, the protocol's own words, edge numbers. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    'load',
    'EUR',
    'euro',
    'https://shop.example/',
    '/relative',
    'javascript:alert(1)',
    'x'.repeat(2049),
    'bob@example.com',
    'abc',
    'SKU-1',
    'granted',
    'page_view',
    'add to cart',
    -1,
    0,
    1,
    1.5,
    25,
    33,
    1e6 + 1,
    1e9 + 1,
    1e12 + 1,
    -1e12 - 1,
    8.64e15 + 1,
    Infinity,
    -Infinity,
    -0,
    true,
    null,
    [],
    {},
    [{}],
    [{ price: 1 }],
    [{ item_id: 'a', price: 'x' }],
    Array.from({ length: 201 }, () => ({ item_id: 'a' })),
  ),
);

type Mutation = { at: number; kind: 'replace' | 'remove' | 'add'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'remove', 'add'),
  key: fc.oneof(
    fc.constantFrom('ip', 'email', '__proto__', 'constructor', 'prototype', 'items', 'x y'),
    fc.string({ maxLength: 6 }),
  ),
  value: anyValue,
});

/** Every object and array in `root` with the keys it holds, outermost first. */
function containers(root: unknown): { node: Record<string, unknown> | unknown[]; keys: (string | number)[] }[] {
  const out: { node: Record<string, unknown> | unknown[]; keys: (string | number)[] }[] = [];
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    out.push({ node: node as Record<string, unknown>, keys });
    for (const key of keys) visit((node as Record<string | number, unknown>)[key]);
  };
  visit(root);
  return out;
}

function mutate(root: Record<string, unknown>, { at, kind, key, value: shared }: Mutation): void {
  // A copy: the constants are shared between runs, and a value must not end up inside itself.
  const value = structuredClone(shared);
  const all = containers(root);
  const { node, keys } = all[at % all.length]!;
  const record = node as Record<string | number, unknown>;
  if (Array.isArray(node)) {
    if (kind === 'add' || keys.length === 0) node.push(value);
    else if (kind === 'remove') node.splice(at % keys.length, 1);
    else node[at % keys.length] = value;
  } else if (kind === 'add' || keys.length === 0) {
    // defineProperty: `__proto__` becomes an own key, as JSON.parse makes it.
    Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  } else if (kind === 'remove') {
    delete record[keys[at % keys.length]!];
  } else {
    record[keys[at % keys.length]!] = value;
  }
}

function expectSameAnswer(value: unknown): void {
  const options = { receivedAt: now };
  const expected = reference.validateBatch(value, options);
  const actual = compiled.validateBatch(value, options);
  expect(actual).toEqual(expected);
  // toEqual ignores key order; the records and the queue messages do not.
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe('the compiled validator agrees with the valibot one', () => {
  it('on valid batches', () => {
    fc.assert(
      fc.property(batch, (value) => {
        expectSameAnswer(value);
        const result = compiled.validateBatch(value, { receivedAt: now });
        // The generator makes valid envelopes: the comparison is not only between two rejections.
        expect(result.ok).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('on batches with fields replaced, removed or added', () => {
    fc.assert(
      fc.property(batch, fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, mutations) => {
        const copy = structuredClone(value) as Record<string, unknown>;
        for (const change of mutations) mutate(copy, change);
        expectSameAnswer(copy);
      }),
      { numRuns: 3000 },
    );
  });

  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => expectSameAnswer(value)),
      { numRuns: 500 },
    );
  });

  it('rejects what the generators meant to be invalid, with the same reasons', () => {
    // A check that the mutations reach the validators' rules, not only the envelope.
    const reasons = new Set<string>();
    fc.assert(
      fc.property(batch, mutation, (value, change) => {
        const copy = structuredClone(value) as Record<string, unknown>;
        mutate(copy, change);
        const result = compiled.validateBatch(copy, { receivedAt: now });
        const reason = result.ok ? result.batch.rejected[0]?.reason : result.detail;
        if (reason) reasons.add(reason.replace(/^[^:]*: /, '').slice(0, 20));
      }),
      { numRuns: 2000 },
    );
    expect(reasons.size).toBeGreaterThan(15);
  });
});

// JSON.parse can produce these; the generators above do not.
it.each([
  ['a number too large for a double', '{"v":1,"site":"demo","consent":"granted","sent_at":1e400,"sdk":"x","events":[{}]}'],
  ['negative zero', '{"v":-0,"site":"demo","consent":"granted","sent_at":0,"sdk":"x","events":[{}]}'],
])('agrees on %s', (_, json) => expectSameAnswer(JSON.parse(json) as JsonValue));
