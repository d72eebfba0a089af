import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import worker from '../src/index.ts';
import type { Env } from '../src/env.ts';
import { decodeMessage } from '../src/core/queue-message.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import type { PopulationSend } from '../test-core/support/batches.ts';
import { CHROME_UA, makeBatch } from '../test-core/support/pipeline.ts';

export { CHROME_UA, makeBatch, makeEvent, newId } from '../test-core/support/pipeline.ts';

export const ORIGIN = 'http://localhost:8787';
export const ENDPOINT = 'http://localhost:8787/v1/events';

let counter = 0;
/** A unique documentation-range IP per call, so tests never share a rate-limit bucket. */
export const newIp = (): string => `198.51.${Math.floor(++counter / 250) % 250}.${(counter % 250) + 1}`;

export interface PostOptions {
  headers?: Record<string, string>;
  country?: string;
  ip?: string;
  userAgent?: string;
  method?: string;
  url?: string;
  env?: Env;
  /** false: keep the queue messages out of the real queue (the test consumes them itself). */
  forward?: boolean;
}

/** A request as a browser on the demo origin would send it, with `cf` injected. */
export function eventsRequest(body: unknown, options: PostOptions = {}): Request<unknown, IncomingRequestCfProperties> {
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain;charset=UTF-8',
    Origin: ORIGIN,
    'User-Agent': options.userAgent ?? CHROME_UA,
    'CF-Connecting-IP': options.ip ?? newIp(),
    ...options.headers,
  };
  const method = options.method ?? 'POST';
  const text = method === 'GET' || method === 'HEAD' ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  // A Request built in code has no Content-Length; a browser's always has one.
  if (text !== undefined) headers['Content-Length'] ??= String(new TextEncoder().encode(text).byteLength);
  return new Request(options.url ?? ENDPOINT, {
    method,
    headers,
    body: text,
    cf: { country: options.country ?? 'US', regionCode: 'CA' },
  }) as unknown as Request<unknown, IncomingRequestCfProperties>;
}

/**
 * Queue producer that records what it is given and passes it on to the real queue, or,
 * with `forward: false`, keeps it (for tests that run the consumer on it themselves).
 */
export function recordingQueue(queue: Queue<string>, forward = true): Queue<string> & { sent: string[] } {
  const sent: string[] = [];
  const accepted = { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as unknown as QueueSendResponse;
  return {
    sent,
    async send(body, options) {
      sent.push(body);
      return forward ? queue.send(body, options) : accepted;
    },
    async sendBatch(messages, options) {
      const list = [...messages];
      sent.push(...list.map((message) => message.body));
      return forward ? queue.sendBatch(list, options) : (accepted as unknown as QueueSendBatchResponse);
    },
    metrics: () => queue.metrics(),
  };
}

export interface Posted {
  response: Response;
  body: any;
  /** Raw strings the Worker put on the queue for this request. */
  queued: string[];
  records: ForwardedRecord[];
}

/** Calls the Worker's fetch handler with the real bindings, recording queue messages. */
export async function post(body: unknown, options: PostOptions = {}): Promise<Posted> {
  const queue = recordingQueue((options.env ?? env).EVENTS_QUEUE, options.forward ?? true);
  const ctx = createExecutionContext();
  const response = await worker.fetch(eventsRequest(body, options), { ...(options.env ?? env), EVENTS_QUEUE: queue }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the assertion message.
  }
  const records = queue.sent.flatMap((message) => decodeMessage(message).records);
  return { response, body: parsed, queued: queue.sent, records };
}

/** Runs the Worker's queue handler on `bodies` as one consumer batch of `queue`, first attempts. */
export async function consume(queue: string, bodies: readonly string[], bindings: Env = env as Env) {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }));
  const batch = createMessageBatch<string>(queue, messages);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, bindings);
  return getQueueResult(batch, ctx);
}

/** Runs `queue`'s consumer on `bodies` in consumer batches of 100 (max_batch_size); none may be retried. */
export async function consumeAll(queue: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 100) {
    expect((await consume(queue, bodies.slice(i, i + 100))).retryMessages).toEqual([]);
  }
}

/** Posts each send of a scripted population as its own batch, not forwarded; every event must be accepted. */
export async function postPopulation(
  sends: readonly PopulationSend[],
): Promise<{ queued: string[]; records: ForwardedRecord[] }> {
  const queued: string[] = [];
  const records: ForwardedRecord[] = [];
  for (const send of sends) {
    const posted = await post(makeBatch(send.events, { consent: send.consent, sent_at: Date.now() }), {
      forward: false,
      ip: send.ip,
      userAgent: CHROME_UA,
    });
    expect(posted.body).toEqual({ accepted: send.events.length, rejected: [] });
    queued.push(...posted.queued);
    records.push(...posted.records);
  }
  return { queued, records };
}

/** Calls the Worker's fetch handler with a GET (or the given init) on `url`; answers status and parsed JSON. */
export async function call(
  url: string,
  init: RequestInit = {},
  options: { env?: Env } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const ctx = createExecutionContext();
  const request = new Request(url, init) as unknown as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(request, options.env ?? env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the assertion message.
  }
  return { status: response.status, body, headers: response.headers };
}

/**
 * Records with every identifier prefixed and moved to `site`, so that tests sharing a database
 * with other tests' copies of the same scripted population never share an event, page, search,
 * visitor or transaction.
 */
export function relabelled<R extends ForwardedRecord>(records: readonly R[], prefix: string, site: string): R[] {
  return records.map((record) => {
    const props = { ...record.props };
    if (typeof props.search_id === 'string') props.search_id = `${prefix}${props.search_id}`;
    if (typeof props.transaction_id === 'string') props.transaction_id = `${prefix}${props.transaction_id}`;
    return {
      ...record,
      site,
      event_id: `${prefix}${record.event_id}`,
      batch_id: `${prefix}${record.batch_id}`,
      page_id: `${prefix}${record.page_id}`,
      visitor_id: `${prefix}${record.visitor_id}`,
      ...(record.session_id !== undefined && { session_id: `${prefix}${record.session_id}` }),
      props,
    };
  });
}

/** A report's figures per mode, without the coverage (checked on its own). */
export function figuresOf(report: { modes: Record<'granted' | 'anonymous', { coverage: object }> }) {
  const { coverage: _g, ...granted } = report.modes.granted;
  const { coverage: _a, ...anonymous } = report.modes.anonymous;
  return { granted, anonymous };
}
