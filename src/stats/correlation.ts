/**
 * Correlation: Pearson (WASM SIMD co-moment kernel; Fisher-z interval),
 * Spearman, Kendall tau-b (O(n log n)), with p-values as scipy.stats 1.10
 * computes them, and correlation matrices for row-major n x d data.
 */

import { toFloat64 } from '../core/arrays';
import { CoMoments } from '../kernels/bivariate';
import {
  type Alternative,
  checkAlternative,
  checkLevel,
  fail,
  finiteF64,
  type NanOptions,
  type NumArray,
  type TestResult,
  toPairs,
  withNanPolicy,
} from './common';
import { argsort, rankF64 } from './descriptive';
import { standardNormal, studentT } from './distributions';
import { betainc, betaincc, ndtri } from './special';

/** Options of `pearson` and `spearman`: alternative, confidence level, NaN policy. */
export interface CorrelationOptions extends NanOptions {
  alternative?: Alternative;
  /** Confidence level of Pearson's Fisher-z interval (default 0.95). */
  confidenceLevel?: number;
}

const nanRes = (alternative: Alternative): TestResult => ({
  statistic: Number.NaN,
  pValue: Number.NaN,
  alternative,
});

/** r from paired arrays via the WASM co-moment kernel. */
function pearsonR(x: Float64Array, y: Float64Array): number {
  const c = CoMoments.of(x, y);
  const sxx = c.sxx;
  const syy = c.syy;
  const sxy = c.sxy;
  c.dispose();
  const r = sxy / Math.sqrt(sxx) / Math.sqrt(syy);
  return Math.max(-1, Math.min(1, r));
}

/** p-value of Pearson's r for n pairs under bivariate normality (Beta(n/2-1, n/2-1) on [-1, 1], as scipy). */
export function pearsonPValue(
  r: number,
  n: number,
  alternative: Alternative = 'two-sided',
): number {
  return pearsonP(r, n, checkAlternative('pearsonPValue', alternative));
}

function pearsonP(r: number, n: number, alt: Alternative): number {
  if (n === 2) return 1;
  if (Number.isNaN(r)) return Number.NaN;
  if (n - 2 >= 2000 && Math.abs(r) < 1) {
    // identical t form; for large n its tail is integrated (the Beta(n/2-1, n/2-1)
    // continued fraction at the mean drifts with rounding there)
    const df = n - 2;
    const t = r * Math.sqrt(df / ((1 - r) * (1 + r)));
    const d = studentT(df);
    if (alt === 'two-sided') return Math.min(1, 2 * d.sf(Math.abs(t)));
    return alt === 'less' ? d.cdf(t) : d.sf(t);
  }
  const ab = n / 2 - 1;
  // Beta(ab, ab) on [-1, 1]: sf(r) = I_{(1-r)/2}(ab, ab)
  const sf = (v: number): number => betainc(ab, ab, (1 - v) / 2, (1 + v) / 2);
  const cdf = (v: number): number => betaincc(ab, ab, (1 - v) / 2, (1 + v) / 2);
  if (alt === 'two-sided') return Math.min(1, 2 * sf(Math.abs(r)));
  return alt === 'less' ? cdf(r) : sf(r);
}

/**
 * Pearson's r with the exact p-value under bivariate normality
 * (scipy.stats.pearsonr) and the Fisher-z confidence interval.
 */
export function pearson(x: NumArray, y: NumArray, options: CorrelationOptions = {}): TestResult {
  const alt = checkAlternative('pearson', options.alternative);
  const level = checkLevel('pearson', options.confidenceLevel);
  const xs = toFloat64(x, 'pearson', 'x');
  const ys = toFloat64(y, 'pearson', 'y');
  if (xs.length !== ys.length) {
    fail('pearson', `x and y must have the same length (got ${xs.length} and ${ys.length}).`);
  }
  // one kernel pass; NaN pairs are skipped by the kernel (= 'omit'), the policy is applied after
  const k = withNanPolicy([xs, ys], ['x', 'y'], 'pearson', options.nan, () => {
    const c = CoMoments.of(xs, ys);
    const out = { n: c.count, sxx: c.sxx, syy: c.syy, sxy: c.sxy, rejected: c.rejected };
    c.dispose();
    return out;
  });
  if (k === null) return nanRes(alt);
  const n = k.n;
  if (n < 2) fail('pearson', `need at least 2 pairs, got ${n}.`);
  const r = Math.max(-1, Math.min(1, k.sxy / Math.sqrt(k.sxx) / Math.sqrt(k.syy)));
  let ci: [number, number] = [-1, 1];
  if (n > 3 && !Number.isNaN(r)) {
    const zr =
      r === 1 ? Number.POSITIVE_INFINITY : r === -1 ? Number.NEGATIVE_INFINITY : Math.atanh(r);
    const se = Math.sqrt(1 / (n - 3));
    if (alt === 'two-sided') {
      const h = ndtri(0.5 + level / 2);
      ci = [Math.tanh(zr - h * se), Math.tanh(zr + h * se)];
    } else {
      const h = ndtri(level);
      ci = alt === 'less' ? [-1, Math.tanh(zr + h * se)] : [Math.tanh(zr - h * se), 1];
    }
  }
  return {
    statistic: r,
    pValue: pearsonP(r, n, alt),
    df: n - 2,
    confidenceInterval: ci,
    effectSize: r,
    alternative: alt,
  };
}

/** Spearman's rank correlation; p-value from the t approximation (scipy.stats.spearmanr). */
export function spearman(x: NumArray, y: NumArray, options: CorrelationOptions = {}): TestResult {
  const alt = checkAlternative('spearman', options.alternative);
  const p = toPairs(x, y, 'spearman', options.nan);
  if (p === null) return nanRes(alt);
  const n = p[0].length;
  if (n < 2) fail('spearman', `need at least 2 pairs, got ${n}.`);
  const rs = pearsonR(rankF64(p[0]), rankF64(p[1]));
  const df = n - 2;
  let pv: number;
  if (df <= 0) pv = Number.NaN;
  else {
    const t = rs * Math.sqrt(df / ((rs + 1) * (1 - rs)));
    const d = studentT(df);
    pv =
      alt === 'two-sided'
        ? Math.min(1, 2 * d.sf(Math.abs(t)))
        : alt === 'less'
          ? d.cdf(t)
          : d.sf(t);
    if (Number.isNaN(t)) pv = Number.NaN;
  }
  return { statistic: rs, pValue: pv, df, effectSize: rs, alternative: alt };
}

/** Discordant pairs of y (dense ranks) by merge sort: O(n log n). */
function countInversions(y: Int32Array): number {
  const n = y.length;
  let a = Int32Array.from(y);
  let b = new Int32Array(n);
  let inv = 0;
  for (let w = 1; w < n; w *= 2) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = Math.min(lo + w, n);
      const hi = Math.min(lo + 2 * w, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (a[j] < a[i]) {
          inv += mid - i;
          b[k++] = a[j++];
        } else b[k++] = a[i++];
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    [a, b] = [b, a];
  }
  return inv;
}

function tieStats(ranks: Int32Array): [number, number, number] {
  const cnt = new Map<number, number>();
  for (const r of ranks) cnt.set(r, (cnt.get(r) ?? 0) + 1);
  let t = 0;
  let v0 = 0;
  let v1 = 0;
  for (const c of cnt.values()) {
    if (c > 1) {
      t += (c * (c - 1)) / 2;
      v0 += c * (c - 1) * (c - 2);
      v1 += c * (c - 1) * (2 * c + 5);
    }
  }
  return [t, v0, v1];
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function kendallPExact(n: number, c0: number, alt: Alternative): number {
  const half = (n * (n - 1)) / 2;
  const inRight = c0 >= half - c0;
  const c = Math.min(c0, half - c0);
  let prob: number;
  let mass = 0;
  if (n === 1) {
    prob = 1;
    mass = 1;
  } else if (n === 2) {
    prob = 1;
    mass = 0.5;
  } else if (c === 0) {
    prob = n < 171 ? 2 / factorial(n) : 0;
    mass = prob / 2;
  } else if (c === 1) {
    prob = n < 172 ? 2 / factorial(n - 1) : 0;
    mass = (n - 1) / factorial(n);
  } else if (4 * c === n * (n - 1) && alt === 'two-sided') {
    prob = 1;
  } else {
    let cur = new Float64Array(c + 1);
    cur[0] = 1;
    cur[1] = 1;
    const big = n >= 171;
    for (let j = 3; j <= n; j++) {
      const next = new Float64Array(c + 1);
      let s = 0;
      for (let i = 0; i <= c; i++) {
        s += cur[i];
        next[i] = big ? s / j : s;
      }
      if (j <= c) for (let i = c; i >= j; i--) next[i] -= next[i - j];
      cur = next;
    }
    let sum = 0;
    for (let i = 0; i <= c; i++) sum += cur[i];
    if (big) {
      prob = sum;
      mass = cur[c] / 2;
    } else {
      const f = factorial(n);
      prob = (2 * sum) / f;
      mass = cur[c] / f;
    }
  }
  if (alt !== 'two-sided') {
    if (inRight === (alt === 'greater')) prob /= 2;
    else prob = 1 - prob / 2 + mass;
  }
  return Math.min(1, Math.max(0, prob));
}

/** Options of `kendall`: alternative, exact or asymptotic p-value, NaN policy. */
export interface KendallOptions extends NanOptions {
  alternative?: Alternative;
  /** 'auto' (default): exact without ties when n <= 33, else asymptotic (as scipy). */
  method?: 'auto' | 'exact' | 'asymptotic';
}

/** Kendall's tau-b in O(n log n) (Knight's algorithm), p-values as scipy.stats.kendalltau. */
export function kendall(x: NumArray, y: NumArray, options: KendallOptions = {}): TestResult {
  const alt = checkAlternative('kendall', options.alternative);
  const p = toPairs(x, y, 'kendall', options.nan);
  if (p === null) return nanRes(alt);
  const size = p[0].length;
  if (size < 2) fail('kendall', `need at least 2 pairs, got ${size}.`);
  // sort on y; dense ranks of y
  const py = argsort(p[1]);
  const xs = new Float64Array(size);
  const ysr = new Int32Array(size);
  let rk = 0;
  for (let i = 0; i < size; i++) {
    if (i === 0 || p[1][py[i]] !== p[1][py[i - 1]]) rk++;
    ysr[i] = rk;
    xs[i] = p[0][py[i]];
  }
  // stable sort on x; dense ranks of x
  const px = argsort(xs);
  const xr = new Int32Array(size);
  const yr = new Int32Array(size);
  rk = 0;
  for (let i = 0; i < size; i++) {
    if (i === 0 || xs[px[i]] !== xs[px[i - 1]]) rk++;
    xr[i] = rk;
    yr[i] = ysr[px[i]];
  }
  const dis = countInversions(yr);
  let ntie = 0;
  let run = 1;
  for (let i = 1; i <= size; i++) {
    if (i < size && xr[i] === xr[i - 1] && yr[i] === yr[i - 1]) run++;
    else {
      ntie += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const [xtie, x0, x1] = tieStats(xr);
  const [ytie, y0, y1] = tieStats(yr);
  const tot = (size * (size - 1)) / 2;
  if (xtie === tot || ytie === tot) return nanRes(alt);
  const cmd = tot - xtie - ytie + ntie - 2 * dis;
  let tau = cmd / Math.sqrt(tot - xtie) / Math.sqrt(tot - ytie);
  tau = Math.min(1, Math.max(-1, tau));
  let method = options.method ?? 'auto';
  if (method === 'exact' && (xtie !== 0 || ytie !== 0)) {
    fail('kendall', "ties found; the exact method needs untied data (use method 'asymptotic').");
  }
  if (method === 'auto') {
    method =
      xtie === 0 && ytie === 0 && (size <= 33 || Math.min(dis, tot - dis) <= 1)
        ? 'exact'
        : 'asymptotic';
  }
  let pv: number;
  if (method === 'exact') pv = kendallPExact(size, tot - dis, alt);
  else {
    const m = size * (size - 1);
    const v =
      (m * (2 * size + 5) - x1 - y1) / 18 +
      (2 * xtie * ytie) / m +
      (x0 * y0) / (9 * m * (size - 2));
    const z = cmd / Math.sqrt(v);
    pv =
      alt === 'two-sided'
        ? 2 * standardNormal.sf(Math.abs(z))
        : alt === 'less'
          ? standardNormal.cdf(z)
          : standardNormal.sf(z);
  }
  return { statistic: tau, pValue: pv, effectSize: tau, alternative: alt };
}

/**
 * d x d correlation matrix of row-major n x d data (Float64Array, length
 * n * dims), row-major result.
 */
export function correlationMatrix(
  data: NumArray,
  options: { dims: number; method?: 'pearson' | 'spearman' | 'kendall' },
): Float64Array {
  const where = 'correlationMatrix';
  const d = options?.dims;
  if (!Number.isInteger(d) || d < 1) fail(where, 'pass { dims } (the number of columns, >= 1).');
  const a = finiteF64(data, where, 'data');
  if (a.length % d !== 0) fail(where, `data length ${a.length} is not a multiple of dims = ${d}.`);
  const n = a.length / d;
  const method = options.method ?? 'pearson';
  if (!['pearson', 'spearman', 'kendall'].includes(method)) {
    fail(where, `method must be 'pearson', 'spearman' or 'kendall', got ${String(method)}.`);
  }
  const cols: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = a[i * d + j];
    cols.push(method === 'spearman' ? rankF64(c) : c);
  }
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    out[i * d + i] = 1;
    for (let j = i + 1; j < d; j++) {
      const r =
        method === 'kendall' ? kendall(cols[i], cols[j]).statistic : pearsonR(cols[i], cols[j]);
      out[i * d + j] = r;
      out[j * d + i] = r;
    }
  }
  return out;
}
