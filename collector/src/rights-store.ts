import { statement, type Statement } from './core/insights/engine.ts';
import { eraseVisitorStatements } from './core/insights/maintenance.ts';
import { refreshRange } from './core/insights/rollups.ts';
import type { QueueMessageBody } from './core/record.ts';
import { MAX_ACCESS_RECORDS } from './core/rights/access.ts';
import { grantedVisitors, isErased, type ErasureSteps, type TombstoneRow } from './core/rights/erasure.ts';
import { d1Engine } from './d1-engine.ts';
import type { Sink } from './sinks/sink.ts';

/**
 * Visitor rights in D1: the visitor's stored records, the erasure (tombstone, receipt and the deletion in one batch),
 * and the tombstone lookups that drop events in flight. Table `rights_tombstones` (migration 0003).
 */

const COLUMNS = 'receipt_id, site, visitor_id, requested_at, completed_at, steps, archive_hours';

/** The `record` column of the visitor's events, newest first; one more than MAX_ACCESS_RECORDS tells of more. */
export async function storedRecords(db: D1Database, site: string, visitorId: string): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT record FROM events WHERE site = ? AND visitor_id = ? ORDER BY received_at DESC, ts DESC LIMIT ?`)
    .bind(site, visitorId, MAX_ACCESS_RECORDS + 1)
    .all<{ record: string }>();
  return results.map((row) => row.record);
}

export function tombstoneOf(db: D1Database, site: string, visitorId: string): Promise<TombstoneRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM rights_tombstones WHERE site = ? AND visitor_id = ?`)
    .bind(site, visitorId)
    .first<TombstoneRow>();
}

export function tombstoneByReceipt(db: D1Database, site: string, receiptId: string): Promise<TombstoneRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM rights_tombstones WHERE site = ? AND receipt_id = ?`)
    .bind(site, receiptId)
    .first<TombstoneRow>();
}

export interface ErasureRequest {
  site: string;
  /** Null when the site keeps no identifiers (the receipt is then complete at once). */
  visitorId: string | null;
  /** The id itself: only to delete the development inspector's raw batches that carry it (never stored). */
  anonymousId: string;
  receiptId: string;
  requestedAt: number;
  steps: ErasureSteps;
}

/**
 * One D1 batch (one transaction): the tombstone, with the hours where the visitor's events arrived (read before they
 * go, for the archive job), then the events and their insights facts (eraseVisitorStatements marks the days dirty).
 * Then the dirty days of the site are rebuilt, so no rollup counts the visitor any more. A second request for the same
 * visitor keeps the first receipt and answers with it.
 */
export async function eraseVisitor(db: D1Database, request: ErasureRequest): Promise<TombstoneRow> {
  const { site, visitorId, anonymousId, receiptId, requestedAt, steps } = request;
  const completedAt = Object.values(steps).every((step) => step !== 'pending') ? requestedAt : null;
  const insert = statement(
    `INSERT INTO rights_tombstones (${COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, (SELECT json_group_array(DISTINCT received_at / 3600000) FROM events WHERE site = ? AND visitor_id = ?))
     ON CONFLICT (site, visitor_id) DO NOTHING`,
    [receiptId, site, visitorId, requestedAt, completedAt, JSON.stringify(steps), site, visitorId],
  );
  // The inspector's raw batches (development only, kept a day) hold the id itself.
  const inspected = statement(`DELETE FROM inspect_batches WHERE site = ? AND instr(raw, ?) > 0`, [site, `"${anonymousId}"`]);
  const statements: Statement[] = [insert, inspected];
  if (visitorId !== null) statements.push(...eraseVisitorStatements('sqlite', site, visitorId, `erase:${receiptId}`));
  await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
  // Reports rebuild dirty days before they read (refreshRange), so this only saves the next report the work; a
  // failure here leaves the days dirty, never counted.
  await refreshRange(d1Engine(db), site, '', '9999-12-31');
  const row = visitorId === null ? await tombstoneByReceipt(db, site, receiptId) : await tombstoneOf(db, site, visitorId);
  if (!row) throw new Error('erasure: tombstone not stored');
  return row;
}

/** The tombstoned pseudonyms among `visitors` of `site`. */
export async function erasedAmong(db: D1Database, site: string, visitors: readonly string[]): Promise<Set<string>> {
  if (visitors.length === 0) return new Set();
  const { results } = await db
    .prepare(`SELECT visitor_id FROM rights_tombstones WHERE site = ? AND visitor_id IN (SELECT value FROM json_each(?))`)
    .bind(site, JSON.stringify(visitors))
    .all<{ visitor_id: string }>();
  return new Set(results.map((row) => row.visitor_id));
}

/** The messages without the records of tombstoned visitors (messages left empty are dropped). */
export async function withoutErasedRecords(db: D1Database, messages: readonly QueueMessageBody[]): Promise<QueueMessageBody[]> {
  const bySite = new Map<string, Set<string>>();
  for (const message of messages) {
    for (const visitor of grantedVisitors(message.records)) {
      let visitors = bySite.get(message.site);
      if (!visitors) bySite.set(message.site, (visitors = new Set()));
      visitors.add(visitor);
    }
  }
  if (bySite.size === 0) return [...messages];
  const erased = new Map(
    await Promise.all([...bySite].map(async ([site, visitors]) => [site, await erasedAmong(db, site, [...visitors])] as const)),
  );
  if ([...erased.values()].every((set) => set.size === 0)) return [...messages];
  return messages.flatMap((message) => {
    const gone = erased.get(message.site);
    if (!gone || gone.size === 0) return [message];
    const records = message.records.filter((record) => !isErased(record, gone));
    if (records.length === message.records.length) return [message];
    return records.length > 0 ? [{ ...message, records }] : [];
  });
}

/**
 * A sink that never writes the records of a tombstoned visitor: whatever reaches it (a queue retry, a message queued
 * before the erasure, a dead letter replayed days later) is checked against the tombstones first. Wrapped once around
 * every sink (sinks/configured.ts), so the sinks themselves know nothing of it.
 */
export function skippingErased(sink: Sink, db: D1Database): Sink {
  return {
    name: sink.name,
    async write(messages) {
      const kept = await withoutErasedRecords(db, messages);
      if (kept.length > 0) await sink.write(kept);
    },
  };
}

/** Requests whose receipt is not done, requested before `before`, oldest first. */
export async function openErasures(db: D1Database, before: number, limit: number): Promise<TombstoneRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS} FROM rights_tombstones WHERE completed_at IS NULL AND requested_at <= ? ORDER BY requested_at LIMIT ?`,
    )
    .bind(before, limit)
    .all<TombstoneRow>();
  return results;
}

export async function saveSteps(
  db: D1Database,
  receiptId: string,
  steps: ErasureSteps,
  completedAt: number | null,
): Promise<void> {
  await db
    .prepare(`UPDATE rights_tombstones SET steps = ?, completed_at = ? WHERE receipt_id = ?`)
    .bind(JSON.stringify(steps), completedAt, receiptId)
    .run();
}
