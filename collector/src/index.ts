import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { createDeps, type AppEnv } from './deps.ts';
import type { Env } from './env.ts';
import { archiveDeadLetters, deliver } from './forward.ts';
import { pruneInspectBatches } from './inspect.ts';
import { pruneSalts } from './salts.ts';
import { createD1Sink } from './sinks/d1.ts';
import { createR2Sink } from './sinks/r2.ts';
import type { Sink } from './sinks/sink.ts';
import { createWebhookSink } from './sinks/webhook.ts';

/**
 * Worker entry: wires bindings into the pure core. One app per isolate, created on the
 * first request (nothing happens at import), so the salt and key caches live as long as
 * the isolate does.
 */

let app: Hono<AppEnv> | undefined;

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

export default {
  fetch(request, env, ctx) {
    app ??= createApp(createDeps());
    return app.fetch(request, env, ctx);
  },

  async queue(batch, env) {
    if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) await archiveDeadLetters(batch, env.ARCHIVE, retryBase(env));
    else await deliver(batch, sinksFor(env), retryBase(env));
  },

  async scheduled(_controller, env) {
    const now = Date.now();
    await Promise.all([pruneSalts(env.DB, now), pruneInspectBatches(env.DB, now)]);
  },
} satisfies ExportedHandler<Env, unknown>;
