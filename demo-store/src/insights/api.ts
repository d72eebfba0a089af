// Reads the reports from the collector (GET /v1/insights/:site/:report), with the page's cookie.
import type { Report } from '../../../collector/src/core/insights/report.ts';
import type { BrowsePathsReport } from '../../../collector/src/core/insights/reports/browse-paths.ts';
import type { CartReport } from '../../../collector/src/core/insights/reports/cart.ts';
import type { DwellReport } from '../../../collector/src/core/insights/reports/dwell.ts';
import type { ExperimentsReport } from '../../../collector/src/core/insights/reports/experiments.ts';
import type { FunnelReport } from '../../../collector/src/core/insights/reports/funnel.ts';
import type { ReportName } from '../../../collector/src/core/insights/reports/index.ts';
import type { SearchReport } from '../../../collector/src/core/insights/reports/search.ts';
import type { WebVitalsReport } from '../../../collector/src/core/insights/reports/web-vitals.ts';

/** Each report's JSON by the name the route takes. */
export interface Reports {
  'browse-paths': BrowsePathsReport;
  dwell: DwellReport;
  search: SearchReport;
  cart: CartReport;
  funnel: FunnelReport;
  'web-vitals': WebVitalsReport;
  experiments: ExperimentsReport;
}

export interface Query {
  site: string;
  from: string;
  to: string;
}

/** A report that could not be read: the status and the collector's `detail` (or what went wrong on the way). */
export class ReportError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchReport<Name extends ReportName>(name: Name, { site, from, to }: Query): Promise<Reports[Name]> {
  const url = `/v1/insights/${encodeURIComponent(site)}/${name}?${new URLSearchParams({ from, to })}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (error) {
    throw new ReportError(0, `the collector did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const body = (await response.json().catch(() => null)) as (Report<string, unknown> & { detail?: string }) | null;
  if (!response.ok || !body) throw new ReportError(response.status, body?.detail ?? `HTTP ${response.status}`);
  return body as unknown as Reports[Name];
}
