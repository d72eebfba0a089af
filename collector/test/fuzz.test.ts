import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import { eventsRequest, makeBatch, makeEvent } from './support.ts';

/** Sends a raw body and checks the one invariant: a 202 or a JSON 4xx, never a 5xx or a throw. */
async function sendAndCheck(body: string | Uint8Array, contentType = 'text/plain'): Promise<number> {
  const request = eventsRequest('', { headers: { 'Content-Type': contentType } });
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(request, { body }) as typeof request, env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  expect(response.status, text).toBeLessThan(500);
  const json = JSON.parse(text) as Record<string, unknown>;
  if (response.status === 202) {
    expect(json).toEqual({ accepted: expect.any(Number), rejected: expect.any(Array) });
  } else {
    expect(json).toEqual({ error: expect.any(String), detail: expect.any(String) });
  }
  return response.status;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((child, i) => [i, child] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

function setAt(root: Json, path: (string | number)[], replace: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return replace(root) ?? null;
  const [head, ...rest] = path;
  const container = root as Record<string | number, Json>;
  if (rest.length === 0) {
    const next = replace(container[head!]!);
    if (next === undefined) {
      if (Array.isArray(container)) container.splice(head as number, 1);
      else delete container[head!];
    } else container[head!] = next;
    return root;
  }
  setAt(container[head!]!, rest, replace);
  return root;
}

const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    null,
    -1,
    1e308,
    -0,
    '',
    'x'.repeat(3000),
    '\u0000',
    '\ud800',
    '🛒'.repeat(600),
    { __proto__: null } as Json,
    JSON.parse('{"__proto__":{"admin":true}}') as Json,
    { constructor: { prototype: 1 } },
    [[[[[[[[[[[[1]]]]]]]]]]]],
    Array.from({ length: 300 }, () => ({ item_id: 'a' })),
    Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])),
  ),
);

const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'wrap', 'duplicate'),
  value: hostile,
});

const validBatch = () =>
  makeBatch([
    makeEvent(),
    makeEvent({
      name: 'add_to_cart',
      props: { items: [{ item_id: 'SKU-1', price: 3, quantity: 1 }], value: 3, currency: 'EUR' },
    }),
    makeEvent({ name: 'search', props: { search_term: 'mug', search_id: 'search-0001', source: 'form' } }),
    makeEvent({ name: 'clicked_banner', props: { slot: 'top', n: 1 } }),
  ]) as unknown as Json;

describe('fuzz: no input produces a 5xx or an exception', () => {
  it('mutated valid batches', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let batch = validBatch();
        for (const { pick, op, value: shared } of mutations) {
          // constantFrom hands out the same objects every run: mutate copies, never them.
          const value = structuredClone(shared);
          const all = paths(batch);
          const path = all[pick % all.length]!;
          batch = setAt(batch, path, (old) => {
            if (op === 'delete') return undefined;
            if (op === 'replace') return value;
            if (op === 'wrap') return [old, value];
            return Array.isArray(old) ? [...old, ...old] : old;
          });
        }
        statuses.add(await sendAndCheck(JSON.stringify(batch)));
      }),
      { numRuns: 300 },
    );
    // The fuzzer reached both sides of validation.
    expect(statuses.has(202)).toBe(true);
    expect([...statuses].some((status) => status >= 400)).toBe(true);
  }, 120_000);

  it('random JSON, truncated JSON and random bytes, under either content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
          fc.nat().map((cut) => {
            const text = JSON.stringify(validBatch());
            return text.slice(0, cut % text.length);
          }),
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ unit: 'binary', maxLength: 500 }),
        ),
        fc.constantFrom('text/plain', 'application/json', 'text/plain;charset=UTF-8'),
        async (body, contentType) => {
          await sendAndCheck(body, contentType);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
