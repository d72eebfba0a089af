import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { sha256Hex } from './core/hmac.ts';
import type { AppEnv } from './deps.ts';
import { isLoopbackHost } from './loopback.ts';

/** The cookie the /insights page may hold the token in (a browser cannot send a bearer header on navigation). */
export const INSIGHTS_COOKIE = 'pathmark_insights';

const digest = (value: string) => Buffer.from(sha256Hex(value), 'hex');

/**
 * Whether a request may read insights (the JSON reports and the /insights page): it carries
 * `Authorization: Bearer <INSIGHTS_TOKEN>` or the cookie `pathmark_insights=<INSIGHTS_TOKEN>`,
 * or it was made to a loopback host (local development: never true on Cloudflare's network,
 * see loopback.ts). Without an INSIGHTS_TOKEN secret, only loopback requests get in.
 */
export function insightsAccess(c: Context<AppEnv>): boolean {
  if (isLoopbackHost(c.req.url)) return true;
  const expected = c.env.INSIGHTS_TOKEN;
  if (!expected) return false;
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1]?.trim();
  const given = bearer ?? getCookie(c, INSIGHTS_COOKIE) ?? '';
  return isInsightsToken(expected, given);
}

/**
 * Whether `given` is the INSIGHTS_TOKEN (`expected`; never true without one). Compared as digests: equal
 * lengths, and no early exit that times the token out. The /insights login form checks a typed token with it.
 */
export function isInsightsToken(expected: string | undefined, given: string): boolean {
  if (!expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The answer to a request without access: 401 and nothing else, so a caller learns nothing about why. */
export function insightsUnauthorized(c: Context<AppEnv>): Response {
  return c.json({ error: 'unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store' });
}

/**
 * Guards insights routes with `insightsAccess`.
 *
 * @example
 * app.use('/v1/insights/*', requireInsightsAccess());
 */
export function requireInsightsAccess(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!insightsAccess(c)) return insightsUnauthorized(c);
    await next();
  };
}
