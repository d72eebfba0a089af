import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  daysBefore,
  eraseVisitorStatements,
  ingest,
  insertEventsStatements,
  loadRecords,
  rebuildSite,
} from '../src/core/insights/index.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import { buildPopulation, POPULATION_PAGE_TYPES, POPULATION_SITE } from './support/population.ts';
import { allReports, dumpDerived, ingestAll, newToken, populatedEngine } from './support/run.ts';
import { createSqliteEngine, migratedEngine, type SqliteEngine } from './support/sqlite.ts';

const population = buildPopulation('2026-03-02');
const [FROM, TO] = [population.days[0]!, population.days[1]!];
const reportsOf = (engine: SqliteEngine) => allReports(engine, POPULATION_SITE, FROM, TO);
const count = (engine: SqliteEngine, sql: string, ...params: string[]) =>
  (engine.db.prepare(sql).get(...params) as { n: number }).n;

describe('retention', () => {
  it('deletes event and fact rows of old days once their rollups are clean; reports still answer for those days', async () => {
    const engine = await populatedEngine(population.records);
    const before = await reportsOf(engine);
    const cutoff = await applyRetention(engine, POPULATION_SITE, 1, daysBefore('2026-03-05', 1));
    expect(cutoff).toBe(TO);
    for (const table of ['events', 'ins_page_views', 'ins_searches', 'ins_item_lines']) {
      expect(count(engine, `SELECT COUNT(*) AS n FROM ${table} WHERE day = ?`, FROM), table).toBe(0);
      expect(count(engine, `SELECT COUNT(*) AS n FROM ${table} WHERE day = ?`, TO), table).toBeGreaterThan(0);
    }
    expect(await reportsOf(engine)).toEqual(before);

    // A late event for a purged day marks it dirty, but its rollups are final: nothing changes.
    const late = population.records.find((r) => r.name === 'page_leave' && r.ts < Date.parse(`${TO}T00:00:00Z`))!;
    await ingestAll(engine, [
      { ...late, event_id: `${late.event_id}-late`, props: { ...late.props, total_ms: 9e6, engaged_ms: 9e6 } },
    ]);
    expect(await reportsOf(engine)).toEqual(before);
    // The next run removes that event again.
    await applyRetention(engine, POPULATION_SITE, 1, daysBefore('2026-03-05', 1));
    expect(count(engine, `SELECT COUNT(*) AS n FROM events WHERE day = ?`, FROM)).toBe(0);
  });
});

describe('rebuild', () => {
  it('recomputes every fact and rollup from events alone', async () => {
    const engine = await populatedEngine(population.records);
    const before = await reportsOf(engine);
    const derived = dumpDerived(engine);
    for (const table of Object.keys(derived)) engine.db.exec(`DELETE FROM ${table}`);
    expect((await reportsOf(engine)).funnel.modes.granted.coverage.page_views).toBe(0);
    await rebuildSite(engine, POPULATION_SITE);
    expect(dumpDerived(engine)).toEqual(derived);
    expect(await reportsOf(engine)).toEqual(before);
  });

  it('from the archive: records loaded into events (twice, in any order) then rebuilt', async () => {
    const reference = await reportsOf(await populatedEngine(population.records));
    const engine = migratedEngine();
    await loadRecords(engine, [...population.records].reverse(), () => POPULATION_PAGE_TYPES);
    await loadRecords(engine, population.records, () => POPULATION_PAGE_TYPES);
    await rebuildSite(engine, POPULATION_SITE);
    expect(await reportsOf(engine)).toEqual(reference);
  });

  it('after migration 0002 on a database that already has events', async () => {
    const migrations = new URL('../migrations/', import.meta.url);
    const engine = createSqliteEngine();
    engine.db.exec(readFileSync(new URL('0001_init.sql', migrations), 'utf8'));
    // Rows as the D1 sink wrote them before: 12 columns.
    const insert = engine.db.prepare(
      `INSERT INTO events (event_id, batch_id, site, name, consent, ts, received_at, visitor_id, session_id, page_id, path, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of population.records) {
      insert.run(
        r.event_id,
        r.batch_id,
        r.site,
        r.name,
        r.consent,
        r.ts,
        r.received_at,
        r.visitor_id,
        r.session_id ?? null,
        r.page_id,
        r.path,
        JSON.stringify(r),
      );
    }
    engine.db.exec(readFileSync(new URL('0002_insights.sql', migrations), 'utf8'));
    await rebuildSite(engine, POPULATION_SITE);
    // Old rows carry no page type: pages are classified from their events, as a database without patterns would.
    const reference = migratedEngine();
    await ingest(reference, population.records, { newToken });
    expect(await reportsOf(engine)).toEqual(await reportsOf(reference));
  });
});

describe('erasure (the mechanism issue 15 builds on)', () => {
  it('erasing a visitor leaves the tables as if their events had never arrived', async () => {
    const visitor = 'gv-g1-00-visitor';
    const engine = await populatedEngine(population.records);
    await reportsOf(engine);
    await engine.batch(eraseVisitorStatements('sqlite', POPULATION_SITE, visitor, newToken()));
    for (const table of ['events', 'ins_page_views', 'ins_searches']) {
      expect(count(engine, `SELECT COUNT(*) AS n FROM ${table} WHERE visitor_id = ?`, visitor), table).toBe(0);
    }
    const without = await populatedEngine(population.records.filter((r: ForwardedRecord) => r.visitor_id !== visitor));
    const erased = await reportsOf(engine);
    expect(erased).toEqual(await reportsOf(without));
    expect(dumpDerived(engine)).toEqual(dumpDerived(without));
    expect(erased.funnel.modes.granted.coverage).toMatchObject({ page_views: 79 - 6, visits: 24 });
  });
});

describe('writes', () => {
  it('are all-or-nothing: a failing write leaves no events, facts or dirty marks behind', async () => {
    const engine = migratedEngine();
    const statements = [
      ...insertEventsStatements(population.records.slice(0, 50), 'broken'),
      { sql: 'INSERT INTO no_such_table VALUES (1)', params: [] },
    ];
    await expect(engine.batch(statements)).rejects.toThrow(/no_such_table/);
    expect(count(engine, 'SELECT COUNT(*) AS n FROM events')).toBe(0);
    await ingestAll(engine, population.records.slice(0, 50));
    expect(count(engine, 'SELECT COUNT(*) AS n FROM events WHERE ingest IS NOT NULL')).toBe(0);
  });
});
