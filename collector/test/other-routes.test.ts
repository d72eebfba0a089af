import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import pathmarkScript from '../../sdk/dist/pathmark.js';
import vitalsScript from '../../sdk/dist/pathmark-vitals.js';
import deliveryScript from '../../sdk/dist/pathmark-delivery.js';
import { siteCors } from '../src/cors.ts';
import type { Env } from '../src/env.ts';
import worker from '../src/index.ts';
import type { InspectResponse } from '../src/inspect.ts';
import { siteConfigFor, type SitePolicy } from '../src/core/policy.ts';
import { decodeMessage } from '../src/core/queue-message.ts';
import { archiveKey, toNdjson } from '../src/sinks/r2.ts';
import { reportConfiguration } from '../src/startup.ts';
import { ORIGIN, makeBatch, makeEvent, post } from './support.ts';

async function get(
  path: string,
  init: RequestInit & { cf?: Record<string, unknown> } = {},
  bindings: Env = env,
): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://localhost:8787${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe('GET /healthz', () => {
  it('answers ok with the state of each sink, through the service binding', async () => {
    const response = await exports.default.fetch('http://localhost:8787/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok', sinks: { r2: 'ok', d1: 'ok', webhook: 'ok' } });
  });

  it('says the webhook is off when FORWARD_URL is empty', async () => {
    const response = await get('/healthz', {}, { ...env, FORWARD_URL: '', WEBHOOK_SECRET: undefined });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', sinks: { r2: 'ok', d1: 'ok', webhook: 'off' } });
  });

  it.each([
    [
      'a webhook URL without its secret',
      { WEBHOOK_SECRET: undefined },
      'webhook',
      /FORWARD_URL is set but WEBHOOK_SECRET is not/,
    ],
    [
      'a webhook URL that is not one',
      { FORWARD_URL: 'hooks.example/in' },
      'webhook',
      /FORWARD_URL "hooks.example\/in" is not an http\(s\) URL/,
    ],
    ['no queue for the D1 sink', { SINK_QUEUE_D1: undefined }, 'd1', /SINK_QUEUE_D1 \(queue binding\) is missing/],
    ['no R2 bucket', { ARCHIVE: undefined }, 'r2', /ARCHIVE \(R2 bucket binding\) is missing/],
  ])('answers 503 misconfigured for %s, naming the sink and the fix', async (_label, overrides, sink, problem) => {
    const response = await get('/healthz', {}, { ...env, ...overrides } as Env);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; sinks: Record<string, unknown>; problems: string[] };
    expect(body.status).toBe('misconfigured');
    expect(body.sinks[sink]).toEqual({ problem: expect.stringMatching(problem) });
    expect(body.problems).toEqual([expect.stringMatching(new RegExp(`^${sink} sink: ${problem.source}`))]);
  });

  it('reports a missing dead-letter queue and a retry base that is not a number', async () => {
    const response = await get('/healthz', {}, {
      ...env,
      DEAD_LETTER_QUEUE: undefined,
      RETRY_BASE_SECONDS: 'ten',
    } as unknown as Env);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { problems: string[] }).problems).toEqual([
      expect.stringContaining('DEAD_LETTER_QUEUE'),
      expect.stringContaining('RETRY_BASE_SECONDS'),
    ]);
  });

  it('is what the Worker logs as it starts (nothing for a sound configuration)', () => {
    const logged: string[] = [];
    expect(reportConfiguration(env, (line) => logged.push(line))).toEqual([]);
    expect(logged).toEqual([]);
    reportConfiguration({ ...env, WEBHOOK_SECRET: undefined }, (line) => logged.push(line));
    expect(logged).toEqual([
      expect.stringMatching(/^pathmark: misconfigured: webhook sink: FORWARD_URL is set but WEBHOOK_SECRET is not.*\/healthz/),
    ]);
  });
});

describe('GET /v1/config/:site', () => {
  it('answers the effective policy for the visitor, from the injected cf.country', async () => {
    const response = await get('/v1/config/demo', { cf: { country: 'FR' }, headers: { Origin: ORIGIN } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      site: 'demo',
      default_consent: 'pending',
      max_consent: 'granted',
      gpc: 'anonymous',
      query_params: expect.arrayContaining(['q']),
      policy_version: expect.any(String),
      regions: ['FR'],
    });
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(response.headers.get('Cache-Control')).toContain('private');
  });

  it.each([
    [{ country: 'FR', regionCode: 'IDF' }, ['FR', 'FR-IDF']],
    [{ country: 'US', regionCode: 'CA' }, ['US', 'US-CA']],
    [{ country: 'de' }, ['DE']],
    [{ country: 'XX', regionCode: 'CA' }, undefined],
    [{ country: 'T1' }, undefined],
    [{}, undefined],
    [{ country: 'US', regionCode: '<script>' }, ['US']],
  ])('tells the SDK where the visitor is (cf %j → regions %j), for Consent Mode region lists', async (cf, regions) => {
    const body = (await (await get('/v1/config/demo', { cf })).json()) as { regions?: string[] };
    expect(body.regions).toEqual(regions);
  });

  it('answers 403 for an unknown site and 405 for other methods', async () => {
    expect(await (await get('/v1/config/nope')).json()).toEqual({
      error: 'unknown_site',
      detail: expect.stringContaining('site'),
    });
    expect((await get('/v1/config/demo', { method: 'POST', body: '{}' })).status).toBe(405);
  });

  const policy: SitePolicy = {
    site: 'shop',
    policy_version: 'v7',
    allowed_origins: [],
    max_consent: 'granted',
    default_consent: { 'EU/EEA/UK': 'pending', CH: 'pending', '*': 'anonymous' },
    gpc: 'denied',
    dnt: 'ignore',
    query_params: ['q'],
    redact_keys: [],
  };
  it.each([
    ['DE', false, 'pending'],
    ['GB', false, 'pending'],
    ['NO', false, 'pending'],
    ['CH', false, 'pending'],
    ['US', false, 'anonymous'],
    ['BR', false, 'anonymous'],
    [null, false, 'pending'],
    ['XX', false, 'pending'],
    ['US', true, 'denied'],
  ] as const)('country %s, GPC %s → default %s', (country, gpc, expected) => {
    expect(siteConfigFor(policy, country, { gpc, dnt: false }).default_consent).toBe(expected);
  });

  it('uses the same country through the service binding', async () => {
    const response = await exports.default.fetch(new Request('http://localhost:8787/v1/config/demo', { cf: { country: 'DE' } }));
    expect(await response.json()).toMatchObject({ default_consent: 'pending' });
  });
});

describe('GET /pathmark.js and its lazily loaded parts', () => {
  it.each([
    ['/pathmark.js', pathmarkScript],
    ['/pathmark-vitals.js', vitalsScript],
    ['/pathmark-delivery.js', deliveryScript],
  ])('serves %s from sdk/dist with an ETag and a long cache', async (path, source) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('Cache-Control')).toMatch(/max-age=\d{5,}/);
    const etag = response.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await response.text()).toBe(source);
    expect(source.length).toBeGreaterThan(0);

    const revalidated = await get(path, { headers: { 'If-None-Match': etag! } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });
});

describe('inspector routes', () => {
  it('are 404 unless PATHMARK_INSPECTOR=1', async () => {
    const off = { ...env, PATHMARK_INSPECTOR: '0' } as Env;
    for (const path of ['/v1/inspect', '/v1/inspect/archive', '/inspector']) {
      const response = await get(path, {}, off);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'not_found', detail: `${path}: no such route` });
    }
  });

  it('are 404 on a non-loopback host even with PATHMARK_INSPECTOR=1, and store no raw batch there', async () => {
    const ctx = createExecutionContext();
    const remote = await worker.fetch(
      new Request('https://collector.example/v1/inspect') as Request<unknown, IncomingRequestCfProperties>,
      env,
      ctx,
    );
    expect(remote.status).toBe(404);
    await remote.body?.cancel();

    const stored = async (marker: string) =>
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM inspect_batches WHERE raw LIKE ?')
        .bind(`%${marker}%`)
        .first<{ n: number }>())!.n;
    const marker = `probe${Math.floor(Math.random() * 1e9)}`;
    const remotePost = await post(makeBatch(undefined, { sdk: `remote-${marker}` }), {
      url: 'https://collector.example/v1/events',
    });
    const localPost = await post(makeBatch(undefined, { sdk: `local-${marker}` }));
    expect([remotePost.response.status, localPost.response.status]).toEqual([202, 202]);
    expect(await stored(`remote-${marker}`)).toBe(0);
    expect(await stored(`local-${marker}`)).toBe(1);
  });

  it('serves demo-store/dist/inspector/ through ASSETS when enabled, not the store fallback', async () => {
    const response = await get('/inspector');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toContain('text/html');
    const storeIndex = await (await env.ASSETS.fetch('http://localhost:8787/')).text();
    expect(await response.text()).not.toBe(storeIndex);
  });

  it('shows each forwarded record beside the raw batch, from D1', async () => {
    const marker = `spring-sale-${Math.floor(Math.random() * 1e6)}`;
    const event = makeEvent({ name: 'newsletter_signup', props: { email: 'someone@example.com', campaign: marker } } as never);
    const { queued } = await post(makeBatch([event]));
    expect(queued).toHaveLength(1);
    // Deliver through the real consumer (the test isolate runs the Worker's queue handler).
    const deadline = Date.now() + 15_000;
    let body: InspectResponse | undefined;
    while (Date.now() < deadline) {
      body = (await (await get('/v1/inspect?limit=1000')).json()) as InspectResponse;
      if (body.records.some((entry) => entry.record.event_id === event.id)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const entry = body!.records.find((candidate) => candidate.record.event_id === event.id)!;
    expect(entry).toBeDefined();
    expect(entry.record.props).toEqual({ campaign: marker });
    expect(entry.record.audit.removed).toContain('props.email');
    expect(entry.raw_event).toMatchObject({ id: event.id, props: { email: 'someone@example.com' } });
    const batch = body!.batches.find((candidate) => candidate.batch_id === entry.batch_id)!;
    expect(batch).toMatchObject({ site: 'demo', claimed_consent: 'anonymous', effective_consent: 'anonymous', accepted: 1 });
  });

  it('lists the event ids each R2 archive object holds', async () => {
    const events = [makeEvent(), makeEvent()];
    const { queued } = await post(makeBatch(events), { forward: false });
    const message = decodeMessage(queued[0]!);
    await env.ARCHIVE.put(archiveKey(message), toNdjson(message.records));
    const found: { key: string; event_ids: string[] }[] = [];
    for (let after: string | null | undefined; after !== null;) {
      const page = (await (
        await get(`/v1/inspect/archive?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`)
      ).json()) as {
        objects: { key: string; event_ids: string[] }[];
        next: string | null;
      };
      found.push(...page.objects);
      after = page.next;
    }
    expect(found.filter((object) => object.key === archiveKey(message))).toEqual([
      { key: archiveKey(message), event_ids: events.map((e) => e.id) },
    ]);
  });

  it('validates ?limit=', async () => {
    expect((await get('/v1/inspect/archive?limit=0')).status).toBe(400);
    expect((await get('/v1/inspect?limit=5000')).status).toBe(400);
    expect((await get('/v1/inspect?limit=abc')).status).toBe(400);
  });
});

describe('siteCors middleware', () => {
  const app = new Hono();
  app.use('/x', siteCors({ allowedOrigins: () => new Set(['https://a.example']), methods: ['GET'] }));
  app.get('/x', (c) => c.text('ok'));

  it('adds Allow-Origin for an allowed origin only', async () => {
    expect(
      (await app.request('/x', { headers: { Origin: 'https://a.example' } })).headers.get('Access-Control-Allow-Origin'),
    ).toBe('https://a.example');
    const other = await app.request('/x', { headers: { Origin: 'https://b.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('answers preflights: 204 when allowed, 403 otherwise', async () => {
    expect((await app.request('/x', { method: 'OPTIONS', headers: { Origin: 'https://a.example' } })).status).toBe(204);
    expect((await app.request('/x', { method: 'OPTIONS', headers: { Origin: 'https://b.example' } })).status).toBe(403);
  });
});
