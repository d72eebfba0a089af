import { Hono } from 'hono';
import pathmarkScript from '../../../sdk/dist/pathmark.js';
import vitalsScript from '../../../sdk/dist/pathmark-vitals.js';
import deliveryScript from '../../../sdk/dist/pathmark-delivery.js';
import type { AppEnv } from '../deps.ts';
import { sha256Hex } from '../core/hmac.ts';

/**
 * GET /pathmark.js and the parts it loads lazily from beside itself (/pathmark-vitals.js, /pathmark-delivery.js):
 * the SDK served first-party, so a site loads it and sends events to the same origin (no third-party request to
 * block or consent to).
 * The URL carries no version, so caching is a day with a week of stale-while-revalidate
 * and an ETag: a new SDK reaches every page within a day, unchanged ones cost a 304.
 */
export function scriptRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const etags = new Map<string, string>();
  const serve = (name: string, source: string) =>
    app.get(`/${name}`, (c) => {
      let etag = etags.get(name);
      if (!etag) {
        etag = `"${sha256Hex(source).slice(0, 32)}"`;
        etags.set(name, etag);
      }
      const headers = {
        ETag: etag,
        'Cache-Control': 'public, max-age=86400, stale-while-revalidate=604800',
        // pathmark.js loads its parts with import(), a CORS request when the SDK is cross-origin.
        'Access-Control-Allow-Origin': '*',
        'X-Content-Type-Options': 'nosniff',
      };
      const match = c.req
        .header('If-None-Match')
        ?.split(',')
        .some((tag) => tag.trim().replace(/^W\//, '') === headers.ETag);
      if (match) return c.body(null, 304, headers);
      return c.body(source, 200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' });
    });
  serve('pathmark.js', pathmarkScript);
  serve('pathmark-vitals.js', vitalsScript);
  serve('pathmark-delivery.js', deliveryScript);
  return app;
}
