/**
 * Privacy of report rows: k-anonymity (a row naming a path, term or item that fewer than k visits
 * produced is folded into "(other)") and optional differential privacy (Laplace noise on counts).
 */

export const OTHER = '(other)';
export const DEFAULT_K = 5;

/** Uniform in [0, 1). */
export type RandomSource = () => number;

/** A seedable source (mulberry32): the same seed gives the same noise, for tests and reproducible checks. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The platform's CSPRNG (Workers and Node both have `crypto.getRandomValues`); noise must not be predictable. */
export function cryptoRandom(): RandomSource {
  const buffer = new Uint32Array(1);
  return () => {
    crypto.getRandomValues(buffer);
    return buffer[0]! / 4294967296;
  };
}

/** One draw from Laplace(0, scale), by inverting its CDF. */
export function laplace(scale: number, random: RandomSource): number {
  let u = random() - 0.5;
  // u = −0.5 would give log(0); redraw (probability 2^-32).
  while (u === -0.5) u = random() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** What a report says about its noise. */
export interface NoiseInfo {
  epsilon: number;
  /** Laplace scale b = sensitivity / epsilon, with sensitivity 1 (see docs/insights.md). */
  scale: number;
}

export interface Noise extends NoiseInfo {
  /** A count with noise, rounded and never below 0 (rounding and clamping are post-processing, they cost no privacy). */
  count(value: number): number;
}

/** Noise for a site policy's `epsilon`; null (no noise) when it is absent. */
export function createNoise(epsilon: number | null | undefined, random: RandomSource = cryptoRandom()): Noise | null {
  if (epsilon === null || epsilon === undefined) return null;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError('epsilon must be a positive number');
  const scale = 1 / epsilon;
  return { epsilon, scale, count: (value) => Math.max(0, Math.round(value + laplace(scale, random))) };
}

/** Applies `noise.count` to the listed count fields of a row (a copy); the row itself when there is no noise. */
export function noisy<R extends object>(row: R, fields: readonly (keyof R)[], noise: Noise | null): R {
  if (!noise) return row;
  const copy = { ...row };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'number') (copy[field] as number) = noise.count(value);
  }
  return copy;
}

export interface FoldOptions<R> {
  k: number;
  /** Distinct visits behind the row. */
  visits(row: R): number;
  /** The "(other)" row made of the rows below k (their fields summed, names replaced by OTHER). */
  merge(rows: readonly R[]): R;
}

export interface Folded<R> {
  /** Rows with at least k visits. */
  rows: R[];
  /** The rows below k merged, when that reaches k; else null (and they are not shown at all). */
  other: R | null;
  /** How many rows were folded into "(other)" (or dropped with it). */
  folded: number;
}

/**
 * Keeps the rows with at least k visits; the others become one "(other)" row, shown only if its
 * summed visits reach k too (else it goes as well). A visit is counted once per row, so the
 * "(other)" row's visits are a sum over the rows it merges: an upper bound of its distinct visits.
 */
export function foldRare<R>(rows: readonly R[], { k, visits, merge }: FoldOptions<R>): Folded<R> {
  const kept: R[] = [];
  const rare: R[] = [];
  for (const row of rows) (visits(row) >= k ? kept : rare).push(row);
  const merged = rare.length > 0 ? merge(rare) : null;
  return { rows: kept, other: merged && visits(merged) >= k ? merged : null, folded: rare.length };
}

/** Sum of a numeric field over rows. */
export const sum = <R>(rows: readonly R[], field: (row: R) => number): number =>
  rows.reduce((total, row) => total + field(row), 0);
