import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { adminAuth } from '../src/admin-auth.ts';
import { deadLetterOf, type DeadLetter, type DeadLetterSink, type ReplayReport } from '../src/dead-letters.ts';
import type { Env } from '../src/env.ts';
import { ClientError } from '../src/http.ts';
import worker from '../src/index.ts';
import { decodeMessage, readQueueMessage, type QueueMessage } from '../src/core/queue-message.ts';
import type { QueueMessageBody } from '../src/core/record.ts';
import { toNdjson } from '../src/sinks/r2.ts';
import { makeBatch, makeEvent, post } from './support.ts';
import { webhook } from './webhook-receiver.ts';

async function admin(
  path: string,
  {
    method = 'GET',
    bindings = env as Env,
    host = 'localhost:8787',
    token,
  }: { method?: string; bindings?: Env; host?: string; token?: string } = {},
) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await worker.fetch(
    new Request(`http://${host}${path}`, { method, headers }) as Request<unknown, IncomingRequestCfProperties>,
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

/** Archives letters for `sink` as the dead-letter consumer would; returns the object key and the messages. */
async function archivedLetters(sink: DeadLetterSink, count = 1, extra: DeadLetter[] = []) {
  // A letter keeps the message as it was queued (packed); `messages` are its records as the sinks read them.
  const queuedMessages: QueueMessage[] = [];
  for (let i = 0; i < count; i++) {
    const { queued } = await post(makeBatch([makeEvent(), makeEvent()]), { forward: false });
    queuedMessages.push(readQueueMessage(queued[0]!));
  }
  const messages: QueueMessageBody[] = queuedMessages.map((message) => decodeMessage(message));
  const letters = queuedMessages.map((message) =>
    deadLetterOf(
      { id: crypto.randomUUID(), timestamp: new Date() },
      { queue: `pathmark-sink-${sink}`, sink, attempts: 6, error: 'down' },
      message,
    ),
  );
  const key = `dead-letter/sink=${sink}/date=2026-11-24/${Date.now()}-${crypto.randomUUID()}.ndjson`;
  await env.ARCHIVE.put(key, toNdjson([...letters, ...extra]));
  return { key, messages, eventIds: messages.flatMap((message) => message.records.map((record) => record.event_id)) };
}

async function d1Count(eventIds: string[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM events WHERE event_id IN (${eventIds.map(() => '?').join(',')})`)
    .bind(...eventIds)
    .first<{ n: number }>();
  return row!.n;
}

const replay = async (query: string, bindings?: Env) => {
  const response = await admin(`/v1/admin/dead-letters/replay?${query}`, { method: 'POST', bindings });
  expect(response.status).toBe(200);
  return (await response.json()) as ReplayReport;
};

describe('adminAuth', () => {
  const appWith = (token: string | undefined) => {
    const app = new Hono();
    app.use('/admin/*', adminAuth({ token: () => token }));
    app.get('/admin/thing', (c) => c.text('ok'));
    app.onError((error, c) =>
      error instanceof ClientError ? c.json({ error: error.code }, error.status, error.headers) : c.text('unexpected', 500),
    );
    return app;
  };

  it('without a token: answers on a loopback host only, a plain 404 elsewhere', async () => {
    expect((await appWith(undefined).request('http://localhost:8787/admin/thing')).status).toBe(200);
    expect((await appWith(undefined).request('http://127.0.0.1/admin/thing')).status).toBe(200);
    const remote = await appWith(undefined).request('https://collector.shop.example/admin/thing');
    expect(remote.status).toBe(404);
    expect(await remote.json()).toEqual({ error: 'not_found' });
  });

  it('with a token: asks for it everywhere, loopback included', async () => {
    const app = appWith('s3cret-admin-token');
    const missing = await app.request('https://collector.shop.example/admin/thing');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect((await app.request('http://localhost/admin/thing', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect(
      (await app.request('http://localhost/admin/thing', { headers: { Authorization: 'Bearer s3cret-admin-token-and-more' } }))
        .status,
    ).toBe(401);
    const ok = await app.request('https://collector.shop.example/admin/thing', {
      headers: { Authorization: 'Bearer s3cret-admin-token' },
    });
    expect(ok.status).toBe(200);
  });

  it('guards the dead-letter routes with ADMIN_TOKEN', async () => {
    expect((await admin('/v1/admin/dead-letters', { host: 'collector.shop.example' })).status).toBe(404);
    const bindings = { ...env, ADMIN_TOKEN: 'operator-token' } as Env;
    expect((await admin('/v1/admin/dead-letters', { bindings })).status).toBe(401);
    expect(
      (await admin('/v1/admin/dead-letters/replay', { bindings, method: 'POST', host: 'collector.shop.example' })).status,
    ).toBe(401);
    expect(
      (await admin('/v1/admin/dead-letters?limit=1', { bindings, token: 'operator-token', host: 'collector.shop.example' }))
        .status,
    ).toBe(200);
  });
});

describe('GET /v1/admin/dead-letters', () => {
  it('lists archived letters with sink, attempts, last error and size, without the messages', async () => {
    const { key, messages } = await archivedLetters('d1');
    const response = await admin('/v1/admin/dead-letters?sink=d1&limit=1000');
    expect(response.status).toBe(200);
    const { dead_letters } = (await response.json()) as { dead_letters: Record<string, unknown>[] };
    const listed = dead_letters.filter((letter) => letter.key === key);
    expect(listed).toEqual([
      {
        key,
        sink: 'd1',
        queue: 'pathmark-sink-d1',
        message_id: expect.any(String),
        attempts: 6,
        last_error: 'down',
        enqueued_at: expect.any(String),
        dead_lettered_at: expect.any(String),
        batch_id: messages[0]!.batch_id,
        events: 2,
      },
    ]);
  });

  it('pages with `after`: each page goes on where the last one stopped', async () => {
    await archivedLetters('d1');
    await archivedLetters('d1');
    const page = async (after?: string) => {
      const response = await admin(`/v1/admin/dead-letters?sink=d1&limit=1${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      return (await response.json()) as { dead_letters: { key: string }[]; next: string | null };
    };
    const first = await page();
    expect(first.next).toBe(first.dead_letters[0]!.key);
    const second = await page(first.next!);
    expect(second.dead_letters[0]!.key > first.dead_letters[0]!.key).toBe(true);
  });

  it('answers 400 for an unknown sink or limit', async () => {
    expect(await (await admin('/v1/admin/dead-letters?sink=s3')).json()).toEqual({
      error: 'invalid_query',
      detail: expect.stringMatching(/^sink: /),
    });
    expect((await admin('/v1/admin/dead-letters/replay?limit=0', { method: 'POST' })).status).toBe(400);
  });
});

describe('POST /v1/admin/dead-letters/replay', () => {
  it('writes D1 letters into D1 and removes them from the archive; a second run changes nothing', async () => {
    const { key, eventIds } = await archivedLetters('d1', 2);
    expect(await d1Count(eventIds)).toBe(0);
    const first = await replay('sink=d1&limit=100');
    expect(first.replayed).toContainEqual({ key, sink: 'd1', messages: 2, events: 4 });
    expect(await d1Count(eventIds)).toBe(4);
    expect(await env.ARCHIVE.head(key)).toBeNull();
    const second = await replay('sink=d1&limit=100');
    expect(second.replayed.map((entry) => entry.key)).not.toContain(key);
    expect(await d1Count(eventIds)).toBe(4);
  });

  it('writes R2 letters into the archive once, even when the same letter is replayed twice', async () => {
    const first = await archivedLetters('r2');
    // The same message dead-lettered a second time (e.g. after a retried fan-out).
    const again = `dead-letter/sink=r2/date=2026-11-24/${Date.now()}-${crypto.randomUUID()}.ndjson`;
    await env.ARCHIVE.put(again, await (await env.ARCHIVE.get(first.key))!.text());
    await replay('sink=r2&limit=100');
    const prefix = `events/site=demo/date=${new Date(first.messages[0]!.received_at).toISOString().slice(0, 10)}/`;
    const listing = await env.ARCHIVE.list({ prefix, limit: 1000 });
    expect(listing.objects.filter((object) => object.key.includes(first.messages[0]!.batch_id))).toHaveLength(1);
    expect(await env.ARCHIVE.head(first.key)).toBeNull();
    expect(await env.ARCHIVE.head(again)).toBeNull();
  });

  it('replays `unknown` letters into every sink', async () => {
    webhook.reset();
    const { key, eventIds } = await archivedLetters('unknown');
    const report = await replay('sink=unknown&limit=100');
    expect(report.replayed.map((entry) => entry.key)).toContain(key);
    expect(await d1Count(eventIds)).toBe(2);
    expect(webhook.deliveries.some((delivery) => delivery.records.some((record) => record.event_id === eventIds[0]))).toBe(true);
  });

  it('keeps the letters of a sink that is off or broken, and says why', async () => {
    const { key } = await archivedLetters('webhook');
    const off = await replay('sink=webhook&limit=100', { ...env, FORWARD_URL: '' } as Env);
    expect(off.failed).toContainEqual({ key, sink: 'webhook', error: expect.stringContaining('off') });
    const broken = await replay('sink=webhook&limit=100', { ...env, WEBHOOK_SECRET: undefined } as Env);
    expect(broken.failed).toContainEqual({ key, sink: 'webhook', error: expect.stringContaining('WEBHOOK_SECRET') });
    expect(await env.ARCHIVE.head(key)).not.toBeNull();
  });

  it('keeps a sink failure in the archive, and an unreadable letter alone in its object after the others are replayed', async () => {
    webhook.reset();
    webhook.failWhen = () => true;
    const unreadable = deadLetterOf(
      { id: 'm1', timestamp: new Date() },
      { queue: 'pathmark-sink-webhook', sink: 'webhook', attempts: 1, error: 'unreadable' },
      '{"trunc',
    );
    const { key, eventIds } = await archivedLetters('webhook', 1, [unreadable]);
    const failing = await replay('sink=webhook&limit=100');
    expect(failing.failed).toContainEqual({ key, sink: 'webhook', error: 'webhook answered 500' });
    webhook.failWhen = () => false;
    const replayed = await replay('sink=webhook&limit=100');
    expect(replayed.replayed).toContainEqual({ key, sink: 'webhook', messages: 1, events: 2 });
    expect(webhook.deliveries.filter((d) => d.status === 200 && d.records.some((r) => r.event_id === eventIds[0]))).toHaveLength(
      1,
    );
    expect(JSON.parse((await (await env.ARCHIVE.get(key))!.text()).trimEnd())).toEqual(unreadable);
    const again = await replay('sink=webhook&limit=100');
    expect(again.failed).toContainEqual({ key, sink: 'webhook', error: 'no readable message to replay' });
    expect(webhook.deliveries.filter((d) => d.status === 200 && d.records.some((r) => r.event_id === eventIds[0]))).toHaveLength(
      1,
    );
    await env.ARCHIVE.delete(key);
  });
});
