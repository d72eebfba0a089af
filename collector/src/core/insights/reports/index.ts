import type { SqlEngine } from '../engine.ts';
import type { ReportRequest } from '../report.ts';
import { browsePathsReport } from './browse-paths.ts';
import { cartReport } from './cart.ts';
import { dwellReport } from './dwell.ts';
import { experimentsReport, type ExperimentSettings } from './experiments.ts';
import { funnelReport } from './funnel.ts';
import { searchReport } from './search.ts';
import { webVitalsReport } from './web-vitals.ts';

/** Every report by the name the route takes (`GET /v1/insights/:site/:report`). */
export const REPORTS = {
  'browse-paths': browsePathsReport,
  dwell: dwellReport,
  search: searchReport,
  cart: cartReport,
  funnel: funnelReport,
  'web-vitals': webVitalsReport,
  experiments: experimentsReport,
} as const;

export type ReportName = keyof typeof REPORTS;
export type AnyReport = Awaited<ReturnType<(typeof REPORTS)[ReportName]>>;

export const isReportName = (name: string): name is ReportName => Object.hasOwn(REPORTS, name);

/** Runs a report by name. */
export function runReport(
  engine: SqlEngine,
  name: ReportName,
  request: ReportRequest,
  settings: ExperimentSettings = {},
): Promise<AnyReport> {
  return REPORTS[name](engine, request, settings);
}
