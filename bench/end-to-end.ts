// Collector end to end: POST /v1/events through `wrangler dev` (workerd with
// the local Queue, D1, R2 and rate limiter) under autocannon, beside a no-op
// Worker answering 202 on the same runtime, in the same run. The Workers run
// side by side and are loaded in alternating rounds, so load from elsewhere
// on the machine falls on all of them alike.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBatch, browserUserAgent } from './lib/batches.ts';
import { runSection, notMeasured, log } from './lib/section.mjs';
import { startWranglerDev, applyD1Migrations, queryD1 } from './lib/wrangler.mjs';
import { snapshotWorker, writeIngestOnlyConfig, rateLimitOf } from './lib/snapshot.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 2;
const ROUND_S = 5;
const WARMUP_S = 3;
/** Pause after each full-collector round so its queue consumer drains before the next Worker's round. */
const DRAIN_PAUSE_MS = 4000;
const CONNECTIONS = 8;
const EVENTS_PER_BATCH = 20;
const ORIGIN_HEADER = 'http://localhost:8787';
/** Distinct visitors (user agents) the load is spread over; see the note on the rate limiter. */
const VISITORS = 5000;

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
  if (pool.length === 0)
    pool = Array.from({ length: POOL_SIZE }, (_, seed) =>
      JSON.stringify(makeBatch({ consent: 'granted', events: EVENTS_PER_BATCH, seed, idPrefix: ID_PREFIX })),
    );
  sent++;
  return pool[sent % POOL_SIZE]!.replaceAll(ID_PREFIX, sent.toString(36).padStart(8, '0'));
}

interface Round {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

async function load(origin: string, duration: number): Promise<Round> {
  let n = 0;
  const result = await autocannon({
    url: `${origin}/v1/events`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN_HEADER },
    requests: [
      {
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          headers: { ...(request.headers as object), 'user-agent': browserUserAgent(n++ % VISITORS) },
          body: nextBody(),
        }),
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}) as [string, { count: number }][])
    statuses[code] = count;
  return {
    requests: result.requests.total,
    seconds: duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const fmtStatuses = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([code, count]) => `${code}: ${count.toLocaleString('en-US')}`)
    .join(', ') || 'none';

interface Target {
  id: string;
  label: string;
  config: () => string;
  collector: boolean;
  origin?: string;
  persistTo?: string;
  stop?: () => Promise<void>;
  cpuSeconds?: () => number;
  rounds: Round[];
  /** CPU seconds the Worker's processes (wrangler + workerd) used during each round. */
  roundCpu: number[];
  failed?: string;
}

runSection(async () => {
  const base = {
    id: 'end-to-end',
    title: 'Collector end to end through wrangler dev',
    command: 'node --import tsx bench/end-to-end.ts',
  };
  const notes: string[] = [];
  const targets: Target[] = [
    {
      id: 'noop',
      label: 'No-op Worker (bench/noop-worker, answers 202)',
      config: () => `${root}bench/noop-worker/wrangler.toml`,
      collector: false,
      rounds: [],
      roundCpu: [],
    },
    {
      id: 'ingest',
      label: 'Pathmark collector, ingest path alone (wrangler.toml without `[[queues.consumers]]`)',
      config: () => writeIngestOnlyConfig(snapshot),
      collector: true,
      rounds: [],
      roundCpu: [],
    },
    {
      id: 'ingest-no-assets',
      label: 'The same without `[assets]` (no asset router in front of the Worker)',
      config: () => writeIngestOnlyConfig(snapshot, { withoutAssets: true }),
      collector: true,
      rounds: [],
      roundCpu: [],
    },
    {
      id: 'full',
      label: 'Pathmark collector (wrangler.toml: ingest + local queue consumer writing D1 and R2)',
      config: () => snapshot.config,
      collector: true,
      rounds: [],
      roundCpu: [],
    },
  ];
  let d1Rows: number | null = null;
  const snapshot = snapshotWorker();
  const rateLimit = rateLimitOf(snapshot.config);
  try {
    for (const target of targets) {
      try {
        if (target.collector && !existsSync(`${root}collector/src/index.ts`))
          throw new Error('collector/src/index.ts does not exist yet');
        const config = target.config();
        target.persistTo = mkdtempSync(join(tmpdir(), `pathmark-e2e-${target.id}-`));
        log(`end to end: starting ${target.id}`);
        if (target.collector) await applyD1Migrations({ config, persistTo: target.persistTo });
        const worker = await startWranglerDev({
          config,
          persistTo: target.persistTo,
          readyPath: target.collector ? '/healthz' : '/',
          vars: target.collector ? { DEV_ALLOWED_ORIGINS: ORIGIN_HEADER } : {},
        });
        target.origin = worker.origin;
        target.stop = worker.stop;
        target.cpuSeconds = worker.cpuSeconds;
        if (target.collector) {
          const probe = await fetch(`${worker.origin}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN_HEADER, 'user-agent': browserUserAgent(1) },
            body: JSON.stringify(makeBatch({ events: EVENTS_PER_BATCH })),
          });
          const probeBody = await probe.text();
          if (probe.status !== 202) throw new Error(`a good batch answered ${probe.status}: ${probeBody.slice(0, 300)}`);
          if (target.id === 'full')
            notes.push(
              `Check before the load: one batch of ${EVENTS_PER_BATCH} answered ${probe.status} ${probeBody.slice(0, 120)}.`,
            );
        }
        await load(worker.origin, WARMUP_S);
        if (target.id === 'full') await new Promise((r) => setTimeout(r, DRAIN_PAUSE_MS));
      } catch (error) {
        log(`${target.id} failed to start:`, (error as Error).message);
        target.failed = `did not run: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        if (!target.origin || target.failed) continue;
        log(`end to end: round ${round}, ${target.id}`);
        const cpuBefore = target.cpuSeconds!();
        target.rounds.push(await load(target.origin, ROUND_S));
        target.roundCpu.push(target.cpuSeconds!() - cpuBefore);
        if (target.id === 'full') await new Promise((r) => setTimeout(r, DRAIN_PAUSE_MS));
      }
    }
  } finally {
    for (const target of targets) await target.stop?.().catch(() => {});
  }
  const full = targets.find((t) => t.id === 'full')!;
  if (full.persistTo && full.rounds.length) {
    try {
      d1Rows = Number(
        (await queryD1({ config: snapshot.config, persistTo: full.persistTo, sql: 'SELECT COUNT(*) AS n FROM events' }))[0]?.n ??
          NaN,
      );
    } catch (error) {
      log('D1 count failed:', (error as Error).message);
    }
  }
  for (const target of targets) if (target.persistTo) rmSync(target.persistTo, { recursive: true, force: true });
  snapshot.remove();

  const summary = (t: Target) => {
    if (t.failed || t.rounds.length === 0) return null;
    const requests = t.rounds.reduce((s, r) => s + r.requests, 0);
    const seconds = t.rounds.reduce((s, r) => s + r.seconds, 0);
    const statuses: Record<string, number> = {};
    for (const r of t.rounds)
      for (const [code, count] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
    return {
      rps: requests / seconds,
      cpuMsPerRequest: (t.roundCpu.reduce((a, b) => a + b, 0) * 1000) / requests,
      perRound: t.rounds.map((r) => Math.round(r.requests / r.seconds)).join(', '),
      acceptedEventsPerSecond: ((statuses['202'] ?? 0) * EVENTS_PER_BATCH) / seconds,
      p50: median(t.rounds.map((r) => r.p50)),
      p99: Math.max(...t.rounds.map((r) => r.p99)),
      statuses,
      errors: t.rounds.reduce((s, r) => s + r.errors, 0),
      timeouts: t.rounds.reduce((s, r) => s + r.timeouts, 0),
    };
  };
  const summaries = Object.fromEntries(targets.map((t) => [t.id, summary(t)]));
  const noop = summaries.noop;
  const rows = targets.map((t) => {
    const s = summaries[t.id];
    const why = notMeasured(t.failed ?? 'no round completed');
    if (!s) return [t.label, why, why, why, why, why, why, why, why, why];
    return [
      t.label,
      s.rps,
      noop ? s.rps / noop.rps : notMeasured('the no-op did not run'),
      s.perRound,
      s.acceptedEventsPerSecond,
      s.p50,
      s.p99,
      s.cpuMsPerRequest,
      s.statuses['429'] ?? 0,
      `${fmtStatuses(s.statuses)}${s.errors ? `; ${s.errors} errors` : ''}${s.timeouts ? `; ${s.timeouts} timeouts` : ''}`,
    ];
  });
  if (d1Rows != null)
    notes.push(
      `D1 \`events\` rows of the full collector after its warm-up and ${ROUNDS} rounds (each followed by ${DRAIN_PAUSE_MS / 1000} s for the consumer): ${d1Rows.toLocaleString('en-US')}.`,
    );

  return {
    ...base,
    // Information, not a target: requests/s here measure wrangler dev's router and local
    // queue as much as the Worker. The Worker's own CPU per batch is section 3's target.
    tables: [
      {
        columns: [
          'Worker',
          'requests/s',
          "÷ the no-op's requests/s",
          'per round',
          'events/s answered 202 (× 20)',
          'p50 (ms, median of rounds)',
          'p99 (ms, worst round)',
          'Worker CPU per request (ms)',
          '429s',
          'status codes',
        ],
        formats: ['text', 'int', 'ratio', 'text', 'int', 'ms', 'ms', 'ms', 'int', 'text'],
        rows,
      },
    ],
    notes: [
      "Information only: the target for the collector's cost is the Worker CPU per batch measured inside workerd (section 3, Collector pipeline). Requests/s through `wrangler dev` are bounded by its asset router and local queue broker, which do not run in the Worker on Cloudflare (bench/findings.md).",
      `autocannon (programmatic API), ${CONNECTIONS} connections, loopback only. The three Workers run side by side under \`wrangler dev\` (workerd), each on a free port with \`--persist-to\` its own temporary directory (collector D1 migrations applied first); each is warmed up for ${WARMUP_S} s, then they are loaded in turn, ${ROUNDS} rounds of ${ROUND_S} s each, so background load on the machine falls on all of them alike.`,
      `Each request is a batch of ${EVENTS_PER_BATCH} \`granted\` events from a pool of ${POOL_SIZE} (bench/lib/batches.ts) given its own unique event ids, sent as \`text/plain\` with \`Origin: ${ORIGIN_HEADER}\` (allowed for site \`demo\` in collector/sites.json).`,
      `The collector rate-limits per site, IP address and user agent (the site's \`rate_limit.batches_per_10s\`, spread over limiter keys of ${rateLimit ? `${rateLimit.limit} batches per ${rateLimit.period} s` : 'see wrangler.toml'} by page view; no variable lifts it); the load is spread over ${VISITORS.toLocaleString('en-US')} desktop-browser user agents (distinct visitors), so it measures the pipeline rather than one visitor hitting the limit. 429s are counted separately; they are real answers, not errors.`,
      'Under `wrangler dev` the queue consumers (the fan-out to one queue per sink, D1 inserts, R2 objects) run in the same workerd process and on the same two cores as the ingest route; on Cloudflare it runs in separate invocations. The second row uses the same config without `[[queues.consumers]]` to separate the two costs.',
      "With `[assets]` configured, `wrangler dev` routes every request through its asset router (a Worker in the same workerd that matches `run_worker_first`) before the collector; on Cloudflare that routing is not the Worker's CPU. The third row drops `[assets]` as well (POST /v1/events never reads an asset), to show that share. The no-op has neither.",
      'The Workers run from a copy of the sources taken when the section starts (bench/lib/snapshot.mjs), so edits to the working tree during the run cannot make `wrangler dev` reload them.',
      'autocannon runs in the bench process on the same 2-core machine, so client and Workers share the CPUs. "Worker CPU per request" is the user + system CPU time of the Worker\'s whole process group (wrangler dev and its workerd, from /proc) during the rounds, divided by the requests answered: unlike requests/s, it does not depend on what else runs on the machine. For the full collector it includes the queue consumer\'s work done during the rounds.',
      ...notes,
    ],
  };
});
