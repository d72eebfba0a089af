import type { Context, Env as HonoEnv, MiddlewareHandler } from 'hono';

export interface SiteCorsOptions<E extends HonoEnv> {
  /** Origins allowed for this request (e.g. the site's `allowed_origins`). */
  allowedOrigins: (c: Context<E>) => ReadonlySet<string>;
  /** Methods announced in preflight answers. */
  methods: readonly string[];
  /** Seconds a browser may cache a preflight answer. */
  maxAge?: number;
}

/**
 * CORS limited to a site's own origins. Answers preflights (204 when allowed, 403 JSON
 * when not) and adds `Access-Control-Allow-Origin` to answers for allowed origins only;
 * a request from any other origin gets no CORS headers, so its page cannot read the answer.
 *
 * @example
 * app.use('/v1/config/:site', siteCors({ allowedOrigins: (c) => origins.of(policies.get(c.req.param('site')), c.env), methods: ['GET'] }));
 */
export function siteCors<E extends HonoEnv>({
  allowedOrigins,
  methods,
  maxAge = 86400,
}: SiteCorsOptions<E>): MiddlewareHandler<E> {
  return async (c, next) => {
    const origin = c.req.header('Origin');
    const allowed = origin !== undefined && allowedOrigins(c).has(origin);
    if (c.req.method === 'OPTIONS') {
      if (!allowed) {
        return c.json({ error: 'origin_not_allowed', detail: `Origin: ${origin ?? '(none)'} is not allowed` }, 403, {
          Vary: 'Origin',
        });
      }
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': methods.join(', '),
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': String(maxAge),
        Vary: 'Origin',
      });
    }
    await next();
    c.res.headers.append('Vary', 'Origin');
    if (allowed) c.res.headers.set('Access-Control-Allow-Origin', origin);
  };
}
