import { factStatements } from '../../collector/src/core/insights/facts.ts';
import type { PageTypePatterns } from '../../collector/src/core/insights/page-types.ts';
import { rebuildDirtyDays } from '../../collector/src/core/insights/rollups.ts';
import { loadArchive, type ArchiveRange } from './archive.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import { insightsTablesDdl } from './schema.ts';

/**
 * Archive → `events` → facts → day rollups, in DuckDB, with the collector's own statements: the
 * facts of each day of the range are computed by `factStatements(…, { kind: 'day' })` (what the
 * collector's rebuild from the archive runs on D1), and the rollups of the days they mark dirty by
 * `rebuildDirtyDays`. Reports then read the rollups exactly as they do in the Worker.
 */

export interface BuildTimings {
  files: number;
  events: number;
  load_ms: number;
  facts_ms: number;
  rollups_ms: number;
}

export async function createInsightsTables(engine: DuckDbEngine): Promise<void> {
  for (const ddl of insightsTablesDdl()) await engine.exec(ddl);
}

/**
 * Days with events, in order: the range's, and later days holding stragglers of its page views and
 * searches (their item lines count in the range's page views; see archiveEventsSql).
 */
async function daysWithEvents(engine: DuckDbEngine, site: string): Promise<string[]> {
  const rows = await engine.all<{ day: string }>(`SELECT DISTINCT day FROM events WHERE site = ? ORDER BY day`, [site]);
  return rows.map((row) => row.day);
}

/** Builds the site's facts and rollups of `from`…`to` from the archive, replacing what the database held for those days. */
export async function buildFromArchive(
  engine: DuckDbEngine,
  range: ArchiveRange,
  patterns: PageTypePatterns | undefined,
): Promise<BuildTimings> {
  const now = () => performance.now();
  let start = now();
  await createInsightsTables(engine);
  const { files, events } = await loadArchive(engine, range, patterns);
  const load_ms = now() - start;

  start = now();
  for (const day of await daysWithEvents(engine, range.site))
    await engine.batch(factStatements('duckdb', range.site, { kind: 'day', day }));
  const facts_ms = now() - start;

  start = now();
  while ((await rebuildDirtyDays(engine)) > 0);
  const rollups_ms = now() - start;
  return { files, events, load_ms, facts_ms, rollups_ms };
}
