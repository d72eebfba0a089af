import type { SqlEngine } from '../engine.ts';
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
import { FUNNEL_STEPS, STEP_BIT, type FunnelStep } from '../rollups.ts';

/**
 * The shopping funnel per visit: view_item → add_to_cart → begin_checkout → purchase. A step
 * counts the visits that took it and every step before it (a closed funnel, in any order within
 * the visit: clocks and tabs make a strict order unreliable).
 */

export interface FunnelStepFigures {
  step: FunnelStep;
  visits: number;
  /** visits / visits of the previous step. */
  rate_from_previous: number | null;
  /** Visits of the previous step that did not take this one. */
  drop_off: number | null;
  /** visits / visits of the first step. */
  rate_from_first: number | null;
}

export interface Funnel {
  steps: FunnelStepFigures[];
}

export type FunnelReport = Report<'funnel', Funnel>;

export const FUNNEL_SQL = `SELECT consent, steps_mask, SUM(visits) AS visits
  FROM ins_r_visits WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, steps_mask`;

export async function funnelReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ReportSettings = {},
): Promise<FunnelReport> {
  const report = await openReport(engine, request, settings);
  const rowsBy = byMode(await engine.all<{ consent: string; steps_mask: number; visits: number }>(FUNNEL_SQL, report.range));

  const mode = (mode: ReportedMode): ModeFigures<Funnel> => {
    let mask = 0;
    const counts = FUNNEL_STEPS.map((step) => {
      mask |= STEP_BIT[step];
      const required = mask;
      const n = sum(
        rowsBy[mode].filter((row) => (Number(row.steps_mask) & required) === required),
        (row) => Number(row.visits),
      );
      return report.noise ? report.noise.count(n) : n;
    });
    const steps = FUNNEL_STEPS.map((step, i) => ({
      step,
      visits: counts[i]!,
      rate_from_previous: i === 0 ? null : rate(counts[i]!, counts[i - 1]!),
      drop_off: i === 0 ? null : Math.max(0, counts[i - 1]! - counts[i]!),
      rate_from_first: rate(counts[i]!, counts[0]!),
    }));
    return {
      coverage: report.coverage(mode, 'Steps are counted per visit from the events on its page views.'),
      steps,
    };
  };

  return report.envelope('funnel', perMode(mode));
}
