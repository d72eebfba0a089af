import type { SqlEngine } from '../engine.ts';
import { noisy } from '../privacy.ts';
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
import { sampleRatioTest, twoProportionTest, type SampleRatioTest } from '../statistics.ts';

/**
 * Experiments: page views carry `props.experiment` and `props.variant` (the SDK's
 * `experiment(name, variant)` sets them for the page views that follow). A visit is exposed to a
 * variant if one of its page views carries it, and converts if it purchases. Each variant is
 * compared with the control (a variant named "control", else the first in name order) by a pooled
 * two-proportion z-test; the split is checked against the expected ratios (equal unless given) by
 * a chi-square test, and a p-value below 0.001 flags a sample-ratio mismatch: the assignment or the
 * tracking is broken, so the comparison cannot be trusted.
 */

export const CONTROL_VARIANT = 'control';

export interface VariantFigures {
  variant: string;
  visits: number;
  add_visits: number;
  /** Visits that purchased. */
  conversions: number;
  conversion_rate: number | null;
  /** Relative change of the conversion rate against the control; null for the control. */
  uplift: number | null;
  /** z and two-sided p of variant − control; null for the control or when undefined. */
  z: number | null;
  p_value: number | null;
}

export interface ExperimentFigures {
  experiment: string;
  control: string;
  variants: VariantFigures[];
  sample_ratio: SampleRatioTest | null;
}

export interface Experiments {
  experiments: ExperimentFigures[];
}

export type ExperimentsReport = Report<'experiments', Experiments>;

export interface ExperimentSettings extends ReportSettings {
  /** Expected share per variant by name (e.g. `{ control: 1, green: 1 }`); equal split when absent. */
  expected?: Record<string, number>;
}

export const EXPERIMENTS_SQL = `SELECT consent, experiment, variant, SUM(visits) AS visits, SUM(add_visits) AS add_visits,
    SUM(purchase_visits) AS purchase_visits
  FROM ins_r_experiments WHERE site = ? AND day >= ? AND day <= ? GROUP BY consent, experiment, variant`;

export async function experimentsReport(
  engine: SqlEngine,
  request: ReportRequest,
  settings: ExperimentSettings = {},
): Promise<ExperimentsReport> {
  const report = await openReport(engine, request, settings);
  const rowsBy = byMode(
    await engine.all<{
      consent: string;
      experiment: string;
      variant: string;
      visits: number;
      add_visits: number;
      purchase_visits: number;
    }>(EXPERIMENTS_SQL, report.range),
  );

  const mode = (mode: ReportedMode): ModeFigures<Experiments> => {
    const names = [...new Set(rowsBy[mode].map((row) => row.experiment))].sort();
    const experiments = names.map((experiment): ExperimentFigures => {
      const rows = rowsBy[mode]
        .filter((row) => row.experiment === experiment)
        .map((row) =>
          noisy(
            {
              variant: row.variant,
              visits: Number(row.visits),
              add_visits: Number(row.add_visits),
              conversions: Number(row.purchase_visits),
            },
            ['visits', 'add_visits', 'conversions'],
            report.noise,
          ),
        )
        .sort((a, b) =>
          a.variant === CONTROL_VARIANT ? -1 : b.variant === CONTROL_VARIANT ? 1 : a.variant < b.variant ? -1 : 1,
        );
      const control = rows[0]!;
      const controlRate = rate(control.conversions, control.visits);
      const variants = rows.map((row, i): VariantFigures => {
        const conversionRate = rate(row.conversions, row.visits);
        const test =
          i === 0
            ? { z: null, p_value: null }
            : twoProportionTest(
                { visits: control.visits, converted: control.conversions },
                { visits: row.visits, converted: row.conversions },
              );
        return {
          ...row,
          conversion_rate: conversionRate,
          uplift:
            i === 0 || !controlRate || conversionRate === null
              ? null
              : Math.round(((conversionRate - controlRate) / controlRate) * 10_000) / 10_000,
          z: test.z === null ? null : Math.round(test.z * 10_000) / 10_000,
          p_value: test.p_value === null ? null : Number(test.p_value.toPrecision(4)),
        };
      });
      const ratios = settings.expected && rows.map((row) => settings.expected![row.variant] ?? 0);
      return {
        experiment,
        control: control.variant,
        variants,
        sample_ratio: sampleRatioTest(
          rows.map((row) => row.visits),
          ratios,
        ),
      };
    });
    return {
      coverage: report.coverage(mode, 'Exposure and conversion are counted per visit.'),
      experiments,
    };
  };

  return report.envelope('experiments', perMode(mode));
}
