import { describe, expect, it } from 'vitest';
import {
  BROWSE_PATHS_SQL,
  CART_SQL,
  DWELL_SQL,
  EXPERIMENTS_SQL,
  FUNNEL_SQL,
  ingestStatements,
  rebuildDayStatements,
  SEARCH_SQL,
  WEB_VITALS_SQL,
  type Statement,
} from '../src/core/insights/index.ts';
import { buildPopulation, POPULATION_PAGE_TYPES, POPULATION_SITE } from './support/population.ts';
import { populatedEngine } from './support/run.ts';

// Writes must stay index-driven as the tables grow, without ANALYZE (D1 does not promise one):
// a statement that scans a table, or searches an index by the site alone, reads the whole site.
describe('query plans', async () => {
  const population = buildPopulation('2026-03-02');
  const engine = await populatedEngine(population.records.slice(0, 400));
  const plan = (statement: Statement) =>
    (engine.db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[]).map(
      (row) => row.detail,
    );
  const wholeSite = (detail: string) =>
    /^SCAN (events|ins_\w+)\b/.test(detail) || /USING (COVERING )?INDEX \w+ \(site=\?\)$/.test(detail);

  it('ingest: every statement finds its rows by key', () => {
    for (const statement of ingestStatements(
      'sqlite',
      population.records.slice(400, 700),
      'token',
      () => POPULATION_PAGE_TYPES,
    )) {
      expect(plan(statement).filter(wholeSite), statement.sql.slice(0, 60)).toEqual([]);
    }
  });

  it('rollup rebuild reads one day, reports read the range by primary key', () => {
    for (const statement of rebuildDayStatements(POPULATION_SITE, '2026-03-02', 1)) {
      expect(plan(statement).filter(wholeSite), statement.sql.slice(0, 60)).toEqual([]);
    }
    const reads = [
      ...Object.values(BROWSE_PATHS_SQL),
      ...Object.values(DWELL_SQL),
      ...Object.values(SEARCH_SQL),
      ...Object.values(CART_SQL),
      FUNNEL_SQL,
      ...Object.values(WEB_VITALS_SQL),
      EXPERIMENTS_SQL,
    ];
    for (const sql of reads) {
      const details = plan({ sql, params: [POPULATION_SITE, '2026-03-01', '2026-03-31'] });
      expect(details.filter(wholeSite), sql.slice(0, 60)).toEqual([]);
      expect(
        details.some((d) => /site=\? AND day>\? AND day<\?/.test(d)),
        `${sql.slice(0, 60)}: ${details.join('; ')}`,
      ).toBe(true);
    }
  });
});
