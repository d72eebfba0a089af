import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '#protocol';
import { createApp } from '../src/app.ts';
import { createDeps } from '../src/deps.ts';
import worker from '../src/index.ts';
import { MAX_MESSAGE_BYTES } from '../src/core/queue-message.ts';
import type { Env } from '../src/env.ts';
import { parseSitePolicies } from '../src/core/policy.ts';
import { DEFAULT_BATCHES_PER_10S, RATE_LIMIT_UNIT, firstPageId, rateLimitKey } from '../src/core/rate-limit.ts';
import { ENDPOINT, ORIGIN, eventsRequest, makeBatch, makeEvent, newId, newIp, post } from './support.ts';

async function call(request: Request, bindings: Env = env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const oversized = JSON.stringify(makeBatch([makeEvent({ title: 'x'.repeat(MAX_BODY_BYTES) })]));

describe('POST /v1/events: bad input gets a clear 4xx', () => {
  it.each([
    { label: 'GET', body: null, options: { method: 'GET' }, status: 405, error: 'method_not_allowed', detail: 'method' },
    { label: 'PUT', body: makeBatch(), options: { method: 'PUT' }, status: 405, error: 'method_not_allowed', detail: 'method' },
    {
      label: 'XML content type',
      body: makeBatch(),
      options: { headers: { 'Content-Type': 'application/xml' } },
      status: 415,
      error: 'unsupported_media_type',
      detail: 'Content-Type',
    },
    {
      label: 'form content type',
      body: makeBatch(),
      options: { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      status: 415,
      error: 'unsupported_media_type',
      detail: 'Content-Type',
    },
    { label: 'a body over 64 KB', body: oversized, options: {}, status: 413, error: 'payload_too_large', detail: 'body' },
    { label: 'malformed JSON', body: '{"v":1,', options: {}, status: 400, error: 'malformed_json', detail: 'body' },
    { label: 'an empty body', body: '', options: {}, status: 400, error: 'malformed_json', detail: 'body' },
    { label: 'JSON null', body: 'null', options: {}, status: 400, error: 'invalid_batch', detail: 'site' },
    { label: 'a JSON array', body: '[1,2]', options: {}, status: 400, error: 'invalid_batch', detail: 'site' },
    {
      label: 'a numeric site',
      body: { ...makeBatch(), site: 7 },
      options: {},
      status: 400,
      error: 'invalid_batch',
      detail: 'site',
    },
    {
      label: 'an unknown site',
      body: makeBatch(undefined, { site: 'nope' }),
      options: {},
      status: 403,
      error: 'unknown_site',
      detail: 'site',
    },
    {
      label: 'a foreign origin',
      body: makeBatch(),
      options: { headers: { Origin: 'https://evil.example' } },
      status: 403,
      error: 'origin_not_allowed',
      detail: 'Origin',
    },
    {
      label: 'no origin',
      body: makeBatch(),
      options: { headers: { Origin: '' } },
      status: 403,
      error: 'origin_not_allowed',
      detail: 'Origin',
    },
    {
      label: 'protocol version 2',
      body: { ...makeBatch(), v: 2 },
      options: {},
      status: 400,
      error: 'invalid_batch',
      detail: 'v: ',
    },
    {
      label: 'a top-level __proto__',
      body: `{"__proto__":{"x":1},"v":1,"site":"demo"}`,
      options: {},
      status: 400,
      error: 'invalid_batch',
      detail: '__proto__: key not allowed',
    },
    { label: 'no events', body: makeBatch([]), options: {}, status: 400, error: 'invalid_batch', detail: 'events' },
    {
      label: 'only invalid events',
      body: makeBatch([makeEvent({ name: 'scroll', props: { depth: 'deep' } } as never)]),
      options: {},
      status: 400,
      error: 'invalid_events',
      detail: 'events[0].props.depth',
    },
    {
      label: 'a price that is a string',
      body: makeBatch([makeEvent({ name: 'add_to_cart', props: { items: [{ item_id: 'a', price: '9.99' }] } } as never)]),
      options: {},
      status: 400,
      error: 'invalid_events',
      detail: 'events[0].props.items[0].price',
    },
  ])('$label → $status $error', async ({ body, options, status, error, detail }) => {
    const headers = Object.fromEntries(
      Object.entries((options as { headers?: Record<string, string> }).headers ?? {}).filter(([, value]) => value !== ''),
    );
    const request = eventsRequest(body, { ...options, headers });
    if ((options as { headers?: Record<string, string> }).headers?.Origin === '') request.headers.delete('Origin');
    const response = await call(request);
    const json = (await response.json()) as { error: string; detail: string };
    expect(response.status).toBe(status);
    expect(json).toEqual({ error, detail: expect.any(String) });
    expect(json.detail.startsWith(detail)).toBe(true);
  });

  it('refuses a chunked body over 64 KB without a Content-Length', async () => {
    const bytes = new TextEncoder().encode(oversized);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: ORIGIN },
      body: stream,
    });
    expect(request.headers.get('Content-Length')).toBeNull();
    const response = await call(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('accepts a chunked body within 64 KB', async () => {
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: ORIGIN },
      body: new Blob([JSON.stringify(makeBatch())]).stream(),
    });
    expect(request.headers.get('Content-Length')).toBeNull();
    const response = await call(request);
    expect(response.status).toBe(202);
  });

  it.each([
    { label: 'a string body', body: () => oversized },
    { label: 'a stream body', body: () => new Blob([oversized]).stream() },
  ])('refuses a body over 64 KB whose Content-Length claims less ($label)', async ({ body }) => {
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: ORIGIN, 'Content-Length': '100' },
      body: body(),
    });
    expect(request.headers.get('Content-Length')).toBe('100');
    const response = await call(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await call(new Request('http://localhost:8787/v1/nothing'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', detail: '/v1/nothing: no such route' });
  });
});

describe('POST /v1/events: accepted batches', () => {
  it('answers 202 with accepted and rejected-by-index, after one queue message', async () => {
    const events = [
      makeEvent(),
      makeEvent({ name: 'scroll', props: { depth: 12 } } as never),
      makeEvent({ name: 'scroll', props: { depth: 50 } }),
    ];
    const { response, body, queued, records } = await post(makeBatch(events));
    expect(response.status).toBe(202);
    expect(body).toEqual({
      accepted: 2,
      rejected: [{ index: 1, reason: expect.stringMatching(/^events\[1\]\.props\.depth: /) }],
    });
    expect(queued).toHaveLength(1);
    expect(records.map((record) => record.event_id)).toEqual([events[0]!.id, events[2]!.id]);
  });

  it('cleans previous_path like the page URL: allowlisted query only, no fragment', async () => {
    const event = makeEvent({ props: { navigation: 'push', page_index: 2, previous_path: '/checkout?session=abc&q=mug#pay' } });
    const { records } = await post(makeBatch([event]));
    expect(records[0]!.props.previous_path).toBe('/checkout?q=mug');
    expect(records[0]!.audit.removed).toEqual(
      expect.arrayContaining(['props.previous_path?session', 'props.previous_path#fragment']),
    );
  });

  it('splits a batch that anonymization grew past one queue message, keeping every event', async () => {
    // Non-ASCII paths grow sixfold: percent-encoded (×3), in both url and path.
    const events = Array.from({ length: 100 }, (_, i) =>
      makeEvent({
        url: `http://localhost:8787/${'é'.repeat(180)}/${i}`,
        title: undefined,
        props: { navigation: 'load', page_index: 1 },
      }),
    );
    const body = JSON.stringify(makeBatch(events));
    expect(new TextEncoder().encode(body).byteLength).toBeLessThanOrEqual(64 * 1024);
    const { response, queued, records } = await post(body);
    expect(response.status).toBe(202);
    expect(queued.length).toBeGreaterThan(1);
    for (const message of queued) expect(new TextEncoder().encode(message).byteLength).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(records.map((record) => record.event_id)).toEqual(events.map((event) => event.id));
  });

  it('takes application/json as well as text/plain', async () => {
    const { response } = await post(makeBatch(), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(response.status).toBe(202);
  });

  it('caps a visitor sending Sec-GPC: 1 at anonymous even when the SDK claims granted', async () => {
    const event = makeEvent({ anonymous_id: 'raw-device-id-0001', session_id: 'raw-session-0001' });
    const { body, records, queued } = await post(makeBatch([event], { consent: 'granted' }), { headers: { 'Sec-GPC': '1' } });
    expect(body).toEqual({ accepted: 1, rejected: [] });
    expect(records[0]).toMatchObject({ consent: 'anonymous', audit: { key_id: null } });
    expect(records[0]!.session_id).toBeUndefined();
    expect(queued.join()).not.toContain('raw-device-id-0001');
  });

  it('pseudonymizes granted ids with the site key', async () => {
    const event = makeEvent({ anonymous_id: 'raw-device-id-0002', session_id: 'raw-session-0002' });
    const { records, queued } = await post(makeBatch([event], { consent: 'granted' }));
    expect(records[0]).toMatchObject({
      consent: 'granted',
      audit: { key_id: expect.stringMatching(/^key:[0-9a-f]{12}$/), salt_id: null },
    });
    expect(queued.join()).not.toMatch(/raw-(device|session)-/);
  });

  it('drops identifiers on a non-loopback host without a configured key (no development default there)', async () => {
    const bindings = { ...env, PSEUDONYM_KEY_DEMO: undefined } as Env;
    const event = makeEvent({ anonymous_id: 'raw-device-id-0003' });
    const remote = await post(makeBatch([event], { consent: 'granted' }), {
      env: bindings,
      url: 'https://collector.example/v1/events',
    });
    expect(remote.records[0]).toMatchObject({ consent: 'anonymous', audit: { key_id: null } });
    const local = await post(makeBatch([makeEvent({ anonymous_id: 'raw-device-id-0004' })], { consent: 'granted' }), {
      env: bindings,
    });
    expect(local.records[0]).toMatchObject({ consent: 'granted', audit: { key_id: expect.stringMatching(/:development$/) } });
  });

  it('drops bots', async () => {
    const { response, body, queued } = await post(makeBatch(), {
      userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    });
    expect(response.status).toBe(202);
    expect(body).toEqual({ accepted: 0, rejected: [{ index: 0, reason: expect.stringContaining('automated traffic') }] });
    expect(queued).toEqual([]);
  });

  it('drops pending and denied batches without queueing them', async () => {
    for (const consent of ['pending', 'denied'] as const) {
      const { response, body, queued } = await post(makeBatch(undefined, { consent: consent as never }));
      expect(response.status).toBe(202);
      expect(body).toMatchObject({
        accepted: 0,
        rejected: [{ index: 0, reason: expect.stringContaining(`consent: ${consent}`) }],
      });
      expect(queued).toEqual([]);
    }
  });

  it('answers 503 with Retry-After when the queue refuses, so the SDK keeps the batch', async () => {
    const refusing = { ...env, EVENTS_QUEUE: { send: () => Promise.reject(new Error('queue overloaded')) } } as unknown as Env;
    const response = await call(eventsRequest(makeBatch()), refusing);
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('5');
    expect(await response.json()).toEqual({ error: 'queue_unavailable', detail: expect.any(String) });
  });

  it('answers 503 with Retry-After (not a crash) when D1 fails', async () => {
    const broken = {
      ...env,
      DB: {
        prepare: () => {
          throw new Error('D1 down');
        },
      },
    } as unknown as Env;
    // A fresh app (empty salt cache) so the request needs D1 for today's salt.
    const app = createApp(createDeps());
    const ctx = createExecutionContext();
    const response = await app.fetch(eventsRequest(makeBatch()), broken, ctx);
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('30');
    expect(await response.json()).toEqual({ error: 'unavailable', detail: expect.any(String) });
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once one page view floods, other visitors unaffected', async () => {
    const ip = newIp();
    const pageId = newId();
    const flood = () => eventsRequest(makeBatch([makeEvent({ page_id: pageId })]), { ip });
    const statuses: number[] = [];
    // The window is 10 s; the loop stops at the first 429, well before that under any load.
    for (let i = 0; i < 400 && !statuses.includes(429); i++) statuses.push((await call(flood())).status);
    expect(statuses.slice(0, RATE_LIMIT_UNIT).every((status) => status === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const limited = await call(flood());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('10');
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    expect((await call(eventsRequest(makeBatch(), { ip: newIp() }))).status).toBe(202);
  });

  it('lets 100 shoppers behind one office NAT, with the same browser, through without a 429', async () => {
    const ip = newIp();
    // An active shopper within 10 s: a page whose first events and a timed flush make two batches,
    // then a second page's first batch (the SDK flushes at most every 5 s). 300 batches from one
    // IP address and user agent, which the limit used to count as one visitor (100 per 10 s).
    const batches = Array.from({ length: 100 }, () => {
      const [first, second] = [newId(), newId()];
      return [first, first, second];
    });
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const pages of batches)
        statuses.push((await call(eventsRequest(makeBatch([makeEvent({ page_id: pages[round]! })]), { ip }))).status);
    }
    expect(statuses).toHaveLength(300);
    expect(statuses.filter((status) => status !== 202)).toEqual([]);
  }, 60_000);

  it('takes the limit from the site policy, and holds one address to it whatever page ids it makes up', async () => {
    const policies = new Map([['demo', { ...createDeps().policies.get('demo')!, rate_limit: { batches_per_10s: 200 } }]]);
    const app = createApp(createDeps({ policies }));
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 450 && !statuses.includes(429); i++) {
      const ctx = createExecutionContext();
      statuses.push((await app.fetch(eventsRequest(makeBatch(), { ip }), env, ctx)).status);
    }
    const accepted = statuses.filter((status) => status === 202).length;
    // Two limiter keys: more than one key's 100 get through, and a 429 comes before the third hundred.
    expect(accepted).toBeGreaterThan(RATE_LIMIT_UNIT);
    expect(statuses.at(-1)).toBe(429);
  }, 60_000);

  it('rejects a site policy whose limit is below one unit', () => {
    const demo = { ...createDeps().policies.get('demo')! } as Record<string, unknown>;
    delete demo.site;
    expect(() => parseSitePolicies({ sites: { demo: { ...demo, rate_limit: { batches_per_10s: 50 } } } })).toThrow(
      /rate_limit.batches_per_10s: at least 100/,
    );
    expect(parseSitePolicies({ sites: { demo: { ...demo, rate_limit: undefined } } }).get('demo')!.rate_limit).toBeUndefined();
  });

  it('spreads the page views of one address over ceil(limit / 100) keys', () => {
    const keys = new Set(Array.from({ length: 500 }, () => rateLimitKey('demo', 'v', newId(), 1000)));
    expect([...keys].sort()).toEqual(Array.from({ length: 10 }, (_, unit) => `demo:v:${unit}`).sort());
    expect(rateLimitKey('demo', 'v', 'page-1', 100)).toBe('demo:v:0');
    expect(rateLimitKey('demo', 'v', 'page-1')).toBe(rateLimitKey('demo', 'v', 'page-1', DEFAULT_BATCHES_PER_10S));
    expect(firstPageId({ events: [{ page_id: 'p1' }, { page_id: 'p2' }] })).toBe('p1');
    expect(firstPageId({ events: 'nope' })).toBe('');
  });
});

describe('CORS', () => {
  const preflight = (origin: string, bindings: Env = env) =>
    call(
      new Request(ENDPOINT, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      }),
      bindings,
    );

  it('answers a preflight from an allowed origin', async () => {
    const response = await preflight(ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(response.headers.get('Access-Control-Allow-Headers')).toContain('Content-Type');
  });

  it('refuses a preflight from another origin, without CORS headers', async () => {
    const response = await preflight('https://evil.example');
    expect(response.status).toBe(403);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('lets the page read the answer (and its errors) only from allowed origins', async () => {
    const ok = await call(eventsRequest(makeBatch()));
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(ok.headers.get('Vary')).toContain('Origin');
    const invalid = await call(eventsRequest('{'));
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    const foreign = await call(eventsRequest(makeBatch(), { headers: { Origin: 'https://evil.example' } }));
    expect(foreign.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('adds DEV_ALLOWED_ORIGINS to every site', async () => {
    const bindings = { ...env, DEV_ALLOWED_ORIGINS: 'http://localhost:5173, http://127.0.0.1:4000' } as Env;
    expect((await preflight('http://127.0.0.1:4000', bindings)).status).toBe(204);
    const { response } = await post(makeBatch(), { env: bindings, headers: { Origin: 'http://localhost:5173' } });
    expect(response.status).toBe(202);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173');
  });
});
