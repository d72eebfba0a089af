import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PathmarkEvent } from '#protocol';
import {
  MAX_MESSAGE_BYTES,
  decodeMessage,
  eventCount,
  packMessage,
  readQueueMessage,
  toMessages,
  type PackedMessage,
} from '../src/core/queue-message.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import { accepted, basePolicy, context, makeBatch, makeEvent, newId, processBatch, testKeys } from './support/pipeline.ts';

/**
 * The queue carries each batch's fields once (v2); the consumers expand a message into the
 * records the sinks have always received. The expansion must give back exactly what the
 * pipeline made, byte for byte in JSON (R2 NDJSON, D1's `record` column and the webhook body
 * are JSON of these records), and messages queued in the old format must still be read.
 */

const policy = { ...basePolicy, page_types: { product: ['/p/*'], home: ['/'] } };

/** The JSON of each record, as R2 writes its NDJSON lines. */
const lines = (records: readonly ForwardedRecord[]) => records.map((record) => JSON.stringify(record));

const SENT_AT = Date.now();
const pages = ['https://shop.example/', 'https://shop.example/p/mug?q=mug&utm_source=news', 'https://shop.example/p/tee#x'];
const eventArbitrary = fc.record({
  page: fc.constantFrom(0, 1, 2),
  pageId: fc.constantFrom('page-aaaa-1', 'page-bbbb-2'),
  title: fc.option(fc.constantFrom('Mug', 'Tee — shop', 'Order for jane@example.com'), { nil: undefined }),
  referrer: fc.option(fc.constantFrom('https://www.google.com/search?q=x', 'https://shop.example/p/mug', ''), {
    nil: undefined,
  }),
  anonymousId: fc.option(fc.constantFrom('anon-1111-aaaa', 'anon-2222-bbbb'), { nil: undefined }),
  sessionId: fc.option(fc.constantFrom('sess-1111-aaaa', 'sess-2222-bbbb'), { nil: undefined }),
  kind: fc.constantFrom('page_view', 'add_to_cart', 'custom'),
  // Device time before sending (whole or fractional ms), or ahead of it (then clamped to the arrival).
  tsShift: fc.oneof(fc.integer({ min: -60_000, max: 5_000 }), fc.double({ min: -60_000, max: 5_000, noNaN: true })),
});

type EventSpec = typeof eventArbitrary extends fc.Arbitrary<infer T> ? T : never;

function eventOf(spec: EventSpec) {
  const props =
    spec.kind === 'page_view'
      ? { navigation: 'push', page_index: 2, previous_path: '/p/mug?email=a@b.cc' }
      : spec.kind === 'add_to_cart'
        ? { items: [{ item_id: 'SKU-1', item_name: 'Mug', price: 12.5, quantity: 1 }], value: 12.5, currency: 'EUR' }
        : { phone: '+49 30 1234567', note: 'gift', nested: { depth: [1, 2] } };
  const event: Record<string, unknown> = {
    id: newId(),
    ts: SENT_AT + spec.tsShift,
    page_id: spec.pageId,
    url: pages[spec.page],
    name: spec.kind === 'custom' ? 'gift_note' : spec.kind,
    props,
  };
  if (spec.title !== undefined) event.title = spec.title;
  if (spec.referrer !== undefined) event.referrer = spec.referrer;
  if (spec.anonymousId !== undefined) event.anonymous_id = spec.anonymousId;
  if (spec.sessionId !== undefined) event.session_id = spec.sessionId;
  return makeEvent(event as Partial<PathmarkEvent>);
}

describe('queue message', () => {
  it('gives the sinks exactly the records the pipeline made, whatever the pages, visitors and consent', () => {
    fc.assert(
      fc.property(
        fc.array(eventArbitrary, { minLength: 1, maxLength: 30 }),
        fc.constantFrom('granted', 'anonymous'),
        fc.boolean(),
        (specs, consent, withKey) => {
          const batch = makeBatch(specs.map(eventOf), { site: 'shop', consent, sent_at: SENT_AT });
          const result = accepted(
            processBatch(JSON.stringify(batch), context({ receivedAt: SENT_AT + 250 }), policy, testKeys(withKey)),
          );
          const decoded = result.serialized.map((json) => decodeMessage(json));
          expect(decoded.map((message) => message.batch_id)).toEqual(result.messages.map((message) => message.batch_id));
          expect(lines(decoded.flatMap((message) => message.records))).toEqual(lines(result.records));
          expect(decoded).toEqual(result.messages);
          for (const json of result.serialized) expect(readQueueMessage(json)).toMatchObject({ v: 2 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes the batch fields once and the page and visitor only when they change', () => {
    const pageA = newId();
    const pageB = newId();
    const events = [
      makeEvent({ page_id: pageA, anonymous_id: 'anon-1111-aaaa', session_id: 'sess-1111-aaaa' }),
      makeEvent({
        page_id: pageA,
        anonymous_id: 'anon-1111-aaaa',
        session_id: 'sess-1111-aaaa',
        name: 'scroll',
        props: { depth: 50 },
      }),
      makeEvent({ page_id: pageB, anonymous_id: 'anon-1111-aaaa', session_id: 'sess-1111-aaaa' }),
    ] as PathmarkEvent[];
    const result = accepted(
      processBatch(JSON.stringify(makeBatch(events, { site: 'shop', consent: 'granted' })), context(), policy, testKeys()),
    );
    const message = readQueueMessage(result.serialized[0]!) as PackedMessage;
    expect(message).toMatchObject({ v: 2, site: 'shop', consent: 'granted', batch_id: result.batchId });
    expect(message.events.map((event) => [!!event.page, !!event.visitor])).toEqual([
      [true, true],
      [false, false],
      [true, false],
    ]);
    expect(result.serialized[0]!.length).toBeLessThan(JSON.stringify({ records: result.records }).length * 0.75);
    expect(eventCount(message)).toBe(3);
  });

  it('reads messages queued in full before packing (v1) as they were', () => {
    const result = accepted(
      processBatch(JSON.stringify(makeBatch([makeEvent(), makeEvent()], { site: 'shop' })), context(), policy, testKeys()),
    );
    const v1 = JSON.stringify({
      v: 1,
      batch_id: result.batchId,
      site: 'shop',
      received_at: result.records[0]!.received_at,
      records: result.records,
    });
    expect(lines(decodeMessage(v1).records)).toEqual(lines(result.records));
    expect(decodeMessage(JSON.parse(v1))).toEqual(decodeMessage(result.serialized[0]!));
    expect(eventCount(readQueueMessage(v1))).toBe(2);
  });

  it('refuses what is not a message, and a packed event without its page', () => {
    expect(() => readQueueMessage('{"v":2}')).toThrow(/not a Pathmark queue message/);
    expect(() => readQueueMessage('[]')).toThrow(/not a Pathmark queue message/);
    const result = accepted(
      processBatch(JSON.stringify(makeBatch([makeEvent()], { site: 'shop' })), context(), policy, testKeys()),
    );
    const message = readQueueMessage(result.serialized[0]!) as PackedMessage;
    delete message.events[0]!.page;
    expect(() => decodeMessage(message)).toThrow(/events\[0\] has no page or visitor/);
  });

  it('sends records that do not share their batch fields in full', () => {
    const result = accepted(
      processBatch(JSON.stringify(makeBatch([makeEvent(), makeEvent()], { site: 'shop' })), context(), policy, testKeys()),
    );
    const mixed = [result.records[0]!, { ...result.records[1]!, geo: { country: 'FR', region: null } }];
    expect(packMessage(mixed)).toBeNull();
    const { serialized } = toMessages(mixed, result.batchId, 'shop', result.records[0]!.received_at);
    expect(readQueueMessage(serialized[0]!)).toMatchObject({ v: 1 });
    expect(lines(decodeMessage(serialized[0]!).records)).toEqual(lines(mixed));
  });

  it('keeps a batch in one message, splitting only what would exceed the queue limit, each part readable alone', () => {
    const result = accepted(
      processBatch(JSON.stringify(makeBatch([makeEvent()], { site: 'shop' })), context(), policy, testKeys()),
    );
    const base = result.records[0]!;
    const record = (i: number, size: number): ForwardedRecord => ({
      ...base,
      event_id: `e${i}`,
      title: `${i} ${'é'.repeat(size)}`,
    });
    expect(toMessages([record(1, 10), record(2, 10)], base.batch_id, 'shop', base.received_at).messages).toHaveLength(1);
    const big = Array.from({ length: 40 }, (_, i) => record(i, 2000));
    const { messages, serialized } = toMessages(big, base.batch_id, 'shop', base.received_at);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.flatMap((message) => message.records)).toEqual(big);
    for (const json of serialized) expect(new TextEncoder().encode(json).byteLength).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(lines(serialized.flatMap((json) => decodeMessage(json).records))).toEqual(lines(big));
  });
});
