import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { toNdjson } from '../src/sinks/r2.ts';
import { EXPECTED_CART, EXPECTED_DWELL, EXPECTED_FUNNEL, EXPECTED_SEARCH } from '../test-core/support/expected.ts';
import { buildPopulation } from '../test-core/support/population.ts';
import { call, figuresOf, ORIGIN, relabelled } from './support.ts';

// The operator's rebuild commands (npm run insights): archive NDJSON loaded into `events` and the
// facts, and every fact and rollup of a site rebuilt from `events`. Both through the admin routes.

const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const population = buildPopulation(dayBefore(60));
const records = relabelled(population.records, 'archive-', 'demo');
const [FROM, TO] = [population.days[0]!, population.days.at(-1)!];

const figures = async () => {
  const read = async (name: string) => {
    const { status, body } = await call(`${ORIGIN}/v1/insights/demo/${name}?from=${FROM}&to=${TO}`);
    expect(status).toBe(200);
    return figuresOf(body);
  };
  return { funnel: await read('funnel'), search: await read('search'), cart: await read('cart'), dwell: await read('dwell') };
};
const EXPECTED = { funnel: EXPECTED_FUNNEL, search: EXPECTED_SEARCH, cart: EXPECTED_CART, dwell: EXPECTED_DWELL };
const count = async (table: string) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE site = 'demo' AND day >= ? AND day <= ?`).bind(FROM, TO).first<{
    n: number;
  }>())!.n;

const load = (ndjson: string) =>
  call(`${ORIGIN}/v1/admin/insights/demo/events`, {
    method: 'POST',
    body: ndjson,
    headers: { 'Content-Type': 'application/x-ndjson' },
  });

describe('insights admin routes', () => {
  it('load archive NDJSON in chunks through ingest, rebuild from events, and change nothing when run twice', async () => {
    const half = Math.ceil(records.length / 2);
    for (let round = 0; round < 2; round++) {
      for (const chunk of [records.slice(0, half), records.slice(half)]) {
        const { status, body } = await load(toNdjson(chunk));
        expect(status).toBe(200);
        expect(body).toEqual({ site: 'demo', records: chunk.length });
      }
      expect(await figures()).toEqual(EXPECTED);
      expect(await count('events')).toBe(records.length);
    }

    // Derived tables lost (or built by an older version): the rebuild recomputes them from events.
    for (const table of ['ins_page_views', 'ins_searches', 'ins_item_lines', 'ins_r_pages', 'ins_r_visits', 'ins_r_searches']) {
      await env.DB.prepare(`DELETE FROM ${table} WHERE site = 'demo' AND day >= ? AND day <= ?`).bind(FROM, TO).run();
    }
    expect((await figures()).funnel).not.toEqual(EXPECTED_FUNNEL);
    const rebuilt = await call(`${ORIGIN}/v1/admin/insights/demo/rebuild`, { method: 'POST' });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ site: 'demo' });
    expect(rebuilt.body.days).toBeGreaterThanOrEqual(population.days.length);
    expect(await figures()).toEqual(EXPECTED);
    expect(await count('ins_dirty')).toBe(0);
  }, 60_000);

  it('refuses an archive chunk of another site or with a broken line, naming the line', async () => {
    const [first] = records;
    const cases: [string, RegExp][] = [
      [toNdjson([{ ...first, site: 'other' }]), /^line 1: site: expected "demo"/],
      [`${JSON.stringify(first)}\n{not json\n`, /^line 2: not JSON/],
      [toNdjson([{ ...first, ts: 'yesterday' }]), /^line 1: ts: expected a number/],
      [toNdjson([{ ...first, event_id: undefined }]), /^line 1: event_id: expected a string/],
    ];
    for (const [body, detail] of cases) {
      const answer = await load(body);
      expect(answer.status).toBe(400);
      expect(answer.body.detail).toMatch(detail);
    }
    expect((await call(`${ORIGIN}/v1/admin/insights/nope/rebuild`, { method: 'POST' })).status).toBe(404);
  });

  it('needs ADMIN_TOKEN off loopback, and is a plain 404 there without one', async () => {
    const url = 'https://pathmark.example/v1/admin/insights/demo/rebuild';
    const withToken = { ...env, ADMIN_TOKEN: 'admin-test-token' };
    expect((await call(url, { method: 'POST' }, { env: withToken })).status).toBe(401);
    expect((await call(url, { method: 'POST', headers: { Authorization: 'Bearer nope' } }, { env: withToken })).status).toBe(401);
    const allowed = await call(
      url,
      { method: 'POST', headers: { Authorization: 'Bearer admin-test-token' } },
      { env: withToken },
    );
    expect(allowed.status).toBe(200);
    expect((await call(url, { method: 'POST' })).status).toBe(404);
  });
});
