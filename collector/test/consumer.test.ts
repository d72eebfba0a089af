import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterSummary } from '../src/dead-letters.ts';
import type { Env } from '../src/env.ts';
import worker from '../src/index.ts';
import { SEND_BATCH_MAX_BYTES, SEND_BATCH_MAX_MESSAGES, sendBatchGroups } from '../src/queue-send.ts';
import { decodeMessage } from '../src/core/queue-message.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import { MAX_ATTEMPTS, retryDelaySeconds } from '../src/retry.ts';
import { createWebhookSink, signWebhookBody } from '../src/sinks/webhook.ts';
import { eventsRequest, makeBatch, makeEvent, post, recordingQueue } from './support.ts';
import { WEBHOOK_SECRET, webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

interface Consumed {
  result: Awaited<ReturnType<typeof getQueueResult>>;
  ids: string[];
  retryDelays: (number | undefined)[];
}

/** Runs the Worker's queue handler on `bodies` as one consumer batch of `queue`. */
async function consume(queue: string, bodies: string[], { attempts = 1, bindings = env as Env } = {}): Promise<Consumed> {
  const messages = bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch<string>(queue, messages);
  // getQueueResult reports which messages were retried but not their delay: spy on it.
  const delays = batch.messages.map((message) => vi.spyOn(message, 'retry'));
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, bindings);
  return {
    result: await getQueueResult(batch, ctx),
    ids: messages.map((message) => message.id),
    retryDelays: delays.flatMap((spy) => spy.mock.calls.map(([options]) => options?.delaySeconds)),
  };
}

/** Bindings whose sink and dead-letter queues keep what they are given instead of passing it on. */
function recordingBindings(overrides: Partial<Env> = {}) {
  const queues = {
    r2: recordingQueue(env.SINK_QUEUE_R2, false),
    d1: recordingQueue(env.SINK_QUEUE_D1, false),
    webhook: recordingQueue(env.SINK_QUEUE_WEBHOOK, false),
    deadLetters: recordingQueue(env.DEAD_LETTER_QUEUE, false),
  };
  const bindings = {
    ...env,
    SINK_QUEUE_R2: queues.r2,
    SINK_QUEUE_D1: queues.d1,
    SINK_QUEUE_WEBHOOK: queues.webhook,
    DEAD_LETTER_QUEUE: queues.deadLetters,
    ...overrides,
  } as Env;
  const letters = () => queues.deadLetters.sent.map((body) => JSON.parse(body) as DeadLetter);
  return { queues, bindings, letters };
}

async function d1Rows(eventIds: string[]) {
  const { results } = await env.DB.prepare(`SELECT event_id FROM events WHERE event_id IN (${eventIds.map(() => '?').join(',')})`)
    .bind(...eventIds)
    .all<{ event_id: string }>();
  return results.map((row) => row.event_id);
}

async function r2ObjectsContaining(prefix: string, needle: string): Promise<{ key: string; text: string }[]> {
  const found: { key: string; text: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.ARCHIVE.list({ prefix, cursor });
    for (const object of page.objects) {
      const text = await (await env.ARCHIVE.get(object.key))!.text();
      if (text.includes(needle)) found.push({ key: object.key, text });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return found;
}

/** Lines of the R2 events archive that hold `eventId`: one per copy. */
async function archivedCopies(eventId: string): Promise<number> {
  const objects = await r2ObjectsContaining('events/', eventId);
  return objects
    .flatMap(({ text }) => text.trimEnd().split('\n'))
    .filter((line) => (JSON.parse(line) as ForwardedRecord).event_id === eventId).length;
}

const webhookDeliveriesOf = (eventId: string) =>
  webhook.deliveries.filter((delivery) => delivery.records.some((record) => record.event_id === eventId));

async function waitUntil<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

describe('fan-out (events queue)', () => {
  it('copies each message once to the queue of every sink, then acks', async () => {
    const { queued } = await post(makeBatch([makeEvent(), makeEvent()]), { forward: false });
    const { queues, bindings } = recordingBindings();
    const { result, ids } = await consume('pathmark-events', queued, { bindings });
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    for (const queue of [queues.r2, queues.d1, queues.webhook]) expect(queue.sent).toEqual(queued);
    expect(queues.deadLetters.sent).toEqual([]);
  });

  it('keeps each sendBatch within 100 messages and 256 KB', async () => {
    expect(sendBatchGroups(Array.from({ length: 250 }, () => 500)).map((group) => group.length)).toEqual([100, 100, 50]);
    const large = sendBatchGroups(Array.from({ length: 5 }, () => 100_000));
    expect(large.map((group) => group.length)).toEqual([2, 2, 1]);
    expect(sendBatchGroups([127_000, 127_000, 1_900])).toEqual([[0, 1], [2]]);

    // Through the consumer: 150 messages of about 3 KB each, 450 KB in all.
    const events = Array.from({ length: 150 }, () => makeEvent({ title: 'x'.repeat(2_000) }));
    const bodies = (await Promise.all(events.map((event) => post(makeBatch([event]), { forward: false })))).flatMap(
      (posted) => posted.queued,
    );
    expect(bodies).toHaveLength(150);
    const calls: string[][] = [];
    const counting = {
      ...recordingQueue(env.SINK_QUEUE_R2, false),
      sendBatch: async (messages: Iterable<MessageSendRequest<string>>) => {
        calls.push([...messages].map((message) => message.body));
        return {} as QueueSendBatchResponse;
      },
    };
    const { bindings } = recordingBindings({ SINK_QUEUE_R2: counting });
    const { result } = await consume('pathmark-events', bodies, { bindings });
    expect(result.retryMessages).toEqual([]);
    expect(calls.flat()).toEqual(bodies);
    for (const call of calls) {
      expect(call.length).toBeLessThanOrEqual(SEND_BATCH_MAX_MESSAGES);
      expect(call.reduce((bytes, body) => bytes + new TextEncoder().encode(body).byteLength + 100, 0)).toBeLessThanOrEqual(
        SEND_BATCH_MAX_BYTES,
      );
    }
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters at once, without retries, for a sink that cannot work (a webhook without its secret)', async () => {
    const { queued } = await post(makeBatch(), { forward: false });
    const { queues, bindings, letters } = recordingBindings({ WEBHOOK_SECRET: undefined });
    const { result, ids } = await consume('pathmark-events', queued, { bindings });
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    expect(queues.r2.sent).toEqual(queued);
    expect(queues.d1.sent).toEqual(queued);
    expect(queues.webhook.sent).toEqual([]);
    expect(letters()).toEqual([
      expect.objectContaining({
        sink: 'webhook',
        queue: 'pathmark-events',
        attempts: 0,
        last_error: expect.stringContaining('WEBHOOK_SECRET'),
        message: JSON.parse(queued[0]!),
      }),
    ]);
  });

  it('retries a message a sink queue refused; on its last attempt dead-letters it for that sink only', async () => {
    const { queued } = await post(makeBatch(), { forward: false });
    const refusing = {
      ...recordingQueue(env.SINK_QUEUE_D1, false),
      sendBatch: () => Promise.reject(new Error('queue overloaded')),
    } as unknown as Queue<string>;
    const { queues, bindings, letters } = recordingBindings({ SINK_QUEUE_D1: refusing, RETRY_BASE_SECONDS: '10' });

    const first = await consume('pathmark-events', queued, { bindings });
    expect(first.result.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual(first.ids);
    expect(first.retryDelays).toEqual([10]);
    expect(letters()).toEqual([]);

    const last = await consume('pathmark-events', queued, { bindings, attempts: MAX_ATTEMPTS });
    expect(last.result.explicitAcks).toEqual(last.ids);
    expect(letters()).toEqual([
      expect.objectContaining({ sink: 'd1', attempts: MAX_ATTEMPTS, last_error: expect.stringContaining('queue overloaded') }),
    ]);
    // The others took it each time (twice: R2 keeps one object, the webhook's receiver dedupes).
    expect(queues.r2.sent).toEqual([...queued, ...queued]);
  });
});

describe('sink queues', () => {
  it('reads a message queued before packing (v1) into the same R2 object and webhook body as the packed one', async () => {
    const ids = { anonymous_id: crypto.randomUUID(), session_id: crypto.randomUUID() };
    const events = [
      makeEvent({ ...ids, referrer: 'https://www.google.com/' }),
      makeEvent({ ...ids, name: 'scroll', props: { depth: 25 } }),
      makeEvent({ ...ids, url: 'http://localhost:8787/p/2' }),
    ];
    const { queued } = await post(makeBatch(events, { consent: 'granted' }), { forward: false });
    expect(JSON.parse(queued[0]!)).toMatchObject({ v: 2 });
    const { v: _v, ...envelope } = decodeMessage(queued[0]!);
    const v1 = JSON.stringify({ v: 1, ...envelope });
    const written: { r2: string; webhook: string }[] = [];
    for (const body of [v1, queued[0]!]) {
      for (const sink of ['r2', 'webhook']) {
        const { result, ids } = await consume(`pathmark-sink-${sink}`, [body]);
        expect(result.explicitAcks).toEqual(ids);
      }
      const [object] = await r2ObjectsContaining('events/site=demo/', events[0]!.id);
      await env.ARCHIVE.delete(object!.key);
      written.push({ r2: object!.text, webhook: webhook.deliveries.at(-1)!.body });
    }
    expect(written[1]).toEqual(written[0]);
    // The record's fields in the order the collector has always written them (docs/collector.md, ForwardedRecord).
    const order = ['event_id', 'batch_id', 'site', 'name', 'consent', 'received_at', 'ts', 'client_ts', 'seq', 'page_id'];
    const rest = ['url', 'path', 'page_type', 'props', 'visitor_id', 'geo', 'ua', 'sdk', 'audit', 'title', 'session_id'];
    const keysOf = (ndjson: string) =>
      ndjson
        .trimEnd()
        .split('\n')
        .map((line) => Object.keys(JSON.parse(line) as object));
    expect(keysOf(written[0]!.r2)).toEqual([
      [...order, ...rest.slice(0, -1), 'referrer', 'session_id'],
      [...order, ...rest],
      [...order, ...rest],
    ]);
  });

  it('R2: one object per message under a key made from it, so a message written again leaves one copy', async () => {
    const events = [makeEvent(), makeEvent({ name: 'scroll', props: { depth: 25 } })];
    const { queued } = await post(makeBatch(events), { forward: false });
    for (let round = 0; round < 2; round++) {
      const { result, ids } = await consume('pathmark-sink-r2', [...queued, ...queued]);
      expect(result.explicitAcks).toEqual(ids);
    }
    const objects = await r2ObjectsContaining('events/site=demo/', events[0]!.id);
    expect(objects).toHaveLength(1);
    const message = decodeMessage(queued[0]!);
    expect(objects[0]!.key).toBe(
      `events/site=demo/date=${new Date(message.received_at).toISOString().slice(0, 10)}/hour=${new Date(message.received_at).toISOString().slice(11, 13)}/${message.batch_id}-${events[0]!.id}.ndjson`,
    );
    const lines = objects[0]!.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ForwardedRecord);
    expect(lines.map((record) => record.event_id)).toEqual(events.map((event) => event.id));
    expect(await d1Rows([events[0]!.id])).toEqual([]);
    expect(webhookDeliveriesOf(events[0]!.id)).toEqual([]);
  });

  it('D1: a re-sent batch and a retried message collapse by event id, in multi-row statements', async () => {
    const events = Array.from({ length: 25 }, () => makeEvent());
    const batch = makeBatch(events);
    const first = await post(batch, { forward: false });
    const second = await post({ ...batch, sent_at: Date.now() }, { forward: false });
    const { result } = await consume('pathmark-sink-d1', [...first.queued, ...second.queued, ...first.queued]);
    expect(result.retryMessages).toEqual([]);
    await consume('pathmark-sink-d1', second.queued, { attempts: 2 });
    const ids = events.map((event) => event.id);
    const { results } = await env.DB.prepare(
      `SELECT event_id, COUNT(*) AS n FROM events WHERE event_id IN (${ids.map(() => '?').join(',')}) GROUP BY event_id`,
    )
      .bind(...ids)
      .all<{ event_id: string; n: number }>();
    expect(results.map((row) => [row.event_id, row.n]).sort()).toEqual(ids.map((id) => [id, 1]).sort());
  });

  it('webhook: signed delivery, acked', async () => {
    const event = makeEvent();
    const { queued } = await post(makeBatch([event]), { forward: false });
    const { result, ids } = await consume('pathmark-sink-webhook', queued);
    expect(result.explicitAcks).toEqual(ids);
    expect(webhookDeliveriesOf(event.id)).toEqual([expect.objectContaining({ status: 200, signatureValid: true })]);
  });

  it('a failing sink retries its messages on its own growing backoff, then dead-letters them with sink, attempts and error', async () => {
    webhook.failWhen = () => true;
    const { queued } = await post(makeBatch(), { forward: false });
    const { bindings, letters } = recordingBindings({ RETRY_BASE_SECONDS: '10' });
    const delays = [];
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) {
      const { result, ids, retryDelays } = await consume('pathmark-sink-webhook', queued, { attempts, bindings });
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual(ids);
      delays.push(...retryDelays);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160]);
    expect(retryDelaySeconds(30, 10)).toBe(900);
    expect(letters()).toEqual([]);

    const last = await consume('pathmark-sink-webhook', queued, { attempts: MAX_ATTEMPTS, bindings });
    expect(last.result.retryMessages).toEqual([]);
    expect(last.result.explicitAcks).toEqual(last.ids);
    expect(letters()).toEqual([
      {
        v: 1,
        sink: 'webhook',
        queue: 'pathmark-sink-webhook',
        message_id: last.ids[0],
        attempts: MAX_ATTEMPTS,
        last_error: 'webhook answered 500',
        enqueued_at: expect.any(String),
        dead_lettered_at: expect.any(String),
        batch_id: decodeMessage(queued[0]!).batch_id,
        events: 1,
        message: JSON.parse(queued[0]!),
      },
    ]);
  });

  it('dead-letters a message it cannot read at once, and delivers the others', async () => {
    const { queued } = await post(makeBatch(), { forward: false });
    const { bindings, letters } = recordingBindings();
    const { result, ids } = await consume('pathmark-sink-d1', ['not a queue message', ...queued], { bindings });
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    expect(letters()).toEqual([
      expect.objectContaining({
        sink: 'd1',
        attempts: 1,
        last_error: expect.stringContaining('unreadable'),
        message: 'not a queue message',
      }),
    ]);
  });

  it('keeps retrying a message whose dead letter the dead-letter queue refused', async () => {
    webhook.failWhen = () => true;
    const { queued } = await post(makeBatch(), { forward: false });
    const refusing = { sendBatch: () => Promise.reject(new Error('queue overloaded')) } as unknown as Queue<string>;
    const { result, ids } = await consume('pathmark-sink-webhook', queued, {
      attempts: MAX_ATTEMPTS,
      bindings: { ...env, DEAD_LETTER_QUEUE: refusing } as Env,
    });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual(ids);
  });
});

describe('dead-letter queue', () => {
  it('archives letters to R2 under dead-letter/sink=<sink>/, and a message Cloudflare moved itself as sink unknown', async () => {
    webhook.failWhen = () => true;
    const { queued } = await post(makeBatch(), { forward: false });
    const { bindings, letters } = recordingBindings();
    await consume('pathmark-sink-webhook', queued, { attempts: MAX_ATTEMPTS, bindings });
    const letter = letters()[0]!;
    const other = await post(makeBatch(), { forward: false });

    const { result } = await consume('pathmark-dead-letters', [JSON.stringify(letter), other.queued[0]!]);
    expect(result.explicitAcks).toHaveLength(2);
    const [archived] = await r2ObjectsContaining('dead-letter/sink=webhook/', letter.batch_id!);
    expect(archived!.key).toMatch(/^dead-letter\/sink=webhook\/date=\d{4}-\d{2}-\d{2}\/\d+-[0-9a-f-]{36}\.ndjson$/);
    expect(JSON.parse(archived!.text.trimEnd())).toEqual(letter);

    const otherBatch = decodeMessage(other.queued[0]!).batch_id;
    const [moved] = await r2ObjectsContaining('dead-letter/sink=unknown/', otherBatch);
    expect(JSON.parse(moved!.text.trimEnd())).toMatchObject({
      sink: 'unknown',
      attempts: null,
      last_error: expect.stringContaining('max_retries'),
      message: JSON.parse(other.queued[0]!),
    });
  });

  it('retries letters it could not archive, with a backoff that grows to an hour', async () => {
    const { queued } = await post(makeBatch(), { forward: false });
    const broken = {
      ...env,
      ARCHIVE: { put: () => Promise.reject(new Error('R2 unavailable')) },
      RETRY_BASE_SECONDS: '10',
    } as unknown as Env;
    const { result, retryDelays } = await consume('pathmark-dead-letters', queued, { attempts: 20, bindings: broken });
    expect(result.retryMessages).toHaveLength(1);
    expect(retryDelays).toEqual([3600]);
  });
});

describe('through the real queues: a failing webhook costs R2 and D1 nothing', () => {
  it('a webhook that fails for a while then recovers: R2 and D1 hold the event once, before it recovers; the webhook gets it after', async () => {
    const event = makeEvent();
    let healthySinksHaveIt = false;
    webhook.failWhen = (records) => records.some((record) => record.event_id === event.id) && !healthySinksHaveIt;
    const response = await exports.default.fetch(eventsRequest(makeBatch([event])));
    expect(response.status).toBe(202);

    // The webhook fails at least twice while R2 and D1 take the event.
    await waitUntil(
      async () => ({
        failures: webhookDeliveriesOf(event.id).length,
        d1: await d1Rows([event.id]),
        r2: await archivedCopies(event.id),
      }),
      (state) => state.failures >= 2 && state.d1.length === 1 && state.r2 === 1,
      'R2 and D1 hold the event while the webhook has failed twice',
    );
    healthySinksHaveIt = true;
    await waitUntil(
      () => webhookDeliveriesOf(event.id).at(-1)?.status,
      (status) => status === 200,
      'the webhook gets the event once it recovers',
    );

    const statuses = webhookDeliveriesOf(event.id).map((delivery) => delivery.status);
    expect(statuses.slice(0, -1).every((status) => status === 500)).toBe(true);
    expect(statuses.at(-1)).toBe(200);
    // Exactly once in the healthy sinks, however often the webhook was retried.
    expect(await archivedCopies(event.id)).toBe(1);
    expect(await d1Rows([event.id])).toEqual([event.id]);
    expect(await r2ObjectsContaining('dead-letter/', event.id)).toEqual([]);
  }, 60_000);

  it('a webhook that never recovers: 6 attempts, a dead letter naming the sink, attempts and error, and a replay that delivers it once', async () => {
    const event = makeEvent();
    webhook.failWhen = (records) => records.some((record) => record.event_id === event.id);
    const response = await exports.default.fetch(eventsRequest(makeBatch([event])));
    expect(response.status).toBe(202);

    const batchId = () => webhookDeliveriesOf(event.id)[0]?.records[0]?.batch_id;
    const webhookLetters = async () => {
      const answer = await exports.default.fetch('http://localhost:8787/v1/admin/dead-letters?sink=webhook&limit=1000');
      const { dead_letters } = (await answer.json()) as { dead_letters: DeadLetterSummary[] };
      return dead_letters.filter((letter) => letter.batch_id === batchId());
    };
    const listed = await waitUntil(webhookLetters, (letters) => letters.length > 0, 'the message is archived as a dead letter');
    expect(listed).toEqual([
      expect.objectContaining({
        sink: 'webhook',
        queue: 'pathmark-sink-webhook',
        attempts: MAX_ATTEMPTS,
        last_error: 'webhook answered 500',
        events: 1,
      }),
    ]);
    expect(webhookDeliveriesOf(event.id).map((delivery) => delivery.status)).toEqual(Array(MAX_ATTEMPTS).fill(500));
    expect(await archivedCopies(event.id)).toBe(1);
    expect(await d1Rows([event.id])).toEqual([event.id]);

    // The receiver is fixed; the replay delivers the dead letters into the webhook, once.
    webhook.failWhen = () => false;
    const replay = async () => {
      const answer = await exports.default.fetch('http://localhost:8787/v1/admin/dead-letters/replay?sink=webhook&limit=100', {
        method: 'POST',
      });
      expect(answer.status).toBe(200);
      return (await answer.json()) as { replayed: { key: string }[]; failed: unknown[] };
    };
    const first = await replay();
    expect(first.replayed.map((entry) => entry.key)).toContain(listed[0]!.key);
    expect(first.failed).toEqual([]);
    expect(webhookDeliveriesOf(event.id).map((delivery) => delivery.status)).toEqual([...Array(MAX_ATTEMPTS).fill(500), 200]);
    const second = await replay();
    expect(second.replayed.map((entry) => entry.key)).not.toContain(listed[0]!.key);
    expect(webhookDeliveriesOf(event.id).filter((delivery) => delivery.status === 200)).toHaveLength(1);
    expect(await r2ObjectsContaining('dead-letter/', event.id)).toEqual([]);
    expect(await archivedCopies(event.id)).toBe(1);
  }, 90_000);
});

describe('webhook sink', () => {
  it('signs t.<body> with HMAC-SHA256 and refuses to send unsigned', async () => {
    const sent: Request[] = [];
    const sink = createWebhookSink({
      url: 'https://hooks.example/in',
      secret: 's3cret',
      now: () => 1_700_000_000_000,
      fetch: async (input, init) => {
        sent.push(new Request(input, init));
        return new Response(null, { status: 204 });
      },
    });
    await sink.write([]);
    const body = await sent[0]!.text();
    expect(body).toBe('{"records":[]}');
    expect(sent[0]!.headers.get('X-Pathmark-Signature')).toBe(signWebhookBody('s3cret', 1_700_000_000, body));
    expect(sent[0]!.headers.get('X-Pathmark-Signature')).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    await expect(createWebhookSink({ url: 'https://hooks.example/in', secret: undefined }).write([])).rejects.toThrow(
      /WEBHOOK_SECRET/,
    );
    expect(WEBHOOK_SECRET).toBe(env.WEBHOOK_SECRET);
  });
});
