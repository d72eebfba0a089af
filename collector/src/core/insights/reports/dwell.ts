import { SCROLL_DEPTHS } from '#protocol';
import type { SqlEngine } from '../engine.ts';
import {
  addToHistogram,
  emptyHistogram,
  ENGAGED_SECONDS,
  histogramTotal,
  mergeHistograms,
  percentile,
  type Histogram,
} from '../histograms.ts';
import { PAGE_TYPES } from '../page-types.ts';
import { foldRare, OTHER, sum, type Noise } from '../privacy.ts';
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

/**
 * Dwell and depth: per path and per page type, engaged time (p50/p75/p90, from the page view's
 * `page_leave` with the highest total time), how far down the page visitors scrolled, and how
 * many things they did there.
 */

/** The thresholds the SDK reports (`scroll` events). */
export const SCROLL_MARKS = SCROLL_DEPTHS;

export interface DwellRow {
  page_views: number;
  visits: number;
  /** Page views with a page_leave: the ones engaged time is known for. */
  measured: number;
  /** Engaged seconds (lower bound of the percentile's bucket); null without measured page views. */
  engaged_p50: number | null;
  engaged_p75: number | null;
  engaged_p90: number | null;
  /** Share of page views that reached each scroll depth (percent of the page). */
  scroll: Record<`${(typeof SCROLL_MARKS)[number]}`, number | null>;
  /** Searches, result clicks, cart changes, checkouts, purchases and custom events per page view. */
  actions_per_view: number | null;
}

export interface DwellByPath extends DwellRow {
  path: string;
}
export interface DwellByPageType extends DwellRow {
  page_type: string;
}

export interface Dwell {
  paths: RowList<DwellByPath>;
  /** Page types are the shop's own categories, not anything a visitor typed: not folded. */
  page_types: DwellByPageType[];
}

export type DwellReport = Report<'dwell', Dwell>;

export const DWELL_SQL = {
  pages: `SELECT consent, path, page_type, SUM(page_views) AS page_views, SUM(visits) AS visits, SUM(measured) AS measured,
      SUM(scroll25) AS scroll25, SUM(scroll50) AS scroll50, SUM(scroll75) AS scroll75, SUM(scroll90) AS scroll90,
      SUM(scroll100) AS scroll100, SUM(actions) AS actions
    FROM ins_r_pages WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, path, page_type`,
  histogram: `SELECT consent, path, page_type, bucket, SUM(page_views) AS page_views
    FROM ins_r_dwell WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, path, page_type, bucket`,
};

/** Summed counts of a group of (path, page type) rows. */
interface Sums {
  page_views: number;
  visits: number;
  measured: number;
  scroll: number[];
  actions: number;
  histogram: Histogram;
}

const emptySums = (): Sums => ({
  page_views: 0,
  visits: 0,
  measured: 0,
  scroll: SCROLL_MARKS.map(() => 0),
  actions: 0,
  histogram: emptyHistogram(ENGAGED_SECONDS),
});

function addSums(into: Sums, from: Sums): Sums {
  into.page_views += from.page_views;
  into.visits += from.visits;
  into.measured += from.measured;
  from.scroll.forEach((n, i) => (into.scroll[i]! += n));
  into.actions += from.actions;
  mergeHistograms(into.histogram, from.histogram);
  return into;
}

function withNoise(sums: Sums, noise: Noise | null): Sums {
  if (!noise) return sums;
  const histogram = sums.histogram.map((n) => noise.count(n));
  return {
    page_views: noise.count(sums.page_views),
    visits: noise.count(sums.visits),
    // What was measured is what the histogram holds, so the two stay consistent under noise.
    measured: histogramTotal(histogram),
    scroll: sums.scroll.map((n) => noise.count(n)),
    actions: noise.count(sums.actions),
    histogram,
  };
}

function figures(sums: Sums): DwellRow {
  const scroll = Object.fromEntries(
    SCROLL_MARKS.map((mark, i) => [String(mark), rate(sums.scroll[i]!, sums.page_views)]),
  ) as DwellRow['scroll'];
  return {
    page_views: sums.page_views,
    visits: sums.visits,
    measured: sums.measured,
    engaged_p50: percentile(sums.histogram, ENGAGED_SECONDS, 0.5),
    engaged_p75: percentile(sums.histogram, ENGAGED_SECONDS, 0.75),
    engaged_p90: percentile(sums.histogram, ENGAGED_SECONDS, 0.9),
    scroll,
    actions_per_view: sums.page_views > 0 ? Math.round((sums.actions / sums.page_views) * 10_000) / 10_000 : null,
  };
}

type PageRow = { consent: string; path: string; page_type: string } & Record<
  'page_views' | 'visits' | 'measured' | 'scroll25' | 'scroll50' | 'scroll75' | 'scroll90' | 'scroll100' | 'actions',
  number
>;

export async function dwellReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ReportSettings = {},
): Promise<DwellReport> {
  const report = await openReport(engine, request, settings);
  const { k, limit, noise, range } = report;
  const [pages, buckets] = await Promise.all([
    engine.all<PageRow>(DWELL_SQL.pages, range),
    engine.all<{ consent: string; path: string; page_type: string; bucket: number; page_views: number }>(
      DWELL_SQL.histogram,
      range,
    ),
  ]);
  const pagesBy = byMode(pages);
  const bucketsBy = byMode(buckets);

  const mode = (mode: ReportedMode): ModeFigures<Dwell> => {
    const byPath = new Map<string, Sums>();
    const byType = new Map<string, Sums>();
    const group = (map: Map<string, Sums>, key: string) => {
      let sums = map.get(key);
      if (!sums) map.set(key, (sums = emptySums()));
      return sums;
    };
    for (const row of pagesBy[mode]) {
      const sums: Sums = {
        page_views: Number(row.page_views),
        visits: Number(row.visits),
        measured: Number(row.measured),
        scroll: SCROLL_MARKS.map((mark) => Number(row[`scroll${mark}`])),
        actions: Number(row.actions),
        histogram: emptyHistogram(ENGAGED_SECONDS),
      };
      addSums(group(byPath, row.path), sums);
      addSums(group(byType, row.page_type), sums);
    }
    for (const row of bucketsBy[mode]) {
      addToHistogram(group(byPath, row.path).histogram, Number(row.bucket), Number(row.page_views));
      addToHistogram(group(byType, row.page_type).histogram, Number(row.bucket), Number(row.page_views));
    }

    const paths = foldRare(
      [...byPath].map(([path, sums]) => ({ path, sums: withNoise(sums, noise) })),
      {
        k,
        visits: (row) => row.sums.visits,
        merge: (rows) => ({ path: OTHER, sums: rows.reduce((acc, row) => addSums(acc, row.sums), emptySums()) }),
      },
    );
    const shape = ({ path, sums }: { path: string; sums: Sums }): DwellByPath => ({ path, ...figures(sums) });
    const pageTypes = PAGE_TYPES.filter((type) => byType.has(type)).map((type) => ({
      page_type: type,
      ...figures(withNoise(byType.get(type)!, noise)),
    }));
    return {
      coverage: report.coverage(
        mode,
        `Engaged time is known for page views that sent a page_leave (${sum(pageTypes, (t) => t.measured)} here); scroll depth and actions count every page view.`,
      ),
      paths: listOf(
        { rows: paths.rows.map(shape), other: paths.other && shape(paths.other), folded: paths.folded },
        limit,
        descending(
          (row: DwellByPath) => row.page_views,
          (row) => row.path,
        ),
      ),
      page_types: pageTypes,
    };
  };

  return report.envelope('dwell', perMode(mode));
}
