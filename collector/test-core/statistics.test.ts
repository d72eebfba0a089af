import { describe, expect, it } from 'vitest';
import { chiSquareUpperTail, normalUpperTail, sampleRatioTest, twoProportionTest } from '../src/core/insights/index.ts';

// Reference values from statistical tables (and R: pnorm, pchisq).
describe('distributions', () => {
  it('normal upper tail', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(3)).toBeCloseTo(0.0013499, 6);
    expect(normalUpperTail(-1.644854)).toBeCloseTo(0.95, 6);
  });

  it('chi-square upper tail', () => {
    expect(chiSquareUpperTail(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareUpperTail(6.634897, 1)).toBeCloseTo(0.01, 6);
    expect(chiSquareUpperTail(5.991465, 2)).toBeCloseTo(0.05, 6);
    expect(chiSquareUpperTail(11.0705, 5)).toBeCloseTo(0.05, 5);
    expect(chiSquareUpperTail(1, 10)).toBeCloseTo(0.9998279, 6);
    expect(chiSquareUpperTail(20, 1) / 7.744216e-6).toBeCloseTo(1, 4);
    expect(chiSquareUpperTail(0, 3)).toBe(1);
  });
});

describe('two-proportion z-test', () => {
  it('200/1000 against 250/1000: z = 2.677, p = 0.0074', () => {
    const { z, p_value } = twoProportionTest({ visits: 1000, converted: 200 }, { visits: 1000, converted: 250 });
    expect(z).toBeCloseTo(2.6774, 3);
    expect(p_value).toBeCloseTo(0.00742, 4);
  });

  it('is symmetric and undefined without visits or variance', () => {
    const up = twoProportionTest({ visits: 500, converted: 50 }, { visits: 400, converted: 30 });
    const down = twoProportionTest({ visits: 400, converted: 30 }, { visits: 500, converted: 50 });
    expect(up.z).toBeCloseTo(-down.z!, 12);
    expect(up.p_value).toBeCloseTo(down.p_value!, 12);
    expect(twoProportionTest({ visits: 0, converted: 0 }, { visits: 10, converted: 1 })).toEqual({ z: null, p_value: null });
    expect(twoProportionTest({ visits: 10, converted: 0 }, { visits: 10, converted: 0 })).toEqual({ z: null, p_value: null });
  });
});

describe('sample-ratio mismatch', () => {
  it('5000 / 5200 against an equal split is within chance; 5000 / 5400 is a mismatch', () => {
    const fine = sampleRatioTest([5000, 5200])!;
    expect(fine.chi_square).toBeCloseTo(3.9216, 4);
    expect(fine.p_value).toBeCloseTo(0.0477, 4);
    expect(fine.mismatch).toBe(false);
    const broken = sampleRatioTest([5000, 5400])!;
    expect(broken.chi_square).toBeCloseTo(15.3846, 4);
    expect(broken.p_value).toBeLessThan(0.001);
    expect(broken.mismatch).toBe(true);
  });

  it('takes expected ratios: 3300 / 6700 fits 1:2', () => {
    const result = sampleRatioTest([3300, 6700], [1, 2])!;
    expect(result.expected).toEqual([1 / 3, 2 / 3]);
    expect(result.chi_square).toBeCloseTo(0.5, 4);
    expect(result.p_value).toBeCloseTo(0.4795, 4);
    expect(sampleRatioTest([3300, 6700])!.mismatch).toBe(true);
  });

  it('needs two variants with visits', () => {
    expect(sampleRatioTest([10])).toBeNull();
    expect(sampleRatioTest([0, 0])).toBeNull();
  });
});
