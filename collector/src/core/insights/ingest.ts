import { statement, type Dialect, type SqlEngine, type Statement } from './engine.ts';
import { insertEventsStatements, type InsightsRecord } from './events-rows.ts';
import { factStatements } from './facts.ts';
import type { PageTypePatterns } from './page-types.ts';

/**
 * One write of forwarded records into `events` and the facts, as one transaction (one D1 batch):
 *
 * 1. `INSERT OR IGNORE` the records with `ingest = token`: only the new ones get the token;
 * 2. per site, recompute the facts of the keys the new events carry and mark their days dirty;
 * 3. set `ingest` back to NULL.
 *
 * A retried or re-sent record inserts nothing, so it touches nothing: at-least-once delivery
 * counts once. The rollups follow when the dirty days are rebuilt (rollups.ts).
 */

export interface IngestOptions {
  /** A fresh random token per write (`crypto.randomUUID()`); never reused. */
  newToken: () => string;
  /** The site policy's `page_types`, for records the collector did not classify. */
  pageTypes?: (site: string) => PageTypePatterns | undefined;
  /** Records per transaction (default 500: about 100 statements, well inside D1's limits). */
  recordsPerBatch?: number;
}

export const RECORDS_PER_INGEST_BATCH = 500;

/** The statements of one write (one transaction). */
export function ingestStatements(
  dialect: Dialect,
  records: readonly InsightsRecord[],
  token: string,
  pageTypes?: IngestOptions['pageTypes'],
): Statement[] {
  const sites = [...new Set(records.map((record) => record.site))];
  return [
    ...insertEventsStatements(records, token, pageTypes),
    ...sites.flatMap((site) => factStatements(dialect, site, { kind: 'ingest', token })),
    statement(`UPDATE events SET ingest = NULL WHERE ingest = ?`, [token]),
  ];
}

/** Writes records in transactions of `recordsPerBatch`; each is complete on its own. */
export async function ingest(engine: SqlEngine, records: readonly InsightsRecord[], options: IngestOptions): Promise<void> {
  const size = options.recordsPerBatch ?? RECORDS_PER_INGEST_BATCH;
  for (let i = 0; i < records.length; i += size) {
    await engine.batch(ingestStatements(engine.dialect, records.slice(i, i + size), options.newToken(), options.pageTypes));
  }
}
