import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { ClientError } from '../http.ts';
import { inspectorEnabled } from '../loopback.ts';
import type { InspectResponse } from '../inspect.ts';
import { DEFAULT_INSPECT_LIMIT, MAX_INSPECT_LIMIT, readInspect } from '../inspect-store.ts';
import { listArchivedEvents } from '../sinks/r2.ts';

/**
 * GET /v1/inspect, GET /v1/inspect/archive and GET /inspector: development only. Unless
 * PATHMARK_INSPECTOR is "1" and the host is loopback, they are plain 404s, indistinguishable
 * from routes that do not exist.
 */
export function inspectRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const path of ['/v1/inspect', '/v1/inspect/*', '/inspector', '/inspector/*']) {
    app.use(path, async (c, next) => {
      if (!inspectorEnabled(c.env, c.req.url)) throw new ClientError(404, 'not_found', `${c.req.path}: no such route`);
      await next();
    });
  }
  app.get('/v1/inspect', async (c) => {
    const requested = c.req.query('limit');
    const limit = requested === undefined ? DEFAULT_INSPECT_LIMIT : Number(requested);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INSPECT_LIMIT) {
      throw new ClientError(400, 'invalid_query', `limit: expected an integer from 1 to ${MAX_INSPECT_LIMIT}`);
    }
    const body: InspectResponse = await readInspect(c.env.DB, limit);
    return c.json(body, 200, { 'Cache-Control': 'no-store' });
  });
  // What the R2 archive holds: each object's key and event ids (how many copies of an event it keeps).
  app.get('/v1/inspect/archive', async (c) => {
    const requested = c.req.query('limit');
    const limit = requested === undefined ? 1000 : Number(requested);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new ClientError(400, 'invalid_query', 'limit: expected an integer from 1 to 1000');
    return c.json(await listArchivedEvents(c.env.ARCHIVE, { limit, after: c.req.query('after') }), 200, {
      'Cache-Control': 'no-store',
    });
  });
  app.get('/inspector', (c) => c.env.ASSETS.fetch(new Request(new URL('/inspector/', c.req.url))));
  app.get('/inspector/*', (c) => c.env.ASSETS.fetch(c.req.raw));
  return app;
}
