import { createHash, createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 and SHA-256 through `node:crypto` (the Worker runs with `nodejs_compat`).
 * Synchronous, unlike WebCrypto, so the pipeline is a plain function with no promise per
 * event. One HMAC costs about 5 µs either way in workerd; in Node, where the pipeline
 * benchmark runs, WebCrypto hands each call to the thread pool (about 16 µs against 2).
 */

/** Key material for `hmacHex`: the secret's bytes (a string secret is taken as UTF-8). */
export type HmacKey = Uint8Array;

const encoder = new TextEncoder();

export const hmacKey = (secret: string | Uint8Array): HmacKey => (typeof secret === 'string' ? encoder.encode(secret) : secret);

/** Hex HMAC-SHA256 of `message` (UTF-8), truncated to its first `bytes` bytes. */
export const hmacHex = (key: HmacKey, message: string, bytes = 32): string =>
  createHmac('sha256', key)
    .update(message)
    .digest('hex')
    .slice(0, bytes * 2);

export const sha256Hex = (message: string): string => createHash('sha256').update(message).digest('hex');
