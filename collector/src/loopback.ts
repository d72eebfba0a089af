import type { Env } from './env.ts';
import { parseUrl } from './core/urls.ts';

/**
 * Local development is recognised by the request's host, which on Cloudflare's network
 * is always the Worker's public hostname: development conveniences can never switch on there.
 */

/** True only for requests to this machine (wrangler dev, tests): never true on Cloudflare's network. */
export function isLoopbackHost(url: string): boolean {
  const host = parseUrl(url)?.hostname ?? '';
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

/**
 * The inspector (raw batches, kept in D1) runs only when PATHMARK_INSPECTOR=1 *and* on a
 * loopback host: a deployment that ships the variable by mistake still stores and shows nothing.
 */
export function inspectorEnabled(env: Env, requestUrl: string): boolean {
  return env.PATHMARK_INSPECTOR === '1' && isLoopbackHost(requestUrl);
}
