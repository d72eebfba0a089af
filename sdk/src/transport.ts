import { MAX_BODY_BYTES, MAX_EVENTS_PER_BATCH, type Batch, type PathmarkEvent } from './protocol.ts';
import { byteLength } from './lib/byteLength.ts';

/** What became of one request. */
export interface Delivery {
  /** HTTP status; 0 for a network error. */
  code: number;
  /** From `Retry-After`, in ms. */
  retryAfter?: number;
}

export type Transport = (body: string, hidden: boolean) => Promise<Delivery>;

/** The batch fields other than `events` and `sent_at`. */
export type Envelope = Omit<Batch, 'events' | 'sent_at'>;

/** Network errors, 5xx, 408 and 429 are worth retrying; other 4xx will fail again. */
export const isRetryable = (code: number) => !code || code > 499 || code == 408 || code == 429;

/**
 * POSTs JSON as a string body, which fetch labels `text/plain;charset=UTF-8`:
 * a CORS "simple request" that needs no preflight. When the page is being
 * hidden the request must outlive it: a `keepalive` fetch (what `sendBeacon`
 * does, but with a response to read while the page is still alive).
 */
export function createTransport(endpoint: string | URL, fetchImpl?: typeof fetch, timeoutMs = 3e4): Transport {
  return async (body, hidden) => {
    try {
      // A request that never answers would hold the sender lock, and stop delivery, until the page goes. 30 s
      // lets a full 64 KB body through an uplink of about 20 kbit/s; a page's last request is never cut (the page
      // may live on). A timed-out request may still have arrived: the retry carries the same event ids.
      const signal = hidden ? undefined : AbortSignal.timeout?.(timeoutMs);
      const response = await (fetchImpl ?? fetch)(endpoint, { method: 'POST', body, keepalive: hidden, signal });
      // Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3).
      const header = response.headers.get('retry-after');
      return {
        code: response.status,
        retryAfter: header ? (+header >= 0 ? +header * 1000 : Date.parse(header) - Date.now()) : undefined,
      };
    } catch {
      return { code: 0 };
    }
  };
}

/**
 * Cuts events into request bodies of at most `maxBytes` and
 * `MAX_EVENTS_PER_BATCH` events: keepalive requests and beacons share a
 * 64 KB in-flight budget per page, and the collector refuses bigger bodies.
 * (Events bigger than a request are refused at capture.) `dropped` is
 * reported in the first body only.
 */
export function splitIntoBodies(envelope: Envelope, events: PathmarkEvent[], sentAt: number, maxBytes = MAX_BODY_BYTES) {
  const bodies: { body: string; events: PathmarkEvent[] }[] = [];
  let head = '';
  let parts: string[] = [];
  let chunk: PathmarkEvent[] = [];
  let size = 0;
  const close = () => {
    if (chunk.length) bodies.push({ body: `${head}${parts.join()}]}`, events: chunk });
    head = JSON.stringify({
      ...envelope,
      dropped: bodies.length ? undefined : envelope.dropped,
      sent_at: sentAt,
      events: [],
    }).slice(0, -2);
    size = byteLength(head) + 2;
    parts = [];
    chunk = [];
  };
  close();
  for (const event of events) {
    const json = JSON.stringify(event);
    const bytes = byteLength(json) + 1;
    if (size + bytes > maxBytes || chunk.length == MAX_EVENTS_PER_BATCH) close();
    parts.push(json);
    chunk.push(event);
    size += bytes;
  }
  close();
  return bodies;
}
