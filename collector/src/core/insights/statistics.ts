/**
 * Tests for experiments: a two-proportion z-test (is the variant's conversion different from the
 * control's?) and a chi-square goodness-of-fit test of the split (sample-ratio mismatch).
 */

/** erfc(x) with relative error below 1.2e-7 (Numerical Recipes, erfcc: Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export const normalUpperTail = (z: number): number => erfc(z / Math.SQRT2) / 2;

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let total = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(total) * 1e-15; n++) {
      term *= x / (a + n);
      total += term;
    }
    return Math.max(0, 1 - total * Math.exp(lead));
  }
  // Lentz's method.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(lead) * h);
}

/** P(X > x) for X chi-square with `df` degrees of freedom. */
export const chiSquareUpperTail = (x: number, df: number): number => gammaQ(df / 2, x / 2);

export interface ProportionTest {
  /** z statistic of (variant − control); null when it cannot be computed (no visits, or no variance). */
  z: number | null;
  /** Two-sided p-value; null with z. */
  p_value: number | null;
}

/** Pooled two-proportion z-test of `converted / visits` of a variant against the control. */
export function twoProportionTest(
  control: { visits: number; converted: number },
  variant: { visits: number; converted: number },
): ProportionTest {
  const { visits: n1, converted: c1 } = control;
  const { visits: n2, converted: c2 } = variant;
  if (n1 <= 0 || n2 <= 0) return { z: null, p_value: null };
  const pooled = (c1 + c2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: null, p_value: null };
  const z = (c2 / n2 - c1 / n1) / se;
  return { z, p_value: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}

export interface SampleRatioTest {
  chi_square: number;
  p_value: number;
  /** Expected share of each variant, in the order given. */
  expected: number[];
  /** p below `SRM_ALPHA`: the split is not what was intended, so the comparison is suspect. */
  mismatch: boolean;
}

/** The usual threshold for a sample-ratio-mismatch alarm: strict, since the test runs on every experiment. */
export const SRM_ALPHA = 0.001;

/** Chi-square test of observed visits per variant against the expected ratios (equal when not given). */
export function sampleRatioTest(observed: readonly number[], ratios?: readonly number[]): SampleRatioTest | null {
  if (observed.length < 2) return null;
  const weights = ratios && ratios.length === observed.length && ratios.every((r) => r > 0) ? ratios : observed.map(() => 1);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => w / weightTotal);
  const total = observed.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const chi = observed.reduce((acc, o, i) => acc + (o - total * expected[i]!) ** 2 / (total * expected[i]!), 0);
  const p = chiSquareUpperTail(chi, observed.length - 1);
  return { chi_square: chi, p_value: p, expected, mismatch: p < SRM_ALPHA };
}
