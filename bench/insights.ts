// Insights in local D1: the D1 sink's consumer write with the insights tables maintained, beside
// the events rows alone (the sink before insights) in the same run; the cron's rebuild of the dirty
// days; the latency of every report over 30 days at 100,000 and 1,000,000 events. Inside workerd
// (bench/insights-worker under `wrangler dev`, local D1, as `npm start` runs it), timed from here
// per request. A measurement, not a test: no thresholds.
//
//   node --import tsx bench/insights.ts [--sizes 100000,1000000]
//
// Every event of both sizes goes through the D1 sink's write (collector/src/sinks/d1.ts), in
// consumer batches of 100 messages × 20 events: the reports are timed on exactly what the consumer
// built. Throughput is measured on the first 100,000 events.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORTS } from '../collector/src/core/insights/index.ts';
import { snapshotWorker } from './lib/snapshot.mjs';
import { startWranglerDev } from './lib/wrangler.mjs';

const args = process.argv.slice(2);
const sizesAt = args.indexOf('--sizes');
const SIZES = (sizesAt >= 0 ? args[sizesAt + 1]! : '100000,1000000').split(',').map(Number);
const DAYS = 30;
const REPORT_RUNS = 3;
const THROUGHPUT_EVENTS = 100_000;
/**
 * Dirty days rebuilt per request (the cron rebuilds up to 10 per run, DIRTY_DAYS_PER_RUN). One request
 * rebuilding all 30 days at 1,000,000 events (about 30 s) made workerd under wrangler dev restart
 * mid-request on this loaded machine, so the days are rebuilt a few at a time and timed per day.
 */
const DAYS_PER_REBUILD = 5;
const SITE = 'shop';
const dayOf = (i: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10);
const log = (...parts: unknown[]) => console.error('[insights]', ...parts);
const root = new URL('..', import.meta.url).pathname;

const section = {
  id: 'insights',
  title: 'Insights in local D1: consumer throughput and report latency',
  command: 'node --import tsx bench/insights.ts',
  targets: [] as { target: string; result: string; met: boolean | null }[],
  tables: [] as { caption?: string; columns: string[]; formats?: string[]; rows: unknown[][] }[],
  notes: [] as string[],
};

// From a copy of the sources: `wrangler dev` reloads the Worker (and drops a request) when a file it
// watches changes, as it would whenever someone edits the collector during the minutes this takes.
const snapshot = snapshotWorker();
const persistTo = mkdtempSync(join(tmpdir(), 'pathmark-insights-bench-'));
const worker = await startWranglerDev({
  config: join(snapshot.dir, 'bench/insights-worker/wrangler.toml'),
  persistTo,
  readyPath: '/ready',
});
async function call<T>(path: string, init?: RequestInit): Promise<{ body: T; ms: number }> {
  const start = performance.now();
  const response = await fetch(worker.origin + path, { method: 'POST', ...init, signal: AbortSignal.timeout(600_000) });
  const text = await response.text();
  const ms = performance.now() - start;
  if (!response.ok) {
    throw new Error(`${path}: ${response.status} ${text.slice(0, 500)}\nwrangler dev said:\n${worker.output().slice(-3000)}`);
  }
  return { body: JSON.parse(text) as T, ms };
}

try {
  const migrations = join(root, 'collector/migrations');
  const sql = readdirSync(migrations)
    .sort()
    .map((file) => readFileSync(join(migrations, file), 'utf8'))
    .join('\n');
  await call('/migrate', { body: sql });

  let loaded = 0;
  let sinkMs = 0;
  let baselineMs = 0;
  let measured = 0;
  let previous = 0;
  const reportRows: unknown[][] = [];
  const maintenanceRows: unknown[][] = [];
  for (const size of SIZES) {
    // Each size adds the events it lacks, spread over the same 30 days (other visitors, other seeds).
    const perDay = (size - previous) / DAYS;
    let loadMs = 0;
    for (let d = 0; d < DAYS; d++) {
      const { body } = await call<{ events: number }>(`/generate?events=${perDay}&day=${d}&seed=${previous + d}`);
      const write = await call('/write?target=sink');
      loadMs += write.ms;
      if (measured < THROUGHPUT_EVENTS && previous === 0) {
        sinkMs += write.ms;
        baselineMs += (await call('/write?target=baseline')).ms;
        measured += body.events;
      }
      loaded += body.events;
      process.stderr.write(
        `\r[insights] ${size.toLocaleString('en')}: day ${d + 1}/${DAYS}, ${loaded.toLocaleString('en')} events`,
      );
    }
    process.stderr.write('\n');
    previous = size;

    // The cron: 50 dirty days per run until none is left.
    let rebuildMs = 0;
    let days = 0;
    for (;;) {
      const { body, ms } = await call<{ rebuilt: number }>(`/rebuild?days=${DAYS_PER_REBUILD}`);
      if (body.rebuilt === 0) break;
      rebuildMs += ms;
      days += body.rebuilt;
    }
    maintenanceRows.push([
      loaded,
      Math.round(loadMs / 1000),
      Math.round(loaded / (loadMs / 1000)),
      days,
      rebuildMs / Math.max(days, 1),
    ]);

    for (const name of Object.keys(REPORTS)) {
      const times: number[] = [];
      for (let run = 0; run < REPORT_RUNS; run++) {
        times.push(
          (await call(`/report?name=${name}&site=${SITE}&from=${dayOf(0)}&to=${dayOf(DAYS - 1)}`, { method: 'GET' })).ms,
        );
      }
      const sorted = [...times].sort((a, b) => a - b);
      reportRows.push([name, loaded, times[0]!, sorted[Math.floor(REPORT_RUNS / 2)]!, sorted.at(-1)!]);
      log(`${name} at ${loaded.toLocaleString('en')}: median ${sorted[Math.floor(REPORT_RUNS / 2)]!.toFixed(0)} ms`);
    }
  }

  const sinkRate = measured / (sinkMs / 1000);
  const baselineRate = measured / (baselineMs / 1000);
  section.tables.push({
    caption: `D1 sink consumer write, first ${measured.toLocaleString('en')} events (consumer batches of 100 messages × 20 events)`,
    columns: ['Write', 'Events per second', 'Ratio to events only'],
    formats: ['', 'int', 'ratio'],
    rows: [
      ['events rows only (the sink before insights)', baselineRate, 1],
      ['events + insights facts + dirty days (createD1Sink → ingest)', sinkRate, sinkRate / baselineRate],
    ],
  });
  section.tables.push({
    caption: `Loading every event through the sink, then the rollup rebuild of every dirty day (${DAYS_PER_REBUILD} per request)`,
    columns: ['Events', 'Load (s)', 'Events per second', 'Dirty days rebuilt', 'Rebuild ms per day'],
    formats: ['int', 'int', 'int', 'int', 'int'],
    rows: maintenanceRows,
  });
  section.tables.push({
    caption: `Report latency over ${DAYS} days in local D1, ms per request (${REPORT_RUNS} runs after the cron’s rebuild)`,
    columns: ['Report', 'Events', 'First', 'Median', 'Max'],
    formats: ['', 'int', 'ms', 'ms', 'ms'],
    rows: reportRows,
  });
  const largest = Math.max(...reportRows.map((row) => row[1] as number));
  const atLargest = reportRows.filter((row) => row[1] === largest);
  const slowest = atLargest.reduce((a, b) => ((b[3] as number) > (a[3] as number) ? b : a));
  section.targets.push({
    target: `every report ≤ 1 s over 30 days at ${largest.toLocaleString('en')} events (median)`,
    result: `slowest: ${slowest[0]}, ${Math.round(slowest[3] as number)} ms`,
    met: (slowest[3] as number) <= 1000,
  });
  section.notes.push(
    'Generated shopping journeys (collector/test-core/support/generate.ts: 40 categories, 2,000 products, 1,500 search terms, granted and anonymous visits), one site, 30 days.',
    'Times are wall-clock per request from Node to `wrangler dev` on loopback (local D1 is SQLite inside workerd); the baseline writes the same records to a second local D1 database in the same run, after the sink.',
    `Load average at the end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')} on this machine's cores (other work competes with the bench).`,
  );
} finally {
  await worker.stop();
  rmSync(persistTo, { recursive: true, force: true });
  snapshot.remove();
}

const json = JSON.stringify(section, null, 2);
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, json);
else console.log(json);
