import { mkdirSync } from 'node:fs';
import { duckdbEventsColumns } from '../../collector/src/core/insights/events-rows.ts';
import type { PageTypePatterns } from '../../collector/src/core/insights/page-types.ts';
import { archiveFiles, daysBetween, isRemote, sqlString, type ArchiveRange } from './archive.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';

/**
 * Parquet for other engines (ClickHouse, BigQuery, Spark, Trino: docs/warehouse.md), partitioned
 * like the archive (Hive-style `site=/date=`), so one glob or one external table reads a site and a
 * range of days by its folders.
 */

/** The journey tables (facts) as written, by the name of their folder. */
export const FACT_TABLES = { page_views: 'ins_page_views', searches: 'ins_searches', item_lines: 'ins_item_lines' } as const;

const copyOptions = `FORMAT parquet, COMPRESSION zstd, PARTITION_BY (site, date), OVERWRITE_OR_IGNORE true`;

/** The output folder, created on local disk (DuckDB creates only the partition folders); an s3:// one needs none. */
function folder(out: string, name: string): string {
  const path = `${out.replace(/\/+$/, '')}/${name}`;
  if (!isRemote(out)) mkdirSync(path, { recursive: true });
  return path;
}

/**
 * Writes the site's facts of `from`…`to` under `<out>/<table>/site=<site>/date=<day>/`. The `site`
 * and `date` columns live in the folder names (Hive partitioning); `day` stays in the file. Built
 * facts carry the visit each page view belongs to (filled by the day rollups).
 */
export async function writeFactsParquet(
  engine: DuckDbEngine,
  out: string,
  { site, from, to }: Pick<ArchiveRange, 'site' | 'from' | 'to'>,
): Promise<void> {
  for (const [name, table] of Object.entries(FACT_TABLES)) {
    await engine.exec(
      `COPY (SELECT *, day AS date FROM ${table} WHERE site = ${sqlString(site)} AND day >= ${sqlString(from)} AND day <= ${sqlString(to)})
       TO ${sqlString(folder(out, name))} (${copyOptions})`,
    );
  }
}

/**
 * The archive's NDJSON of a site's partitions `from`…`to` (by arrival, as the archive is
 * partitioned) as Parquet in the same layout, `<out>/events/site=/date=/hour=/`, with the columns of
 * the `events` table (the whole record kept as JSON in `record`). Reports read it with
 * `--format parquet`, without parsing the NDJSON again. Duplicates are kept: reading drops them.
 */
export async function compactArchive(
  engine: DuckDbEngine,
  range: ArchiveRange,
  out: string,
  patterns: PageTypePatterns | undefined,
): Promise<{ files: number }> {
  const files = await archiveFiles(engine, { ...range, format: 'ndjson' }, daysBetween(range.from, range.to));
  const arrival = `epoch_ms(CAST(record->>'$.received_at' AS BIGINT))`;
  if (files.length === 0) return { files: 0 };
  await engine.exec(
    `COPY (SELECT ${duckdbEventsColumns(patterns)}, strftime(${arrival}, '%Y-%m-%d') AS date, strftime(${arrival}, '%H') AS hour
       FROM (SELECT json AS record FROM read_ndjson_objects([${files.map(sqlString).join(', ')}])) AS lines)
     TO ${sqlString(folder(out, 'events'))} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (site, date, hour), OVERWRITE_OR_IGNORE true)`,
  );
  return { files: files.length };
}
