import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

/** GET /healthz: the Worker is up. Bindings are exercised by real traffic, not by probes. */
export function healthRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store' }));
  return app;
}
