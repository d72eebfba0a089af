import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { recordPageType, type SqlEngine } from '../../collector/src/core/insights/index.ts';
import type { ForwardedRecord } from '../../collector/src/core/record.ts';
import {
  EXPECTED_BROWSE_PATHS,
  EXPECTED_CART,
  EXPECTED_COVERAGE,
  EXPECTED_DWELL,
  EXPECTED_EXPERIMENTS,
  EXPECTED_FUNNEL,
  EXPECTED_SEARCH,
  EXPECTED_WEB_VITALS,
} from '../../collector/test-core/support/expected.ts';
import { buildPopulation, POPULATION_PAGE_TYPES, POPULATION_SITE } from '../../collector/test-core/support/population.ts';
import { journeyRecords } from '../../collector/test-core/support/generate.ts';
import { allReports, ingestAll } from '../../collector/test-core/support/run.ts';
import { migratedEngine } from '../../collector/test-core/support/sqlite.ts';
import { buildFromArchive } from '../src/build.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../src/duckdb-engine.ts';
import { tempDir, writeArchive } from './support/archive.ts';

// The scripted population of the insights issue, with its hand-worked answers, through both
// engines: SQLite (the SQL D1 runs; the collector's own ingest, each record twice) and DuckDB over
// the archive as the R2 sink writes it (some objects twice, as retried queue messages leave them,
// and the late page leaves in later partitions). Same facts, same rollups, same reports, exactly:
// percentiles are read from the same histogram buckets, so they need no tolerance either.

const population = buildPopulation('2026-03-02');
const [FROM, TO] = [population.days[0]!, population.days.at(-1)!];
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** An archive of the population: every record once, the first third again (a retried message). */
function archiveOf(records: readonly ForwardedRecord[]): string {
  const dir = tempDir('agreement');
  dirs.push(dir);
  writeArchive(dir, records, 'batch-1');
  writeArchive(dir, records.slice(0, Math.floor(records.length / 3)), 'batch-1-retried');
  return dir;
}

async function duckdbOver(dir: string, patterns = POPULATION_PAGE_TYPES): Promise<DuckDbEngine> {
  const engine = await createDuckDbEngine();
  await buildFromArchive(engine, { root: dir, site: POPULATION_SITE, from: FROM, to: TO }, patterns);
  return engine;
}

/** Every row of the facts and rollups, in a stable order, to compare across engines. */
async function derivedRows(engine: SqlEngine): Promise<Record<string, unknown[]>> {
  const tables = [
    'ins_page_views',
    'ins_searches',
    'ins_item_lines',
    'ins_r_pages',
    'ins_r_dwell',
    'ins_r_transitions',
    'ins_r_visits',
    'ins_r_searches',
    'ins_r_refinements',
    'ins_r_items',
    'ins_r_categories',
    'ins_r_vitals',
    'ins_r_experiments',
    'ins_dirty',
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = await engine.all<Record<string, unknown>>(`SELECT * FROM ${table}`);
    out[table] = rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
  }
  return out;
}

const figures = (reports: Record<string, { modes: Record<string, { coverage: unknown }> }>) =>
  Object.fromEntries(
    Object.entries(reports).map(([name, report]) => [
      name,
      Object.fromEntries(Object.entries(report.modes).map(([mode, { coverage: _coverage, ...rest }]) => [mode, rest])),
    ]),
  );

describe('the same population through D1’s SQL and through DuckDB over the archive', async () => {
  const sqlite = migratedEngine();
  await ingestAll(sqlite, [...population.records, ...population.records]);
  const duckdb = await duckdbOver(archiveOf(population.records));
  const [d1Reports, warehouseReports] = [
    await allReports(sqlite, POPULATION_SITE, FROM, TO),
    await allReports(duckdb as never, POPULATION_SITE, FROM, TO),
  ];
  afterAll(() => duckdb.close());

  it('reads each archived event once, though a third of them were archived twice', async () => {
    const [row] = await duckdb.all<{ events: number; distinct_ids: number }>(
      `SELECT COUNT(*) AS events, COUNT(DISTINCT event_id) AS distinct_ids FROM events`,
    );
    expect(row).toEqual({ events: population.records.length, distinct_ids: population.records.length });
  });

  it('builds row-for-row the same facts and rollups', async () => {
    const [a, b] = [await derivedRows(sqlite), await derivedRows(duckdb)];
    expect(b.ins_page_views).toHaveLength(79 + 50);
    expect(b).toEqual(a);
  });

  it('answers every report alike, coverage prose included', () => {
    expect(warehouseReports).toEqual(d1Reports);
  });

  it('gives the hand-worked figures of the insights issue', () => {
    const got = figures(warehouseReports);
    expect(got['browse-paths']).toEqual(EXPECTED_BROWSE_PATHS);
    expect(got.dwell).toEqual(EXPECTED_DWELL);
    expect(got.search).toEqual(EXPECTED_SEARCH);
    expect(got.cart).toEqual(EXPECTED_CART);
    expect(got.funnel).toEqual(EXPECTED_FUNNEL);
    expect(got['web-vitals']).toEqual(EXPECTED_WEB_VITALS);
    expect((got.experiments as typeof EXPECTED_EXPERIMENTS).anonymous).toEqual(EXPECTED_EXPERIMENTS.anonymous);
    for (const report of Object.values(warehouseReports)) {
      for (const mode of ['granted', 'anonymous'] as const) {
        const { basis: _basis, ...counts } = report.modes[mode].coverage;
        expect(counts).toEqual(EXPECTED_COVERAGE[mode]);
      }
    }
  });

  it('classifies records that carry the collector’s page_type without the patterns, and the same', async () => {
    const classified = population.records.map((record) => ({
      ...record,
      page_type: recordPageType(record, POPULATION_PAGE_TYPES),
    }));
    const engine = await duckdbOver(archiveOf(classified), {});
    try {
      expect(await allReports(engine as never, POPULATION_SITE, FROM, TO)).toEqual(d1Reports);
    } finally {
      engine.close();
    }
  });
});

describe('a range of days read from an archive that goes on', async () => {
  // A visit that starts one second before midnight: its product view, add to cart and page leave
  // happen (and arrive, so are partitioned) the next day, beside the rest of the population.
  const item = { id: 'sku-late', category: 'night', price: 12.5 };
  const midnight = journeyRecords(
    [
      {
        consent: 'granted',
        visitor: 99,
        start: Date.parse(`${FROM}T23:59:59.500Z`),
        pages: [{ path: '/product/sku-late', view: item, add: item, engagedSeconds: 90, scroll: 0.5 }, { path: '/cart' }],
      },
    ],
    'midnight-',
  ).map((record) => ({ ...record, site: POPULATION_SITE }));
  const records = [...population.records, ...midnight];
  const sqlite = migratedEngine();
  await ingestAll(sqlite, records);
  const dir = archiveOf(records);

  for (const [from, to] of [
    [FROM, FROM],
    [TO, TO],
  ] as const) {
    it(`${from} … ${to} alone: the figures D1 gives for those days from everything it holds`, async () => {
      const engine = await createDuckDbEngine();
      try {
        await buildFromArchive(engine, { root: dir, site: POPULATION_SITE, from, to }, POPULATION_PAGE_TYPES);
        expect(await allReports(engine as never, POPULATION_SITE, from, to)).toEqual(
          await allReports(sqlite, POPULATION_SITE, from, to),
        );
        const pages = (e: SqlEngine) => e.all(`SELECT * FROM ins_page_views WHERE day = ? ORDER BY page_id`, [from]);
        expect(await pages(engine)).toEqual(await pages(sqlite));
      } finally {
        engine.close();
      }
    });
  }

  it('counts the next day’s add to cart and page leave in the page view before midnight', async () => {
    const engine = await createDuckDbEngine();
    try {
      await buildFromArchive(engine, { root: dir, site: POPULATION_SITE, from: FROM, to: FROM }, POPULATION_PAGE_TYPES);
      const [page] = await engine.all(
        `SELECT day, adds, add_qty, add_value, engaged_ms FROM ins_page_views WHERE path = '/product/sku-late'`,
      );
      expect(page).toEqual({ day: FROM, adds: 1, add_qty: 1, add_value: 12.5, engaged_ms: 90_000 });
    } finally {
      engine.close();
    }
  });
});
