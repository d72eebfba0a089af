import { statement, type Dialect, type SqlEngine, type Statement } from './engine.ts';
import { insertEventsStatements, type InsightsRecord } from './events-rows.ts';
import { factStatements } from './facts.ts';
import type { PageTypePatterns } from './page-types.ts';
import { dirtyDays, purgedBefore, rebuildDay } from './rollups.ts';

/** Retention, rebuild and erasure: the same fact and rollup statements, other scopes. */

const FACT_TABLES = ['ins_page_views', 'ins_searches', 'ins_item_lines'] as const;

/** The derived columns of `events` rows that lack them (SQLite; the same as migration 0002 runs once). */
export const BACKFILL_EVENTS_SQL = `UPDATE events SET
    day = strftime('%Y-%m-%d', ts / 1000, 'unixepoch'),
    search_id = CASE WHEN json_type(record, '$.props.search_id') = 'text' THEN record->>'$.props.search_id' END,
    page_type = record->>'$.page_type'
  WHERE site = ? AND day IS NULL`;

/** `YYYY-MM-DD` `days` days before `day`. */
export function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Retention (`retention_days` in the site policy): deletes the `events` and fact rows of days
 * older than `retentionDays` before `today`, once their rollups are clean. Reports read rollups
 * only, so they keep answering for those days. Dirty days are rebuilt first; a day that turned
 * dirty meanwhile stays, with everything after it, until the next run.
 */
export async function applyRetention(engine: SqlEngine, site: string, retentionDays: number, today: string): Promise<string> {
  const cutoff = daysBefore(today, retentionDays);
  const purged = await purgedBefore(engine, site);
  for (const day of await dirtyDays(engine, { site, from: purged, to: daysBefore(cutoff, 1) })) await rebuildDay(engine, day);
  const before = `(SELECT purged_before FROM ins_sites WHERE site = ?)`;
  await engine.batch([
    statement(
      `INSERT INTO ins_sites (site, purged_before)
       SELECT ?, COALESCE((SELECT MIN(day) FROM ins_dirty WHERE site = ? AND day < ?), ?) WHERE true
       ON CONFLICT (site) DO UPDATE SET purged_before =
         CASE WHEN excluded.purged_before > ins_sites.purged_before THEN excluded.purged_before ELSE ins_sites.purged_before END`,
      [site, site, cutoff, cutoff],
    ),
    statement(`DELETE FROM events WHERE site = ? AND day < ${before}`, [site, site]),
    ...FACT_TABLES.map((table) => statement(`DELETE FROM ${table} WHERE site = ? AND day < ${before}`, [site, site])),
  ]);
  return cutoff;
}

/**
 * Rebuilds every fact and rollup of a site from its `events` rows (after loading the R2 archive
 * into `events`, or after migration 0002 on a database with events). Days before the retention
 * cut-off keep their rollups.
 */
export async function rebuildSite(engine: SqlEngine, site: string): Promise<number> {
  const purged = await purgedBefore(engine, site);
  await engine.batch([
    // Rows written by a sink that predates migration 0002 (or by one still running during a deploy)
    // have no day or search id yet. A DuckDB `events` view computes them instead.
    ...(engine.dialect === 'sqlite' ? [statement(BACKFILL_EVENTS_SQL, [site])] : []),
    statement(
      `INSERT INTO ins_dirty (site, day, version)
       SELECT ?, day, 1 FROM (${FACT_TABLES.map((table) => `SELECT day FROM ${table} WHERE site = ? AND day >= ?`).join(' UNION ')}) AS d
       WHERE true ON CONFLICT (site, day) DO UPDATE SET version = version + 1`,
      [site, ...FACT_TABLES.flatMap(() => [site, purged])],
    ),
    ...FACT_TABLES.map((table) => statement(`DELETE FROM ${table} WHERE site = ? AND day >= ?`, [site, purged])),
  ]);
  const days = await engine.all<{ day: string }>(`SELECT DISTINCT day FROM events WHERE site = ? AND day >= ? ORDER BY day`, [
    site,
    purged,
  ]);
  for (const { day } of days) await engine.batch(factStatements(engine.dialect, site, { kind: 'day', day }));
  for (;;) {
    const dirty = await dirtyDays(engine, { site, from: '', to: '9999-12-31' });
    for (const day of dirty) await rebuildDay(engine, day);
    if (dirty.length < 1000) return days.length;
  }
}

/**
 * Loads archived records into `events` without touching the facts (INSERT OR IGNORE: loading the
 * same archive twice is harmless); follow with `rebuildSite`.
 */
export async function loadRecords(
  engine: SqlEngine,
  records: readonly InsightsRecord[],
  pageTypes?: (site: string) => PageTypePatterns | undefined,
): Promise<void> {
  const statements = insertEventsStatements(records, null, pageTypes);
  for (let i = 0; i < statements.length; i += 100) await engine.batch(statements.slice(i, i + 100));
}

/**
 * Erasure of one pseudonymous visitor (issue 15): marks their events with `token`, recomputes the
 * facts of every key they touched without them (a key left with no events loses its row), marks
 * the days dirty, and deletes the events. One transaction.
 */
export function eraseVisitorStatements(dialect: Dialect, site: string, visitorId: string, token: string): Statement[] {
  return [
    statement(`UPDATE events SET ingest = ? WHERE site = ? AND visitor_id = ?`, [token, site, visitorId]),
    ...factStatements(dialect, site, { kind: 'erase', token }),
    statement(`DELETE FROM events WHERE site = ? AND ingest = ?`, [site, token]),
  ];
}
