import type { ForwardedRecord } from './core/record.ts';
import type { InspectBatch, InspectResponse } from './inspect.ts';

/** Inspector data in D1, so it survives across isolates (development only). */

export const DEFAULT_INSPECT_LIMIT = 100;
export const MAX_INSPECT_LIMIT = 1000;
/** Raw batches are kept for a day at most, even on a development machine. */
const RAW_BATCH_TTL_MS = 24 * 60 * 60 * 1000;

export async function saveInspectBatch(db: D1Database, batch: InspectBatch): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT OR REPLACE INTO inspect_batches
           (batch_id, site, received_at, claimed_consent, effective_consent, accepted, rejected, raw)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        batch.batch_id,
        batch.site,
        batch.received_at,
        batch.claimed_consent,
        batch.effective_consent,
        batch.accepted,
        JSON.stringify(batch.rejected),
        JSON.stringify(batch.raw),
      ),
    db.prepare('DELETE FROM inspect_batches WHERE received_at < ?').bind(batch.received_at - RAW_BATCH_TTL_MS),
  ]);
}

export async function pruneInspectBatches(db: D1Database, now: number): Promise<void> {
  await db
    .prepare('DELETE FROM inspect_batches WHERE received_at < ?')
    .bind(now - RAW_BATCH_TTL_MS)
    .run();
}

/** A row of `inspect_batches`: the batch with its JSON columns still as text. */
type BatchRow = Omit<InspectBatch, 'rejected' | 'raw'> & { rejected: string; raw: string };

const toBatch = (row: BatchRow): InspectBatch => ({
  ...row,
  rejected: JSON.parse(row.rejected) as InspectBatch['rejected'],
  raw: JSON.parse(row.raw) as unknown,
});

export async function readInspect(db: D1Database, limit: number): Promise<InspectResponse> {
  const { results: recordRows } = await db
    .prepare('SELECT record FROM events ORDER BY received_at DESC, rowid DESC LIMIT ?')
    .bind(limit)
    .all<{ record: string }>();
  const records = recordRows.map((row) => JSON.parse(row.record) as ForwardedRecord);
  const { results: batchRows } = await db
    .prepare('SELECT * FROM inspect_batches ORDER BY received_at DESC LIMIT ?')
    .bind(limit)
    .all<BatchRow>();
  const batches = new Map(batchRows.map((row) => [row.batch_id, toBatch(row)]));
  const missing = [...new Set(records.map((record) => record.batch_id))].filter((id) => !batches.has(id));
  for (let i = 0; i < missing.length; i += 50) {
    const ids = missing.slice(i, i + 50);
    const { results } = await db
      .prepare(`SELECT * FROM inspect_batches WHERE batch_id IN (${ids.map(() => '?').join(',')})`)
      .bind(...ids)
      .all<BatchRow>();
    for (const row of results) batches.set(row.batch_id, toBatch(row));
  }
  return {
    records: records.map((record) => ({
      record,
      batch_id: record.batch_id,
      raw_event: findRawEvent(batches.get(record.batch_id)?.raw, record.event_id),
    })),
    batches: [...batches.values()].sort((a, b) => b.received_at - a.received_at),
  };
}

function findRawEvent(raw: unknown, eventId: string): unknown {
  const events = (raw as { events?: unknown } | undefined)?.events;
  if (!Array.isArray(events)) return null;
  return events.find((event) => (event as { id?: unknown } | null)?.id === eventId) ?? null;
}
