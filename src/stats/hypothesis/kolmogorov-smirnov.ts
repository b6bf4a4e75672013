/**
 * Kolmogorov-Smirnov tests (scipy.stats.ks_2samp and ks_1samp) and the
 * limiting Kolmogorov distribution; the finite-n distributions are in `../ks`.
 */

import { checkAlternative, fail, type NumArray, sorted, type TestResult, toF64 } from '../common';
import { kolmogorovSfN, smirnovSf } from '../ks';
import { logChoose, nanResult, type TestOptions } from './shared';

function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k--;
  }
  return 2 * P;
}

/**
 * P(D >= h / lcm) for two-sided ks_2samp with n1 != n2: lattice paths from
 * (0,0) to (m,n) leaving the band, as probabilities b(i,j) = 1 - inside, by
 * b(i,j) = (i b(i-1,j) + j b(i,j-1)) / (i + j), b = 1 outside the band.
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(n + 2).fill(1);
  A.fill(0, 0, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

function binom(n: number, k: number): number {
  return Math.round(Math.exp(logChoose(n, k))) || Math.exp(logChoose(n, k));
}

function countPathsOutside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  const lxj = n + Math.floor((mg - h) / mg);
  const xj: number[] = [];
  for (let j = 0; j < lxj; j++) xj.push(Math.floor((h + mg * j + ng - 1) / ng));
  if (lxj <= 0) return Math.exp(logChoose(m + n, n));
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j++) {
    let Bj = Math.exp(logChoose(xj[j] + j, j));
    for (let i = 0; i < j; i++) Bj -= Math.exp(logChoose(xj[j] - xj[i] + j - i, j - i)) * B[i];
    B[j] = Bj;
  }
  let num = 0;
  for (let j = 0; j < lxj; j++) num += B[j] * Math.exp(logChoose(m - xj[j] + (n - j), n - j));
  return num;
}
void binom;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Two-sample Kolmogorov-Smirnov test (scipy.stats.ks_2samp): exact p-values
 * when max(n1, n2) <= 10000, else the asymptotic distribution.
 */
export function ksTwoSample(x: NumArray, y: NumArray, options: TestOptions = {}): TestResult {
  const where = 'ksTwoSample';
  const alt = checkAlternative(where, options.alternative);
  const a0 = toF64(x, where, options.nan, 'x');
  const b0 = toF64(y, where, options.nan, 'y');
  if (a0 === null || b0 === null) return nanResult(alt);
  const a = sorted(a0);
  const b = sorted(b0);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) fail(where, 'both samples need at least one value.');
  // sweep the merged data: cdf1 - cdf2 at every data point (side='right')
  let i = 0;
  let j = 0;
  let maxS = Number.NEGATIVE_INFINITY;
  let minS = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const dMinus = Math.min(1, Math.max(0, -minS));
  let d: number;
  if (alt === 'less' || (alt === 'two-sided' && dMinus > maxS)) d = dMinus;
  else d = maxS;
  const g = gcd(n1, n2);
  let prob = Number.NaN;
  let exactOk = false;
  if (Math.max(n1, n2) <= 10000) {
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) {
      prob = 1;
      exactOk = true;
    } else if (alt === 'two-sided') {
      prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
      exactOk = prob >= 0 && prob <= 1;
    } else if (n1 === n2) {
      prob = 1;
      for (let k = 0; k < h; k++) prob *= (n1 - k) / (n1 + k + 1);
      exactOk = true;
    } else {
      const paths = countPathsOutside(n1, n2, g, h);
      const total = Math.exp(logChoose(n1 + n2, n1));
      prob = paths / total;
      exactOk = Number.isFinite(total) && paths <= total && prob >= 0 && prob <= 1;
    }
  }
  if (!exactOk) {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    if (alt === 'two-sided')
      prob = kolmogorovSfN(Math.round(en), d); // scipy: kstwo.sf(d, round(en))
    else {
      const z = Math.sqrt(en) * d;
      prob = Math.exp(-2 * z * z - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3);
    }
  }
  return { statistic: d, pValue: Math.min(1, Math.max(0, prob)), alternative: alt };
}

/** Limiting Kolmogorov distribution survival function P(K > x). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1;
  if (x < 1) {
    // Jacobi theta form for small x: 1 - sqrt(2π)/x Σ exp(-(2k-1)²π²/(8x²))
    const w = Math.sqrt(2 * Math.PI) / x;
    let s = 0;
    for (let k = 1; k < 20; k++)
      s += Math.exp((-((2 * k - 1) ** 2) * Math.PI * Math.PI) / (8 * x * x));
    return 1 - w * s;
  }
  let s = 0;
  for (let k = 1; k < 100; k++) {
    const t = Math.exp(-2 * k * k * x * x);
    s += (k % 2 === 1 ? 1 : -1) * t;
    if (t < 1e-300) break;
  }
  return Math.min(1, 2 * s);
}

/**
 * One-sample Kolmogorov-Smirnov test against a continuous CDF
 * (scipy.stats.ks_1samp, method 'exact'): two-sided p from the exact finite-n
 * distribution (kstwo), one-sided from the exact Smirnov sum.
 *
 * ```ts
 * ksOneSample(x, standardNormal.cdf);
 * ```
 */
export function ksOneSample(
  x: NumArray,
  cdf: (v: number) => number,
  options: TestOptions = {},
): TestResult {
  const where = 'ksOneSample';
  const alt = checkAlternative(where, options.alternative);
  if (typeof cdf !== 'function')
    fail(where, 'pass the reference CDF as a function, e.g. standardNormal.cdf.');
  const a0 = toF64(x, where, options.nan, 'x');
  if (a0 === null) return nanResult(alt);
  const s = sorted(a0);
  const n = s.length;
  if (n === 0) fail(where, 'x is empty.');
  let dPlus = Number.NEGATIVE_INFINITY;
  let dMinus = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const F = cdf(s[i]);
    if (!(F >= 0 && F <= 1))
      fail(where, `cdf(${s[i]}) returned ${F}; it must return a probability.`);
    dPlus = Math.max(dPlus, (i + 1) / n - F);
    dMinus = Math.max(dMinus, F - i / n);
  }
  if (alt === 'greater') return { statistic: dPlus, pValue: smirnovSf(n, dPlus), alternative: alt };
  if (alt === 'less') return { statistic: dMinus, pValue: smirnovSf(n, dMinus), alternative: alt };
  const d = Math.max(dPlus, dMinus);
  return { statistic: d, pValue: kolmogorovSfN(n, d), alternative: alt };
}
