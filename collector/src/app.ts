import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorResponse } from '#protocol';
import type { AppEnv, CollectorDeps } from './deps.ts';
import { ClientError } from './http.ts';
import { configRoute } from './routes/config.ts';
import { deadLettersRoute } from './routes/dead-letters.ts';
import { eventsRoute } from './routes/events.ts';
import { healthRoute } from './routes/health.ts';
import { insightsAdminRoute } from './routes/insights-admin.ts';
import { insightsPageRoute } from './routes/insights-page.ts';
import { insightsRoute } from './routes/insights.ts';
import { inspectRoute } from './routes/inspect.ts';
import { rightsRoute } from './routes/rights.ts';
import { scriptRoute } from './routes/script.ts';

/**
 * The HTTP side of the collector. Every answer that is not a success is JSON
 * `{ error, detail }`; a client fault is always a 4xx, and a fault of ours (a binding
 * down) a 503 with Retry-After so the SDK keeps the batch and tries again.
 */
export function createApp(deps: CollectorDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/', eventsRoute(deps));
  app.route('/', configRoute(deps));
  app.route('/', scriptRoute());
  app.route('/', healthRoute());
  app.route('/', inspectRoute());
  app.route('/', insightsPageRoute(deps));
  app.route('/', deadLettersRoute());
  app.route('/', insightsRoute(deps));
  app.route('/', insightsAdminRoute(deps));
  app.route('/', rightsRoute(deps));

  app.notFound((c) => c.json<ErrorResponse>({ error: 'not_found', detail: `${c.req.path}: no such route` }, 404));
  app.onError((error, c) => {
    if (error instanceof ClientError) {
      return c.json<ErrorResponse>({ error: error.code, detail: error.detail }, error.status, error.headers);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json<ErrorResponse>({ error: 'bad_request', detail: error.message || 'request: rejected' }, error.status);
    }
    console.error('pathmark: unexpected error', error);
    return c.json<ErrorResponse>({ error: 'unavailable', detail: 'collector: temporarily unavailable; retry later' }, 503, {
      'Retry-After': '30',
    });
  });
  return app;
}
