import { writeFileSync } from 'node:fs';

/**
 * Runs one bench section as a script. The result goes to the file named by
 * BENCH_OUT (when bench/run.mjs drives it) or to stdout, so every section can
 * also be run alone: `node bench/sizes.mjs`.
 *
 * A result is `{ id, title, command, tables: [{ caption?, columns, rows }], notes: [] }`;
 * a cell that could not be measured holds `{ notMeasured: 'why' }`.
 */
export async function runSection(produce) {
  try {
    const result = await produce();
    const json = JSON.stringify(result, null, 2);
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, json);
    else console.log(json);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}

export const notMeasured = (why) => ({ notMeasured: why });

export function log(...args) {
  console.error('[bench]', ...args);
}

/** Percentile over a numeric array (nearest rank). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
