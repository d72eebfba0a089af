// Insights in local D1 (workerd's D1, through wrangler's getPlatformProxy): the D1 sink's consumer
// write with the insights tables maintained, beside a plain `events` insert (the sink before
// insights) in the same run; then the cron's rebuild of the dirty days, and the latency of every
// report over 30 days, at 100,000 and 1,000,000 events. A measurement, not a test: no thresholds.
//
//   node --import tsx bench/insights.ts [--sizes 100000,1000000]
//
// The first 100,000 events go through the D1 sink's `write` (createD1Sink: collector/src/sinks/d1.ts),
// in consumer batches of 100 messages × 20 records, which is the throughput measured. The rest of the
// 1,000,000 are loaded through the same `write` too (the only path events take into D1), so the load
// takes a few minutes; the reports are then timed on exactly what the consumer built.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import {
  insertEventsStatements,
  rebuildDirtyDays,
  REPORTS,
  seededRandom,
  type ReportName,
} from '../collector/src/core/insights/index.ts';
import type { ForwardedRecord, QueueMessageBody } from '../collector/src/core/record.ts';
import { d1Engine } from '../collector/src/d1-engine.ts';
import { createD1Sink } from '../collector/src/sinks/d1.ts';
import { journeyRecords, randomJourneys } from '../collector/test-core/support/generate.ts';
import { POPULATION_PAGE_TYPES, POPULATION_SITE } from '../collector/test-core/support/population.ts';

const args = process.argv.slice(2);
const sizesAt = args.indexOf('--sizes');
const SIZES = (sizesAt >= 0 ? args[sizesAt + 1]! : '100000,1000000').split(',').map(Number);
const DAYS = 30;
const REPORT_RUNS = 3;
/** A consumer batch: max_batch_size 100 messages (wrangler.toml), each one SDK batch of about 20 events. */
const MESSAGES_PER_WRITE = 100;
const RECORDS_PER_MESSAGE = 20;
const THROUGHPUT_EVENTS = 100_000;
const shape = { categories: 40, products: 2000, terms: 1500, contentPages: 200 };
const firstDay = Date.parse('2026-01-01T00:00:00Z');
const dayOf = (i: number) => new Date(firstDay + i * 86_400_000).toISOString().slice(0, 10);
const log = (...parts: unknown[]) => console.error('[insights]', ...parts);
const root = new URL('..', import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'pathmark-insights-d1-'));
writeFileSync(
  join(dir, 'wrangler.toml'),
  `name = "insights-bench"\ncompatibility_date = "2026-04-20"\n` +
    `[[d1_databases]]\nbinding = "DB"\ndatabase_name = "insights"\ndatabase_id = "00000000-0000-0000-0000-000000000001"\n` +
    `[[d1_databases]]\nbinding = "BASELINE"\ndatabase_name = "baseline"\ndatabase_id = "00000000-0000-0000-0000-000000000002"\n`,
);
const proxy = await getPlatformProxy<{ DB: D1Database; BASELINE: D1Database }>({
  configPath: join(dir, 'wrangler.toml'),
  persist: { path: join(dir, 'state') },
});

async function migrate(db: D1Database): Promise<void> {
  const folder = join(root, 'collector/migrations');
  for (const file of readdirSync(folder).sort()) {
    const sql = readFileSync(join(folder, file), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n');
    const statements = sql
      .split(/;\s*$/m)
      .map((text) => text.trim())
      .filter(Boolean);
    await db.batch(statements.map((text) => db.prepare(text)));
  }
}

/** One day of journeys for `events` events in total over DAYS days, as records. */
const sample = journeyRecords(randomJourneys(seededRandom(1), 2000, firstDay, shape)).length / 2000;
function dayRecords(total: number, d: number, offset: number): ForwardedRecord[] {
  const visits = Math.round(total / DAYS / sample);
  return journeyRecords(
    randomJourneys(seededRandom(100 + d + offset), visits, firstDay + d * 86_400_000, shape, (d + offset) * visits),
    `s${offset}d${d}-`,
  );
}

/** The records as consumer batches of queue messages. */
function consumerBatches(records: readonly ForwardedRecord[]): QueueMessageBody[][] {
  const messages: QueueMessageBody[] = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_MESSAGE) {
    const chunk = records.slice(i, i + RECORDS_PER_MESSAGE);
    messages.push({
      v: 1,
      batch_id: chunk[0]!.batch_id,
      site: POPULATION_SITE,
      received_at: chunk[0]!.received_at,
      records: chunk,
    });
  }
  const batches: QueueMessageBody[][] = [];
  for (let i = 0; i < messages.length; i += MESSAGES_PER_WRITE) batches.push(messages.slice(i, i + MESSAGES_PER_WRITE));
  return batches;
}

const section = {
  id: 'insights',
  title: 'Insights in local D1: consumer throughput and report latency',
  command: 'node --import tsx bench/insights.ts',
  targets: [] as { target: string; result: string; met: boolean | null }[],
  tables: [] as { caption?: string; columns: string[]; formats?: string[]; rows: unknown[][] }[],
  notes: [] as string[],
};

try {
  const { DB, BASELINE } = proxy.env;
  await migrate(DB);
  await migrate(BASELINE);
  const sink = createD1Sink(DB, { pageTypes: () => POPULATION_PAGE_TYPES });
  const engine = d1Engine(DB);

  let loaded = 0;
  let sinkMs = 0;
  let baselineMs = 0;
  let measuredEvents = 0;
  const reportRows: unknown[][] = [];
  const maintenanceRows: unknown[][] = [];
  let previousSize = 0;
  for (const size of SIZES) {
    // Each size adds its missing events, spread over the same 30 days (another seed per size).
    const wanted = size - previousSize;
    const started = performance.now();
    for (let d = 0; d < DAYS; d++) {
      const records = dayRecords(wanted, d, previousSize);
      for (const messages of consumerBatches(records)) {
        const count = messages.reduce((n, m) => n + m.records.length, 0);
        const measuring = loaded < THROUGHPUT_EVENTS;
        let start = performance.now();
        await sink.write(messages);
        if (measuring) {
          sinkMs += performance.now() - start;
          measuredEvents += count;
          // The sink before insights: the events rows alone, 84 statements of 6 rows per D1 batch.
          start = performance.now();
          const statements = insertEventsStatements(
            messages.flatMap((m) => m.records),
            null,
            () => POPULATION_PAGE_TYPES,
          );
          for (let i = 0; i < statements.length; i += 84) {
            const slice = statements.slice(i, i + 84);
            await BASELINE.batch(slice.map(({ sql, params }) => BASELINE.prepare(sql).bind(...params)));
          }
          baselineMs += performance.now() - start;
        }
        loaded += count;
      }
      process.stderr.write(
        `\r[insights] ${size.toLocaleString('en')}: day ${d + 1}/${DAYS}, ${loaded.toLocaleString('en')} events`,
      );
    }
    process.stderr.write('\n');
    const loadSeconds = (performance.now() - started) / 1000;
    previousSize = size;

    // The cron's work: every dirty day's rollups, 50 per run.
    let start = performance.now();
    let runs = 0;
    let days = 0;
    for (let rebuilt; (rebuilt = await rebuildDirtyDays(engine, 50)) > 0; runs++) days += rebuilt;
    const rebuildMs = performance.now() - start;
    maintenanceRows.push([loaded, Math.round(loadSeconds), days, Math.round(rebuildMs / Math.max(days, 1)), runs]);

    const request = { site: POPULATION_SITE, from: dayOf(0), to: dayOf(DAYS - 1) };
    for (const name of Object.keys(REPORTS) as ReportName[]) {
      const times: number[] = [];
      for (let run = 0; run < REPORT_RUNS; run++) {
        start = performance.now();
        await REPORTS[name](engine, request);
        times.push(performance.now() - start);
      }
      const sorted = [...times].sort((a, b) => a - b);
      reportRows.push([name, loaded, times[0]!, sorted[Math.floor(REPORT_RUNS / 2)]!, sorted.at(-1)!]);
      log(`${name} at ${loaded.toLocaleString('en')}: median ${sorted[1]!.toFixed(0)} ms`);
    }
  }

  const sinkRate = measuredEvents / (sinkMs / 1000);
  const baselineRate = measuredEvents / (baselineMs / 1000);
  section.tables.push({
    caption: `D1 sink consumer write, first ${measuredEvents.toLocaleString('en')} events (consumer batches of ${MESSAGES_PER_WRITE} messages × ${RECORDS_PER_MESSAGE} events)`,
    columns: ['Write', 'Events per second', 'Ratio to events only'],
    formats: ['', 'int', 'ratio'],
    rows: [
      ['events only (the sink before insights)', baselineRate, 1],
      ['events + insights facts + dirty days (createD1Sink → ingest)', sinkRate, sinkRate / baselineRate],
    ],
  });
  section.tables.push({
    caption: 'Loading and the cron’s rollup rebuild (every dirty day, 50 per run)',
    columns: ['Events', 'Load through the sink (s)', 'Dirty days rebuilt', 'ms per day', 'Cron runs'],
    formats: ['int', 'int', 'int', 'int', 'int'],
    rows: maintenanceRows,
  });
  section.tables.push({
    caption: `Report latency, ${DAYS}-day range, local D1 (ms; ${REPORT_RUNS} runs, after the cron’s rebuild)`,
    columns: ['Report', 'Events', 'First', 'Median', 'Max'],
    formats: ['', 'int', 'ms', 'ms', 'ms'],
    rows: reportRows,
  });
  const largest = Math.max(...reportRows.map((row) => row[1] as number));
  const slowest = reportRows.filter((row) => row[1] === largest).reduce((a, b) => ((b[3] as number) > (a[3] as number) ? b : a));
  section.targets.push({
    target: `every report ≤ 1 s over 30 days at ${largest.toLocaleString('en')} events (median)`,
    result: `slowest: ${slowest[0]} ${Math.round(slowest[3] as number)} ms`,
    met: (slowest[3] as number) <= 1000,
  });
  section.notes.push(
    `Generated shopping journeys (generate.ts: ${shape.products} products, ${shape.terms} search terms, granted and anonymous visits) over ${DAYS} days, one site.`,
    `Load average at the end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}.`,
  );
} finally {
  await proxy.dispose();
  rmSync(dir, { recursive: true, force: true });
}

const json = JSON.stringify(section, null, 2);
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, json);
else console.log(json);
