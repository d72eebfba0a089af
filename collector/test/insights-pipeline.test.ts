import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { PathmarkEvent } from '#protocol';
import { REPORTS, type ReportName } from '../src/core/insights/index.ts';
import { populationBatches, type PopulationSend } from '../test-core/support/batches.ts';
import {
  EXPECTED_BROWSE_PATHS,
  EXPECTED_CART,
  EXPECTED_COVERAGE,
  EXPECTED_DWELL,
  EXPECTED_EXPERIMENTS,
  EXPECTED_FUNNEL,
  EXPECTED_SEARCH,
  EXPECTED_WEB_VITALS,
} from '../test-core/support/expected.ts';
import { buildPopulation } from '../test-core/support/population.ts';
import { call, consumeAll, figuresOf, ORIGIN, postPopulation } from './support.ts';

// The scripted population sent as the SDK would (one batch per page view, each anonymous visitor
// from its own address), through validation, policy, page-type classification and anonymization,
// then the D1 sink's queue consumer, which maintains the insights tables as it writes `events`.
// Every report is read through GET /v1/insights/demo/:report (open on the loopback host), with
// the demo site's page_types (sites.json) classifying the paths. Nothing is rebuilt by hand.

const firstDay = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
const population = buildPopulation(firstDay);
const [FROM, TO] = [population.days[0]!, population.days.at(-1)!];
const sends = populationBatches(population, ORIGIN);

/** The sends with only the events `keep` selects (empty sends dropped). */
const only = (keep: (event: PathmarkEvent) => boolean): PopulationSend[] =>
  sends.map((send) => ({ ...send, events: send.events.filter(keep) })).filter((send) => send.events.length > 0);

/** Posts the batches to /v1/events and runs the D1 sink's consumer on what they queued. */
async function deliver(batches: readonly PopulationSend[]) {
  const { queued, records } = await postPopulation(batches);
  await consumeAll('pathmark-sink-d1', queued);
  return records;
}

const report = async (name: ReportName) => {
  const { status, body } = await call(`${ORIGIN}/v1/insights/demo/${name}?from=${FROM}&to=${TO}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};
const allReports = async (): Promise<Record<string, any>> =>
  Object.fromEntries(await Promise.all(Object.keys(REPORTS).map(async (name) => [name, await report(name as ReportName)])));

const countRows = async (table: string) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE site = 'demo' AND day >= ? AND day <= ?`).bind(FROM, TO).first<{
    n: number;
  }>())!.n;

describe('the queue consumer maintains the insights tables', () => {
  it('gives every report’s hand-worked figures through the route; a late page_leave replaces; re-sending changes nothing', async () => {
    // 1. Everything but the late page leaves.
    const records = await deliver(only((event) => !population.lateLeaveIds.has(event.id)));
    // The collector classified every record's page by the demo policy's page_types.
    const typeOf = (path: string) => records.find((record) => record.path === path)!.page_type;
    expect([typeOf('/'), typeOf('/category/hats'), typeOf('/product/trail-shoe'), typeOf('/checkout/done')]).toEqual([
      'home',
      'category',
      'product',
      'confirmation',
    ]);
    expect(typeOf('/sale/summer-hat')).toBeNull();
    expect(await countRows('ins_dirty')).toBeGreaterThan(0);

    const shoe = (dwell: any) =>
      dwell.modes.granted.paths.rows.find((row: { path: string }) => row.path === '/product/trail-shoe');
    // G1 left the product page after 30 s engaged the first time: 30×6, 50×5.
    expect(shoe(await report('dwell'))).toMatchObject({ engaged_p50: 30, engaged_p75: 50, measured: 11 });

    // 2. The late page leaves: the page views' figures are replaced, not added to.
    await deliver(only((event) => population.lateLeaveIds.has(event.id)));
    const reports = await allReports();
    expect(shoe(reports.dwell)).toMatchObject({ engaged_p50: 45, measured: 11 });
    expect(await countRows('ins_dirty')).toBe(0);

    for (const value of Object.values(reports)) {
      expect(value).toMatchObject({ site: 'demo', from: FROM, to: TO, k: 5, noise: null });
      for (const mode of ['granted', 'anonymous'] as const) {
        const { basis: _basis, ...coverage } = value.modes[mode].coverage;
        expect(coverage, `${value.report} ${mode}`).toEqual(EXPECTED_COVERAGE[mode]);
      }
    }
    expect(figuresOf(reports['browse-paths'])).toEqual(EXPECTED_BROWSE_PATHS);
    expect(figuresOf(reports.dwell)).toEqual(EXPECTED_DWELL);
    expect(figuresOf(reports.search)).toEqual(EXPECTED_SEARCH);
    expect(figuresOf(reports.cart)).toEqual(EXPECTED_CART);
    expect(figuresOf(reports.funnel)).toEqual(EXPECTED_FUNNEL);
    expect(figuresOf(reports['web-vitals'])).toEqual(EXPECTED_WEB_VITALS);
    const experiments = figuresOf(reports.experiments);
    expect(experiments.anonymous).toEqual(EXPECTED_EXPERIMENTS.anonymous);
    const [experiment] = (experiments.granted as { experiments: any[] }).experiments;
    const [expected] = EXPECTED_EXPERIMENTS.granted.experiments;
    expect({ ...experiment, sample_ratio: undefined }).toEqual({ ...expected, sample_ratio: undefined });
    expect(experiment.sample_ratio).toMatchObject({ expected: [0.5, 0.5], mismatch: false });
    expect(experiment.sample_ratio.chi_square).toBeCloseTo(1 / 11, 12);

    // 3. Every batch again (at-least-once delivery, a client that re-sends): nothing changes.
    const tables = ['events', 'ins_page_views', 'ins_searches', 'ins_item_lines', 'ins_r_pages', 'ins_r_visits'];
    const before = await Promise.all(tables.map(countRows));
    await deliver(sends);
    expect(await countRows('ins_dirty')).toBe(0);
    expect(await Promise.all(tables.map(countRows))).toEqual(before);
    expect(await allReports()).toEqual(reports);
  }, 120_000);
});
