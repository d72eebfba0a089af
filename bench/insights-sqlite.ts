// Insights at 1,000,000 events, on better-sqlite3 (the SQLite D1 runs), in one process:
// generates 30 days of realistic shopping journeys, writes them through the insights ingest
// (events + facts, one transaction per 500 records), rebuilds every day's rollups, then times
// every report over the 30 days. A measurement, not a test: no thresholds.
//
//   node --import tsx bench/insights-sqlite.ts [events=1000000] [days=30]
//
// The baseline in the same run is the events table alone (the D1 sink as before insights).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ingest,
  insertEventsStatements,
  rebuildDay,
  REPORTS,
  seededRandom,
  type DirtyDay,
  type ReportName,
} from '../collector/src/core/insights/index.ts';
import { journeyRecords, randomJourneys } from '../collector/test-core/support/generate.ts';
import { POPULATION_PAGE_TYPES, POPULATION_SITE } from '../collector/test-core/support/population.ts';
import { migratedEngine } from '../collector/test-core/support/sqlite.ts';

const targetEvents = Number(process.argv[2] ?? 1_000_000);
const days = Number(process.argv[3] ?? 30);
const shape = { categories: 40, products: 2000, terms: 1500, contentPages: 200 };
const firstDay = Date.parse('2026-01-01T00:00:00Z');
const dayOf = (i: number) => new Date(firstDay + i * 86_400_000).toISOString().slice(0, 10);

// Events per visit of this generator, from a sample.
const sample = journeyRecords(randomJourneys(seededRandom(1), 2000, firstDay, shape)).length / 2000;
const visitsPerDay = Math.round(targetEvents / days / sample);

const dir = mkdtempSync(join(tmpdir(), 'pathmark-insights-'));
const engine = migratedEngine(join(dir, 'insights.sqlite'));
const baseline = migratedEngine(join(dir, 'baseline.sqlite'));
for (const db of [engine.db, baseline.db]) db.pragma('journal_mode = WAL');
let tokens = 0;

const ms = (start: number) => performance.now() - start;
let events = 0;
let ingestMs = 0;
let baselineMs = 0;
for (let d = 0; d < days; d++) {
  const records = journeyRecords(
    randomJourneys(seededRandom(100 + d), visitsPerDay, firstDay + d * 86_400_000, shape, d * visitsPerDay),
    `d${d}-`,
  );
  events += records.length;
  let start = performance.now();
  await ingest(engine, records, { newToken: () => `bench-${++tokens}`, pageTypes: () => POPULATION_PAGE_TYPES });
  ingestMs += ms(start);
  start = performance.now();
  const statements = insertEventsStatements(records, null, () => POPULATION_PAGE_TYPES);
  for (let i = 0; i < statements.length; i += 84) await baseline.batch(statements.slice(i, i + 84));
  baselineMs += ms(start);
  process.stderr.write(`\r[insights] day ${d + 1}/${days}: ${events.toLocaleString('en')} events`);
}
process.stderr.write('\n');

const dirty = await engine.all<DirtyDay>(`SELECT site, day, version FROM ins_dirty ORDER BY day`);
const rollupMs: number[] = [];
for (const day of dirty) {
  const start = performance.now();
  await rebuildDay(engine, day);
  rollupMs.push(ms(start));
}

const request = { site: POPULATION_SITE, from: dayOf(0), to: dayOf(days - 1) };
const reportMs: Record<string, { first: number; median: number }> = {};
for (const name of Object.keys(REPORTS) as ReportName[]) {
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    await REPORTS[name](engine, request);
    times.push(ms(start));
  }
  reportMs[name] = { first: times[0]!, median: [...times].sort((a, b) => a - b)[2]! };
}

const counts = Object.fromEntries(
  [
    'events',
    'ins_page_views',
    'ins_searches',
    'ins_item_lines',
    'ins_r_pages',
    'ins_r_transitions',
    'ins_r_searches',
    'ins_r_items',
  ].map((table) => [table, (engine.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n]),
);
const sorted = [...rollupMs].sort((a, b) => a - b);
const result = {
  events,
  days,
  visits_per_day: visitsPerDay,
  rows: counts,
  ingest: {
    events_per_second: Math.round(events / (ingestMs / 1000)),
    baseline_events_only_per_second: Math.round(events / (baselineMs / 1000)),
    ratio_to_baseline: Math.round((baselineMs / ingestMs) * 100) / 100,
  },
  rollup_rebuild_ms_per_day: { median: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted.at(-1)!) },
  report_ms_30_days: Object.fromEntries(
    Object.entries(reportMs).map(([name, t]) => [name, { first: Math.round(t.first), median: Math.round(t.median) }]),
  ),
};
console.log(JSON.stringify(result, null, 2));
engine.close();
baseline.close();
rmSync(dir, { recursive: true, force: true });
