import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { configurationProblems, sinkStates } from '../sinks/configured.ts';

/**
 * GET /healthz: the Worker is up and its configuration can deliver. 200 `{ status: "ok",
 * sinks }`, or 503 `{ status: "misconfigured", sinks, problems }` when a sink cannot work
 * or a binding is missing, so a monitor notices a webhook without its secret before the
 * dead letters pile up. Ingest still answers meanwhile. The check reads the configuration
 * only: bindings are exercised by real traffic, not by probes.
 */
export function healthRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => {
    const sinks = sinkStates(c.env);
    const problems = configurationProblems(c.env);
    const headers = { 'Cache-Control': 'no-store' };
    if (problems.length > 0) return c.json({ status: 'misconfigured', sinks, problems }, 503, headers);
    return c.json({ status: 'ok', sinks }, 200, headers);
  });
  return app;
}
