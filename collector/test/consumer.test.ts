import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../src/env.ts';
import { retryDelaySeconds } from '../src/forward.ts';
import worker from '../src/index.ts';
import type { ForwardedRecord, QueueMessageBody } from '../src/record.ts';
import { createWebhookSink, signWebhookBody } from '../src/sinks/webhook.ts';
import { eventsRequest, makeBatch, makeEvent, post } from './support.ts';
import { WEBHOOK_SECRET, webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

/** Runs the Worker's queue handler on `bodies` as one consumer batch. */
async function consume(queue: string, bodies: string[], { attempts = 1, bindings = env as Env } = {}) {
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

describe('queue consumer', () => {
  it('writes every record to R2 (NDJSON, site/date/hour), D1 and the signed webhook, then acks', async () => {
    const events = [makeEvent(), makeEvent({ name: 'scroll', props: { depth: 25 } })];
    const { queued } = await post(makeBatch(events), { forward: false });
    const { result, ids } = await consume('pathmark-events', queued);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    expect(result.retryMessages).toEqual([]);

    expect((await d1Rows(events.map((event) => event.id))).sort()).toEqual(events.map((event) => event.id).sort());
    const objects = await r2ObjectsContaining('events/site=demo/', events[0]!.id);
    expect(objects.length).toBeGreaterThanOrEqual(1);
    expect(objects[0]!.key).toMatch(/^events\/site=demo\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[0-9a-f-]{36}\.ndjson$/);
    const lines = objects[0]!.text.trimEnd().split('\n').map((line) => JSON.parse(line) as ForwardedRecord);
    expect(lines.map((record) => record.event_id)).toEqual(expect.arrayContaining(events.map((event) => event.id)));

    const delivery = webhook.deliveries.find((candidate) => candidate.records.some((record) => record.event_id === events[0]!.id))!;
    expect(delivery).toMatchObject({ status: 200, signatureValid: true });
  });

  it('retries every message with growing backoff when a sink fails, and acks none', async () => {
    webhook.failWhen = () => true;
    const { queued } = await post(makeBatch(), { forward: false });
    const bindings = { ...env, RETRY_BASE_SECONDS: '10' } as Env;
    const delays = [];
    for (const attempts of [1, 2, 3, 4, 5]) {
      const { result, ids, retryDelays } = await consume('pathmark-events', queued, { attempts, bindings });
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual(ids);
      delays.push(...retryDelays);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160]);
    expect(retryDelaySeconds(30, 10)).toBe(900);
  });

  it('retries a message it cannot read (towards the dead-letter archive) and delivers the others', async () => {
    const { queued } = await post(makeBatch(), { forward: false });
    const { result, ids } = await consume('pathmark-events', ['not a queue message', ...queued]);
    expect(result.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual([ids[0]]);
    expect(result.explicitAcks).toEqual([ids[1]]);
  });

  it('archives dead letters to R2 under dead-letter/, exactly as enqueued', async () => {
    const { queued } = await post(makeBatch(), { forward: false });
    const { result } = await consume('pathmark-events-dlq', queued, { attempts: 6 });
    expect(result.ackAll).toBe(true);
    const batchId = (JSON.parse(queued[0]!) as QueueMessageBody).batch_id;
    const [archived] = await r2ObjectsContaining('dead-letter/', batchId);
    expect(archived!.key).toMatch(/^dead-letter\/date=\d{4}-\d{2}-\d{2}\//);
    const line = JSON.parse(archived!.text.trimEnd().split('\n')[0]!) as { body: string; attempts: number; queue: string };
    expect(line).toMatchObject({ body: queued[0], attempts: 6, queue: 'pathmark-events-dlq' });
  });

  it('collapses a re-sent batch in D1: same event ids, one row each', async () => {
    const events = [makeEvent(), makeEvent()];
    const batch = makeBatch(events);
    const first = await post(batch, { forward: false });
    const second = await post({ ...batch, sent_at: Date.now() }, { forward: false });
    await consume('pathmark-events', [...first.queued, ...second.queued]);
    await consume('pathmark-events', second.queued);
    const ids = events.map((event) => event.id);
    const { results } = await env.DB.prepare(`SELECT event_id, COUNT(*) AS n FROM events WHERE event_id IN (?, ?) GROUP BY event_id`)
      .bind(...ids)
      .all<{ event_id: string; n: number }>();
    expect(results.map((row) => [row.event_id, row.n]).sort()).toEqual(ids.map((id) => [id, 1]).sort());
  });

  it('inserts large consumer batches in multi-row statements, ignoring duplicates inside one batch too', async () => {
    const events = Array.from({ length: 25 }, () => makeEvent());
    const { queued } = await post(makeBatch(events), { forward: false });
    const { result } = await consume('pathmark-events', [...queued, ...queued]);
    expect(result.retryMessages).toEqual([]);
    expect((await d1Rows(events.map((event) => event.id))).sort()).toEqual(events.map((event) => event.id).sort());
  });

  it('through the real queue: a failing webhook is retried 5 times, then the message is archived as a dead letter', async () => {
    const event = makeEvent();
    webhook.failWhen = (records) => records.some((record) => record.event_id === event.id);
    const response = await exports.default.fetch(eventsRequest(makeBatch([event])));
    expect(response.status).toBe(202);

    const deadline = Date.now() + 40_000;
    let archived: { key: string; text: string }[] = [];
    while (Date.now() < deadline && archived.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      archived = await r2ObjectsContaining('dead-letter/', event.id);
    }
    expect(archived).toHaveLength(1);
    const attempts = webhook.deliveries.filter((delivery) => delivery.records.some((record) => record.event_id === event.id));
    expect(attempts.map((delivery) => delivery.status)).toEqual([500, 500, 500, 500, 500, 500]);
    // Nothing lost: the D1 sink kept it (once), and the dead-letter archive holds the message for replay.
    expect(await d1Rows([event.id])).toEqual([event.id]);
  }, 60_000);
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
    expect(sent[0]!.headers.get('X-Pathmark-Signature')).toBe(signWebhookBody('s3cret', 1_700_000_000, body));
    expect(sent[0]!.headers.get('X-Pathmark-Signature')).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    await expect(createWebhookSink({ url: 'https://hooks.example/in', secret: undefined }).write([])).rejects.toThrow(/WEBHOOK_SECRET/);
    expect(WEBHOOK_SECRET).toBe(env.WEBHOOK_SECRET);
  });
});
