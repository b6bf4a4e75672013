/**
 * t tests matching scipy.stats (1.10): one-sample, paired, Student and Welch,
 * each with its confidence interval and effect size. The sample moments come
 * from the WASM mean/M2 kernel.
 */

import { toFloat64 } from '../../core/arrays';
import { type MeanM2, meanAndM2 } from '../../kernels/bivariate';
import {
  type Alternative,
  checkAlternative,
  checkLevel,
  fail,
  type NanOptions,
  type NumArray,
  pFromTails,
  type TestResult,
  toPairs,
  withNanPolicy,
} from '../common';
import { studentT } from '../distributions';
import { nanResult, type TestOptions } from './shared';

/** Options of the t tests: `TestOptions` plus the confidence level of the interval. */
export interface TTestOptions extends TestOptions {
  /** Confidence level of the interval (default 0.95). */
  confidenceLevel?: number;
}

/** [origin, mean - origin, sample variance] from the WASM mean/M2 kernel. */
function meanVar(m: MeanM2): [number, number, number] {
  return [m.origin, m.meanOffset, m.n < 2 ? Number.NaN : m.m2 / (m.n - 1)];
}

/** One sample through the kernel with the NaN policy applied; null = propagate NaN. */
function kernelSample(
  x: NumArray,
  where: string,
  nan: NanOptions['nan'],
  name: string,
): MeanM2 | null {
  const a = toFloat64(x, where, name);
  return withNanPolicy([a], [name], where, nan, () => meanAndM2(a));
}

function tInterval(
  est: number,
  se: number,
  df: number,
  alt: Alternative,
  level: number,
): [number, number] {
  const t = studentT(df);
  if (alt === 'two-sided') {
    const q = t.isf((1 - level) / 2);
    return [est - q * se, est + q * se];
  }
  const q = t.isf(1 - level);
  return alt === 'less'
    ? [Number.NEGATIVE_INFINITY, est + q * se]
    : [est - q * se, Number.POSITIVE_INFINITY];
}

function tResult(
  est: number,
  se: number,
  df: number,
  alt: Alternative,
  level: number,
  effect: number,
): TestResult {
  const stat = est / se;
  const d = studentT(df);
  return {
    statistic: stat,
    pValue: pFromTails(stat, alt, d.cdf, d.sf),
    df,
    confidenceInterval: tInterval(est, se, df, alt, level),
    effectSize: effect,
    alternative: alt,
  };
}

/**
 * One-sample Student t test of mean(x) = mu (scipy.stats.ttest_1samp).
 * The interval is for the mean; effectSize is Cohen's d = (mean - mu) / sd.
 */
export function tTest(x: NumArray, options: TTestOptions & { mu?: number } = {}): TestResult {
  const alt = checkAlternative('tTest', options.alternative);
  const level = checkLevel('tTest', options.confidenceLevel);
  const k = kernelSample(x, 'tTest', options.nan, 'x');
  if (k === null) return nanResult(alt);
  if (k.n < 2) fail('tTest', `x needs at least 2 values, got ${k.n}.`);
  const mu = options.mu ?? 0;
  const [o, md, v] = meanVar(k);
  const sd = Math.sqrt(v);
  // mean - mu as (origin - mu) + offset: keeps digits when mean ≈ mu
  const diff = o - mu + md;
  const r = tResult(diff, sd / Math.sqrt(k.n), k.n - 1, alt, level, diff / sd);
  const ci = r.confidenceInterval!;
  return { ...r, confidenceInterval: [ci[0] + mu, ci[1] + mu] };
}

/** Paired t test on x - y (scipy.stats.ttest_rel). Interval for the mean difference. */
export function pairedTTest(x: NumArray, y: NumArray, options: TTestOptions = {}): TestResult {
  const alt = checkAlternative('pairedTTest', options.alternative);
  const level = checkLevel('pairedTTest', options.confidenceLevel);
  const p = toPairs(x, y, 'pairedTTest', options.nan);
  if (p === null) return nanResult(alt);
  const [a, b] = p;
  if (a.length < 2) fail('pairedTTest', `need at least 2 pairs, got ${a.length}.`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < d.length; i++) d[i] = a[i] - b[i];
  const [o, md, v] = meanVar(meanAndM2(d));
  const m = o + md;
  const sd = Math.sqrt(v);
  return tResult(m, sd / Math.sqrt(d.length), d.length - 1, alt, level, m / sd);
}

/**
 * `TTestOptions` with an `equalVariances` flag. No function reads it: `welchTTest` is Welch's
 * test and `studentTTest` the pooled-variance one.
 */
export interface TwoSampleTOptions extends TTestOptions {
  /** Not read by any test (`studentTTest` pools the variances, `welchTTest` does not). */
  equalVariances?: boolean;
}

function twoSample(
  where: string,
  x: NumArray,
  y: NumArray,
  options: TTestOptions,
  welch: boolean,
): TestResult {
  const alt = checkAlternative(where, options.alternative);
  const level = checkLevel(where, options.confidenceLevel);
  const ka = kernelSample(x, where, options.nan, 'x');
  const kb = kernelSample(y, where, options.nan, 'y');
  if (ka === null || kb === null) return nanResult(alt);
  if (ka.n < 2 || kb.n < 2) {
    fail(where, `each sample needs at least 2 values (got ${ka.n} and ${kb.n}).`);
  }
  const [o1, md1, v1] = meanVar(ka);
  const [o2, md2, v2] = meanVar(kb);
  const m1 = o1 - o2 + (md1 - md2); // mean(x) - mean(y), precise for nearly equal means
  const m2 = 0;
  const n1 = ka.n;
  const n2 = kb.n;
  let se: number;
  let df: number;
  let sdEffect: number;
  if (welch) {
    const s1 = v1 / n1;
    const s2 = v2 / n2;
    se = Math.sqrt(s1 + s2);
    df = ((s1 + s2) * (s1 + s2)) / ((s1 * s1) / (n1 - 1) + (s2 * s2) / (n2 - 1));
    sdEffect = Math.sqrt((v1 + v2) / 2);
  } else {
    df = n1 + n2 - 2;
    const sp = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
    se = Math.sqrt(sp * (1 / n1 + 1 / n2));
    sdEffect = Math.sqrt(sp);
  }
  return tResult(m1 - m2, se, df, alt, level, (m1 - m2) / sdEffect);
}

/**
 * Two-sample Student t test with pooled variance (scipy.stats.ttest_ind,
 * equal_var=True). Interval for mean(x) - mean(y); effectSize is Cohen's d
 * with the pooled standard deviation.
 */
export function studentTTest(x: NumArray, y: NumArray, options: TTestOptions = {}): TestResult {
  return twoSample('studentTTest', x, y, options, false);
}

/**
 * Welch's unequal-variance t test (scipy.stats.ttest_ind, equal_var=False);
 * df is the Welch-Satterthwaite value, not rounded. effectSize is
 * (mean(x) - mean(y)) / sqrt((s²x + s²y) / 2).
 */
export function welchTTest(x: NumArray, y: NumArray, options: TTestOptions = {}): TestResult {
  return twoSample('welchTTest', x, y, options, true);
}
