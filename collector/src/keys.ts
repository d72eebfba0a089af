import type { KeyRef } from './core/anonymize.ts';
import type { Env } from './env.ts';
import { hmacKey, sha256Hex } from './core/hmac.ts';
import { isLoopbackHost } from './loopback.ts';

/**
 * Per-site pseudonymization keys for `granted` identifiers. Each site's secret is set
 * with `wrangler secret put PSEUDONYM_KEY_<SITE>`; the key id recorded in every record is
 * a short hash of the secret, so a privacy officer can tell which key was used without
 * seeing it. Without a secret, identifiers are dropped (fail closed), except on a
 * loopback host where a fixed development key keeps `npm start` working.
 */

const DEVELOPMENT_SECRET = 'pathmark-local-development-only';

export const secretName = (site: string): `PSEUDONYM_KEY_${string}` =>
  `PSEUDONYM_KEY_${site.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export class PseudonymKeys {
  #refs = new Map<string, KeyRef>();

  get(env: Env, site: string, requestUrl: string): KeyRef | null {
    const configured = env[secretName(site)];
    const secret = configured || (isLoopbackHost(requestUrl) ? DEVELOPMENT_SECRET : null);
    if (!secret) return null;
    let ref = this.#refs.get(secret);
    if (!ref) {
      ref = { id: `key:${sha256Hex(secret).slice(0, 12)}${configured ? '' : ':development'}`, key: hmacKey(secret) };
      this.#refs.set(secret, ref);
    }
    return ref;
  }
}
