import type { SqlEngine } from '../engine.ts';
import { PAGE_TYPE_FLOW, type PageType } from '../page-types.ts';
import { foldRare, noisy, OTHER, sum } from '../privacy.ts';
import {
  byMode,
  descending,
  listOf,
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
import { MAX_DEPTH, TYPE_BIT } from '../rollups.ts';

/**
 * Browse paths: where visits start, where they go next (transitions from each page view's previous
 * path: the SDK's `previous_path`, else a same-site referrer), where they end, how far through the
 * shop's page types they get, and how many pages a visit has.
 */

export interface EntryRow {
  path: string;
  /** Visits whose first page view was this path. */
  entries: number;
  visits: number;
}

export interface ExitRow {
  path: string;
  /** Visits whose last page view was this path. */
  exits: number;
  page_views: number;
  visits: number;
  /** exits / page_views. */
  exit_rate: number | null;
}

export interface TransitionRow {
  from: string;
  to: string;
  transitions: number;
  /** Distinct visits that made this move (summed per day). */
  visits: number;
}

export interface FlowStep {
  page_type: (typeof PAGE_TYPE_FLOW)[number];
  /** Visits that saw a page of this type. */
  visits: number;
  /** Visits that saw the previous step's type and this one. */
  continued: number | null;
  /** continued / visits of the previous step. */
  rate_from_previous: number | null;
  /** Visits of the previous step that never saw this type. */
  drop_off: number | null;
}

export interface DepthFigures {
  visits: number;
  /** Average pages per visit (a visit of more than MAX_DEPTH pages counts as MAX_DEPTH). */
  pages_per_visit: number | null;
  /** Visits by number of pages, up to the deepest seen; an entry of MAX_DEPTH pages means "MAX_DEPTH or more". */
  distribution: { pages: number; visits: number; share: number | null }[];
}

export interface BrowsePaths {
  entries: RowList<EntryRow>;
  exits: RowList<ExitRow>;
  /** Next pages from a path (filter on `from`) and previous pages to it (filter on `to`). */
  transitions: RowList<TransitionRow>;
  flow: FlowStep[];
  depth: DepthFigures;
}

export type BrowsePathsReport = Report<'browse_paths', BrowsePaths>;

export const BROWSE_PATHS_SQL = {
  pages: `SELECT consent, path, SUM(page_views) AS page_views, SUM(visits) AS visits, SUM(entries) AS entries, SUM(exits) AS exits
    FROM ins_r_pages WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, path`,
  transitions: `SELECT consent, from_path, to_path, SUM(transitions) AS transitions, SUM(visits) AS visits
    FROM ins_r_transitions WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, from_path, to_path`,
  visits: `SELECT consent, pages, types_mask, SUM(visits) AS visits
    FROM ins_r_visits WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, pages, types_mask`,
};

interface PageSums {
  consent: string;
  path: string;
  page_views: number;
  visits: number;
  entries: number;
  exits: number;
}

export async function browsePathsReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ReportSettings = {},
): Promise<BrowsePathsReport> {
  const report = await openReport(engine, request, settings);
  const { k, limit, noise, range } = report;
  const [pages, transitions, visits] = await Promise.all([
    engine.all<PageSums>(BROWSE_PATHS_SQL.pages, range),
    engine.all<{ consent: string; from_path: string; to_path: string; transitions: number; visits: number }>(
      BROWSE_PATHS_SQL.transitions,
      range,
    ),
    engine.all<{ consent: string; pages: number; types_mask: number; visits: number }>(BROWSE_PATHS_SQL.visits, range),
  ]);
  const pagesBy = byMode(pages);
  const transitionsBy = byMode(transitions);
  const visitsBy = byMode(visits);

  const figures = (mode: ReportedMode): ModeFigures<BrowsePaths> => {
    // Each entry is a visit of its own: the row's visits are its entries.
    const entryRows = pagesBy[mode]
      .filter((row) => Number(row.entries) > 0)
      .map((row) => {
        const entries = noise ? noise.count(Number(row.entries)) : Number(row.entries);
        return { path: row.path, entries, visits: entries };
      });
    const entries = foldRare(entryRows, {
      k,
      visits: (row) => row.visits,
      merge: (rows) => ({ path: OTHER, entries: sum(rows, (r) => r.entries), visits: sum(rows, (r) => r.visits) }),
    });

    const exitRows = pagesBy[mode]
      .filter((row) => Number(row.exits) > 0)
      .map((row) =>
        noisy(
          {
            path: row.path,
            exits: Number(row.exits),
            page_views: Number(row.page_views),
            visits: Number(row.visits),
            exit_rate: null as number | null,
          },
          ['exits', 'page_views', 'visits'],
          noise,
        ),
      );
    const exits = foldRare(exitRows, {
      k,
      visits: (row) => row.visits,
      merge: (rows) => ({
        path: OTHER,
        exits: sum(rows, (r) => r.exits),
        page_views: sum(rows, (r) => r.page_views),
        visits: sum(rows, (r) => r.visits),
        exit_rate: null,
      }),
    });
    for (const row of [...exits.rows, ...(exits.other ? [exits.other] : [])]) row.exit_rate = rate(row.exits, row.page_views);

    const moves = foldRare(
      transitionsBy[mode].map((row) =>
        noisy(
          { from: row.from_path, to: row.to_path, transitions: Number(row.transitions), visits: Number(row.visits) },
          ['transitions', 'visits'],
          noise,
        ),
      ),
      {
        k,
        visits: (row) => row.visits,
        merge: (rows) => ({
          from: OTHER,
          to: OTHER,
          transitions: sum(rows, (r) => r.transitions),
          visits: sum(rows, (r) => r.visits),
        }),
      },
    );

    // Visits by page types seen, then the flow: each step against the one before.
    const typeRows = visitsBy[mode];
    const reachedBy = new Map<number, number>();
    const reached = (types: readonly PageType[]) => {
      const mask = types.reduce((m, type) => m | TYPE_BIT[type], 0);
      let n = reachedBy.get(mask);
      if (n === undefined) {
        n = sum(
          typeRows.filter((row) => (Number(row.types_mask) & mask) === mask),
          (row) => Number(row.visits),
        );
        if (noise) n = noise.count(n);
        reachedBy.set(mask, n);
      }
      return n;
    };
    const flow: FlowStep[] = PAGE_TYPE_FLOW.map((type, i) => {
      const visitsOfType = reached([type]);
      if (i === 0) return { page_type: type, visits: visitsOfType, continued: null, rate_from_previous: null, drop_off: null };
      const previous = PAGE_TYPE_FLOW[i - 1]!;
      const previousVisits = reached([previous]);
      const continued = reached([previous, type]);
      return {
        page_type: type,
        visits: visitsOfType,
        continued,
        rate_from_previous: rate(continued, previousVisits),
        drop_off: Math.max(0, previousVisits - continued),
      };
    });

    const distribution = Array.from({ length: MAX_DEPTH }, (_, i) => {
      const n = sum(
        typeRows.filter((row) => Number(row.pages) === i + 1),
        (row) => Number(row.visits),
      );
      return { pages: i + 1, visits: noise ? noise.count(n) : n, share: null as number | null };
    });
    while (distribution.length > 1 && distribution.at(-1)!.visits === 0) distribution.pop();
    const visitTotal = sum(distribution, (d) => d.visits);
    for (const d of distribution) d.share = rate(d.visits, visitTotal);
    const depth: DepthFigures = {
      visits: visitTotal,
      pages_per_visit:
        visitTotal > 0 ? Math.round((sum(distribution, (d) => d.pages * d.visits) / visitTotal) * 100) / 100 : null,
      distribution,
    };

    const byLabel = <R extends { path: string }>(count: (row: R) => number) => descending(count, (row: R) => row.path);
    return {
      coverage: report.coverage(
        mode,
        'Transitions use each page view’s previous path (the SDK’s previous_path, or a same-site referrer), so they need no identifier; entries, exits, flow and depth need visits.',
      ),
      entries: listOf(
        entries,
        limit,
        byLabel((r) => r.entries),
      ),
      exits: listOf(
        exits,
        limit,
        byLabel((r) => r.exits),
      ),
      transitions: listOf(
        moves,
        limit,
        descending(
          (r) => r.transitions,
          (r) => `${r.from}\u0000${r.to}`,
        ),
      ),
      flow,
      depth,
    };
  };

  return report.envelope('browse_paths', perMode(figures));
}
