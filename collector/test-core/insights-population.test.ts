import { describe, expect, it } from 'vitest';
import { dirtyDays, rebuildDayStatements, rebuildDirtyDays, seededRandom } from '../src/core/insights/index.ts';
import type { ForwardedRecord } from '../src/core/record.ts';
import {
  EXPECTED_BROWSE_PATHS,
  EXPECTED_CART,
  EXPECTED_COVERAGE,
  EXPECTED_DWELL,
  EXPECTED_EXPERIMENTS,
  EXPECTED_FUNNEL,
  EXPECTED_SEARCH,
  EXPECTED_WEB_VITALS,
} from './support/expected.ts';
import { buildPopulation, POPULATION_SITE } from './support/population.ts';
import { allReports, dumpDerived, ingestAll, populatedEngine } from './support/run.ts';
import { migratedEngine } from './support/sqlite.ts';

const population = buildPopulation('2026-03-02');
const [FROM, TO] = [population.days[0]!, population.days.at(-1)!];

/** A report's figures per mode without the coverage prose. */
function figures<T extends { modes: Record<'granted' | 'anonymous', { coverage: object }> }>(report: T) {
  const out: Record<string, unknown> = {};
  for (const [mode, { coverage, ...rest }] of Object.entries(report.modes)) out[mode] = rest;
  return out;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('insights over the scripted population', async () => {
  const engine = await populatedEngine(population.records);
  const reports = await allReports(engine, POPULATION_SITE, FROM, TO);

  it('spans two days, in both consent modes', () => {
    expect(population.days).toEqual(['2026-03-02', '2026-03-03']);
    expect(new Set(population.records.map((r) => r.consent))).toEqual(new Set(['granted', 'anonymous']));
  });

  it('states the coverage of every report per mode: page views and visits it stands on, and why', () => {
    for (const report of Object.values(reports)) {
      for (const mode of ['granted', 'anonymous'] as const) {
        const { basis, ...counts } = report.modes[mode].coverage;
        expect(counts).toEqual(EXPECTED_COVERAGE[mode]);
        expect(basis).toMatch(mode === 'granted' ? /sessions/ : /daily visitor hash/);
      }
      expect(report).toMatchObject({ site: 'shop', from: FROM, to: TO, k: 5, noise: null });
    }
  });

  it('browse paths: entries, exits, transitions, page-type flow and depth', () => {
    expect(figures(reports['browse-paths'])).toEqual(EXPECTED_BROWSE_PATHS);
  });

  it('dwell and depth: engaged-time percentiles, scroll reach and actions per path and page type', () => {
    expect(figures(reports.dwell)).toEqual(EXPECTED_DWELL);
  });

  it('search: terms, zero results, click-through, conversion and revenue per term, refinements', () => {
    expect(figures(reports.search)).toEqual(EXPECTED_SEARCH);
  });

  it('cart: add-to-cart rate per product and category, carts, conversion, abandonment, most removed', () => {
    expect(figures(reports.cart)).toEqual(EXPECTED_CART);
  });

  it('funnel: view_item → add_to_cart → begin_checkout → purchase per visit', () => {
    expect(figures(reports.funnel)).toEqual(EXPECTED_FUNNEL);
  });

  it('web vitals: p75 per page type beside its add-to-cart and purchase rates', () => {
    expect(figures(reports['web-vitals'])).toEqual(EXPECTED_WEB_VITALS);
  });

  it('experiments: conversion per variant, z-test against control, sample-ratio check', () => {
    const { granted, anonymous } = figures(reports.experiments);
    expect(anonymous).toEqual(EXPECTED_EXPERIMENTS.anonymous);
    const [experiment] = (granted as (typeof reports.experiments)['modes']['granted']).experiments;
    const [expected] = EXPECTED_EXPERIMENTS.granted.experiments;
    expect(experiment!.variants).toEqual(expected!.variants);
    expect(experiment!.sample_ratio).toMatchObject({ expected: [0.5, 0.5], mismatch: false });
    expect(experiment!.sample_ratio!.chi_square).toBeCloseTo(1 / 11, 12);
    expect(experiment!.sample_ratio!.p_value).toBeCloseTo(0.763, 3);
  });

  it('keeps no dirty day after a report read its range', async () => {
    expect(await dirtyDays(engine)).toEqual([]);
  });

  describe('at-least-once delivery', () => {
    it('sending every record again changes no fact, no rollup and no report', async () => {
      const again = await populatedEngine(population.records);
      await rebuildDirtyDays(again);
      const before = dumpDerived(again);
      await ingestAll(again, population.records);
      expect(await dirtyDays(again)).toEqual([]);
      expect(await allReports(again, POPULATION_SITE, FROM, TO)).toEqual(reports);
      expect(dumpDerived(again)).toEqual(before);
    });

    it('in another order, split into other writes, partly twice, with late page_leaves last: the same answers', async () => {
      for (const seed of [1, 2, 3]) {
        const other = migratedEngine();
        const late = population.records.filter((r) => population.lateLeaveIds.has(r.event_id));
        const rest = shuffled(
          population.records.filter((r) => !population.lateLeaveIds.has(r.event_id)),
          seed,
        );
        const random = seededRandom(seed * 7);
        let i = 0;
        while (i < rest.length) {
          const size = 1 + Math.floor(random() * 60);
          const chunk = rest.slice(i, i + size);
          // Half of the writes also resend an earlier write's records (a retried queue message).
          const resent: ForwardedRecord[] = random() < 0.5 ? rest.slice(Math.max(0, i - size), i) : [];
          await ingestAll(other, [...chunk, ...resent], 1 + Math.floor(random() * 40));
          i += size;
          // Reports read between writes: rollups of partial days are rebuilt again later.
          if (random() < 0.2) await allReports(other, POPULATION_SITE, FROM, TO);
        }
        await ingestAll(other, late);
        expect(await allReports(other, POPULATION_SITE, FROM, TO)).toEqual(reports);
        expect(dumpDerived(other)).toEqual(dumpDerived(engine));
      }
    });

    it('a late page_leave replaces the page view’s figures, never adds to them', async () => {
      const other = migratedEngine();
      await ingestAll(
        other,
        population.records.filter((r) => !population.lateLeaveIds.has(r.event_id)),
      );
      const early = await allReports(other, POPULATION_SITE, FROM, TO);
      const shoe = (report: typeof early) =>
        report.dwell.modes.granted.paths.rows.find((row) => row.path === '/product/trail-shoe')!;
      // G1 left the product page after 30 s engaged the first time: 30×6, 50×5.
      expect(shoe(early)).toMatchObject({ engaged_p50: 30, engaged_p75: 50, measured: 11 });
      await ingestAll(other, [...population.records.filter((r) => population.lateLeaveIds.has(r.event_id))]);
      const late = await allReports(other, POPULATION_SITE, FROM, TO);
      expect(shoe(late)).toMatchObject({ engaged_p50: 45, measured: 11 });
      expect(late).toEqual(reports);
    });
  });

  it('a rebuild that read a day before a write keeps the day dirty', async () => {
    const other = await populatedEngine(population.records.filter((r) => !population.lateLeaveIds.has(r.event_id)));
    const days = await dirtyDays(other);
    expect(days.map((d) => d.day)).toEqual([FROM, TO]);
    // Late page_leaves land between a rebuild's read of the versions and its transaction.
    await ingestAll(
      other,
      population.records.filter((r) => population.lateLeaveIds.has(r.event_id)),
    );
    for (const day of days) await other.batch(rebuildDayStatements(day.site, day.day, day.version));
    expect((await dirtyDays(other)).map((d) => d.day)).toEqual([FROM, TO]);
    // The next rebuild (cron, or a report) reads the new versions and clears them.
    await rebuildDirtyDays(other);
    expect(await dirtyDays(other)).toEqual([]);
    expect(await allReports(other, POPULATION_SITE, FROM, TO)).toEqual(reports);
  });
});
