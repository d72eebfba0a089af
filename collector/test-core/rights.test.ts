import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pseudonymOf } from '../src/core/anonymize.ts';
import { epochHour, partitionKey } from '../src/core/archive-partitions.ts';
import { decodeMessage } from '../src/core/queue-message.ts';
import { accessAnswer, MAX_ACCESS_RECORDS, nothingLinkable } from '../src/core/rights/access.ts';
import {
  dropErased,
  initialSteps,
  isComplete,
  partitionsToRewrite,
  receiptOf,
  withoutVisitors,
  type TombstoneRow,
} from '../src/core/rights/erasure.ts';
import { RECORD_FIELDS, recordFieldsMarkdown } from '../src/core/rights/fields.ts';
import { parseRightsRequest } from '../src/core/rights/request.ts';
import { accepted, basePolicy, context, makeBatch, makeEvent, processBatch, testKeys } from './support/pipeline.ts';

const grantedBatch = (ids: string[]) =>
  accepted(
    processBatch(
      JSON.stringify(
        makeBatch(
          ids.map((id) => makeEvent({ anonymous_id: id, session_id: crypto.randomUUID() })),
          { site: 'shop', consent: 'granted' },
        ),
      ),
      context(),
      basePolicy,
      testKeys(),
    ),
  );

describe('the rights request body', () => {
  it('takes a UUID in any case, and names the field of anything else', () => {
    const id = crypto.randomUUID();
    expect(parseRightsRequest(JSON.stringify({ anonymous_id: id.toUpperCase() }))).toEqual({ ok: true, anonymousId: id });
    expect(parseRightsRequest('{}')).toEqual({ ok: false, detail: 'anonymous_id: required' });
    expect(parseRightsRequest('[]')).toMatchObject({ ok: false, detail: expect.stringMatching(/^body:/) });
    expect(parseRightsRequest('nope')).toMatchObject({ ok: false, detail: expect.stringMatching(/^body:/) });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), (value) => {
        const outcome = parseRightsRequest(JSON.stringify({ anonymous_id: value }));
        if (typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value) && outcome.ok) return;
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.detail).toMatch(/^anonymous_id: /);
      }),
    );
  });
});

describe('the access answer', () => {
  it('explains every field of a stored record, and docs/rights.md shows the same table', () => {
    const record = grantedBatch([crypto.randomUUID()]).records[0]!;
    const paths = Object.entries({ ...record, title: '', referrer: '' }).flatMap(([field, value]) =>
      ['geo', 'ua', 'audit'].includes(field) ? Object.keys(value as object).map((sub) => `${field}.${sub}`) : [field],
    );
    expect(Object.keys(RECORD_FIELDS).sort()).toEqual(paths.sort());
    const docs = readFileSync(new URL('../../docs/rights.md', import.meta.url), 'utf8');
    expect(docs).toContain(recordFieldsMarkdown());
  });

  it('keeps at most MAX_ACCESS_RECORDS and says so; a site without a key or identifiers keeps nothing', () => {
    const rows = Array.from({ length: MAX_ACCESS_RECORDS + 1 }, (_, i) => JSON.stringify({ event_id: String(i) }));
    const answer = accessAnswer(basePolicy, rows, null);
    expect(answer).toMatchObject({ kept: 'records', truncated: true });
    expect(answer.records).toHaveLength(MAX_ACCESS_RECORDS);
    expect(accessAnswer(basePolicy, [], null)).toMatchObject({ kept: 'records', records: [], truncated: false });
    expect(accessAnswer({ ...basePolicy, max_consent: 'anonymous' }, [], null)).toMatchObject({
      kept: 'nothing',
      reason: expect.stringContaining('anonymous'),
    });
    expect(nothingLinkable(basePolicy, false)).toMatch(/no pseudonymization key/);
    expect(nothingLinkable(basePolicy, true)).toBeNull();
  });

  it('finds the records by the pseudonym the anonymizer wrote', () => {
    const id = crypto.randomUUID();
    const record = grantedBatch([id]).records[0]!;
    expect(record.visitor_id).toBe(pseudonymOf('shop', id, testKeys().pseudonym!));
  });
});

describe('erasure', () => {
  it('drops the erased visitors of an accepted batch as rejected, keeping the others in order', () => {
    const [gone, stays] = [crypto.randomUUID(), crypto.randomUUID()];
    const batch = grantedBatch([stays, gone, stays]);
    const goneId = pseudonymOf('shop', gone, testKeys().pseudonym!);
    const dropped = dropErased(batch, 'shop', Date.now(), new Set([goneId]));
    expect(dropped.response).toEqual({
      accepted: 2,
      rejected: [{ index: 1, reason: expect.stringMatching(/^visitor: erased/) }],
    });
    expect(dropped.indexes).toEqual([0, 2]);
    expect(dropped.messages.flatMap((message) => message.records).map((record) => record.visitor_id)).not.toContain(goneId);
    expect(decodeMessage(dropped.serialized[0]!).records).toHaveLength(2);
    expect(dropErased(batch, 'shop', Date.now(), new Set(['someone-else']))).toBe(batch);
  });

  it("removes only the visitor's lines of an archive object, every other line byte for byte", () => {
    const gone = 'a'.repeat(32);
    const line = fc.record({
      visitor_id: fc.constantFrom(gone, 'b'.repeat(32), 'c'.repeat(32)),
      site: fc.constantFrom('shop', 'other'),
      note: fc.string(),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (records) => {
        const text = records.map((record) => JSON.stringify(record)).join('\n') + '\n';
        const { text: rewritten, removed } = withoutVisitors(text, 'shop', new Set([gone]));
        const keep = records.filter((record) => !(record.site === 'shop' && record.visitor_id === gone));
        expect(removed).toBe(records.length - keep.length);
        expect(rewritten).toBe(keep.length > 0 ? keep.map((record) => JSON.stringify(record)).join('\n') + '\n' : '');
      }),
    );
  });

  it("lists the partitions of the visitor's hours and of the request's hour and the one before", () => {
    const requestedAt = Date.parse('2026-12-04T10:20:00Z');
    const old = Date.parse('2026-11-30T23:59:59Z');
    const row = {
      site: 'shop',
      requested_at: requestedAt,
      archive_hours: JSON.stringify([epochHour(old), epochHour(requestedAt)]),
    };
    expect(partitionsToRewrite(row)).toEqual([
      partitionKey({ site: 'shop', received_at: old }),
      'events/site=shop/date=2026-12-04/hour=09',
      'events/site=shop/date=2026-12-04/hour=10',
    ]);
  });

  it('is done once every step is', () => {
    const steps = initialSteps({ linkable: true, webhook: true });
    expect(steps).toEqual({ database: 'done', insights: 'done', archive: 'pending', webhook: 'pending' });
    expect(isComplete(steps)).toBe(false);
    expect(isComplete({ ...steps, archive: 'done', webhook: 'notified' })).toBe(true);
    expect(isComplete(initialSteps({ linkable: false, webhook: true }))).toBe(true);
    const row: TombstoneRow = {
      receipt_id: crypto.randomUUID(),
      site: 'shop',
      visitor_id: 'v',
      requested_at: 0,
      completed_at: 3_600_000,
      steps: JSON.stringify({ ...steps, archive: 'done', webhook: 'off' }),
      archive_hours: '[]',
    };
    expect(receiptOf(row)).toEqual({
      receipt_id: row.receipt_id,
      site: 'shop',
      requested_at: '1970-01-01T00:00:00.000Z',
      completed_at: '1970-01-01T01:00:00.000Z',
      status: 'done',
      steps: { database: 'done', insights: 'done', archive: 'done', webhook: 'off' },
      check: `/v1/rights/shop/receipts/${row.receipt_id}`,
    });
  });
});
