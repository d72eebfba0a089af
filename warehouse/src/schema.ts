import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The insights tables in DuckDB, taken from the collector's D1 migration so that a column added
 * there is added here: every `CREATE TABLE … ins_*` statement of migrations/0002_insights.sql, with
 * SQLite's type names mapped to DuckDB's sizes (DuckDB's INTEGER is 32-bit, too small for epoch ms;
 * its REAL is single precision, too coarse for money). `events` is not among them: in the warehouse
 * it comes from the archive (archive.ts). Indexes are left out: DuckDB scans with zone maps, and an
 * index would only slow the bulk inserts; the primary keys stay (ins_dirty's upsert needs its key).
 */

const MIGRATION = fileURLToPath(new URL('../../collector/migrations/0002_insights.sql', import.meta.url));

const TYPES: Record<string, string> = { TEXT: 'VARCHAR', INTEGER: 'BIGINT', REAL: 'DOUBLE' };

/** The DuckDB DDL of the insights tables, one statement per entry. */
export function insightsTablesDdl(migration = readFileSync(MIGRATION, 'utf8')): string[] {
  const withoutComments = migration.replace(/--[^\n]*/g, '');
  return withoutComments
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => /^CREATE TABLE IF NOT EXISTS ins_/i.test(statement))
    .map((statement) => statement.replace(/\b(TEXT|INTEGER|REAL)\b/g, (type) => TYPES[type]!));
}
