import { SIGNATURE_HEADER, signWebhookBody } from '../src/sinks/webhook.ts';
import type { ForwardedRecord } from '../src/core/record.ts';

export const WEBHOOK_URL = 'https://webhook.pathmark.test/ingest';
export const WEBHOOK_SECRET = 'test-only-webhook-secret';

export interface Delivery {
  status: number;
  records: ForwardedRecord[];
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
    const records = (JSON.parse(body) as { records: ForwardedRecord[] }).records;
    const status = !signatureValid ? 401 : webhook.failWhen(records) ? 500 : 200;
    webhook.deliveries.push({ status, records, body, signatureValid });
    return new Response(null, { status });
  };
}
