import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '#protocol';
import { REDACTION_MARKERS, type ForwardedRecord } from '../src/core/record.ts';
import { FORMS, asNumber, formName, needles, personalRecord, secret } from './support/pii.ts';
import { accepted, context, makeBatch, makeEvent, processBatch, testKeys } from './support/pipeline.ts';
import { RAW_ANONYMOUS_ID, batchWith, leaks, personNeedles, planting, shopPolicy } from './support/planting.ts';

describe('no personal data passes the pipeline (fast-check, faker in 25 locales)', () => {
  it('pipeline: secrets in every form and every place never reach the queue message', () => {
    const keys = testKeys();
    fc.assert(
      fc.property(planting, ({ label, value, plant }) => {
        const batch = batchWith(plant, 'https://shop.example', 'shop');
        const result = accepted(processBatch(JSON.stringify(batch), context(), shopPolicy, keys), label);
        expect(result.response, label).toMatchObject({ accepted: batch.events.length, rejected: [] });
        expect(leaks(result.serialized, [...needles(value), ...personNeedles(plant.person), RAW_ANONYMOUS_ID]), label).toEqual(
          [],
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('does not rebuild a secret from the names in audit.removed (found by fast-check)', () => {
    // previous_path "/p/ ?@a.aa ": the e-mail's "?" starts a query whose parameter name is "@a.aa",
    // and "props.previous_path?" + "@a.aa" used to spell the address again.
    const text = () => ' ?@a.aa ';
    const batch = batchWith({ text, number: null, person: fc.sample(personalRecord, 1)[0]! }, 'https://shop.example', 'shop');
    const result = accepted(processBatch(JSON.stringify(batch), context(), shopPolicy, testKeys()));
    expect(leaks(result.serialized, needles('?@a.aa'))).toEqual([]);
  });
});

/** Markers as they appear in a record (as written, or percent-encoded in a query value); `path` repeats the URL's. */
const MARKER = new RegExp(`(?:\\[|%5B)(?:${REDACTION_MARKERS.join('|')})(?:\\]|%5D)`, 'g');
const markersIn = (record: ForwardedRecord) => JSON.stringify({ ...record, audit: null, path: null }).match(MARKER)?.length ?? 0;

/** Places that each hold one secret; each replaces one value with one marker, or removes it. */
const PLACES = [
  'title',
  'path',
  'keptQuery',
  'droppedQuery',
  'fragment',
  'note',
  'deepText',
  'listItem',
  'shareQuery',
  'shareDropped',
  'number',
  'key',
] as const;
type Place = (typeof PLACES)[number];
const REPLACES: Record<Place, number> = {
  title: 1,
  path: 1,
  keptQuery: 1,
  droppedQuery: 0,
  fragment: 0,
  note: 1,
  deepText: 1,
  listItem: 1,
  shareQuery: 1,
  shareDropped: 0,
  number: 1,
  key: 1,
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
          (sum, place) =>
            sum + (place === 'number' && number === null ? 0 : place === 'key' && text.length > 128 ? 0 : REPLACES[place]),
          0,
        );
        const keyCounted = at('key') && text.length <= 128 ? 1 : 0;

        const batch = makeBatch(
          [
            makeEvent({
              url: url.length <= 2048 ? url : 'https://shop.example/p/mug',
              title: at('title') ? text : 'Blue mug',
              name: 'note_added',
              props,
            }),
          ],
          { site: 'shop' },
        );
        fc.pre(url.length <= 2048);
        const result = accepted(processBatch(JSON.stringify(batch), context(), shopPolicy, keys));
        const record = result.records[0]!;
        expect(record.audit.redactions, `${kind} as ${form} in ${places.join(', ')}`).toBe(expected);
        // A secret in a removed key is counted but leaves no marker: the key is gone.
        expect(markersIn(record), `${kind} as ${form} in ${places.join(', ')}`).toBe(expected - keyCounted);
      }),
      { numRuns: 500 },
    );
  });
});
