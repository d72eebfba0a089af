import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessResponse, ErasureReceipt } from '#protocol';
import { ingest, REPORTS } from '../src/core/insights/index.ts';
import { decodeMessage, readQueueMessage } from '../src/core/queue-message.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import { ARCHIVE_SETTLE_MS } from '../src/core/rights/erasure.ts';
import { d1Engine } from '../src/d1-engine.ts';
import { deadLetterOf } from '../src/dead-letters.ts';
import type { Env } from '../src/env.ts';
import worker from '../src/index.ts';
import { sitePolicies } from '../src/sites.ts';
import { archiveKey, toNdjson } from '../src/sinks/r2.ts';
import { consume, makeBatch, makeEvent, newIp, ORIGIN, post } from './support.ts';
import { webhook } from './webhook-receiver.ts';

afterEach(() => webhook.reset());

interface Asked {
  status: number;
  headers: Headers;
  body: any;
}

async function call(path: string, init: RequestInit & { ip?: string } = {}): Promise<Asked> {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  if (!headers.has('CF-Connecting-IP')) headers.set('CF-Connecting-IP', init.ip ?? newIp());
  if (!headers.has('User-Agent')) headers.set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36');
  if (typeof init.body === 'string' && !headers.has('Content-Length'))
    headers.set('Content-Length', String(new TextEncoder().encode(init.body).byteLength));
  const request = new Request(`http://localhost:8787${path}`, { ...init, headers });
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: response.status, headers: response.headers, body };
}

/** A rights request as the SDK sends it (text/plain, the store's origin). */
const ask = (
  kind: 'access' | 'erase',
  body: unknown,
  { origin = ORIGIN, ip, site = 'demo' }: { origin?: string | null; ip?: string; site?: string } = {},
) =>
  call(`/v1/rights/${site}/${kind}`, {
    method: 'POST',
    ip,
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...(origin ? { Origin: origin } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A granted visitor's page views and a search, accepted by the collector; the queue messages are returned unsent. */
async function grantedVisit(anonymousId: string, pages = 2): Promise<{ queued: string[]; records: ForwardedRecord[] }> {
  const sessionId = crypto.randomUUID();
  const events = Array.from({ length: pages }, (_, i) =>
    makeEvent({ anonymous_id: anonymousId, session_id: sessionId, seq: i + 1, props: { navigation: 'load', page_index: i + 1 } }),
  );
  events.push(
    makeEvent({
      anonymous_id: anonymousId,
      session_id: sessionId,
      name: 'search',
      page_id: events[0]!.page_id,
      seq: pages + 1,
      props: { search_term: 'mug', search_id: crypto.randomUUID(), results: 3, source: 'form' },
    }),
  );
  const posted = await post(makeBatch(events, { consent: 'granted' }), { forward: false });
  expect(posted.body).toEqual({ accepted: events.length, rejected: [] });
  return { queued: posted.queued, records: posted.records };
}

/** Delivered into every sink through their queue consumers, and into the insights tables. */
async function stored(visit: { queued: string[]; records: ForwardedRecord[] }) {
  await ingest(d1Engine(env.DB), visit.records, { newToken: () => crypto.randomUUID() });
  for (const queue of ['pathmark-sink-d1', 'pathmark-sink-r2', 'pathmark-sink-webhook']) {
    expect((await consume(queue, visit.queued)).retryMessages).toEqual([]);
  }
}

const count = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

async function archiveLines(needle: string): Promise<number> {
  let lines = 0;
  let cursor: string | undefined;
  do {
    const page = await env.ARCHIVE.list({ prefix: 'events/', cursor });
    for (const { key } of page.objects) {
      const text = (await (await env.ARCHIVE.get(key))?.text()) ?? '';
      lines += text.split('\n').filter((line) => line.includes(needle)).length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return lines;
}

const runCron = (scheduledTime: number) => worker.scheduled(createScheduledController({ scheduledTime, cron: '7 * * * *' }), env);

describe('POST /v1/rights/:site/access', () => {
  it('answers the records kept under the pseudonym, newest first, each field explained, with the policy version', async () => {
    const id = crypto.randomUUID();
    const visit = await grantedVisit(id);
    await stored(visit);
    const { status, body, headers } = await ask('access', { anonymous_id: id });
    expect(status).toBe(200);
    expect(headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(headers.get('Cache-Control')).toBe('no-store');
    const answer = body as AccessResponse;
    expect(answer).toMatchObject({ site: 'demo', kept: 'records', truncated: false, erasure: null });
    expect(answer.records.map((record) => record.event_id).sort()).toEqual(visit.records.map((record) => record.event_id).sort());
    const times = answer.records.map((record) => record.received_at as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const record of answer.records) {
      expect(record.audit).toMatchObject({ policy_version: sitePolicies().get('demo')!.policy_version });
      expect(JSON.stringify(record)).not.toContain(id);
      const paths = Object.entries(record).flatMap(([field, value]) =>
        ['geo', 'ua', 'audit'].includes(field) ? Object.keys(value as object).map((sub) => `${field}.${sub}`) : [field],
      );
      for (const path of paths) expect(answer.fields, path).toHaveProperty([path]);
    }
    // An upper-case copy of the id (typed from an e-mail) is the same id.
    expect((await ask('access', { anonymous_id: id.toUpperCase() })).body.records).toHaveLength(visit.records.length);
  });

  it("gives someone else's id only that visitor's records, and a guessed id the very answer of a visitor with none", async () => {
    const [mine, theirs] = [crypto.randomUUID(), crypto.randomUUID()];
    const [myVisit, theirVisit] = [await grantedVisit(mine), await grantedVisit(theirs)];
    await stored(myVisit);
    await stored(theirVisit);
    const their = (await ask('access', { anonymous_id: theirs })).body as AccessResponse;
    expect(their.records.map((record) => record.event_id).sort()).toEqual(theirVisit.records.map((r) => r.event_id).sort());
    expect(JSON.stringify(their)).not.toContain(myVisit.records[0]!.visitor_id);

    const guessed = await ask('access', { anonymous_id: crypto.randomUUID() });
    const another = await ask('access', { anonymous_id: crypto.randomUUID() });
    expect(guessed.status).toBe(200);
    expect(guessed.body).toEqual(another.body);
    expect(Object.keys(guessed.body).sort()).toEqual(Object.keys(their).sort());
    expect(guessed.body).toEqual({ ...their, records: [] });
  });

  it('refuses a wrong origin, a missing or malformed id, an oversize body, an unknown site, and a flood', async () => {
    const id = crypto.randomUUID();
    for (const kind of ['access', 'erase'] as const) {
      expect(await ask(kind, { anonymous_id: id }, { origin: 'https://evil.example' })).toMatchObject({
        status: 403,
        body: { error: 'origin_not_allowed' },
      });
      expect(await ask(kind, { anonymous_id: id }, { origin: null })).toMatchObject({ status: 403 });
      expect(await ask(kind, {})).toMatchObject({
        status: 400,
        body: { error: 'invalid_request', detail: 'anonymous_id: required' },
      });
      for (const bad of ['not-a-uuid', 42, `${id}0`, `../${id}`]) {
        const answer = await ask(kind, { anonymous_id: bad });
        expect(answer.status).toBe(400);
        expect(answer.body.detail).toMatch(/^anonymous_id: expected a UUID/);
      }
      expect(await ask(kind, '{"anonymous_id":')).toMatchObject({
        status: 400,
        body: { detail: expect.stringMatching(/^body:/) },
      });
      expect(await ask(kind, { anonymous_id: id, pad: 'x'.repeat(1024) })).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large' },
      });
      expect(await ask(kind, { anonymous_id: id }, { site: 'nope' })).toMatchObject({
        status: 404,
        body: { error: 'unknown_site' },
      });
    }
    // One address and browser: the limiter's unit (100 per 10 s), then 429 with Retry-After. The limiter counts in
    // fixed windows, so a run that straddles two may pass up to twice the unit before the first 429.
    const ip = newIp();
    let limited: Asked | undefined;
    let allowed = 0;
    while (!limited && allowed <= 200) {
      const answer = await ask('access', { anonymous_id: crypto.randomUUID() }, { ip });
      if (answer.status === 429) limited = answer;
      else {
        expect(answer.status).toBe(200);
        allowed++;
      }
    }
    expect(allowed).toBeGreaterThanOrEqual(100);
    expect(limited?.headers.get('Retry-After')).toBe('10');
    expect(limited?.body.error).toBe('rate_limited');
    // The events of the same address are not limited by it: its own key prefix.
    expect((await post(makeBatch([makeEvent()]), { ip, forward: false })).response.status).toBe(202);
  });
});

describe('erasure', () => {
  it('removes the D1 and insights rows at once, leaves others untouched, and drops every later copy of their events', async () => {
    const [gone, stays] = [crypto.randomUUID(), crypto.randomUUID()];
    const goneVisit = await grantedVisit(gone, 3);
    const staysVisit = await grantedVisit(stays, 2);
    await stored(goneVisit);
    await stored(staysVisit);
    const goneId = goneVisit.records[0]!.visitor_id;
    const staysId = staysVisit.records[0]!.visitor_id;
    const day = new Date(goneVisit.records[0]!.ts).toISOString().slice(0, 10);
    const engine = d1Engine(env.DB);
    const pageViews = async () =>
      (await REPORTS['browse-paths'](engine, { site: 'demo', from: day, to: day })).modes.granted.coverage.page_views;
    const before = await pageViews();
    const inspected = () => count('SELECT COUNT(*) AS n FROM inspect_batches WHERE instr(raw, ?) > 0', gone);
    expect(await inspected()).toBeGreaterThan(0);
    // Accepted before the erasure, still in the sink queues when it happens.
    const late = await grantedVisit(gone, 1);
    const lateOther = await grantedVisit(stays, 1);

    const erased = await ask('erase', { anonymous_id: gone });
    expect(erased.status).toBe(202);
    const receipt = erased.body as ErasureReceipt;
    expect(receipt).toMatchObject({
      site: 'demo',
      status: 'pending',
      steps: { database: 'done', insights: 'done', archive: 'pending', webhook: 'pending' },
      check: `/v1/rights/demo/receipts/${receipt.receipt_id}`,
    });
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE visitor_id = ?', goneId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM ins_page_views WHERE visitor_id = ?', goneId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM ins_searches WHERE visitor_id = ?', goneId)).toBe(0);
    // The development inspector's raw batches held the id itself.
    expect(await inspected()).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE visitor_id = ?', staysId)).toBe(staysVisit.records.length);
    expect(await count('SELECT COUNT(*) AS n FROM ins_page_views WHERE visitor_id = ?', staysId)).toBe(2);
    // The day's rollups were rebuilt without the visitor: no report counts their three page views.
    expect(await count("SELECT COUNT(*) AS n FROM ins_dirty WHERE site = 'demo'")).toBe(0);
    expect(await pageViews()).toBe(before - 3);

    // The signed notice reached the webhook (tried by the request itself).
    const notices = webhook.deliveries.filter((delivery) => delivery.erasure);
    expect(notices).toEqual([
      expect.objectContaining({
        signatureValid: true,
        status: 200,
        erasure: expect.objectContaining({ visitor_id: goneId, receipt_id: receipt.receipt_id }),
      }),
    ]);

    // The access answer now shows nothing kept and the receipt; the receipt is checkable.
    const access = (await ask('access', { anonymous_id: gone })).body as AccessResponse;
    expect(access.records).toEqual([]);
    expect(access.erasure?.receipt_id).toBe(receipt.receipt_id);
    const checked = await call(receipt.check);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ receipt_id: receipt.receipt_id, steps: { webhook: 'notified', archive: 'pending' } });
    expect((await call(`/v1/rights/demo/receipts/${crypto.randomUUID()}`)).status).toBe(404);
    // A second request keeps the first receipt.
    expect((await ask('erase', { anonymous_id: gone })).body.receipt_id).toBe(receipt.receipt_id);

    // An event re-sent by the browser after the erasure is refused, not queued.
    const resent = await post(makeBatch([makeEvent({ anonymous_id: gone })], { consent: 'granted' }), { forward: false });
    expect(resent.response.status).toBe(202);
    expect(resent.body).toEqual({ accepted: 0, rejected: [{ index: 0, reason: expect.stringMatching(/^visitor: erased/) }] });
    expect(resent.queued).toEqual([]);
    // Mixed with another visitor's event (not an SDK batch, but a batch is not trusted to hold one visitor).
    const mixed = await post(
      makeBatch([makeEvent({ anonymous_id: stays }), makeEvent({ anonymous_id: gone })], { consent: 'granted' }),
      { forward: false },
    );
    expect(mixed.body).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    expect(mixed.records.map((record) => record.visitor_id)).toEqual([staysId]);

    // Messages queued before the erasure, delivered (or retried) after it: no sink writes the visitor.
    webhook.reset();
    for (const queue of ['pathmark-sink-d1', 'pathmark-sink-r2', 'pathmark-sink-webhook']) {
      expect((await consume(queue, [...late.queued, ...lateOther.queued])).retryMessages).toEqual([]);
    }
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE visitor_id = ?', goneId)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE event_id = ?', lateOther.records[0]!.event_id)).toBe(1);
    expect(await archiveLines(late.records[0]!.event_id)).toBe(0);
    expect(await archiveLines(lateOther.records[0]!.event_id)).toBe(1);
    expect(webhook.deliveries.flatMap((delivery) => delivery.records.map((record) => record.visitor_id))).not.toContain(goneId);
    expect(webhook.deliveries.flatMap((delivery) => delivery.records.map((record) => record.event_id))).toContain(
      lateOther.records[0]!.event_id,
    );

    // A dead letter replayed after the erasure: dropped too, and the letter leaves the archive.
    const letter = deadLetterOf(
      { id: crypto.randomUUID(), timestamp: new Date() },
      { queue: 'pathmark-sink-d1', sink: 'd1', attempts: 6, error: 'down' },
      readQueueMessage(late.queued[0]!),
    );
    const key = `dead-letter/sink=d1/date=2026-11-24/${Date.now()}-${crypto.randomUUID()}.ndjson`;
    await env.ARCHIVE.put(key, toNdjson([letter]));
    const replay = await call('/v1/admin/dead-letters/replay?sink=d1', { method: 'POST' });
    expect(replay.body.replayed).toEqual([expect.objectContaining({ key })]);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE visitor_id = ?', goneId)).toBe(0);
  });

  it("rewrites the archive partitions without the visitor by the first cron run a minute after the request, others' records byte for byte", async () => {
    const [gone, stays] = [crypto.randomUUID(), crypto.randomUUID()];
    const goneVisit = await grantedVisit(gone);
    const staysVisit = await grantedVisit(stays);
    await stored(goneVisit);
    await stored(staysVisit);
    // One object holding both visitors (a batch is not trusted to hold one), as the R2 sink writes it.
    const both = decodeMessage(staysVisit.queued[0]!);
    both.records = [...both.records, ...goneVisit.records];
    both.batch_id = crypto.randomUUID();
    await env.ARCHIVE.put(archiveKey(both), toNdjson(both.records));
    const staysKey = archiveKey(decodeMessage(staysVisit.queued[0]!));
    const staysBytes = await (await env.ARCHIVE.get(staysKey))!.text();
    const staysLines = toNdjson(staysVisit.records);
    expect(await archiveLines(goneVisit.records[0]!.visitor_id)).toBe(goneVisit.records.length * 2);

    const receipt = (await ask('erase', { anonymous_id: gone })).body as ErasureReceipt;
    const requestedAt = Date.parse(receipt.requested_at);
    // A run within the settle minute leaves it (a write that checked the tombstones just before may be landing).
    await runCron(requestedAt + ARCHIVE_SETTLE_MS - 1_000);
    expect((await call(receipt.check)).body).toMatchObject({ status: 'pending', steps: { archive: 'pending' } });
    expect(await archiveLines(goneVisit.records[0]!.visitor_id)).toBe(goneVisit.records.length * 2);

    await runCron(requestedAt + ARCHIVE_SETTLE_MS + 1_000);
    expect(await archiveLines(goneVisit.records[0]!.visitor_id)).toBe(0);
    expect(await (await env.ARCHIVE.get(staysKey))!.text()).toBe(staysBytes);
    expect(await (await env.ARCHIVE.get(archiveKey(both)))!.text()).toBe(staysLines);
    const done = (await call(receipt.check)).body as ErasureReceipt;
    expect(done).toMatchObject({
      status: 'done',
      steps: { database: 'done', insights: 'done', archive: 'done', webhook: 'notified' },
    });
    expect(Date.parse(done.completed_at!)).toBe(requestedAt + ARCHIVE_SETTLE_MS + 1_000);
  });

  it('retries a refused webhook notice on the next cron run; without a webhook the step is off', async () => {
    webhook.failWhen = () => true;
    const receipt = (await ask('erase', { anonymous_id: crypto.randomUUID() })).body as ErasureReceipt;
    const requestedAt = Date.parse(receipt.requested_at);
    await runCron(requestedAt + ARCHIVE_SETTLE_MS + 1_000);
    expect((await call(receipt.check)).body).toMatchObject({ status: 'pending', steps: { archive: 'done', webhook: 'pending' } });
    webhook.failWhen = () => false;
    await runCron(requestedAt + ARCHIVE_SETTLE_MS + 3_600_000);
    expect((await call(receipt.check)).body).toMatchObject({ status: 'done', steps: { webhook: 'notified' } });

    const ctx = createExecutionContext();
    const bindings = { ...env, FORWARD_URL: '' } as Env;
    const response = await worker.fetch(
      new Request('http://localhost:8787/v1/rights/demo/erase', {
        method: 'POST',
        headers: { Origin: ORIGIN, 'Content-Type': 'text/plain', 'CF-Connecting-IP': newIp() },
        body: JSON.stringify({ anonymous_id: crypto.randomUUID() }),
      }) as Request<unknown, IncomingRequestCfProperties>,
      bindings,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(await response.json()).toMatchObject({ steps: { webhook: 'off', archive: 'pending' } });
  });
});

describe('a site that keeps no identifiers', () => {
  it('answers kept: nothing with the reason, and an erasure that is done at once', async () => {
    // No PSEUDONYM_KEY_DEMO and a host that is not loopback (where a development key would apply).
    const bindings = { ...env, PSEUDONYM_KEY_DEMO: undefined, ADMIN_TOKEN: 'operator-secret' } as Env;
    const request = (kind: string) => {
      const ctx = createExecutionContext();
      return Promise.resolve(
        worker.fetch(
          new Request(`https://collector.example/v1/admin/rights/demo/${kind}`, {
            method: 'POST',
            headers: { Authorization: 'Bearer operator-secret', 'Content-Type': 'application/json' },
            body: JSON.stringify({ anonymous_id: crypto.randomUUID() }),
          }) as Request<unknown, IncomingRequestCfProperties>,
          bindings,
          ctx,
        ),
      ).then(async (response) => {
        await waitOnExecutionContext(ctx);
        return { status: response.status, body: (await response.json()) as any };
      });
    };
    const access = await request('access');
    expect(access).toMatchObject({
      status: 200,
      body: { kept: 'nothing', records: [], reason: expect.stringMatching(/no pseudonymization key/) },
    });
    const erase = await request('erase');
    expect(erase).toMatchObject({
      status: 202,
      body: { status: 'done', steps: { database: 'done', insights: 'done', archive: 'done', webhook: 'off' } },
    });
  });
});

describe('operator routes', () => {
  it('answer access and erasure for an id given by e-mail, behind ADMIN_TOKEN', async () => {
    const id = crypto.randomUUID();
    const visit = await grantedVisit(id);
    await stored(visit);
    const admin = (kind: string, bindings: Env = env as Env, host = 'localhost:8787', token?: string) => {
      const ctx = createExecutionContext();
      return Promise.resolve(
        worker.fetch(
          new Request(`http://${host}/v1/admin/rights/demo/${kind}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify({ anonymous_id: id }),
          }) as Request<unknown, IncomingRequestCfProperties>,
          bindings,
          ctx,
        ),
      ).then(async (response) => {
        await waitOnExecutionContext(ctx);
        return response;
      });
    };
    const withToken = { ...env, ADMIN_TOKEN: 'operator-secret' } as Env;
    expect((await admin('access', withToken)).status).toBe(401);
    expect((await admin('access', env as Env, 'collector.example')).status).toBe(404);
    const access = await admin('access', withToken, 'localhost:8787', 'operator-secret');
    expect(access.status).toBe(200);
    expect(((await access.json()) as AccessResponse).records).toHaveLength(visit.records.length);
    const erase = await admin('erase', withToken, 'localhost:8787', 'operator-secret');
    expect(erase.status).toBe(202);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE visitor_id = ?', visit.records[0]!.visitor_id)).toBe(0);
  });
});
