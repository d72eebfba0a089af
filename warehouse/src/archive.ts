import { MAX_EVENT_AGE_MS } from '#protocol';
import { duckdbEventsColumns } from '../../collector/src/core/insights/events-rows.ts';
import type { PageTypePatterns } from '../../collector/src/core/insights/page-types.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';

/**
 * The R2 archive as DuckDB reads it: `events/site=<site>/date=<YYYY-MM-DD>/hour=<HH>/<id>.ndjson`,
 * one ForwardedRecord per line (collector/src/sinks/r2.ts), on local disk or behind an
 * S3-compatible endpoint (`s3://bucket/prefix`, `r2://bucket/prefix`, through DuckDB's httpfs).
 * The same layout with `.parquet` files (the `compact` command writes it) is read as well.
 *
 * Partitions are by the collector's clock (`received_at`); reports are by the UTC day of `ts`. An
 * event is received at or after it happens, and up to 30 days later when the SDK kept it offline
 * (the collector refuses older ones): a range of days is read from the partitions of the day before
 * `from` (corrected device clocks can run slightly ahead) to `lateDays` after `to`.
 */

/** Partitions read after the range's last day: as many as the collector accepts late events for, so nothing D1 has is missed. */
export const DEFAULT_LATE_DAYS = MAX_EVENT_AGE_MS / 86_400_000;

export type ArchiveFormat = 'ndjson' | 'parquet';

export interface ArchiveRange {
  /** Local directory or `s3://…` / `r2://…` URL holding `events/`. */
  root: string;
  site: string;
  from: string;
  to: string;
  lateDays?: number;
  format?: ArchiveFormat;
}

export const isRemote = (root: string): boolean => /^(s3|r2|gcs|https?):\/\//.test(root);

const DAY_MS = 86_400_000;
const dayOffset = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Every UTC day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = dayOffset(day, 1)) days.push(day);
  return days;
}

/** The partition days read for a range of report days. */
export function partitionDays({
  from,
  to,
  lateDays = DEFAULT_LATE_DAYS,
}: Pick<ArchiveRange, 'from' | 'to' | 'lateDays'>): string[] {
  return daysBetween(dayOffset(from, -1), dayOffset(to, lateDays));
}

export const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The archive files of a site's partitions of `days` (DuckDB's glob: local disk and S3 alike). */
export async function archiveFiles(
  engine: DuckDbEngine,
  { root, site, format = 'ndjson' }: Pick<ArchiveRange, 'root' | 'site' | 'format'>,
  days: readonly string[],
): Promise<string[]> {
  const base = root.replace(/\/+$/, '');
  const globs = days.map((day) => `${base}/events/site=${site}/date=${day}/hour=*/*.${format}`);
  const files: string[] = [];
  for (const pattern of globs) {
    const rows = await engine.all<{ file: string }>(`SELECT file FROM glob(${sqlString(pattern)}) ORDER BY file`);
    files.push(...rows.map((row) => row.file));
  }
  return files;
}

/**
 * The archive lines of the files as `record` (JSON), in the columns of D1's `events` table. Records
 * written twice (a retried queue message, a batch the SDK sent again) are kept once, the first
 * received — as D1's INSERT OR IGNORE keeps the first. Kept: the events of the range's days, and
 * later ones that belong to a page view or a search of the range (a page left after midnight, a
 * purchase days after the search), which D1 would count in that page's or search's figures.
 */
export function archiveEventsSql(
  files: readonly string[],
  format: ArchiveFormat,
  { site, from, to }: Pick<ArchiveRange, 'site' | 'from' | 'to'>,
  patterns: PageTypePatterns | undefined,
): string {
  const list = `[${files.map(sqlString).join(', ')}]`;
  const records =
    format === 'ndjson'
      ? `SELECT ${duckdbEventsColumns(patterns)} FROM (SELECT json AS record FROM read_ndjson_objects(${list})) AS lines`
      : `SELECT * EXCLUDE (date, hour) FROM read_parquet(${list}, hive_partitioning = true)`;
  const inRange = `day >= ${sqlString(from)} AND day <= ${sqlString(to)}`;
  return `WITH archived AS (
      SELECT * FROM (${records}) AS lines WHERE site = ${sqlString(site)} AND day >= ${sqlString(from)}
      QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at, batch_id) = 1
    )
    SELECT * FROM archived WHERE (${inRange})
      OR page_id IN (SELECT page_id FROM archived WHERE ${inRange})
      OR search_id IN (SELECT search_id FROM archived WHERE ${inRange} AND search_id IS NOT NULL)`;
}

/**
 * Fills the `events` table (the columns of D1's) from the archive for the range. A table, not a
 * view: the fact statements read `events` several times per day, and parsing the NDJSON again for
 * each would multiply the work. Returns the number of files and events read.
 */
export async function loadArchive(
  engine: DuckDbEngine,
  range: ArchiveRange,
  patterns: PageTypePatterns | undefined,
): Promise<{ files: number; events: number }> {
  const format = range.format ?? 'ndjson';
  const files = await archiveFiles(engine, range, partitionDays(range));
  await engine.exec('DROP TABLE IF EXISTS events');
  if (files.length === 0) {
    await engine.exec(
      `CREATE TABLE events AS SELECT ${duckdbEventsColumns(patterns)} FROM (SELECT CAST('{}' AS JSON) AS record) AS none WHERE false`,
    );
    return { files: 0, events: 0 };
  }
  // Sorted by day: the fact statements run day by day, and DuckDB skips the row groups of other
  // days by their min/max (zone maps) only when each day's rows sit together.
  await engine.exec(`CREATE TABLE events AS ${archiveEventsSql(files, format, range, patterns)} ORDER BY day, site, page_id`);
  const [row] = await engine.all<{ n: number }>('SELECT COUNT(*) AS n FROM events');
  return { files: files.length, events: row?.n ?? 0 };
}
