import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingest, REPORTS } from '../src/core/insights/index.ts';
import { d1Engine } from '../src/d1-engine.ts';
import worker from '../src/index.ts';
import { sitePolicies } from '../src/sites.ts';
import { EXPECTED_CART, EXPECTED_FUNNEL, EXPECTED_SEARCH } from '../test-core/support/expected.ts';
import { buildPopulation } from '../test-core/support/population.ts';
import { call, figuresOf, ORIGIN, relabelled } from './support.ts';

const PUBLIC = 'https://pathmark.example';
const TOKEN = 'insights-test-token-0123456789';
const withToken = { ...env, INSIGHTS_TOKEN: TOKEN };
const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const RANGE = `from=${dayBefore(3)}&to=${dayBefore(1)}`;

describe('GET /v1/insights: access', () => {
  const path = `/v1/insights/demo/funnel?${RANGE}`;

  it('answers 401 {"error":"unauthorized"} and nothing more off loopback without the token, or with a wrong one', async () => {
    const attempts: RequestInit[] = [
      {},
      { headers: { Authorization: 'Bearer wrong-token' } },
      { headers: { Authorization: `Bearer ${TOKEN}x` } },
      { headers: { Authorization: TOKEN } },
      { headers: { Cookie: 'pathmark_insights=wrong-token' } },
      { headers: { Cookie: `other=${TOKEN}` } },
    ];
    for (const init of attempts) {
      const { status, body } = await call(`${PUBLIC}${path}`, init, { env: withToken });
      expect({ status, body }, JSON.stringify(init)).toEqual({ status: 401, body: { error: 'unauthorized' } });
    }
    // Unknown sites and reports are not told apart from known ones before the token is checked.
    for (const other of ['/v1/insights/nope/funnel', '/v1/insights/demo/nope', '/v1/insights/demo', '/v1/insights']) {
      expect((await call(`${PUBLIC}${other}`, {}, { env: withToken })).status, other).toBe(401);
    }
  });

  it('lets the bearer token or the pathmark_insights cookie in', async () => {
    for (const headers of [{ Authorization: `Bearer ${TOKEN}` }, { Cookie: `a=b; pathmark_insights=${TOKEN}` }] as Record<
      string,
      string
    >[]) {
      const { status, body } = await call(`${PUBLIC}${path}`, { headers }, { env: withToken });
      expect(status).toBe(200);
      expect(body).toMatchObject({ report: 'funnel', site: 'demo', k: 5, noise: null });
    }
  });

  it('without an INSIGHTS_TOKEN secret, is closed to everything off loopback', async () => {
    const { INSIGHTS_TOKEN: _none, ...noToken } = withToken;
    for (const headers of [{}, { Authorization: 'Bearer ' }, { Authorization: 'Bearer undefined' }] as Record<string, string>[]) {
      expect((await call(`${PUBLIC}${path}`, { headers }, { env: noToken as typeof env })).status).toBe(401);
    }
  });

  it('is open on a loopback host (local development), like the inspector', async () => {
    for (const host of [ORIGIN, 'http://127.0.0.1:8787', 'http://pathmark.localhost']) {
      expect((await call(`${host}${path}`, {}, { env: withToken })).status, host).toBe(200);
    }
  });
});

describe('GET /v1/insights: requests', () => {
  it('lists the reports of a site with its k and epsilon', async () => {
    const { status, body } = await call(`${ORIGIN}/v1/insights/demo`);
    expect(status).toBe(200);
    expect(body).toEqual({
      site: 'demo',
      k: 5,
      epsilon: null,
      reports: Object.keys(REPORTS).map((name) => ({ name, url: `/v1/insights/demo/${name}` })),
    });
  });

  it('answers 400 naming the field for a bad report name, day or range', async () => {
    const cases: [string, RegExp][] = [
      [`/v1/insights/demo/nope?${RANGE}`, /^report: expected one of browse-paths, dwell/],
      ['/v1/insights/demo/funnel', /^from: /],
      ['/v1/insights/demo/funnel?from=2026-02-30&to=2026-03-01', /^from: /],
      ['/v1/insights/demo/funnel?from=2026-03-01', /^to: /],
      ['/v1/insights/demo/funnel?from=2026-03-02&to=2026-03-01', /^to: before from/],
      ['/v1/insights/demo/funnel?from=2024-01-01&to=2026-03-01', /^to: the range is/],
      [`/v1/insights/demo/experiments?${RANGE}&expected=control`, /^expected: /],
    ];
    for (const [path, detail] of cases) {
      const { status, body } = await call(`${ORIGIN}${path}`);
      expect(status, path).toBe(400);
      expect(body.error).toBe('invalid_query');
      expect(body.detail, path).toMatch(detail);
    }
  });

  it('answers 404 for a site that is not configured', async () => {
    for (const path of [`/v1/insights/nope/funnel?${RANGE}`, '/v1/insights/nope']) {
      const { status, body } = await call(`${ORIGIN}${path}`);
      expect({ status, error: body.error }).toEqual({ status: 404, error: 'not_found' });
    }
  });

  it('passes the expected split to the experiments report', async () => {
    const { status, body } = await call(`${ORIGIN}/v1/insights/demo/experiments?${RANGE}&expected=control:1,green:3`);
    expect(status).toBe(200);
    expect(body.report).toBe('experiments');
  });
});

describe('the scheduled job', () => {
  it('rebuilds dirty days and applies the site’s retention_days, keeping the rollups of purged days', async () => {
    const retention = sitePolicies().get('demo')!.retention_days!;
    const engine = d1Engine(env.DB);
    const old = buildPopulation(dayBefore(retention + 30));
    const recent = buildPopulation(dayBefore(retention - 30));
    await ingest(engine, [...relabelled(old.records, 'old-', 'demo'), ...relabelled(recent.records, 'recent-', 'demo')], {
      newToken: () => crypto.randomUUID(),
      pageTypes: () => sitePolicies().get('demo')!.page_types,
    });
    const days = [...old.days, ...recent.days];
    const count = async (table: string, day: string) =>
      (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE site = 'demo' AND day = ?`)
        .bind(day)
        .first<{ n: number }>())!.n;
    for (const day of days) expect(await count('ins_dirty', day)).toBe(1);

    // The hourly cron prunes salts only; the every-minute one maintains the insights.
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '7 * * * *' }), env);
    for (const day of days) expect(await count('ins_dirty', day)).toBe(1);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env);

    for (const day of days) {
      expect(await count('ins_dirty', day)).toBe(0);
      expect(await count('ins_r_pages', day)).toBeGreaterThan(0);
    }
    for (const day of old.days) {
      expect(await count('events', day)).toBe(0);
      expect(await count('ins_page_views', day)).toBe(0);
    }
    for (const day of recent.days) {
      expect(await count('events', day)).toBeGreaterThan(0);
      expect(await count('ins_page_views', day)).toBeGreaterThan(0);
    }
    // Reports read the rollups, so the purged days still answer with the same figures.
    for (const population of [old, recent]) {
      const range = `from=${population.days[0]}&to=${population.days.at(-1)}`;
      const read = async (name: string) => figuresOf((await call(`${ORIGIN}/v1/insights/demo/${name}?${range}`)).body);
      expect(await read('funnel')).toEqual(EXPECTED_FUNNEL);
      expect(await read('search')).toEqual(EXPECTED_SEARCH);
      expect(await read('cart')).toEqual(EXPECTED_CART);
    }
  });
});
