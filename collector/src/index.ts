import { env } from 'cloudflare:workers';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { handleQueue } from './consumer.ts';
import { createDeps, type AppEnv } from './deps.ts';
import type { Env } from './env.ts';
import { maintainInsights } from './insights-maintenance.ts';
import { pruneInspectBatches } from './inspect-store.ts';
import { eraseFromArchive } from './rights-archive-eraser.ts';
import { pruneSalts } from './salts.ts';
import { sitePolicies } from './sites.ts';
import { reportConfiguration } from './startup.ts';

/**
 * Worker entry: wires bindings into the pure core. One app per isolate, created on the
 * first request, so the salt and key caches live as long as the isolate does. Only the
 * default export is allowed here: workerd treats every named export of the entry module
 * as an entrypoint.
 */

// The one thing done when the module loads: a configuration that cannot deliver is
// reported as the Worker starts (that is when `wrangler dev` prints it), not first found
// by a message running out of retries.
reportConfiguration(env as unknown as Env);

let app: Hono<AppEnv> | undefined;

const HOURLY_CRON = '7 * * * *';

export default {
  fetch(request, env, ctx) {
    app ??= createApp(createDeps());
    return app.fetch(request, env, ctx);
  },

  queue: (batch, env) => handleQueue(batch, env),

  // Two crons (wrangler.toml): every minute the insights' rollups and retention; hourly the salts, inspector rows
  // and the archive rewrite of erasure requests (docs/rights.md states the bound that follows from it).
  async scheduled(controller, env) {
    const now = controller.scheduledTime;
    if (controller.cron === HOURLY_CRON) {
      await Promise.all([pruneSalts(env.DB, now), pruneInspectBatches(env.DB, now), eraseFromArchive(env, now)]);
    } else await maintainInsights(env.DB, sitePolicies(), now);
  },
} satisfies ExportedHandler<Env, unknown>;
