import { describe, expect, it } from 'vitest';
import {
  CLS_SCORE,
  emptyHistogram,
  ENGAGED_SECONDS,
  percentile,
  VITAL_MILLIS,
  type HistogramScale,
} from '../src/core/insights/index.ts';
import { createSqliteEngine } from './support/sqlite.ts';

describe('histogram buckets', () => {
  const engine = createSqliteEngine();
  const bucketOf = (scale: HistogramScale, value: number) =>
    (engine.db.prepare(`SELECT ${scale.sql('?1')} AS b`.replaceAll('?1', String(value))).get() as { b: number }).b;

  it.each([
    [
      'engaged time (ms → s)',
      ENGAGED_SECONDS,
      1 / 1000,
      997,
      [0, 999, 1000, 59_999, 60_000, 64_999, 65_000, 299_999, 300_000, 329_999, 330_000, 1_799_999, 1_800_000, 9e6],
    ],
    ['LCP / INP (ms)', VITAL_MILLIS, 1, 7, [0, 49, 50, 2499, 2500, 9999, 10_000, 60_000]],
    ['CLS (×10,000)', CLS_SCORE, 1 / 10_000, 7, [0, 99, 100, 1000, 9999, 10_000, 25_000]],
  ] as const)('%s: each value falls in the bucket whose bounds hold it', (_, scale, unit, step, values) => {
    // The edges, and a sweep past the last bucket.
    const sweep = Array.from({ length: 2100 }, (_, i) => i * step);
    for (const value of [...values, ...sweep]) {
      const b = bucketOf(scale, value);
      expect(b, `value ${value}`).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(scale.size);
      const inUnit = value * unit;
      expect(scale.lowerBound(b), `value ${value}`).toBeLessThanOrEqual(inUnit + 1e-9);
      if (b + 1 < scale.size) expect(scale.lowerBound(b + 1), `value ${value}`).toBeGreaterThan(inUnit);
    }
  });

  it('the engaged-time buckets are 1 s to a minute, 5 s to 5 minutes, 30 s to 30 minutes, then one', () => {
    expect([0, 59, 60, 61, 107, 108, 157, 158].map(ENGAGED_SECONDS.lowerBound)).toEqual([0, 59, 60, 65, 295, 300, 1770, 1800]);
  });
});

describe('percentile', () => {
  it('is the lower bound of the bucket holding the nearest-rank element', () => {
    const histogram = emptyHistogram(ENGAGED_SECONDS);
    // 10 values: 1 s ×4, 7 s ×5, 70 s ×1 (bucket 62: 70–74 s)
    histogram[1] = 4;
    histogram[7] = 5;
    histogram[62] = 1;
    expect(percentile(histogram, ENGAGED_SECONDS, 0.4)).toBe(1); // rank 4
    expect(percentile(histogram, ENGAGED_SECONDS, 0.5)).toBe(7); // rank 5
    expect(percentile(histogram, ENGAGED_SECONDS, 0.9)).toBe(7); // rank 9, not 10
    expect(percentile(histogram, ENGAGED_SECONDS, 0.91)).toBe(70); // rank 10
    expect(percentile(emptyHistogram(ENGAGED_SECONDS), ENGAGED_SECONDS, 0.5)).toBeNull();
  });
});
