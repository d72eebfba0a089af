import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ForwardedRecord } from '../../../collector/src/core/record.ts';

export interface Delivery {
  at: number;
  status: number;
  records: ForwardedRecord[];
  /** A signed erasure notice (docs/rights.md) instead of records. */
  erasure?: { site: string; visitor_id: string; receipt_id: string; requested_at: string };
}

/**
 * A webhook receiver as an operator would run one: a real HTTP server that checks the
 * signature as docs/collector.md shows, and answers what `answer()` says (500 while
 * "down"). Every request is recorded with the status it got.
 */
export interface WebhookReceiver {
  url: string;
  secret: string;
  deliveries: Delivery[];
  /** Status for the next deliveries; 200 when it is up. */
  answer: (records: ForwardedRecord[]) => number;
  /** 2xx deliveries of each event id. */
  delivered(): Map<string, number>;
  /** Deliveries (any status) that carried `eventId`. */
  attemptsOf(eventId: string): Delivery[];
  close(): Promise<void>;
}

function verify(rawBody: string, header: string, secret: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest('hex');
  return (
    typeof parts.v1 === 'string' &&
    parts.v1.length === expected.length &&
    timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected))
  );
}

export async function startWebhookReceiver(secret = `e2e-${crypto.randomUUID()}`): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    secret,
    deliveries: [],
    answer: () => 200,
    delivered() {
      const counts = new Map<string, number>();
      for (const delivery of this.deliveries) {
        if (delivery.status >= 300) continue;
        for (const record of delivery.records) counts.set(record.event_id, (counts.get(record.event_id) ?? 0) + 1);
      }
      return counts;
    },
    attemptsOf(eventId) {
      return this.deliveries.filter((delivery) => delivery.records.some((record) => record.event_id === eventId));
    },
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = verify(body, String(request.headers['x-pathmark-signature'] ?? ''), secret);
      const parsed = signed ? (JSON.parse(body) as Pick<Delivery, 'erasure'> & { records?: ForwardedRecord[] }) : {};
      const records = parsed.records ?? [];
      const status = signed ? receiver.answer(records) : 401;
      receiver.deliveries.push({ at: Date.now(), status, records, ...(parsed.erasure ? { erasure: parsed.erasure } : {}) });
      response.writeHead(status).end();
    });
  });
  // Node closes idle connections after 5 s, while workerd may reuse one a little later: the
  // request is then lost on the way and never reaches the receiver. A minute, as nginx does.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pathmark`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
