import { Hono } from 'hono';
import { parseReportRequest } from '../core/insights/report.ts';
import { isReportName, REPORTS, runReport } from '../core/insights/reports/index.ts';
import { reportPrivacy, type SitePolicy } from '../core/policy.ts';
import { d1Engine } from '../d1-engine.ts';
import type { AppEnv, CollectorDeps } from '../deps.ts';
import { ClientError } from '../http.ts';
import { requireInsightsAccess } from '../insights-auth.ts';

/**
 * The insights reports as JSON (docs/insights.md), behind INSIGHTS_TOKEN (insights-auth.ts):
 * - GET /v1/insights/:site: the site's reports, its k and epsilon;
 * - GET /v1/insights/:site/:report?from=YYYY-MM-DD&to=YYYY-MM-DD: one report (the core's `runReport`,
 *   with the site policy's k and epsilon), after rebuilding the range's dirty days, so the figures are
 *   exact without waiting for the cron. `experiments` also takes `expected=control:1,green:2`.
 */

/** Every report name, in the order the list route gives them. */
export const REPORT_NAMES = Object.keys(REPORTS) as (keyof typeof REPORTS)[];

export interface InsightsIndex {
  site: string;
  k: number;
  epsilon: number | null;
  reports: { name: string; url: string }[];
}

export function insightsRoute(deps: Pick<CollectorDeps, 'policies'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/v1/insights', requireInsightsAccess());
  app.use('/v1/insights/*', requireInsightsAccess());

  const policyOf = (site: string): SitePolicy => {
    const policy = deps.policies.get(site);
    if (!policy) throw new ClientError(404, 'not_found', `site: "${site.slice(0, 64)}" is not configured`);
    return policy;
  };

  app.get('/v1/insights/:site', (c) => {
    const policy = policyOf(c.req.param('site'));
    const body: InsightsIndex = {
      site: policy.site,
      ...reportPrivacy(policy),
      reports: REPORT_NAMES.map((name) => ({ name, url: `/v1/insights/${policy.site}/${name}` })),
    };
    return c.json(body, 200, { 'Cache-Control': 'no-store' });
  });

  app.get('/v1/insights/:site/:report', async (c) => {
    const policy = policyOf(c.req.param('site'));
    const name = c.req.param('report');
    if (!isReportName(name)) throw new ClientError(400, 'invalid_query', `report: expected one of ${REPORT_NAMES.join(', ')}`);
    const parsed = parseReportRequest(policy.site, { from: c.req.query('from'), to: c.req.query('to') });
    if (!parsed.ok) throw new ClientError(400, 'invalid_query', parsed.error);
    const expected = expectedQuery(c.req.query('expected'));
    const report = await runReport(d1Engine(c.env.DB), name, parsed.request, { ...reportPrivacy(policy), expected });
    return c.json(report, 200, { 'Cache-Control': 'no-store' });
  });
  return app;
}

/** `expected=control:1,green:2`: the experiments report's expected split (equal when absent). */
function expectedQuery(value: string | undefined): Record<string, number> | undefined {
  if (value === undefined || value === '') return undefined;
  const expected: Record<string, number> = {};
  for (const part of value.split(',')) {
    const match = /^([^:]{1,64}):(\d+(?:\.\d+)?)$/.exec(part.trim());
    const share = Number(match?.[2]);
    if (!match || !(share > 0)) {
      throw new ClientError(400, 'invalid_query', 'expected: expected variant:share pairs, e.g. control:1,green:1');
    }
    expected[match[1]!] = share;
  }
  return expected;
}
