import { Hono } from 'hono';
import { adminAuth } from '../admin-auth.ts';
import { listDeadLetters, replayDeadLetters } from '../dead-letter-archive.ts';
import type { DeadLetterSink } from '../dead-letters.ts';
import type { AppEnv } from '../deps.ts';
import { ClientError } from '../http.ts';
import { sinkTargets } from '../sinks/configured.ts';
import { isSinkName, type Sink, type SinkName } from '../sinks/sink.ts';

/**
 * Operator routes for dead letters (`npm run dead-letters`, docs/collector.md), behind
 * ADMIN_TOKEN:
 * - GET /v1/admin/dead-letters?sink=webhook&limit=100&after=<key>: archived letters, without their messages.
 * - POST /v1/admin/dead-letters/replay?sink=webhook&limit=10&after=<key>: writes up to `limit`
 *   archive objects into the sink that failed and deletes them; go on with `after=<next>`
 *   while `next` is not null.
 */
export function deadLettersRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/*', adminAuth<AppEnv>({ token: (c) => c.env.ADMIN_TOKEN }));

  app.get('/v1/admin/dead-letters', async (c) => {
    const query = {
      sink: sinkQuery(c.req.query('sink')),
      limit: limitQuery(c.req.query('limit'), 100, 1000),
      after: c.req.query('after'),
    };
    return c.json(await listDeadLetters(c.env.ARCHIVE, query), 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/v1/admin/dead-letters/replay', async (c) => {
    const query = {
      sink: sinkQuery(c.req.query('sink')),
      limit: limitQuery(c.req.query('limit'), 10, 100),
      after: c.req.query('after'),
    };
    const targets = sinkTargets(c.env);
    const available = new Map<SinkName, Sink>(
      targets.flatMap((target) => (target.sink ? [[target.name, target.sink] as const] : [])),
    );
    const problems = new Map(targets.flatMap((target) => (target.problem ? [[target.name, target.problem] as const] : [])));
    return c.json(await replayDeadLetters(c.env.ARCHIVE, { available, problems }, query), 200, { 'Cache-Control': 'no-store' });
  });
  return app;
}

function sinkQuery(value: string | undefined): DeadLetterSink | undefined {
  if (value === undefined || value === '') return undefined;
  if (isSinkName(value) || value === 'unknown') return value;
  throw new ClientError(400, 'invalid_query', 'sink: expected r2, d1, webhook or unknown');
}

function limitQuery(value: string | undefined, fallback: number, max: number): number {
  const limit = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new ClientError(400, 'invalid_query', `limit: expected an integer from 1 to ${max}`);
  return limit;
}
