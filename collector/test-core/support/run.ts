import { ingest, REPORTS, type ReportName, type ReportSettings } from '../../src/core/insights/index.ts';
import type { ForwardedRecord } from '../../src/core/record.ts';
import { POPULATION_PAGE_TYPES } from './population.ts';
import { migratedEngine, type SqliteEngine } from './sqlite.ts';

/** Helpers shared by the core insights tests. */

let tokens = 0;
export const newToken = () => `test-ingest-${++tokens}`;

export async function ingestAll(
  engine: SqliteEngine,
  records: readonly ForwardedRecord[],
  recordsPerBatch?: number,
): Promise<void> {
  await ingest(engine, records, { newToken, pageTypes: () => POPULATION_PAGE_TYPES, recordsPerBatch });
}

export async function populatedEngine(records: readonly ForwardedRecord[]): Promise<SqliteEngine> {
  const engine = migratedEngine();
  await ingestAll(engine, records);
  return engine;
}

export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/** Every report for the range, keyed by name. */
export async function allReports(engine: SqliteEngine, site: string, from: string, to: string, settings: ReportSettings = {}) {
  const entries = await Promise.all(
    REPORT_NAMES.map(async (name) => [name, await REPORTS[name](engine, { site, from, to }, settings)] as const),
  );
  return Object.fromEntries(entries) as { [N in ReportName]: Awaited<ReturnType<(typeof REPORTS)[N]>> };
}

/** Every row of the derived tables, in a stable order: two databases with equal dumps answer every report alike. */
export function dumpDerived(engine: SqliteEngine): Record<string, unknown[]> {
  const tables = engine.db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'ins_%') AND name <> 'ins_dirty' ORDER BY name`)
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => {
      const columns = (engine.db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((c) => c.name);
      return [name, engine.db.prepare(`SELECT * FROM ${name} ORDER BY ${columns.join(', ')}`).all()];
    }),
  );
}
