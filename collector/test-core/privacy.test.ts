import { describe, expect, it } from 'vitest';
import { createNoise, foldRare, laplace, OTHER, seededRandom, sum } from '../src/core/insights/index.ts';
import { buildPopulation, POPULATION_SITE } from './support/population.ts';
import { allReports, populatedEngine } from './support/run.ts';

const N = 200_000;

function moments(values: readonly number[]) {
  const mean = sum(values, (v) => v) / values.length;
  const variance = sum(values, (v) => (v - mean) ** 2) / (values.length - 1);
  const meanAbsolute = sum(values, (v) => Math.abs(v)) / values.length;
  return { mean, variance, meanAbsolute };
}

describe('Laplace noise', () => {
  for (const scale of [0.5, 2, 10]) {
    it(`draws of scale ${scale}: mean near 0, variance 2b², E|X| = b, P(|X| > b) = 1/e`, () => {
      const random = seededRandom(Math.round(scale * 1000));
      const draws = Array.from({ length: N }, () => laplace(scale, random));
      const { mean, variance, meanAbsolute } = moments(draws);
      // Standard error of the mean is b·√2/√N: 4 of them is far outside chance.
      expect(Math.abs(mean)).toBeLessThan((4 * scale * Math.SQRT2) / Math.sqrt(N));
      expect(variance / (2 * scale * scale)).toBeGreaterThan(0.97);
      expect(variance / (2 * scale * scale)).toBeLessThan(1.03);
      expect(meanAbsolute / scale).toBeGreaterThan(0.99);
      expect(meanAbsolute / scale).toBeLessThan(1.01);
      const beyond = draws.filter((d) => Math.abs(d) > scale).length / N;
      expect(beyond).toBeGreaterThan(Math.exp(-1) - 0.005);
      expect(beyond).toBeLessThan(Math.exp(-1) + 0.005);
      // Symmetric: as many draws above 0 as below.
      expect(Math.abs(draws.filter((d) => d > 0).length / N - 0.5)).toBeLessThan(0.005);
    });
  }

  it('a count gets noise of scale 1/epsilon, rounded: the errors centre on 0 with variance 2/ε² (+1/12 for rounding)', () => {
    const epsilon = 0.5;
    const noise = createNoise(epsilon, seededRandom(42))!;
    expect(noise).toMatchObject({ epsilon, scale: 2 });
    const errors = Array.from({ length: N }, () => noise.count(1000) - 1000);
    expect(errors.every(Number.isInteger)).toBe(true);
    const { mean, variance } = moments(errors);
    expect(Math.abs(mean)).toBeLessThan((4 * 2 * Math.SQRT2) / Math.sqrt(N));
    expect(variance / (2 * 4 + 1 / 12)).toBeGreaterThan(0.97);
    expect(variance / (2 * 4 + 1 / 12)).toBeLessThan(1.03);
  });

  it('never reports a negative count; no epsilon means no noise; a bad epsilon is refused', () => {
    const noise = createNoise(0.1, seededRandom(7))!;
    expect(Array.from({ length: 10_000 }, () => noise.count(0)).every((n) => n >= 0)).toBe(true);
    expect(createNoise(undefined)).toBeNull();
    expect(createNoise(null)).toBeNull();
    expect(() => createNoise(0)).toThrow(RangeError);
    expect(() => createNoise(-1)).toThrow(RangeError);
  });

  it('is reproducible with a seed and unpredictable without one', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    const crypto1 = createNoise(1)!;
    const crypto2 = createNoise(1)!;
    const draws = (n: typeof crypto1) => Array.from({ length: 20 }, () => n.count(1_000_000));
    expect(draws(crypto1)).not.toEqual(draws(crypto2));
  });

  it('a report under epsilon says so, and its counts move around the true ones', async () => {
    const population = buildPopulation('2026-03-02');
    const engine = await populatedEngine(population.records);
    const exact = await allReports(engine, POPULATION_SITE, population.days[0]!, population.days[1]!);
    const noisy = await allReports(engine, POPULATION_SITE, population.days[0]!, population.days[1]!, {
      epsilon: 2,
      random: seededRandom(3),
      k: 1,
    });
    for (const report of Object.values(noisy)) expect(report.noise).toEqual({ epsilon: 2, scale: 0.5 });
    expect(exact.funnel.noise).toBeNull();
    // Money is not a count with sensitivity 1: withheld under noise.
    expect(noisy.search.modes.granted.totals.revenue).toBeNull();
    expect(noisy.cart.modes.granted.carts.value_per_cart).toBeNull();
    const trueSteps = exact.funnel.modes.granted.steps.map((s) => s.visits);
    const noisySteps = noisy.funnel.modes.granted.steps.map((s) => s.visits);
    noisySteps.forEach((n, i) => expect(Math.abs(n - trueSteps[i]!)).toBeLessThanOrEqual(10));
    // Over many seeds the noisy coverage averages to the true one.
    const seeds = Array.from({ length: 300 }, (_, i) => i + 100);
    let total = 0;
    for (const seed of seeds) {
      const { funnel } = await allReports(engine, POPULATION_SITE, population.days[0]!, population.days[1]!, {
        epsilon: 0.5,
        random: seededRandom(seed),
      });
      total += funnel.modes.granted.coverage.page_views;
    }
    expect(Math.abs(total / seeds.length - 79)).toBeLessThan(0.7);
  });
});

describe('foldRare', () => {
  const merge = (rows: readonly { name: string; visits: number }[]) => ({ name: OTHER, visits: sum(rows, (r) => r.visits) });

  it('keeps rows at or above k, merges the rest into "(other)" when that reaches k', () => {
    const rows = [
      { name: 'a', visits: 9 },
      { name: 'b', visits: 5 },
      { name: 'c', visits: 4 },
      { name: 'd', visits: 2 },
    ];
    expect(foldRare(rows, { k: 5, visits: (r) => r.visits, merge })).toEqual({
      rows: [rows[0], rows[1]],
      other: { name: OTHER, visits: 6 },
      folded: 2,
    });
    expect(foldRare(rows, { k: 7, visits: (r) => r.visits, merge })).toEqual({
      rows: [rows[0]],
      other: { name: OTHER, visits: 11 },
      folded: 3,
    });
    expect(foldRare([rows[3]!], { k: 5, visits: (r) => r.visits, merge })).toEqual({ rows: [], other: null, folded: 1 });
  });
});
