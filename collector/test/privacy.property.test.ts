import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch, PathmarkEvent } from '../../sdk/src/protocol.ts';
import type { Env } from '../src/env.ts';
import worker from '../src/index.ts';
import { processBatch } from '../src/pipeline.ts';
import { forms, ipv4, ipv6, secret, surrounding } from './pii.ts';
import { basePolicy, context, makeBatch, makeEvent, post, testKeys } from './support.ts';
import { webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

const RAW_ANONYMOUS_ID = 'device-id-that-must-not-leave';

/** A batch with `plant(i)` in every free-text string field the protocol has. */
function batchWith(plant: (slot: number) => string, origin: string, site: string): Batch {
  let slot = 0;
  const s = () => plant(slot++);
  const item = { item_id: s(), item_name: s(), item_brand: s(), item_category: s(), item_variant: s(), item_list_name: s(), price: 3 };
  const url = `${origin}/p/${encodeURIComponent(s())}/x?q=${encodeURIComponent(s())}&search=${encodeURIComponent(s())}&other=${encodeURIComponent(s())}&utm_campaign=${encodeURIComponent(s())}#${encodeURIComponent(s())}`;
  const base = { url, title: s(), anonymous_id: RAW_ANONYMOUS_ID };
  const events: PathmarkEvent[] = [
    makeEvent({ ...base, name: 'page_view', referrer: `${origin}/search?q=${encodeURIComponent(s())}`, props: { navigation: 'push', page_index: 2, previous_path: `/p/${s()}` } }),
    makeEvent({ ...base, name: 'page_view', referrer: `https://mail.example/inbox/${encodeURIComponent(s())}?u=${encodeURIComponent(s())}`, props: { navigation: 'load', page_index: 1 } }),
    makeEvent({ ...base, name: 'search', props: { search_term: s(), search_id: 'search-00001', source: 'form' } }),
    makeEvent({ ...base, name: 'add_to_cart', props: { items: [item], value: 3, currency: 'EUR' } }),
    makeEvent({ ...base, name: 'purchase', props: { items: [item], transaction_id: s(), value: 3, currency: 'EUR' } }),
    makeEvent({ ...base, name: 'note_added', props: { note: s(), [`k ${s()}`.slice(0, 120)]: 'v', nested: { list: [s(), 1], deep: { text: s() } } } }),
  ];
  const sdk = `pathmark-js/0.1.0 ${s()}`;
  return makeBatch(events, { site, consent: 'granted', ...(sdk.length <= 64 ? { sdk } : {}) });
}

const planted = fc.record({
  secret,
  around: fc.array(fc.tuple(surrounding, surrounding), { minLength: 40, maxLength: 40 }),
});

function leaks(haystacks: string[], needles: string[]): string[] {
  return needles.filter((needle) => haystacks.some((text) => text.includes(needle)));
}

describe('no personal data passes the collector (fast-check)', () => {
  it('pipeline: secrets planted in every string field never reach the queue message', () => {
    const keys = testKeys();
    fc.assert(
      fc.property(planted, ({ secret: { value }, around }) => {
        const batch = batchWith((i) => `${around[i]![0]}${value}${around[i]![1]}`, 'https://shop.example', 'shop');
        const result = processBatch(JSON.stringify(batch), context(), basePolicy, keys);
        expect(result.status).toBe(202);
        expect(result.body).toMatchObject({ accepted: 6, rejected: [] });
        expect(leaks(result.serialized, [...forms(value), RAW_ANONYMOUS_ID])).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('does not rebuild a secret from the names in audit.removed (found by fast-check)', () => {
    // previous_path "/p/ ?@a.aa ": the e-mail's "?" starts a query whose parameter name is "@a.aa",
    // and "props.previous_path?" + "@a.aa" used to spell the address again.
    const batch = batchWith(() => ' ?@a.aa ', 'https://shop.example', 'shop');
    const result = processBatch(JSON.stringify(batch), context(), basePolicy, testKeys());
    expect(result.status).toBe(202);
    expect(leaks(result.serialized, forms('?@a.aa'))).toEqual([]);
  });

  it('whole Worker: secrets, the raw IP and the raw user agent never reach the queue, R2, D1, the webhook or the dead-letter archive', async () => {
    await fc.assert(
      fc.asyncProperty(
        planted,
        fc.oneof(ipv4, ipv6),
        fc.stringMatching(/^[a-z]{12}$/),
        async ({ secret: { value }, around }, ip, uaMarker) => {
          const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Pm${uaMarker}/1`;
          const batch = batchWith((i) => `${around[i]![0]}${value}${around[i]![1]}`, 'http://localhost:8787', 'demo');
          const r2Writes: string[] = [];
          const archive = {
            put: async (key: string, body: string, options?: R2PutOptions) => {
              r2Writes.push(body);
              return env.ARCHIVE.put(key, body, options);
            },
          };
          const bindings = { ...env, ARCHIVE: archive } as unknown as Env;

          const { response, queued, records } = await post(batch, { ip, userAgent, env: bindings });
          expect(response.status).toBe(202);
          expect(records).toHaveLength(6);

          for (const queue of ['pathmark-sink-r2', 'pathmark-sink-d1', 'pathmark-sink-webhook', 'pathmark-dead-letters']) {
            const messages = queued.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
            const messageBatch = createMessageBatch<string>(queue, messages);
            const ctx = createExecutionContext();
            await worker.queue(messageBatch as MessageBatch<unknown>, bindings);
            const result = await getQueueResult(messageBatch, ctx);
            expect(result.retryMessages).toEqual([]);
          }
          const ids = records.map((record) => record.event_id);
          const { results } = await env.DB.prepare(`SELECT * FROM events WHERE event_id IN (${ids.map(() => '?').join(',')})`)
            .bind(...ids)
            .all();
          expect(results).toHaveLength(6);
          const d1Rows = results.map((row) => JSON.stringify(row));
          const webhookBodies = webhook.deliveries.map((delivery) => delivery.body);
          expect(webhookBodies.some((body) => body.includes(ids[0]!))).toBe(true);
          // Both R2 writes happened: the events archive and the dead-letter archive.
          expect(r2Writes.some((body) => body.includes(`"event_id":"${ids[0]}"`))).toBe(true);
          expect(r2Writes.some((body) => body.includes('"last_error":'))).toBe(true);

          const downstream = [...queued, ...r2Writes, ...d1Rows, ...webhookBodies];
          expect(leaks(downstream, [...forms(value), ip, userAgent, `Pm${uaMarker}`, RAW_ANONYMOUS_ID])).toEqual([]);
          webhook.reset();
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
