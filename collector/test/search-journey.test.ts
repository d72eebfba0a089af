import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import type { PathmarkEvent } from '#protocol';
import { decodeMessage } from '../src/core/queue-message.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import { makeBatch, makeEvent, newId, ORIGIN, post } from './support.ts';
import { webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

/**
 * UUIDs the old redaction broke: a digit group read as a phone number
 * (`…-[phone]`), a long hex run read as a token. The SDK makes them with
 * crypto.randomUUID, so any of these can occur.
 */
const NASTY_SEARCH_IDS = [
  'c3b0a1f2-5d2e-4a1b-8c2d-123456789012',
  '12345678-9012-4345-8789-012345678901',
  'abcdefab-cdef-4abc-8def-abcdefabcdef',
];

/** One shopper's search → result click → cart → checkout → purchase, as the SDK sends it. */
function journey(searchId: string, email: string): PathmarkEvent[] {
  const item = { item_id: 'SKU-1001', item_name: 'Trail runner 42', price: 89.9, currency: 'EUR', quantity: 1 };
  const shared = { anonymous_id: newId(), session_id: newId(), title: 'Trail shoes — Northwind' };
  const at = (path: string) => `${ORIGIN}${path}`;
  return [
    makeEvent({
      ...shared,
      name: 'search',
      url: at('/search?q=trail'),
      props: { search_term: `trail shoes ${email}`, search_id: searchId, results: 12, source: 'form' },
    }),
    makeEvent({
      ...shared,
      name: 'select_item',
      url: at('/search?q=trail'),
      props: { items: [{ ...item, index: 0 }], index: 0, search_id: searchId },
    }),
    makeEvent({
      ...shared,
      name: 'view_item',
      url: at('/products/sku-1001'),
      props: { items: [item], value: 89.9, currency: 'EUR', search_id: searchId },
    }),
    makeEvent({
      ...shared,
      name: 'add_to_cart',
      url: at('/products/sku-1001'),
      props: { items: [item], value: 89.9, currency: 'EUR', search_id: searchId },
    }),
    makeEvent({
      ...shared,
      name: 'begin_checkout',
      url: at('/checkout'),
      props: { items: [item], value: 89.9, currency: 'EUR', search_id: searchId },
    }),
    makeEvent({
      ...shared,
      name: 'purchase',
      url: at('/checkout/done'),
      props: { items: [item], value: 89.9, currency: 'EUR', transaction_id: crypto.randomUUID(), search_id: searchId },
    }),
  ];
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function r2Records(eventIds: string[]): Promise<ForwardedRecord[]> {
  const found: ForwardedRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.ARCHIVE.list({ prefix: 'events/site=demo/', cursor });
    for (const object of page.objects) {
      const text = await (await env.ARCHIVE.get(object.key))!.text();
      for (const line of text.trimEnd().split('\n')) {
        const record = JSON.parse(line) as ForwardedRecord;
        if (eventIds.includes(record.event_id)) found.push(record);
      }
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return found;
}

const propOf = (event: PathmarkEvent, key: string) => (event.props as Record<string, unknown> | undefined)?.[key];

/** search_id per event name, in journey order. */
const searchIds = (records: ForwardedRecord[], events: PathmarkEvent[]) =>
  events.map((event) => {
    const record = records.find((candidate) => candidate.event_id === event.id);
    return [event.name, record?.props.search_id] as const;
  });

describe('a search journey through the real pipeline', () => {
  it.each(NASTY_SEARCH_IDS.concat([crypto.randomUUID()]))(
    'keeps search_id %s on the search, click, cart and purchase in the queue message, R2, D1 and the webhook',
    async (searchId) => {
      const events = journey(searchId, 'jane.doe@example.com');
      const ids = events.map((event) => event.id);
      // Through the Worker and the real local queue, whose consumer writes the three sinks.
      const { response, queued } = await post(makeBatch(events, { consent: 'granted' }));
      expect(response.status).toBe(202);

      const expected = events.map((event) => [event.name, searchId]);
      const message = queued.flatMap((body) => decodeMessage(body).records);
      expect(searchIds(message, events)).toEqual(expected);

      const d1 = await waitFor('D1 rows', async () => {
        const { results } = await env.DB.prepare(`SELECT record FROM events WHERE event_id IN (${ids.map(() => '?').join(',')})`)
          .bind(...ids)
          .all<{ record: string }>();
        return results.length === ids.length ? results.map((row) => JSON.parse(row.record) as ForwardedRecord) : undefined;
      });
      expect(searchIds(d1, events)).toEqual(expected);

      const r2 = await waitFor('R2 objects', async () => {
        const records = await r2Records(ids);
        return records.length >= ids.length ? records : undefined;
      });
      expect(searchIds(r2, events)).toEqual(expected);

      const hooked = await waitFor('webhook deliveries', async () => {
        const records = webhook.deliveries.filter((delivery) => delivery.signatureValid).flatMap((delivery) => delivery.records);
        return ids.every((id) => records.some((record) => record.event_id === id)) ? records : undefined;
      });
      expect(searchIds(hooked, events)).toEqual(expected);

      // The free text around the id is still redacted, and the shop's UUID order id kept.
      const search = message.find((record) => record.name === 'search')!;
      expect(search.props.search_term).toBe('trail shoes [email]');
      expect(search.audit.redactions).toBe(1);
      const purchase = message.find((record) => record.name === 'purchase')!;
      expect(purchase.props.transaction_id).toBe(propOf(events.at(-1)!, 'transaction_id'));
    },
    60_000,
  );

  it('keeps two journeys apart: each purchase carries its own search', async () => {
    const first = journey(crypto.randomUUID(), 'a@example.com');
    const second = journey(crypto.randomUUID(), 'b@example.com');
    const { records } = await post(makeBatch([...first, ...second], { consent: 'granted' }), { forward: false });
    const purchases = records.filter((record) => record.name === 'purchase').map((record) => record.props.search_id);
    expect(purchases).toEqual([propOf(first[0]!, 'search_id'), propOf(second[0]!, 'search_id')]);
  });

  it('redacts a search_id on a custom event unless it is a UUID (the protocol defines it only on standard events)', async () => {
    const uuid = crypto.randomUUID();
    const events = [
      makeEvent({ name: 'filter_applied', props: { search_id: uuid, filter: 'size 42' } }),
      makeEvent({ name: 'filter_applied', props: { search_id: '+44 20 7946 0958', filter: 'size 42' } }),
    ];
    const { records } = await post(makeBatch(events), { forward: false });
    expect(records.map((record) => record.props.search_id)).toEqual([uuid, '[phone]']);
  });
});
