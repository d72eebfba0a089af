import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { isbot } from 'isbot';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch, JsonValue, PathmarkEvent } from '../../sdk/src/protocol.ts';
import type { Env } from '../src/env.ts';
import worker from '../src/index.ts';
import { processBatch } from '../src/pipeline.ts';
import type { SitePolicy } from '../src/policy.ts';
import { REDACTION_MARKERS, type ForwardedRecord } from '../src/record.ts';
import sites from '../sites.json';
import { FORMS, asNumber, between, formName, ipv4, ipv6, needles, personalRecord, secret, surrounding, type FormName } from './pii.ts';
import { basePolicy, context, makeBatch, makeEvent, post, testKeys } from './support.ts';
import { webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

const RAW_ANONYMOUS_ID = 'device-id-that-must-not-leave';
/** The pipeline tests use the demo site's keys and query allowlist, like the Worker tests. */
const shopPolicy: SitePolicy = { ...basePolicy, query_params: sites.sites.demo.query_params, redact_keys: sites.sites.demo.redact_keys };

interface Planting {
  /** The secret as sent in slot `i`: in one of its forms, with text around it. */
  text: (slot: number) => string;
  /** The secret as a JSON number, when it is a number (phone, card) that may be sent as one. */
  number: number | null;
  /** Names and addresses, under the keys that name them. */
  person: { firstName: string; lastName: string; fullName: string; street: string; streetAddress: string; zipCode: string; birthday: string };
}

/** A URL with the planted text percent-encoded once more in each part (forms are ≤ 300 characters, so it stays within 2,048). */
const inUrl = (text: string, build: (part: string) => string) => build(encodeURIComponent(text));

/**
 * A batch with the secret planted in every place a value can sit: path segments (encoded
 * and raw), kept and dropped query values, fragment, title, same-site and external
 * referrers, previous_path, search term, every item field, transaction id, custom props
 * at every depth, a property key, URLs inside props (query, fragment, credentials, path),
 * URLs inside text, numbers (plain and under a phone key), and names and addresses under
 * near-miss keys.
 */
function batchWith(plant: Planting, origin: string, site: string): Batch {
  let slot = 0;
  const s = () => plant.text(slot++);
  const base = { title: s(), anonymous_id: RAW_ANONYMOUS_ID };
  const pageUrl = (build: (part: string) => string) => ({ ...base, url: inUrl(s(), build) });
  const rawSegment = s();
  const item = () => ({ item_id: s(), item_name: s(), item_brand: s(), item_category: s(), item_variant: s(), item_list_name: s(), price: 3, quantity: 1 });
  const searchId = crypto.randomUUID();
  const number = plant.number;
  const key = `k ${s()}`;
  const customProps: { [key: string]: JsonValue } = {
    note: s(),
    ...(key.length <= 128 ? { [key]: 'v' } : {}),
    nested: { list: [s(), 1], deep: { text: s() } },
    share: inUrl(s(), (part) => `${origin}/p/x?q=${part}&email=${part}`),
    link: inUrl(s(), (part) => `${origin}/p/${part}#${part}`),
    login: inUrl(s(), (part) => `https://user:${part}@partner.example/x`),
    href: `see ${inUrl(s(), (part) => `https://partner.example/x?q=${part}`)}, thanks`,
    ...(number !== null ? { amount_ref: number, mobile: number, deep: { phone_no: number } } : {}),
  };
  const { person } = plant;
  const personalProps: { [key: string]: JsonValue } = {
    firstName: person.firstName,
    full_name: person.fullName,
    fullName: person.fullName,
    contact_name: person.fullName,
    recipient: person.fullName,
    billing_address: { street: person.street, line: person.streetAddress, zip: person.zipCode },
    shipping_address: person.streetAddress,
    addressLine1: person.streetAddress,
    street: person.street,
    emailAddress: s(),
    customer: { lastName: person.lastName, dateOfBirth: person.birthday, PostalCode: person.zipCode },
  };
  const events: PathmarkEvent[] = [
    makeEvent({ ...pageUrl((part) => `${origin}/p/${part}/x?q=${part}`), name: 'page_view', props: { navigation: 'load', page_index: 1 } }),
    makeEvent({ ...pageUrl((part) => `${origin}/p/x?search=${part}&other=${part}`), name: 'page_view', props: { navigation: 'load', page_index: 1 } }),
    makeEvent({ ...pageUrl((part) => `${origin}/p/x?utm_campaign=${part}#${part}`), name: 'page_view', props: { navigation: 'load', page_index: 1 } }),
    makeEvent({
      ...base,
      url: /^[^/?#\\%]*$/.test(rawSegment) ? `${origin}/p/${rawSegment}` : `${origin}/p/raw`,
      name: 'page_view',
      referrer: inUrl(s(), (part) => `${origin}/search?q=${part}&email=${part}`),
      props: { navigation: 'push', page_index: 2, previous_path: inUrl(s(), (part) => `/p/${part}?q=${part}`) },
    }),
    makeEvent({ ...base, url: `${origin}/`, name: 'page_view', referrer: inUrl(s(), (part) => `https://mail.example/inbox/${part}?u=${part}`), props: { navigation: 'load', page_index: 1 } }),
    makeEvent({ ...base, url: `${origin}/`, name: 'page_view', referrer: inUrl(s(), (part) => `${origin}/x?token=${part}#${part}`), props: { navigation: 'push', page_index: 3, previous_path: inUrl(s(), (part) => `/p/x?token=${part}#${part}`) } }),
    makeEvent({ ...base, url: `${origin}/search`, name: 'search', props: { search_term: s(), search_id: searchId, source: 'form' } }),
    makeEvent({ ...base, url: `${origin}/search`, name: 'add_to_cart', props: { items: [item()], value: 3, currency: 'EUR', search_id: searchId } }),
    makeEvent({ ...base, url: `${origin}/checkout`, name: 'purchase', props: { items: [item()], transaction_id: s(), value: 3, currency: 'EUR', search_id: searchId } }),
    makeEvent({ ...base, url: `${origin}/`, name: 'note_added', props: customProps }),
    makeEvent({ ...base, url: `${origin}/account`, name: 'profile_saved', props: personalProps }),
  ];
  const sdk = `pathmark-js/0.1.0 ${s()}`;
  return makeBatch(events, { site, consent: 'granted', ...(sdk.length <= 64 ? { sdk } : {}) });
}

const planting: fc.Arbitrary<{ label: string; value: string; plant: Planting }> = fc
  .record({
    secret,
    form: formName,
    around: fc.array(fc.tuple(surrounding, surrounding), { minLength: 60, maxLength: 60 }),
    person: personalRecord,
  })
  .map(({ secret: { kind, value }, form, around, person }) => {
    // Forms that grow a long value past what a batch may hold fall back to the value as sent.
    const formed = FORMS[form](value).length <= 300 ? FORMS[form](value) : value;
    const usedForm: FormName = formed === value ? 'plain' : form;
    return {
      label: `${kind} as ${usedForm}`,
      value,
      plant: { text: (i: number) => between(around[i]![0], formed, around[i]![1]), number: asNumber(value), person },
    };
  });

/** Names and addresses long enough to be told apart from other text in a message (a 2-letter name is in "Linux"). */
const personNeedles = (person: Planting['person']) => [person.fullName, person.streetAddress].filter((text) => text.length >= 8);

const browserWith = (marker: string) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Pm${marker}/1`;
/** A marker to find the user agent by; never one isbot takes for a crawler's (`…feed…`, `…bot…`), whose events are dropped. */
const uaMarker = fc.stringMatching(/^[a-z]{12}$/).filter((marker) => !isbot(browserWith(marker)));

function leaks(haystacks: string[], needleList: string[]): string[] {
  return needleList.filter((needle) => haystacks.some((text) => text.includes(needle)));
}

describe('no personal data passes the collector (fast-check, faker in 25 locales)', () => {
  it('pipeline: secrets in every form and every place never reach the queue message', () => {
    const keys = testKeys();
    fc.assert(
      fc.property(planting, ({ label, value, plant }) => {
        const batch = batchWith(plant, 'https://shop.example', 'shop');
        const result = processBatch(JSON.stringify(batch), context(), shopPolicy, keys);
        expect(result.status, label).toBe(202);
        expect(result.body, label).toMatchObject({ accepted: batch.events.length, rejected: [] });
        expect(leaks(result.serialized, [...needles(value), ...personNeedles(plant.person), RAW_ANONYMOUS_ID]), label).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('does not rebuild a secret from the names in audit.removed (found by fast-check)', () => {
    // previous_path "/p/ ?@a.aa ": the e-mail's "?" starts a query whose parameter name is "@a.aa",
    // and "props.previous_path?" + "@a.aa" used to spell the address again.
    const text = () => ' ?@a.aa ';
    const batch = batchWith({ text, number: null, person: fc.sample(personalRecord, 1)[0]! }, 'https://shop.example', 'shop');
    const result = processBatch(JSON.stringify(batch), context(), shopPolicy, testKeys());
    expect(result.status).toBe(202);
    expect(leaks(result.serialized, needles('?@a.aa'))).toEqual([]);
  });

  it('whole Worker: secrets, the raw IP and the raw user agent never reach the queue, R2, D1, the webhook or the dead-letter archive', async () => {
    await fc.assert(
      fc.asyncProperty(planting, fc.oneof(ipv4, ipv6), uaMarker, async ({ label, value, plant }, ip, marker) => {
        const userAgent = browserWith(marker);
        const batch = batchWith(plant, 'http://localhost:8787', 'demo');
        const r2Writes: string[] = [];
        const archive = {
          put: async (key: string, body: string, options?: R2PutOptions) => {
            r2Writes.push(body);
            return env.ARCHIVE.put(key, body, options);
          },
        };
        const bindings = { ...env, ARCHIVE: archive } as unknown as Env;

        const { response, queued, records } = await post(batch, { ip, userAgent, env: bindings });
        expect(response.status, label).toBe(202);
        expect(records).toHaveLength(batch.events.length);

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
        expect(results).toHaveLength(batch.events.length);
        const d1Rows = results.map((row) => JSON.stringify(row));
        const webhookBodies = webhook.deliveries.map((delivery) => delivery.body);
        expect(webhookBodies.some((body) => body.includes(ids[0]!))).toBe(true);
        // Both R2 writes happened: the events archive and the dead-letter archive.
        expect(r2Writes.some((body) => body.includes(`"event_id":"${ids[0]}"`))).toBe(true);
        expect(r2Writes.some((body) => body.includes('"last_error":'))).toBe(true);

        const downstream = [...queued, ...r2Writes, ...d1Rows, ...webhookBodies];
        const secrets = [...needles(value), ...personNeedles(plant.person), ip, userAgent, `Pm${marker}`, RAW_ANONYMOUS_ID];
        expect(leaks(downstream, secrets), label).toEqual([]);
        webhook.reset();
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});

/** Markers as they appear in a record (as written, or percent-encoded in a query value); `path` repeats the URL's. */
const MARKER = new RegExp(`(?:\\[|%5B)(?:${REDACTION_MARKERS.join('|')})(?:\\]|%5D)`, 'g');
const markersIn = (record: ForwardedRecord) => JSON.stringify({ ...record, audit: null, path: null }).match(MARKER)?.length ?? 0;

/** Places that each hold one secret; each replaces one value with one marker, or removes it. */
const PLACES = ['title', 'path', 'keptQuery', 'droppedQuery', 'fragment', 'note', 'deepText', 'listItem', 'shareQuery', 'shareDropped', 'number', 'key'] as const;
type Place = (typeof PLACES)[number];
const REPLACES: Record<Place, number> = {
  title: 1, path: 1, keptQuery: 1, droppedQuery: 0, fragment: 0, note: 1, deepText: 1, listItem: 1, shareQuery: 1, shareDropped: 0, number: 1, key: 1,
};

describe('audit.redactions is exact', () => {
  it('counts one per value replaced, whatever the form, and every count leaves one marker', () => {
    const keys = testKeys();
    fc.assert(
      fc.property(secret, formName, fc.subarray([...PLACES], { minLength: 1 }), ({ kind, value }, form, places) => {
        const formed = FORMS[form](value).length <= 300 ? FORMS[form](value) : value;
        const text = ` ${formed} `;
        const number = asNumber(value);
        const at = (place: Place) => places.includes(place);
        const part = encodeURIComponent(text);
        const query = [at('keptQuery') ? `q=${part}` : '', at('droppedQuery') ? `other=${part}` : ''].filter(Boolean).join('&');
        const url = `https://shop.example/p/${at('path') ? part : 'mug'}${query ? `?${query}` : ''}${at('fragment') ? `#${part}` : ''}`;
        const props: { [key: string]: JsonValue } = {};
        if (at('note')) props.note = text;
        if (at('deepText')) props.a = { b: { c: text } };
        if (at('listItem')) props.list = [text, 'red shoes'];
        if (at('shareQuery') || at('shareDropped')) {
          props.share = `https://shop.example/p?${[at('shareQuery') ? `q=${part}` : '', at('shareDropped') ? `email=${part}` : ''].filter(Boolean).join('&')}`;
        }
        if (at('number') && number !== null) props.ref_number = number;
        if (at('key') && text.length <= 128) props[text] = 'v';
        const expected = places.reduce(
          (sum, place) => sum + (place === 'number' && number === null ? 0 : place === 'key' && text.length > 128 ? 0 : REPLACES[place]),
          0,
        );
        const keyCounted = at('key') && text.length <= 128 ? 1 : 0;

        const batch = makeBatch([makeEvent({ url: url.length <= 2048 ? url : 'https://shop.example/p/mug', title: at('title') ? text : 'Blue mug', name: 'note_added', props })], { site: 'shop' });
        fc.pre(url.length <= 2048);
        const result = processBatch(JSON.stringify(batch), context(), shopPolicy, keys);
        expect(result.status).toBe(202);
        const record = result.records[0]!;
        expect(record.audit.redactions, `${kind} as ${form} in ${places.join(', ')}`).toBe(expected);
        // A secret in a removed key is counted but leaves no marker: the key is gone.
        expect(markersIn(record), `${kind} as ${form} in ${places.join(', ')}`).toBe(expected - keyCounted);
      }),
      { numRuns: 500 },
    );
  });
});
