import type { Env } from '../env.ts';
import { parseRetryBase } from '../retry.ts';
import { skippingErased } from '../rights-store.ts';
import { sitePolicies } from '../sites.ts';
import { createD1Sink } from './d1.ts';
import { createR2Sink } from './r2.ts';
import { SINK_NAMES, type Sink, type SinkName } from './sink.ts';
import { createWebhookSink } from './webhook.ts';

/**
 * Which sinks a deployment has, and whether each can work. A sink that cannot (a webhook
 * URL without its secret, a missing binding) is reported by /healthz and logged when the
 * Worker starts; the fan-out dead-letters its messages at once instead of queuing them
 * for attempts that cannot succeed, so they are replayed once the configuration is fixed.
 */

export interface SinkTarget {
  name: SinkName;
  /** The sink's own queue, which the fan-out fills. */
  queue: Queue<string> | undefined;
  /** Null when the sink cannot work; `problem` says why. */
  sink: Sink | null;
  problem: string | null;
}

export type SinkState = 'ok' | 'off' | { problem: string };

const missing = (binding: string, what: string) => `${binding} (${what} binding) is missing from wrangler.toml`;

function webhookProblem(env: Env): string | null {
  const url = env.FORWARD_URL ?? '';
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    return `FORWARD_URL "${url.slice(0, 200)}" is not an http(s) URL`;
  if (!env.WEBHOOK_SECRET)
    return 'FORWARD_URL is set but WEBHOOK_SECRET is not: nothing is sent unsigned (wrangler secret put WEBHOOK_SECRET)';
  if (!env.SINK_QUEUE_WEBHOOK) return missing('SINK_QUEUE_WEBHOOK', 'queue');
  return null;
}

/** Every sink this deployment has: R2 and D1 always, the webhook when FORWARD_URL is set. */
export function sinkTargets(env: Env): SinkTarget[] {
  const targets: SinkTarget[] = [];
  // Every sink skips the records of erased visitors (rights-store.ts): one check before any write, whatever the path
  // to the sink (a sink queue, its retries, a dead-letter replay).
  const add = (name: SinkName, queue: Queue<string> | undefined, problem: string | null, create: () => Sink) =>
    targets.push({ name, queue, problem, sink: problem ? null : env.DB ? skippingErased(create(), env.DB) : create() });

  add(
    'r2',
    env.SINK_QUEUE_R2,
    !env.ARCHIVE ? missing('ARCHIVE', 'R2 bucket') : !env.SINK_QUEUE_R2 ? missing('SINK_QUEUE_R2', 'queue') : null,
    () => createR2Sink(env.ARCHIVE),
  );
  add(
    'd1',
    env.SINK_QUEUE_D1,
    !env.DB ? missing('DB', 'D1 database') : !env.SINK_QUEUE_D1 ? missing('SINK_QUEUE_D1', 'queue') : null,
    () => createD1Sink(env.DB, { pageTypes: (site) => sitePolicies().get(site)?.page_types }),
  );
  if (env.FORWARD_URL) {
    add('webhook', env.SINK_QUEUE_WEBHOOK, webhookProblem(env), () =>
      createWebhookSink({ url: env.FORWARD_URL!, secret: env.WEBHOOK_SECRET }),
    );
  }
  return targets;
}

/** Each sink's state, for /healthz. */
export function sinkStates(env: Env): Record<SinkName, SinkState> {
  const targets = new Map(sinkTargets(env).map((target) => [target.name, target]));
  return Object.fromEntries(
    SINK_NAMES.map((name) => {
      const target = targets.get(name);
      return [name, !target ? 'off' : target.problem ? { problem: target.problem } : 'ok'];
    }),
  ) as Record<SinkName, SinkState>;
}

/** Everything in this deployment's configuration that stops events from being delivered or kept. */
export function configurationProblems(env: Env): string[] {
  const problems = sinkTargets(env).flatMap((target) => (target.problem ? [`${target.name} sink: ${target.problem}`] : []));
  if (!env.EVENTS_QUEUE) problems.push(`ingest: ${missing('EVENTS_QUEUE', 'queue')}`);
  if (!env.DEAD_LETTER_QUEUE)
    problems.push(`dead letters: ${missing('DEAD_LETTER_QUEUE', 'queue')}; a message that runs out of retries would be lost`);
  if (parseRetryBase(env.RETRY_BASE_SECONDS) === null) {
    problems.push(`retries: RETRY_BASE_SECONDS "${env.RETRY_BASE_SECONDS}" is not a number of seconds ≥ 0; the default is used`);
  }
  return problems;
}
