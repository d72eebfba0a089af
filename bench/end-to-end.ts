// Collector end to end: POST /v1/events through `wrangler dev` (workerd with
// the local Queue, D1, R2 and rate limiter) under autocannon, beside a no-op
// Worker answering 202 on the same runtime, in the same run.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBatch, browserUserAgent } from './lib/batches.ts';
import { runSection, notMeasured, log } from './lib/section.mjs';
import { startWranglerDev, applyD1Migrations, queryD1 } from './lib/wrangler.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION_S = 10;
const WARMUP_S = 3;
const CONNECTIONS = 8;
const EVENTS_PER_BATCH = 20;
const ORIGIN_HEADER = 'http://localhost:8787';
/** Distinct visitors (user agents) the load is spread over; see the note on the rate limiter. */
const VISITORS = 5000;

interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  total: number;
}

/**
 * Bodies are pooled so that the load generator, which shares the machine with
 * the Worker, spends its time sending rather than building JSON; each request
 * still carries unique event ids (the pool prefix is swapped for a counter).
 */
const POOL_SIZE = 500;
const ID_PREFIX = 'pool0000';
let pool: string[] = [];
let sent = 0;
function nextBody(): string {
  if (pool.length === 0) pool = Array.from({ length: POOL_SIZE }, (_, seed) => JSON.stringify(makeBatch({ consent: 'granted', events: EVENTS_PER_BATCH, seed, idPrefix: ID_PREFIX })));
  sent++;
  return pool[sent % POOL_SIZE]!.replaceAll(ID_PREFIX, sent.toString(36).padStart(8, '0'));
}

async function load(origin: string, duration = DURATION_S): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: `${origin}/v1/events`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN_HEADER },
    requests: [{
      setupRequest: (request: Record<string, unknown>) => {
        n++;
        return {
          ...request,
          headers: { ...(request.headers as object), 'user-agent': browserUserAgent(n % VISITORS) },
          body: nextBody(),
        };
      },
    }],
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}) as [string, { count: number }][]) statuses[code] = count;
  return {
    requestsPerSecond: result.requests.total / duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
  };
}

const fmtStatuses = (s: Record<string, number>) => Object.entries(s).map(([code, count]) => `${code}: ${count.toLocaleString('en-US')}`).join(', ') || 'none';

runSection(async () => {
  const base = { id: 'end-to-end', title: 'Collector end to end through wrangler dev', command: 'node --import tsx bench/end-to-end.ts' };
  const notes: string[] = [];
  const runs: Record<string, LoadResult | { notMeasured: string }> = {};
  let d1Rows: number | { notMeasured: string } = notMeasured('collector not run');

  const noopDir = mkdtempSync(join(tmpdir(), 'pathmark-noop-'));
  try {
    log('end to end: no-op worker');
    const noop = await startWranglerDev({ config: `${root}bench/noop-worker/wrangler.toml`, persistTo: noopDir });
    try {
      await load(noop.origin, WARMUP_S);
      runs.noop = await load(noop.origin);
    } finally {
      await noop.stop();
    }
  } catch (error) {
    runs.noop = notMeasured(`no-op worker did not run: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(noopDir, { recursive: true, force: true });
  }

  const persistTo = mkdtempSync(join(tmpdir(), 'pathmark-collector-'));
  const config = `${root}wrangler.toml`;
  try {
    if (!existsSync(`${root}collector/src/index.ts`)) throw new Error('collector/src/index.ts does not exist yet');
    log('end to end: collector (migrations, wrangler dev)');
    await applyD1Migrations({ config, persistTo });
    const collector = await startWranglerDev({ config, persistTo, readyPath: '/healthz', vars: { DEV_ALLOWED_ORIGINS: ORIGIN_HEADER } });
    try {
      const probe = await fetch(`${collector.origin}/v1/events`, {
        method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN_HEADER, 'user-agent': browserUserAgent(1) },
        body: JSON.stringify(makeBatch({ events: EVENTS_PER_BATCH })),
      });
      const probeBody = await probe.text();
      if (probe.status !== 202) throw new Error(`a good batch answered ${probe.status}: ${probeBody.slice(0, 300)}`);
      notes.push(`Check before the load: one batch of ${EVENTS_PER_BATCH} answered ${probe.status} ${probeBody.slice(0, 120)}.`);
      log('end to end: collector warm-up');
      await load(collector.origin, WARMUP_S);
      log('end to end: collector measured');
      runs.collector = await load(collector.origin);
      await new Promise((r) => setTimeout(r, 5000)); // let the queue consumer drain into D1
    } finally {
      await collector.stop();
    }
    d1Rows = Number((await queryD1({ config, persistTo, sql: 'SELECT COUNT(*) AS n FROM events' }))[0]?.n ?? NaN);
  } catch (error) {
    log('collector run failed:', (error as Error).message);
    runs.collector = notMeasured(`collector did not run: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }

  const row = (label: string, r: LoadResult | { notMeasured: string } | undefined) => {
    if (!r || 'notMeasured' in r) return [label, r ?? notMeasured('not run'), r ?? notMeasured('not run'), r ?? notMeasured('not run'), r ?? notMeasured('not run'), r ?? notMeasured('not run'), r ?? notMeasured('not run')];
    const accepted = r.statuses['202'] ?? 0;
    return [label, r.requestsPerSecond, (accepted * EVENTS_PER_BATCH) / DURATION_S, r.p50, r.p99, r.statuses['429'] ?? 0, `${fmtStatuses(r.statuses)}${r.errors ? `; ${r.errors} errors` : ''}${r.timeouts ? `; ${r.timeouts} timeouts` : ''}`];
  };
  const collector = runs.collector;
  const noop = runs.noop;
  const ratio = collector && noop && !('notMeasured' in collector) && !('notMeasured' in noop) ? collector.requestsPerSecond / noop.requestsPerSecond : null;
  if (collector && !('notMeasured' in collector)) {
    notes.push(`D1 \`events\` rows after the warm-up and measured runs and 5 s for the queue consumer: ${typeof d1Rows === 'number' ? d1Rows.toLocaleString('en-US') : 'not measured'} (events accepted with 202 in both runs are written by the consumer as it drains the queue).`);
  }
  return {
    ...base,
    targets: [{ target: 'collector ≥ 0.7 × the no-op Worker\'s requests/s', result: ratio == null ? 'not measured' : `${ratio.toFixed(2)}×`, met: ratio == null ? null : ratio >= 0.7 }],
    tables: [{
      columns: ['Worker', 'requests/s', 'events/s accepted', 'p50 (ms)', 'p99 (ms)', '429s', 'status codes'],
      formats: ['text', 'int', 'int', 'ms', 'ms', 'int', 'text'],
      rows: [row('No-op Worker (bench/noop-worker, answers 202)', noop), row('Pathmark collector (root wrangler.toml)', collector)],
    }],
    notes: [
      `autocannon (programmatic), ${CONNECTIONS} connections, ${DURATION_S} s per Worker after a ${WARMUP_S} s warm-up run, loopback only; each request is a batch of ${EVENTS_PER_BATCH} \`granted\` events from a pool of ${POOL_SIZE} (bench/lib/batches.ts) with its own unique event ids as \`text/plain\` with \`Origin: ${ORIGIN_HEADER}\` (allowed for site \`demo\` in collector/sites.json).`,
      `Both Workers run under \`wrangler dev\` (workerd) on free ports with \`--persist-to\` a temporary directory; the collector's D1 migrations are applied first. autocannon runs in the bench process on the same 2-core machine, so client and Worker share the CPUs.`,
      `The collector rate-limits per site and daily visitor hash (120 requests/min in wrangler.toml); the load is spread over ${VISITORS.toLocaleString('en-US')} browser user agents (distinct visitors) so the figure measures the pipeline rather than one visitor hitting the limit. 429s are counted separately; they would be real answers, not errors.`,
      ...notes,
    ],
  };
});
