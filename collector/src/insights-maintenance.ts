import { utcDay } from './core/insights/events-rows.ts';
import { applyRetention } from './core/insights/maintenance.ts';
import { rebuildDirtyDays } from './core/insights/rollups.ts';
import type { SitePolicies } from './core/policy.ts';
import { d1Engine } from './d1-engine.ts';

/**
 * The insights' scheduled job (cron every minute, wrangler.toml): rebuilds the rollups of the
 * oldest dirty days, at most `maxDays` per run so one run stays well inside a Worker's limits (a
 * backlog drains over the next minutes; reports rebuild the days they read anyway), then applies
 * each site's `retention_days`.
 */

/**
 * Dirty days rebuilt per run, each in one D1 batch. A day of 33,000 events takes about a second in local D1
 * (bench/insights.ts); in steady state a run finds one or two days dirty, so 10 bounds a backlog's run to
 * seconds.
 */
export const DIRTY_DAYS_PER_RUN = 10;

export interface InsightsMaintenance {
  /** Dirty days whose rollups were rebuilt. */
  rebuilt: number;
  /** Per site with `retention_days`: the first day whose event-level rows are kept. */
  retention: { site: string; kept_from: string }[];
}

export async function maintainInsights(
  db: D1Database,
  policies: SitePolicies,
  now: number,
  maxDays = DIRTY_DAYS_PER_RUN,
): Promise<InsightsMaintenance> {
  const engine = d1Engine(db);
  const rebuilt = await rebuildDirtyDays(engine, maxDays);
  const retention: InsightsMaintenance['retention'] = [];
  for (const policy of policies.values()) {
    if (policy.retention_days === undefined) continue;
    retention.push({
      site: policy.site,
      kept_from: await applyRetention(engine, policy.site, policy.retention_days, utcDay(now)),
    });
  }
  return { rebuilt, retention };
}
