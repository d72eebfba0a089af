import { intDiv } from './sql.ts';

/**
 * Fixed-bucket histograms: the rollups keep engaged time and web vitals as counts per bucket, so a
 * percentile over any range of days is read from summed buckets, and both engines compute the same
 * bucket for the same value. A percentile is the lower bound of the bucket that holds the
 * nearest-rank element (rank ⌈p·n⌉ of n sorted values).
 */

export interface HistogramScale {
  /** Number of buckets: bucket indexes run 0 … size − 1. */
  size: number;
  /** SQL bucket index of a non-negative INTEGER expression. */
  sql(value: string): string;
  /** Lower bound of a bucket, in the report's unit. */
  lowerBound(bucket: number): number;
  unit: 's' | 'ms' | '';
}

/** Engaged time (column in ms, reported in s): 1 s below a minute, 5 s below 5 min, 30 s below 30 min, then 1800+. */
export const ENGAGED_SECONDS: HistogramScale = {
  size: 159,
  sql: (ms) => `CASE WHEN ${ms} < 0 THEN 0 WHEN ${ms} < 60000 THEN ${intDiv(ms, 1000)}
    WHEN ${ms} < 300000 THEN 60 + ${intDiv(`${ms} - 60000`, 5000)}
    WHEN ${ms} < 1800000 THEN 108 + ${intDiv(`${ms} - 300000`, 30000)} ELSE 158 END`,
  lowerBound: (b) => (b < 60 ? b : b < 108 ? 60 + (b - 60) * 5 : b < 158 ? 300 + (b - 108) * 30 : 1800),
  unit: 's',
};

/** LCP and INP in ms: 50 ms buckets up to 10 s, then 10000+. */
export const VITAL_MILLIS: HistogramScale = {
  size: 201,
  sql: (ms) => `CASE WHEN ${ms} < 0 THEN 0 WHEN ${ms} < 10000 THEN ${intDiv(ms, 50)} ELSE 200 END`,
  lowerBound: (b) => b * 50,
  unit: 'ms',
};

/** CLS (column stored ×10,000): 0.01 buckets up to 1, then 1+. */
export const CLS_SCORE: HistogramScale = {
  size: 101,
  sql: (e4) => `CASE WHEN ${e4} < 0 THEN 0 WHEN ${e4} < 10000 THEN ${intDiv(e4, 100)} ELSE 100 END`,
  lowerBound: (b) => b / 100,
  unit: '',
};

/** Counts per bucket index, dense (length = scale.size). */
export type Histogram = number[];

export const emptyHistogram = (scale: HistogramScale): Histogram => new Array<number>(scale.size).fill(0);

export function addToHistogram(histogram: Histogram, bucket: number, count: number): void {
  histogram[bucket] = (histogram[bucket] ?? 0) + count;
}

export function mergeHistograms(into: Histogram, from: Histogram): Histogram {
  from.forEach((count, bucket) => addToHistogram(into, bucket, count));
  return into;
}

export const histogramTotal = (histogram: Histogram): number => histogram.reduce((sum, count) => sum + count, 0);

/** Nearest-rank percentile (`p` in 0…1) as the lower bound of its bucket; null for an empty histogram. */
export function percentile(histogram: Histogram, scale: HistogramScale, p: number): number | null {
  const total = histogramTotal(histogram);
  if (total <= 0) return null;
  // 0.9 × 10 is 9.000000000000002 in floating point: the epsilon keeps its rank 9.
  const rank = Math.max(1, Math.ceil(p * total - 1e-9));
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket] ?? 0;
    if (seen >= rank) return scale.lowerBound(bucket);
  }
  return scale.lowerBound(histogram.length - 1);
}
