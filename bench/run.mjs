// `npm run bench`: runs every section in its own Node process, one after the
// other (so they do not compete for the machine's cores), then writes
// docs/benchmarks.md and the chart docs/benchmarks.svg.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './lib/machine.mjs';
import { barChartSvg } from './lib/chart.mjs';
import { renderReport } from './lib/report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const SECTIONS = [
  { id: 'sizes', title: 'Bundle size', file: 'bench/sizes.mjs' },
  { id: 'main-thread', title: 'Main-thread cost in Chromium', file: 'bench/main-thread.mjs' },
  { id: 'pipeline', title: 'Collector pipeline (one core)', file: 'bench/pipeline.ts', tsx: true, pinToOneCpu: true },
  { id: 'end-to-end', title: 'Collector end to end through wrangler dev', file: 'bench/end-to-end.ts', tsx: true },
  { id: 'delivery', title: 'Delivery under a flapping connection and a failing sink', file: 'bench/delivery.mjs' },
  { id: 'warehouse', title: 'Warehouse: the reports on DuckDB over the R2 archive', file: 'bench/warehouse.ts', tsx: true },
  { id: 'insights', title: 'Insights in local D1: consumer throughput and report latency', file: 'bench/insights.ts', tsx: true },
];

const only = process.argv.slice(2);

function commandOf({ file, tsx, pinToOneCpu }) {
  const node = [process.execPath, ...(tsx ? ['--import', 'tsx'] : []), file];
  return pinToOneCpu ? ['taskset', '-c', '0', ...node] : node;
}

function runChild(section, out) {
  const [command, ...args] = commandOf(section);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_OUT: out },
    });
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code, signal) => resolve(code === 0 ? null : `exited with ${signal ?? `code ${code}`}`));
  });
}

const started = performance.now();
const tmp = mkdtempSync(join(tmpdir(), 'pathmark-bench-'));
const machine = describeMachine();
const sections = [];
for (const section of SECTIONS) {
  if (only.length && !only.includes(section.id)) continue;
  const out = join(tmp, `${section.id}.json`);
  console.error(`\n[bench] ── ${section.title}: ${commandOf(section).join(' ').replace(process.execPath, 'node')}`);
  const sectionStart = performance.now();
  const failure = await runChild(section, out);
  const result = existsSync(out)
    ? JSON.parse(readFileSync(out, 'utf8'))
    : { id: section.id, title: section.title, command: commandOf(section).join(' ').replace(process.execPath, 'node') };
  if (failure && !existsSync(out)) result.failed = `the section ${failure}; see the console output of \`npm run bench\``;
  console.error(`[bench] ${section.id} took ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
  sections.push(result);
}
rmSync(tmp, { recursive: true, force: true });

const chartSection = sections.find((s) => s.chart);
const chartFile = chartSection ? { name: 'benchmarks.svg', title: chartSection.chart.title } : null;
if (chartSection) writeFileSync(join(root, 'docs/benchmarks.svg'), barChartSvg({ ...chartSection.chart, unit: ' B' }));
const totalSeconds = (performance.now() - started) / 1000;
// Hand-written analysis of the profiles behind the figures, kept beside the code that measures them.
const findingsFile = join(root, 'bench/findings.md');
const findings = existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : null;
writeFileSync(join(root, 'docs/benchmarks.md'), renderReport({ machine, sections, chartFile, totalSeconds, findings }));
console.error(`\n[bench] wrote docs/benchmarks.md${chartFile ? ' and docs/benchmarks.svg' : ''} in ${totalSeconds.toFixed(0)} s`);
