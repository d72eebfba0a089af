import type { ForwardedRecord } from '../record.ts';
import { MAX_BOUND_PARAMETERS, statement, type SqlValue, type Statement } from './engine.ts';
import { classifyPage, PAGE_TYPES, pageTypeSql, type PageType, type PageTypePatterns } from './page-types.ts';
import { placeholders } from './sql.ts';

/**
 * Rows of the `events` table. Besides the record (JSON) it keeps, as columns, what the fact
 * statements select on: the UTC `day` of `ts`, the record's `search_id`, its `page_type`, and the
 * `ingest` token of the write that inserted it (migration 0002).
 */

export const EVENTS_COLUMNS = [
  'event_id',
  'batch_id',
  'site',
  'name',
  'consent',
  'ts',
  'received_at',
  'visitor_id',
  'session_id',
  'page_id',
  'path',
  'record',
  'day',
  'search_id',
  'page_type',
  'ingest',
] as const;

/** 6 rows of 16 columns per INSERT: D1 binds at most 100 parameters. */
export const EVENT_ROWS_PER_STATEMENT = Math.floor(MAX_BOUND_PARAMETERS / EVENTS_COLUMNS.length);

/** A record as the collector forwards it once it classifies page types (`record.page_type`, see docs/insights.md). */
export type InsightsRecord = ForwardedRecord & { page_type?: PageType | null };

/** UTC `YYYY-MM-DD` of an epoch-ms time. */
export const utcDay = (ts: number): string => new Date(ts).toISOString().slice(0, 10);

/**
 * The page type of a record: the one the collector wrote into it, else (records archived before
 * the collector classified) its path by `patterns`. Null when neither knows: the page-view fact
 * then classifies from what happened on the page.
 */
export function recordPageType(record: InsightsRecord, patterns: PageTypePatterns | undefined): PageType | null {
  const given = record.page_type;
  if (given !== undefined) return given !== null && (PAGE_TYPES as readonly string[]).includes(given) ? given : null;
  return classifyPage(record.path, patterns);
}

/** Values of one `events` row, in `EVENTS_COLUMNS` order. */
export function eventsRow(record: InsightsRecord, ingest: string | null, patterns?: PageTypePatterns): SqlValue[] {
  const searchId = record.props.search_id;
  return [
    record.event_id,
    record.batch_id,
    record.site,
    record.name,
    record.consent,
    record.ts,
    record.received_at,
    record.visitor_id,
    record.session_id ?? null,
    record.page_id,
    record.path,
    JSON.stringify(record),
    utcDay(record.ts),
    typeof searchId === 'string' ? searchId : null,
    recordPageType(record, patterns),
    ingest,
  ];
}

/**
 * `INSERT OR IGNORE` statements for the records: an event already stored (a retry, a re-sent
 * batch) is ignored and keeps its `ingest` NULL, so only new events carry this write's token.
 */
export function insertEventsStatements(
  records: readonly InsightsRecord[],
  ingest: string | null,
  patternsFor: (site: string) => PageTypePatterns | undefined = () => undefined,
): Statement[] {
  const statements: Statement[] = [];
  const row = `(${placeholders(EVENTS_COLUMNS.length)})`;
  for (let i = 0; i < records.length; i += EVENT_ROWS_PER_STATEMENT) {
    const rows = records.slice(i, i + EVENT_ROWS_PER_STATEMENT);
    statements.push(
      statement(
        `INSERT OR IGNORE INTO events (${EVENTS_COLUMNS.join(', ')}) VALUES ${rows.map(() => row).join(', ')}`,
        rows.flatMap((record) => eventsRow(record, ingest, patternsFor(record.site))),
      ),
    );
  }
  return statements;
}

/**
 * DuckDB (the warehouse): the same columns, computed from an archive line read whole as `record`
 * (type JSON), as `eventsRow` computes them for D1 — side by side so that a change to one shows in
 * the other. `page_type`: the one the collector wrote (NULL when not a known type), else, for records
 * archived before the collector classified pages, the path by `patterns` (`pageTypeSql`). `search_id`
 * only when it is a string. `ingest` is always NULL: the warehouse rebuilds facts per day.
 */
export function duckdbEventsColumns(patterns: PageTypePatterns | undefined): string {
  const given = `(record->>'$.page_type')`;
  return `
  (record->>'$.event_id') AS event_id, (record->>'$.batch_id') AS batch_id, (record->>'$.site') AS site,
  (record->>'$.name') AS name, (record->>'$.consent') AS consent, CAST(record->>'$.ts' AS BIGINT) AS ts,
  CAST(record->>'$.received_at' AS BIGINT) AS received_at, (record->>'$.visitor_id') AS visitor_id,
  (record->>'$.session_id') AS session_id, (record->>'$.page_id') AS page_id, (record->>'$.path') AS path, record,
  strftime(epoch_ms(CAST(record->>'$.ts' AS BIGINT)), '%Y-%m-%d') AS day,
  CASE WHEN json_type(record, '$.props.search_id') = 'VARCHAR' THEN (record->>'$.props.search_id') END AS search_id,
  CASE WHEN json_type(record, '$.page_type') IS NULL THEN ${pageTypeSql(patterns, `(record->>'$.path')`)}
    WHEN ${given} IN (${PAGE_TYPES.map((type) => `'${type}'`).join(', ')}) THEN ${given} END AS page_type,
  CAST(NULL AS VARCHAR) AS ingest`;
}
