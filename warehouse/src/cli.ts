import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isReportName, parseReportRequest, REPORTS, type ReportName } from '../../collector/src/core/insights/index.ts';
import { DEFAULT_LATE_DAYS, type ArchiveFormat } from './archive.ts';
import { buildFromArchive } from './build.ts';
import { createDuckDbEngine, type DuckDbEngine } from './duckdb-engine.ts';
import { compactArchive, writeFactsParquet } from './parquet.ts';
import { connectRemote } from './remote.ts';
import { renderReport } from './render.ts';
import { DEFAULT_SITES_FILE, readSitePolicy } from './site-policy.ts';

export const USAGE = `Usage: pathmark-warehouse <command> [options]

Commands
  report <name>|all   print a report: ${Object.keys(REPORTS).join(', ')}
  build               build the facts and rollups of the range into --db (and --parquet)
  compact             write the archive's NDJSON partitions from..to as Parquet under --out

Options
  --archive <root>    folder holding events/site=…/date=…/hour=…/, or r2://bucket[/prefix], s3://bucket[/prefix]
  --site <site>       --from YYYY-MM-DD  --to YYYY-MM-DD   (UTC days, inclusive)
  --db <file>         keep the DuckDB database; "report" without --archive reads a database built before
  --parquet <dir>     also write the journey tables (page_views, searches, item_lines) as Parquet, site=/date=
  --out <dir>         where "compact" writes events/site=/date=/hour=/*.parquet
  --input ndjson|parquet   what the archive holds (default ndjson)
  --json              print JSON instead of tables
  --sites <file>      site policy file for page_types, k_anonymity, epsilon (default: collector/sites.json)
  --k <n>  --epsilon <e>  --limit <n>   report settings (default: the site policy's, else k = 5, no noise, 100 rows)
  --late-days <n>     partitions read after --to for late events (default ${DEFAULT_LATE_DAYS})
  --threads <n>  --memory-limit <size>   DuckDB settings (e.g. 2, 4GB)

Remote archives need DuckDB's httpfs extension, downloaded on first use, and credentials in the
environment: R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY (r2://) or AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, S3_ENDPOINT (s3://). See docs/warehouse.md.`;

export class UsageError extends Error {}

const OPTIONS = {
  archive: { type: 'string' },
  site: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  db: { type: 'string' },
  parquet: { type: 'string' },
  out: { type: 'string' },
  input: { type: 'string' },
  json: { type: 'boolean' },
  sites: { type: 'string' },
  k: { type: 'string' },
  epsilon: { type: 'string' },
  limit: { type: 'string' },
  'late-days': { type: 'string' },
  threads: { type: 'string' },
  'memory-limit': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function number(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: not a valid value: ${value}`);
  return n;
}

/** Runs the command; writes to `print`. Throws UsageError for bad arguments. */
export async function main(
  argv: readonly string[],
  print: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, name] = positionals;
  if (values.help || !command) return print(`${USAGE}\n`);
  if (!['report', 'build', 'compact'].includes(command)) throw new UsageError(`unknown command: ${command}`);
  if (!values.site) throw new UsageError('--site: required');
  const checked = parseReportRequest(values.site, { from: values.from, to: values.to });
  if (!checked.ok) throw new UsageError(`--${checked.error}`);
  const { from, to, site } = checked.request;
  const input = (values.input ?? 'ndjson') as ArchiveFormat;
  if (input !== 'ndjson' && input !== 'parquet') throw new UsageError('--input: ndjson or parquet');
  const names: ReportName[] =
    command !== 'report'
      ? []
      : name === 'all'
        ? (Object.keys(REPORTS) as ReportName[])
        : name && isReportName(name)
          ? [name]
          : [];
  if (command === 'report' && names.length === 0)
    throw new UsageError(`report: name one of ${Object.keys(REPORTS).join(', ')}, or all`);
  if (command !== 'report' && !values.archive) throw new UsageError('--archive: required');
  if (command === 'build' && !values.db && !values.parquet) throw new UsageError('build: give --db, --parquet or both');
  if (command === 'compact' && !values.out) throw new UsageError('--out: required');
  if (command === 'report' && !values.archive && !(values.db && existsSync(values.db))) {
    throw new UsageError('--archive: required (or --db with a database built before)');
  }

  const policy = readSitePolicy(values.sites ?? DEFAULT_SITES_FILE, site);
  const settings = {
    k: number('k', values.k, (n) => Number.isInteger(n) && n >= 1) ?? policy.k,
    epsilon: number('epsilon', values.epsilon, (n) => n > 0) ?? policy.epsilon,
    limit: number('limit', values.limit, (n) => Number.isInteger(n) && n >= 1),
  };
  const range = {
    root: values.archive ?? '',
    site,
    from,
    to,
    format: input,
    lateDays: number('late-days', values['late-days'], (n) => Number.isInteger(n) && n >= 0),
  };

  const engine: DuckDbEngine = await createDuckDbEngine({
    path: values.db,
    threads: number('threads', values.threads, (n) => Number.isInteger(n) && n >= 1),
    memoryLimit: values['memory-limit'],
  });
  try {
    for (const location of [values.archive, values.parquet, values.out]) if (location) await connectRemote(engine, location);
    if (command === 'compact') {
      const { files } = await compactArchive(engine, range, values.out!, policy.pageTypes);
      return print(
        `compact: ${files} NDJSON objects of ${site}, ${from} … ${to}, written as Parquet under ${values.out}/events\n`,
      );
    }
    if (values.archive) {
      const built = await buildFromArchive(engine, range, policy.pageTypes);
      if (command === 'build') {
        print(
          `build: ${built.events} events from ${built.files} objects; load ${Math.round(built.load_ms)} ms, facts ${Math.round(built.facts_ms)} ms, rollups ${Math.round(built.rollups_ms)} ms\n`,
        );
      }
    }
    if (values.parquet) {
      await writeFactsParquet(engine, values.parquet, range);
      if (command === 'build') print(`build: page_views, searches, item_lines written under ${values.parquet}\n`);
    }
    const reports = [];
    for (const report of names) reports.push(await REPORTS[report](engine, { site, from, to }, settings));
    if (values.json) print(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    else for (const report of reports) print(renderReport(report));
  } finally {
    engine.close();
  }
}
