import type { Env } from './env.ts';
import { archiveDeadLetters, deliver } from './forward.ts';
import { createD1Sink } from './sinks/d1.ts';
import { createR2Sink } from './sinks/r2.ts';
import type { Sink } from './sinks/sink.ts';
import { createWebhookSink } from './sinks/webhook.ts';

/** Queue wiring: which sinks a deployment has, and which queue is the dead-letter one. */

export const DEAD_LETTER_SUFFIX = '-dlq';
const DEFAULT_RETRY_BASE_SECONDS = 10;

export function sinksFor(env: Env): Sink[] {
  const sinks = [createR2Sink(env.ARCHIVE), createD1Sink(env.DB)];
  if (env.FORWARD_URL) sinks.push(createWebhookSink({ url: env.FORWARD_URL, secret: env.WEBHOOK_SECRET }));
  return sinks;
}

function retryBase(env: Env): number {
  const value = Number(env.RETRY_BASE_SECONDS);
  return env.RETRY_BASE_SECONDS !== undefined && env.RETRY_BASE_SECONDS !== '' && Number.isFinite(value) && value >= 0
    ? value
    : DEFAULT_RETRY_BASE_SECONDS;
}

/** Main queue → all sinks; dead-letter queue (`…-dlq`) → R2 `dead-letter/` archive. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) await archiveDeadLetters(batch, env.ARCHIVE, retryBase(env));
  else await deliver(batch, sinksFor(env), retryBase(env));
}
