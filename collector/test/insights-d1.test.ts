import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingest, REPORTS, type ReportName } from '../src/core/insights/index.ts';
import { d1Engine } from '../src/d1-engine.ts';
import {
  EXPECTED_BROWSE_PATHS,
  EXPECTED_CART,
  EXPECTED_DWELL,
  EXPECTED_EXPERIMENTS,
  EXPECTED_FUNNEL,
  EXPECTED_SEARCH,
  EXPECTED_WEB_VITALS,
} from '../test-core/support/expected.ts';
import { buildPopulation, POPULATION_PAGE_TYPES, POPULATION_SITE } from '../test-core/support/population.ts';

// The insights SQL on D1 itself (workerd's SQLite), not only on better-sqlite3: the scripted
// population written twice through the D1 adapter gives the hand-worked figures.
describe('insights on D1', () => {
  it('answers the scripted population exactly, and a re-sent population changes nothing', async () => {
    const engine = d1Engine(env.DB);
    const population = buildPopulation('2026-04-06');
    const [from, to] = [population.days[0]!, population.days.at(-1)!];
    const write = () =>
      ingest(engine, population.records, { newToken: () => crypto.randomUUID(), pageTypes: () => POPULATION_PAGE_TYPES });
    const expected: Partial<Record<ReportName, object>> = {
      'browse-paths': EXPECTED_BROWSE_PATHS,
      dwell: EXPECTED_DWELL,
      search: EXPECTED_SEARCH,
      cart: EXPECTED_CART,
      funnel: EXPECTED_FUNNEL,
      'web-vitals': EXPECTED_WEB_VITALS,
    };
    for (let round = 0; round < 2; round++) {
      await write();
      for (const [name, figures] of Object.entries(expected)) {
        const report = await REPORTS[name as ReportName](engine, { site: POPULATION_SITE, from, to });
        const { granted, anonymous } = report.modes;
        const { coverage: _g, ...grantedFigures } = granted;
        const { coverage: _a, ...anonymousFigures } = anonymous;
        expect({ granted: grantedFigures, anonymous: anonymousFigures }, name).toEqual(figures);
      }
      const { experiments } = (await REPORTS.experiments(engine, { site: POPULATION_SITE, from, to })).modes.granted;
      expect(experiments[0]!.variants).toEqual(EXPECTED_EXPERIMENTS.granted.experiments[0]!.variants);
    }
  });
});
