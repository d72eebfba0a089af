import type { SqlEngine } from '../engine.ts';
import { foldRare, noisy, OTHER, sum } from '../privacy.ts';
import {
  byMode,
  descending,
  listOf,
  money,
  openReport,
  perMode,
  rate,
  type ModeFigures,
  type Report,
  type ReportedMode,
  type ReportRequest,
  type ReportSettings,
  type RowList,
} from '../report.ts';
import { STEP_BIT } from '../rollups.ts';

/**
 * Search: what visitors search for (terms as the collector redacted them, trimmed and
 * lower-cased), which searches found nothing, whether a result was clicked and at which position,
 * and how far each term's searches went: product view, add to cart, checkout, purchase and revenue
 * under the same `search_id`. Refinements: the next different term searched in the same visit.
 */

interface SearchCounts {
  searches: number;
  visits: number;
  zero_results: number;
  /** Searches with at least one result click. */
  clicked: number;
  /** Sum of the first clicked position (from 1) over clicked searches. */
  click_position_sum: number;
  with_view: number;
  with_add: number;
  with_checkout: number;
  with_purchase: number;
  revenue: number;
}

const COUNT_FIELDS = [
  'searches',
  'visits',
  'zero_results',
  'clicked',
  'with_view',
  'with_add',
  'with_checkout',
  'with_purchase',
] as const;

export interface SearchFigures {
  searches: number;
  visits: number;
  zero_results: number;
  clicked: number;
  /** Searches with a result click / searches. */
  click_through_rate: number | null;
  /** Average position (from 1) of the first result clicked; null under noise (a sum of positions is not a count). */
  average_click_position: number | null;
  /** Searches followed by a product view / add to cart / checkout / purchase carrying their search_id. */
  with_view: number;
  with_add: number;
  with_checkout: number;
  with_purchase: number;
  /** with_purchase / searches. */
  conversion: number | null;
  /** Purchase value under the searches' search_id (each transaction once); null under noise. */
  revenue: number | null;
}

export interface TermRow extends SearchFigures {
  term: string;
}

export interface ZeroResultRow {
  term: string;
  searches: number;
  visits: number;
}

export interface RefinementRow {
  term: string;
  next_term: string;
  refinements: number;
  visits: number;
}

export interface Search {
  totals: SearchFigures;
  terms: RowList<TermRow>;
  zero_result_terms: RowList<ZeroResultRow>;
  refinements: RowList<RefinementRow>;
}

export type SearchReport = Report<'search', Search>;

export const SEARCH_SQL = {
  terms: `SELECT consent, term, SUM(searches) AS searches, SUM(visits) AS visits, SUM(zero_results) AS zero_results,
      SUM(clicked) AS clicked, SUM(click_position_sum) AS click_position_sum, SUM(with_view) AS with_view,
      SUM(with_add) AS with_add, SUM(with_checkout) AS with_checkout, SUM(with_purchase) AS with_purchase, SUM(revenue) AS revenue
    FROM ins_r_searches WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, term`,
  refinements: `SELECT consent, term, next_term, SUM(refinements) AS refinements, SUM(visits) AS visits
    FROM ins_r_refinements WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, term, next_term`,
  /** Visits that searched at all: a visit searching two terms counts once here, once per term above. */
  visits: `SELECT consent, SUM(visits) AS visits FROM ins_r_visits
    WHERE site = ? AND day >= ? AND day <= ? AND (steps_mask & ${STEP_BIT.search}) <> 0 GROUP BY consent`,
};

const emptyCounts = (): SearchCounts => ({
  searches: 0,
  visits: 0,
  zero_results: 0,
  clicked: 0,
  click_position_sum: 0,
  with_view: 0,
  with_add: 0,
  with_checkout: 0,
  with_purchase: 0,
  revenue: 0,
});

function addCounts(into: SearchCounts, from: SearchCounts): SearchCounts {
  for (const key of Object.keys(into) as (keyof SearchCounts)[]) into[key] += from[key];
  return into;
}

function figures(counts: SearchCounts, noised: boolean): SearchFigures {
  return {
    searches: counts.searches,
    visits: counts.visits,
    zero_results: counts.zero_results,
    clicked: counts.clicked,
    click_through_rate: rate(counts.clicked, counts.searches),
    average_click_position:
      noised || counts.clicked === 0 ? null : Math.round((counts.click_position_sum / counts.clicked) * 100) / 100,
    with_view: counts.with_view,
    with_add: counts.with_add,
    with_checkout: counts.with_checkout,
    with_purchase: counts.with_purchase,
    conversion: rate(counts.with_purchase, counts.searches),
    revenue: noised ? null : money(counts.revenue),
  };
}

export async function searchReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ReportSettings = {},
): Promise<SearchReport> {
  const report = await openReport(engine, request, settings);
  const { k, limit, noise, range } = report;
  const [terms, refinements, searchingVisits] = await Promise.all([
    engine.all<SearchCounts & { consent: string; term: string }>(SEARCH_SQL.terms, range),
    engine.all<RefinementRow & { consent: string }>(SEARCH_SQL.refinements, range),
    engine.all<{ consent: string; visits: number }>(SEARCH_SQL.visits, range),
  ]);
  const termsBy = byMode(terms);
  const refinementsBy = byMode(refinements);
  const noised = noise !== null;

  const mode = (mode: ReportedMode): ModeFigures<Search> => {
    const rows = termsBy[mode].map(({ consent, term, ...counts }) => {
      const numbers = Object.fromEntries(
        Object.entries(counts).map(([key, value]) => [key, Number(value)]),
      ) as unknown as SearchCounts;
      return { term, counts: noisy(numbers, COUNT_FIELDS, noise) };
    });
    const totals = rows.reduce((acc, row) => addCounts(acc, row.counts), emptyCounts());
    const visits = Number(searchingVisits.find((row) => row.consent === mode)?.visits ?? 0);
    totals.visits = noise ? noise.count(visits) : visits;

    const folded = foldRare(rows, {
      k,
      visits: (row) => row.counts.visits,
      merge: (rare) => ({ term: OTHER, counts: rare.reduce((acc, row) => addCounts(acc, row.counts), emptyCounts()) }),
    });
    const shape = (row: { term: string; counts: SearchCounts }): TermRow => ({ term: row.term, ...figures(row.counts, noised) });

    const zero = foldRare(
      rows
        .filter((row) => row.counts.zero_results > 0)
        .map((row) => ({ term: row.term, searches: row.counts.zero_results, visits: row.counts.visits })),
      {
        k,
        visits: (row) => row.visits,
        merge: (rare) => ({ term: OTHER, searches: sum(rare, (r) => r.searches), visits: sum(rare, (r) => r.visits) }),
      },
    );

    const refined = foldRare(
      refinementsBy[mode].map((row) =>
        noisy(
          { term: row.term, next_term: row.next_term, refinements: Number(row.refinements), visits: Number(row.visits) },
          ['refinements', 'visits'],
          noise,
        ),
      ),
      {
        k,
        visits: (row) => row.visits,
        merge: (rare) => ({
          term: OTHER,
          next_term: OTHER,
          refinements: sum(rare, (r) => r.refinements),
          visits: sum(rare, (r) => r.visits),
        }),
      },
    );

    return {
      coverage: report.coverage(
        mode,
        'A search is linked to what follows it by its search_id, which the SDK carries in the page and session, so conversion per term works in both modes; refinements need visits.',
      ),
      totals: figures(totals, noised),
      terms: listOf(
        { rows: folded.rows.map(shape), other: folded.other && shape(folded.other), folded: folded.folded },
        limit,
        descending(
          (row: TermRow) => row.searches,
          (row) => row.term,
        ),
      ),
      zero_result_terms: listOf(
        zero,
        limit,
        descending(
          (row: ZeroResultRow) => row.searches,
          (row) => row.term,
        ),
      ),
      refinements: listOf(
        refined,
        limit,
        descending(
          (row: RefinementRow) => row.refinements,
          (row) => `${row.term}\u0000${row.next_term}`,
        ),
      ),
    };
  };

  return report.envelope('search', perMode(mode));
}
