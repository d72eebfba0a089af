import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { rebuildSite, REPORTS, type ReportName } from '../src/core/insights/index.ts';
import { d1Engine } from '../src/d1-engine.ts';
import { populationBatches } from '../test-core/support/batches.ts';
import {
  EXPECTED_BROWSE_PATHS,
  EXPECTED_CART,
  EXPECTED_DWELL,
  EXPECTED_EXPERIMENTS,
  EXPECTED_FUNNEL,
  EXPECTED_SEARCH,
  EXPECTED_WEB_VITALS,
} from '../test-core/support/expected.ts';
import { buildPopulation } from '../test-core/support/population.ts';
import { consumeAll, ORIGIN, postPopulation } from './support.ts';

// Issue 14's agreement through the real pipeline: the scripted population sent as the SDK would,
// through validation, policy, anonymization and the D1 and R2 sink queues' consumers, into D1 and
// into the R2 archive. D1's reports are computed here, in workerd, on the stored
// events; the archive objects, read back from the R2 binding as they are, go to the warehouse
// (DuckDB, in Node, through warehouse/test/support/duckdb-bridge.ts). Both must answer alike,
// down to the coverage prose, and match the hand-worked figures (page types classified by the collector from the
// demo site's page_types, as the records in both stores carry them).
describe('D1 and the R2 archive, filled by the real pipeline, give the same reports', () => {
  it('every report, every figure', async () => {
    const firstDay = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const population = buildPopulation(firstDay);
    const [from, to] = [population.days[0]!, population.days.at(-1)!];
    const site = 'demo';

    const sends = populationBatches(population, ORIGIN);
    const { queued } = await postPopulation(sends);
    // At least once: the SDK sends the first batches again (a lost answer; the collector gives each a new batch id,
    // so the archive holds them twice), and the sink queues deliver some messages twice (a retry: same object key).
    const { queued: resent } = await postPopulation(sends.slice(0, 20));
    for (const queue of ['pathmark-sink-d1', 'pathmark-sink-r2']) {
      for (const messages of [queued, resent, queued.slice(0, 20)]) await consumeAll(queue, messages);
    }

    const engine = d1Engine(env.DB);
    await rebuildSite(engine, site);
    const d1: Record<string, unknown> = {};
    for (const name of Object.keys(REPORTS) as ReportName[]) d1[name] = await REPORTS[name](engine, { site, from, to });

    const objects: { key: string; body: string }[] = [];
    let cursor: string | undefined;
    do {
      const listed = await env.ARCHIVE.list({ prefix: `events/site=${site}/`, cursor });
      for (const { key } of listed.objects) objects.push({ key, body: await (await env.ARCHIVE.get(key))!.text() });
      cursor = listed.truncated ? listed.cursor : undefined;
    } while (cursor);
    const archived = objects.reduce((lines, object) => lines + object.body.trimEnd().split('\n').length, 0);
    expect(archived).toBeGreaterThan(population.records.length); // the re-sent batches were archived again

    const response = await fetch(inject('warehouseBridge'), {
      method: 'POST',
      body: JSON.stringify({ objects, site, from, to }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const warehouse = (await response.json()) as Record<string, unknown>;

    expect(warehouse).toEqual(d1);
    const figures = (report: unknown) => {
      const { modes } = report as { modes: Record<string, { coverage: unknown }> };
      return Object.fromEntries(Object.entries(modes).map(([mode, { coverage: _coverage, ...rest }]) => [mode, rest]));
    };
    expect(figures(warehouse['browse-paths'])).toEqual(EXPECTED_BROWSE_PATHS);
    expect(figures(warehouse.dwell)).toEqual(EXPECTED_DWELL);
    expect(figures(warehouse.search)).toEqual(EXPECTED_SEARCH);
    expect(figures(warehouse.cart)).toEqual(EXPECTED_CART);
    expect(figures(warehouse.funnel)).toEqual(EXPECTED_FUNNEL);
    expect(figures(warehouse['web-vitals'])).toEqual(EXPECTED_WEB_VITALS);
    const experiments = figures(warehouse.experiments) as typeof EXPECTED_EXPERIMENTS;
    expect(experiments.anonymous).toEqual(EXPECTED_EXPERIMENTS.anonymous);
    expect(experiments.granted.experiments[0]!.variants).toEqual(EXPECTED_EXPERIMENTS.granted.experiments[0]!.variants);
    expect((warehouse.funnel as { modes: { granted: { coverage: object } } }).modes.granted.coverage).toMatchObject({
      page_views: 79,
      visits: 25,
    });
  });
});
