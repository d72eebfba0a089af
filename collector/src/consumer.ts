import { archiveDeadLetters } from './dead-letter-archive.ts';
import type { Env } from './env.ts';
import { deliverToSink, fanOut, type ForwardOptions } from './forward.ts';
import { retryBaseSeconds } from './retry.ts';
import { sinkTargets } from './sinks/configured.ts';
import { isSinkName } from './sinks/sink.ts';

/**
 * Queue wiring, by queue name: `…-dead-letters` is archived to R2, `…-sink-<sink>` is
 * written to that sink, and any other queue carries events to fan out (so events queues
 * can be sharded, docs/collector.md). The names are the ones in wrangler.toml.
 */

export type QueueRole = { role: 'dead-letters' } | { role: 'sink'; sink: string } | { role: 'events' };

export function queueRole(queue: string): QueueRole {
  if (queue.endsWith('-dead-letters')) return { role: 'dead-letters' };
  const sink = /-sink-([a-z0-9]+)$/.exec(queue)?.[1];
  return sink !== undefined ? { role: 'sink', sink } : { role: 'events' };
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const retryBase = retryBaseSeconds(env.RETRY_BASE_SECONDS);
  const options: ForwardOptions = { deadLetters: env.DEAD_LETTER_QUEUE, retryBaseSeconds: retryBase };
  const role = queueRole(batch.queue);
  if (role.role === 'dead-letters') return archiveDeadLetters(batch, env.ARCHIVE, retryBase);
  if (role.role === 'events') return fanOut(batch, sinkTargets(env), options);

  const name = role.sink;
  if (!isSinkName(name)) throw new Error(`pathmark: queue ${batch.queue} names no known sink (r2, d1, webhook)`);
  const target = sinkTargets(env).find((candidate) => candidate.name === name);
  // Messages queued before their sink was switched off or broke end as dead letters, for a replay.
  const sink = target?.sink ?? {
    name,
    write: () => Promise.reject(new Error(target?.problem ?? `${name} sink: off in this deployment (FORWARD_URL is empty)`)),
  };
  return deliverToSink(batch, sink, options);
}
