import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import type { Context, Env as HonoEnv, MiddlewareHandler } from 'hono';
import { sha256Hex } from './core/hmac.ts';
import { ClientError } from './http.ts';
import { isLoopbackHost } from './loopback.ts';

export interface AdminAuthOptions<E extends HonoEnv> {
  /** The operator's token (a secret), or undefined when none is configured. */
  token: (c: Context<E>) => string | undefined;
}

const digest = (value: string) => Buffer.from(sha256Hex(value), 'hex');

/**
 * Guards operator routes. With a token configured, a request needs
 * `Authorization: Bearer <token>` (401 otherwise). Without one, the routes answer only on
 * a loopback host (wrangler dev) and are a plain 404 anywhere else, like a route that does
 * not exist.
 *
 * @example
 * app.use('/v1/admin/*', adminAuth({ token: (c) => c.env.ADMIN_TOKEN }));
 */
export function adminAuth<E extends HonoEnv>({ token }: AdminAuthOptions<E>): MiddlewareHandler<E> {
  return async (c, next) => {
    const expected = token(c);
    if (!expected) {
      if (!isLoopbackHost(c.req.url)) throw new ClientError(404, 'not_found', `${c.req.path}: no such route`);
      return next();
    }
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1]?.trim() ?? '';
    // Compared as digests: equal lengths, and no early exit that times the token out.
    if (!timingSafeEqual(digest(given), digest(expected))) {
      throw new ClientError(401, 'unauthorized', 'Authorization: expected "Bearer <ADMIN_TOKEN>"', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    return next();
  };
}
