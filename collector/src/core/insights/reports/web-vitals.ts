import type { SqlEngine } from '../engine.ts';
import {
  addToHistogram,
  CLS_SCORE,
  emptyHistogram,
  histogramTotal,
  percentile,
  VITAL_MILLIS,
  type Histogram,
  type HistogramScale,
} from '../histograms.ts';
import { PAGE_TYPES, type PageType } from '../page-types.ts';
import { sum } from '../privacy.ts';
import {
  byMode,
  openReport,
  perMode,
  rate,
  type ModeFigures,
  type Report,
  type ReportedMode,
  type ReportRequest,
  type ReportSettings,
} from '../report.ts';
import { STEP_BIT, TYPE_BIT } from '../rollups.ts';

/**
 * Web vitals per page type: p75 of LCP, INP and CLS (Google's thresholds are read at p75), beside
 * the page type's add-to-cart rate (page views with an add) and purchase rate (visits that saw
 * the type and purchased), so slow page types can be weighed against what they sell.
 */

export const VITAL_METRICS = ['LCP', 'INP', 'CLS'] as const;
export type VitalMetric = (typeof VITAL_METRICS)[number];
const SCALE: Record<VitalMetric, HistogramScale> = { LCP: VITAL_MILLIS, INP: VITAL_MILLIS, CLS: CLS_SCORE };

export interface VitalFigure {
  /** Lower bound of the p75 bucket: ms for LCP and INP (50 ms buckets), unitless for CLS (0.01 buckets). */
  p75: number | null;
  /** Page views that reported the metric. */
  samples: number;
}

export interface PageTypeVitals {
  page_type: PageType;
  page_views: number;
  lcp: VitalFigure;
  inp: VitalFigure;
  cls: VitalFigure;
  /** Page views of this type with an add to cart on them / page views of this type. */
  add_to_cart_rate: number | null;
  /** Visits that saw this type and purchased / visits that saw this type. */
  purchase_rate: number | null;
}

export interface WebVitals {
  page_types: PageTypeVitals[];
}

export type WebVitalsReport = Report<'web_vitals', WebVitals>;

export const WEB_VITALS_SQL = {
  vitals: `SELECT consent, page_type, metric, bucket, SUM(page_views) AS page_views
    FROM ins_r_vitals WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, page_type, metric, bucket`,
  pages: `SELECT consent, page_type, SUM(page_views) AS page_views, SUM(with_add) AS with_add
    FROM ins_r_pages WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, page_type`,
  visits: `SELECT consent, types_mask, steps_mask, SUM(visits) AS visits
    FROM ins_r_visits WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, types_mask, steps_mask`,
};

export async function webVitalsReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ReportSettings = {},
): Promise<WebVitalsReport> {
  const report = await openReport(engine, request, settings);
  const { noise, range } = report;
  const [vitals, pages, visits] = await Promise.all([
    engine.all<{ consent: string; page_type: string; metric: VitalMetric; bucket: number; page_views: number }>(
      WEB_VITALS_SQL.vitals,
      range,
    ),
    engine.all<{ consent: string; page_type: string; page_views: number; with_add: number }>(WEB_VITALS_SQL.pages, range),
    engine.all<{ consent: string; types_mask: number; steps_mask: number; visits: number }>(WEB_VITALS_SQL.visits, range),
  ]);
  const vitalsBy = byMode(vitals);
  const pagesBy = byMode(pages);
  const visitsBy = byMode(visits);
  const count = (n: number) => (noise ? noise.count(n) : n);

  const mode = (mode: ReportedMode): ModeFigures<WebVitals> => {
    const histograms = new Map<string, Histogram>();
    for (const row of vitalsBy[mode]) {
      const key = `${row.page_type}\u0000${row.metric}`;
      let histogram = histograms.get(key);
      if (!histogram) histograms.set(key, (histogram = emptyHistogram(SCALE[row.metric])));
      addToHistogram(histogram, Number(row.bucket), Number(row.page_views));
    }
    const figure = (type: PageType, metric: VitalMetric): VitalFigure => {
      const raw = histograms.get(`${type}\u0000${metric}`) ?? emptyHistogram(SCALE[metric]);
      const histogram = noise ? raw.map((n) => noise.count(n)) : raw;
      return { p75: percentile(histogram, SCALE[metric], 0.75), samples: histogramTotal(histogram) };
    };
    const visitRows = visitsBy[mode];
    const page_types = PAGE_TYPES.flatMap((type): PageTypeVitals[] => {
      const pageRow = pagesBy[mode].find((row) => row.page_type === type);
      if (!pageRow) return [];
      const pageViews = count(Number(pageRow.page_views));
      const seen = visitRows.filter((row) => Number(row.types_mask) & TYPE_BIT[type]);
      const seenVisits = count(sum(seen, (row) => Number(row.visits)));
      const purchased = count(
        sum(
          seen.filter((row) => Number(row.steps_mask) & STEP_BIT.purchase),
          (row) => Number(row.visits),
        ),
      );
      return [
        {
          page_type: type,
          page_views: pageViews,
          lcp: figure(type, 'LCP'),
          inp: figure(type, 'INP'),
          cls: figure(type, 'CLS'),
          add_to_cart_rate: rate(count(Number(pageRow.with_add)), pageViews),
          purchase_rate: rate(purchased, seenVisits),
        },
      ];
    });
    return {
      coverage: report.coverage(
        mode,
        'Vitals are per page view (the SDK reports each metric once per page load); purchase rates need visits.',
      ),
      page_types,
    };
  };

  return report.envelope('web_vitals', perMode(mode));
}
