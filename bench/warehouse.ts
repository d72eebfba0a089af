// The warehouse at scale: generates an archive of N events (default 1,000,000) in the R2 sink's
// layout, builds the facts and rollups from it in DuckDB, and times every report over 30 days;
// then the archive as Parquet (`compact`), the facts as Parquet, and a build from the Parquet
// archive. Sizes on disk, peak memory of the process (DuckDB runs inside it). A measurement, not a
// test: no thresholds.
//
//   node --import tsx bench/warehouse.ts [events=1000000] [--keep DIR] [--save FILE]
//
// The 10,000,000-event case is a separate command (about 6 GiB of NDJSON under the system temporary
// folder, deleted at the end unless --keep; 15-20 minutes here):
//
//   node --import tsx bench/warehouse.ts 10000000 --save bench/warehouse-10m.json
//
// `npm run bench` runs the 1,000,000 case and shows the saved 10,000,000 figures beside it, with
// the date and load they were measured at.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORTS, seededRandom, type ReportName } from '../collector/src/core/insights/index.ts';
import type { ForwardedRecord } from '../collector/src/core/record.ts';
import { partitionKey, toNdjson } from '../collector/src/sinks/r2.ts';
import { journeyRecords, randomJourneys } from '../collector/test-core/support/generate.ts';
import { POPULATION_PAGE_TYPES } from '../collector/test-core/support/population.ts';
import { buildFromArchive, type BuildTimings } from '../warehouse/src/build.ts';
import { createDuckDbEngine } from '../warehouse/src/duckdb-engine.ts';
import { compactArchive, writeFactsParquet } from '../warehouse/src/parquet.ts';

const args = process.argv.slice(2);
const keepAt = args.indexOf('--keep');
const keep = keepAt >= 0 ? args[keepAt + 1] : undefined;
const saveAt = args.indexOf('--save');
const save = saveAt >= 0 ? args[saveAt + 1] : undefined;
const targetEvents = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
/** Where the separately measured 10,000,000-event figures are kept. */
const SAVED_10M = new URL('./warehouse-10m.json', import.meta.url);
const DAYS = 30;
const REPORT_RUNS = 3;
// A realistic mix: one large shop and two smaller ones share the archive; reports are for the large one.
const SITES = [
  { site: 'shop', share: 0.7, shape: { categories: 40, products: 2000, terms: 1500, contentPages: 200 } },
  { site: 'outlet', share: 0.2, shape: { categories: 15, products: 600, terms: 400, contentPages: 40 } },
  { site: 'boutique', share: 0.1, shape: { categories: 8, products: 150, terms: 120, contentPages: 20 } },
];
/** Records per archive object: the R2 sink writes one object per partition per consumer batch. */
const RECORDS_PER_OBJECT = 5000;
const firstDay = Date.parse('2026-01-01T00:00:00Z');
const dayOf = (i: number) => new Date(firstDay + i * 86_400_000).toISOString().slice(0, 10);
const [FROM, TO] = [dayOf(0), dayOf(DAYS - 1)];

const root = keep ?? join(tmpdir(), `pathmark-warehouse-bench-${process.pid}`);
const archive = join(root, 'archive');
const log = (...parts: unknown[]) => console.error('[warehouse]', ...parts);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

function peakRssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

function bytesUnder(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

/** Generates the archive day by day and site by site, never holding more than one day of one site. */
function generate(): { events: number; shopEvents: number } {
  const sample = journeyRecords(randomJourneys(seededRandom(1), 2000, firstDay, SITES[0]!.shape)).length / 2000;
  let events = 0;
  let shopEvents = 0;
  let object = 0;
  for (let d = 0; d < DAYS; d++) {
    for (const [s, { site, share, shape }] of SITES.entries()) {
      const visits = Math.round((targetEvents * share) / DAYS / sample);
      const journeys = randomJourneys(seededRandom(1000 * s + d), visits, firstDay + d * 86_400_000, shape, d * visits);
      const records = journeyRecords(journeys, `${site}-d${d}-`);
      const partitions = new Map<string, ForwardedRecord[]>();
      for (const record of records) {
        record.site = site;
        const key = partitionKey(record);
        const group = partitions.get(key);
        if (group) group.push(record);
        else partitions.set(key, [record]);
      }
      for (const [key, group] of partitions) {
        mkdirSync(join(archive, key), { recursive: true });
        for (let i = 0; i < group.length; i += RECORDS_PER_OBJECT) {
          writeFileSync(
            join(archive, key, `${String(++object).padStart(8, '0')}.ndjson`),
            toNdjson(group.slice(i, i + RECORDS_PER_OBJECT)),
          );
        }
      }
      events += records.length;
      if (site === 'shop') shopEvents += records.length;
    }
    process.stderr.write(`\r[warehouse] generating day ${d + 1}/${DAYS}: ${events.toLocaleString('en')} events`);
  }
  process.stderr.write('\n');
  return { events, shopEvents };
}

async function timeReports(engine: Awaited<ReturnType<typeof createDuckDbEngine>>) {
  const times: Record<string, { first: number; median: number }> = {};
  for (const name of Object.keys(REPORTS) as ReportName[]) {
    const runs: number[] = [];
    for (let run = 0; run < REPORT_RUNS; run++) {
      const start = performance.now();
      await REPORTS[name](engine, { site: 'shop', from: FROM, to: TO });
      runs.push(performance.now() - start);
    }
    times[name] = {
      first: Math.round(runs[0]!),
      median: Math.round([...runs].sort((a, b) => a - b)[Math.floor(REPORT_RUNS / 2)]!),
    };
  }
  return times;
}

const loadAverageAtStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(', ');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
let start = performance.now();
const generated = generate();
const generate_s = seconds(performance.now() - start);
const ndjson = bytesUnder(archive);
log(
  `${generated.events.toLocaleString('en')} events, ${(ndjson.bytes / 2 ** 30).toFixed(2)} GiB NDJSON in ${ndjson.files} objects, ${generate_s} s`,
);

const range = { root: archive, site: 'shop', from: FROM, to: TO };
const engineOptions = {
  path: join(root, 'warehouse.duckdb'),
  threads: 2,
  memoryLimit: '4GB',
  tempDirectory: join(root, 'spill'),
};
const engine = await createDuckDbEngine(engineOptions);
const build: BuildTimings = await buildFromArchive(engine, range, POPULATION_PAGE_TYPES);
log('build from NDJSON', build);
const reports = await timeReports(engine);
log('reports', reports);
const rows = Object.fromEntries(
  await Promise.all(
    [
      'events',
      'ins_page_views',
      'ins_searches',
      'ins_item_lines',
      'ins_r_pages',
      'ins_r_transitions',
      'ins_r_searches',
      'ins_r_items',
    ].map(async (table) => [table, (await engine.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n] as const),
  ),
);
start = performance.now();
await writeFactsParquet(engine, join(root, 'facts'), range);
const facts_parquet_s = seconds(performance.now() - start);
start = performance.now();
await compactArchive(engine, { ...range, site: 'shop' }, join(root, 'parquet'), POPULATION_PAGE_TYPES);
const compact_s = seconds(performance.now() - start);
engine.close();

// The same build from the Parquet archive (the shop's partitions), in a fresh database.
const fromParquet = await createDuckDbEngine({ ...engineOptions, path: join(root, 'from-parquet.duckdb') });
const parquetBuild = await buildFromArchive(
  fromParquet,
  { ...range, root: join(root, 'parquet'), format: 'parquet' },
  POPULATION_PAGE_TYPES,
);
log('build from Parquet', parquetBuild);
const parquetReports = await timeReports(fromParquet);
fromParquet.close();

const shopNdjson = bytesUnder(join(archive, 'events', 'site=shop'));
const result = {
  measured_at: new Date().toISOString(),
  load_average_at_start: loadAverageAtStart,
  events: generated.events,
  shop_events: generated.shopEvents,
  days: DAYS,
  generate_s,
  sizes: {
    ndjson_all_sites: ndjson,
    ndjson_shop: shopNdjson,
    parquet_shop_events: bytesUnder(join(root, 'parquet')),
    parquet_shop_facts: bytesUnder(join(root, 'facts')),
    duckdb_database: statSync(engineOptions.path).size,
  },
  rows,
  build_from_ndjson_s: {
    load: seconds(build.load_ms),
    facts: seconds(build.facts_ms),
    rollups: seconds(build.rollups_ms),
    files: build.files,
  },
  build_from_parquet_s: {
    load: seconds(parquetBuild.load_ms),
    facts: seconds(parquetBuild.facts_ms),
    rollups: seconds(parquetBuild.rollups_ms),
  },
  facts_parquet_s,
  compact_s,
  report_ms_30_days: reports,
  report_ms_30_days_parquet_build: parquetReports,
  peak_rss_mib: peakRssMiB(),
  duckdb: { threads: engineOptions.threads, memory_limit: engineOptions.memoryLimit },
};
if (!keep) rmSync(root, { recursive: true, force: true });
if (save) writeFileSync(save, `${JSON.stringify(result, null, 2)}\n`);

type Result = typeof result;
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const saved: Result | null = existsSync(SAVED_10M) ? JSON.parse(readFileSync(SAVED_10M, 'utf8')) : null;
const runs: [string, Result][] = [[`${result.events.toLocaleString('en')} events (this run)`, result]];
if (saved && saved.events !== result.events)
  runs.push([`${saved.events.toLocaleString('en')} events (measured ${saved.measured_at.slice(0, 10)})`, saved]);
const slowest = (r: Result) => Math.max(...Object.values(r.report_ms_30_days).map((t) => t.first));
const tenMillion = runs.find(([, r]) => r.events >= 9_000_000)?.[1];
const section = {
  id: 'warehouse',
  title: 'Warehouse: the reports on DuckDB over the R2 archive',
  command: 'node --import tsx bench/warehouse.ts 1000000',
  targets: [
    {
      target: 'every report ≤ 5 s at 10,000,000 events (30 days, built database)',
      result: tenMillion
        ? `slowest first run ${(slowest(tenMillion) / 1000).toFixed(2)} s`
        : 'not measured: run the 10,000,000 command',
      met: tenMillion ? slowest(tenMillion) <= 5000 : null,
    },
  ],
  tables: [
    {
      caption: 'Archive and outputs on disk (MiB). The shop holds 70 % of the events; outlet and boutique share its archive.',
      columns: [
        'Run',
        'NDJSON, all sites',
        'objects',
        'NDJSON, shop',
        'Parquet events, shop',
        'Parquet facts, shop',
        'DuckDB database',
      ],
      formats: ['', 'int', 'int', 'int', 'number', 'number', 'int'],
      rows: runs.map(([name, r]) => [
        name,
        mib(r.sizes.ndjson_all_sites.bytes),
        r.sizes.ndjson_all_sites.files,
        mib(r.sizes.ndjson_shop.bytes),
        mib(r.sizes.parquet_shop_events.bytes),
        mib(r.sizes.parquet_shop_facts.bytes),
        mib(r.sizes.duckdb_database),
      ]),
    },
    {
      caption:
        'Build of the shop’s 30 days (s): archive → events → facts → day rollups; then the facts and the archive written as Parquet. Peak memory of the process (DuckDB inside, memory_limit 4GB, 2 threads).',
      columns: [
        'Run',
        'shop events',
        'load NDJSON',
        'facts',
        'rollups',
        'load Parquet',
        'facts',
        'rollups',
        'facts → Parquet',
        'NDJSON → Parquet',
        'peak RSS (MiB)',
      ],
      formats: ['', 'int', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'int'],
      rows: runs.map(([name, r]) => [
        name,
        r.shop_events,
        r.build_from_ndjson_s.load,
        r.build_from_ndjson_s.facts,
        r.build_from_ndjson_s.rollups,
        r.build_from_parquet_s.load,
        r.build_from_parquet_s.facts,
        r.build_from_parquet_s.rollups,
        r.facts_parquet_s,
        r.compact_s,
        r.peak_rss_mib,
      ]),
    },
    {
      caption: 'Every report over the 30 days from the built database (ms): first run / median of 3.',
      columns: ['Report', ...runs.map(([name]) => name)],
      rows: Object.keys(result.report_ms_30_days).map((name) => [
        name,
        ...runs.map(([, r]) => {
          const t = r.report_ms_30_days[name as keyof typeof r.report_ms_30_days];
          return t ? `${t.first} / ${t.median}` : '';
        }),
      ]),
    },
  ],
  notes: [
    'The 10,000,000-event case is its own command, about 15-20 minutes here: `node --import tsx bench/warehouse.ts 10000000 --save bench/warehouse-10m.json`; this section shows the saved figures beside the run’s own.',
    'Generated with collector/test-core/support/generate.ts (the insights bench’s generator): Zipf-popular categories, products and search terms, about 24 events per visit, 60 % granted, written by the R2 sink’s own partitionKey in objects of up to 5,000 records.',
    'A report reads the day rollups, as in the Worker; building them is the batch step a shop runs when new partitions arrive (`pathmark-warehouse build --db`). Report times do not include the build.',
    `Load average at the start: ${runs.map(([name, r]) => `${name}: ${r.load_average_at_start}`).join('; ')} (the machine is shared: absolute times drift).`,
  ],
};
const json = JSON.stringify(section, null, 2);
if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, json);
else console.log(JSON.stringify(result, null, 2));
