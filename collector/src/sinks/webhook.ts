import { hmacHex, hmacKey } from '../core/hmac.ts';
import { recordsOf, type Sink } from './sink.ts';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const SIGNATURE_HEADER = 'X-Pathmark-Signature';

export interface WebhookOptions {
  url: string;
  /** Shared secret; the receiver recomputes the signature to authenticate the body. */
  secret: string | undefined;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Signs `body` for the webhook; exported so receivers (and tests) can verify the same way. */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmacHex(hmacKey(secret), `${timestamp}.${body}`)}`;
}

/**
 * POSTs `{ records }` as JSON. Any non-2xx answer or network error throws, so the queue
 * retries the messages. Unsigned delivery is refused; a deployment without WEBHOOK_SECRET
 * never gets here (sinks/configured.ts reports it and the fan-out does not queue for it).
 */
export function createWebhookSink({ url, secret, fetch: doFetch = fetch, now = Date.now }: WebhookOptions): Sink {
  return {
    name: 'webhook',
    async write(messages) {
      if (!secret) throw new Error('FORWARD_URL is set but WEBHOOK_SECRET is not: refusing to send unsigned');
      const body = JSON.stringify({ records: recordsOf(messages) });
      const timestamp = Math.floor(now() / 1000);
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(secret, timestamp, body) },
        body,
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    },
  };
}
