import type { SqlEngine } from './engine.ts';
import { createNoise, DEFAULT_K, noisy, type Folded, type Noise, type NoiseInfo, type RandomSource } from './privacy.ts';
import { refreshRange } from './rollups.ts';

/**
 * What every report shares: the request (a site and a range of UTC days), the settings from the
 * site policy (k, epsilon), the split by consent mode with its coverage, and the envelope.
 */

/** Consent modes that forward data, each reported on its own. */
export const REPORTED_MODES = ['granted', 'anonymous'] as const;
export type ReportedMode = (typeof REPORTED_MODES)[number];

export interface ReportRequest {
  site: string;
  /** First UTC day, `YYYY-MM-DD`. */
  from: string;
  /** Last UTC day, inclusive. */
  to: string;
}

export interface ReportSettings {
  /** Site policy `k_anonymity` (default 5). */
  k?: number;
  /** Site policy `epsilon`: Laplace noise on every count when set. */
  epsilon?: number | null;
  /** Noise source (default: crypto); tests pass `seededRandom(seed)`. */
  random?: RandomSource;
  /** Most rows per list (default 100); the rest are counted in the list's `omitted`. */
  limit?: number;
}

/** How many page views and visits a mode's figures stand on, and how visits are formed there. */
export interface Coverage {
  page_views: number;
  visits: number;
  /** Why these figures can be computed in this mode, and what they cannot show. */
  basis: string;
}

export type ModeFigures<T> = T & { coverage: Coverage };

export interface Report<Name extends string, T> {
  report: Name;
  site: string;
  from: string;
  to: string;
  /** Rows naming a path, term or item with fewer visits are folded into "(other)". */
  k: number;
  /** Present when counts carry Laplace noise. */
  noise: NoiseInfo | null;
  modes: Record<ReportedMode, ModeFigures<T>>;
}

/** A list cut to the settings' limit, the "(other)" row last. */
export interface RowList<R> {
  rows: R[];
  /** Rows beyond the limit, not listed. */
  omitted: number;
  /** Rows below k, folded into "(other)" (or dropped with it when it stays below k). */
  folded: number;
}

export const MAX_RANGE_DAYS = 366;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day: `2026-02-30` rolls over and `2026-13-01` is no date at all (toISOString would throw). */
function isDay(value: string): boolean {
  const time = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** Checks `from` and `to` of a report query; the error names the parameter. */
export function parseReportRequest(
  site: string,
  query: { from?: string | null; to?: string | null },
): { ok: true; request: ReportRequest } | { ok: false; error: string } {
  const { from, to } = query;
  if (!from || !isDay(from)) return { ok: false, error: 'from: expected a UTC day, YYYY-MM-DD' };
  if (!to || !isDay(to)) return { ok: false, error: 'to: expected a UTC day, YYYY-MM-DD' };
  if (to < from) return { ok: false, error: 'to: before from' };
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) return { ok: false, error: `to: the range is ${days} days, at most ${MAX_RANGE_DAYS}` };
  return { ok: true, request: { site, from, to } };
}

/** How visits are formed in each mode: the coverage rule every report states. */
export const VISIT_BASIS: Record<ReportedMode, string> = {
  granted:
    'Visits are sessions: with consent granted the pseudonymous session id links page loads (30 minutes without events ends a session); a visit ends at midnight UTC.',
  anonymous:
    'Visits are approximated from the daily visitor hash (address and browser, salted per day) with a new visit after a 30-minute gap; people sharing an address and browser count as one, and nothing links days.',
};

export const rate = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
export const money = (value: number): number => Math.round(value * 100) / 100;

/** One value per reported mode. */
export const perMode = <T>(figures: (mode: ReportedMode) => T): Record<ReportedMode, T> => ({
  granted: figures('granted'),
  anonymous: figures('anonymous'),
});

/** Rows of a query that carry a `consent` column, split by mode. */
export function byMode<R extends { consent: string }>(rows: readonly R[]): Record<ReportedMode, R[]> {
  const split: Record<ReportedMode, R[]> = { granted: [], anonymous: [] };
  for (const row of rows) if (row.consent === 'granted' || row.consent === 'anonymous') split[row.consent].push(row);
  return split;
}

/** Sorts the rows at or above k, cuts them to the limit, and appends "(other)". */
export function listOf<R>({ rows, other, folded }: Folded<R>, limit: number, order: (a: R, b: R) => number): RowList<R> {
  const sorted = [...rows].sort(order);
  return { rows: [...sorted.slice(0, limit), ...(other ? [other] : [])], omitted: Math.max(0, sorted.length - limit), folded };
}

/** Orders by a numeric field descending, then by a label. */
export const descending =
  <R>(count: (row: R) => number, label: (row: R) => string) =>
  (a: R, b: R): number =>
    count(b) - count(a) || (label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : 0);

export interface ReportContext {
  request: ReportRequest;
  k: number;
  limit: number;
  noise: Noise | null;
  /** Range parameters: site, from, to. */
  range: [string, string, string];
  coverage(mode: ReportedMode, basis: string): Coverage;
  envelope<Name extends string, T>(name: Name, modes: Record<ReportedMode, ModeFigures<T>>): Report<Name, T>;
}

/**
 * Prepares a report: rebuilds the range's dirty days (so the answer is exact even where no cron
 * runs), reads the coverage totals, sets up noise.
 */
export async function openReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ReportSettings = {},
): Promise<ReportContext> {
  const { site, from, to } = request;
  await refreshRange(engine, site, from, to);
  const range: [string, string, string] = [site, from, to];
  const noise = createNoise(settings.epsilon, settings.random);
  const k = settings.k ?? DEFAULT_K;
  const [pages, visits] = await Promise.all([
    engine.all<{ consent: string; n: number }>(
      `SELECT consent, SUM(page_views) AS n FROM ins_r_pages WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent`,
      range,
    ),
    engine.all<{ consent: string; n: number }>(
      `SELECT consent, SUM(visits) AS n FROM ins_r_visits WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent`,
      range,
    ),
  ]);
  const totals = Object.fromEntries(
    REPORTED_MODES.map((mode) => {
      const row = noisy(
        {
          page_views: Number(pages.find((r) => r.consent === mode)?.n ?? 0),
          visits: Number(visits.find((r) => r.consent === mode)?.n ?? 0),
        },
        ['page_views', 'visits'],
        noise,
      );
      return [mode, row];
    }),
  ) as Record<ReportedMode, { page_views: number; visits: number }>;
  return {
    request,
    k,
    limit: settings.limit ?? 100,
    noise,
    range,
    coverage: (mode, basis) => ({ ...totals[mode], basis: `${VISIT_BASIS[mode]} ${basis}`.trim() }),
    envelope: (name, modes) => ({
      report: name,
      site,
      from,
      to,
      k,
      noise: noise && { epsilon: noise.epsilon, scale: noise.scale },
      modes,
    }),
  };
}
