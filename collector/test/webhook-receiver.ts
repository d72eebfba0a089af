import { SIGNATURE_HEADER, signWebhookBody } from '../src/sinks/webhook.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import type { ErasureNotice } from '../src/core/rights/erasure.ts';

export const WEBHOOK_URL = 'https://webhook.pathmark.test/ingest';
export const WEBHOOK_SECRET = 'test-only-webhook-secret';

export interface Delivery {
  status: number;
  records: ForwardedRecord[];
  /** An erasure notice (docs/rights.md) instead of records. */
  erasure?: ErasureNotice['erasure'];
  body: string;
  signatureValid: boolean;
}

/**
 * A fake webhook endpoint behind `fetch` (the Worker runs in the tests' isolate, so the
 * queue consumer's fetch lands here). It checks the signature like a real receiver and
 * fails deliveries that `failWhen` selects.
 */
export const webhook = {
  deliveries: [] as Delivery[],
  failWhen: (_records: ForwardedRecord[]): boolean => false,
  reset() {
    this.deliveries = [];
    this.failWhen = () => false;
  },
};

export function installWebhookReceiver(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(WEBHOOK_URL)) return realFetch(input, init);
    const body = await request.text();
    const signature = request.headers.get(SIGNATURE_HEADER) ?? '';
    const timestamp = Number(/t=(\d+)/.exec(signature)?.[1]);
    const signatureValid = signature === signWebhookBody(WEBHOOK_SECRET, timestamp, body);
    const parsed = JSON.parse(body) as { records?: ForwardedRecord[] } & Partial<ErasureNotice>;
    const records = parsed.records ?? [];
    const status = !signatureValid ? 401 : webhook.failWhen(records) ? 500 : 200;
    webhook.deliveries.push({ status, records, body, signatureValid, ...(parsed.erasure ? { erasure: parsed.erasure } : {}) });
    return new Response(null, { status });
  };
}
