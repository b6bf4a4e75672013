/**
 * Rank tests of location (scipy.stats conventions): Mann-Whitney U and the
 * Wilcoxon signed-rank test, exact null distributions for small samples and
 * the tie-corrected normal approximation otherwise.
 */

import {
  checkAlternative,
  fail,
  fsum,
  type NumArray,
  sorted,
  type TestResult,
  toF64,
  toPairs,
} from '../common';
import { rankF64, tieCounts } from '../descriptive';
import { standardNormal } from '../distributions';
import { lgamma } from '../special';
import { nanResult, type TestOptions } from './shared';

// ------------------------------------------------------------- Mann-Whitney U
/** Null distribution of U: counts c[k] of U = k for sizes (m, n), as probabilities. */
function mwuPmf(m: number, n: number): Float64Array {
  // Gaussian binomial coefficient [m+n choose m]_q = prod_{i=1..m} (1 - q^{n+i}) / (1 - q^i)
  const len = m * n + 1;
  let c = new Float64Array(len);
  c[0] = 1;
  let deg = 0;
  for (let i = 1; i <= m; i++) {
    const nd = deg + n;
    const out = new Float64Array(len);
    // multiply by (1 - q^{n+i})
    for (let k = 0; k <= deg; k++) {
      out[k] += c[k];
      if (k + n + i < len) out[k + n + i] -= c[k];
    }
    // divide by (1 - q^i): g[k] = h[k] + g[k - i]
    for (let k = i; k <= nd; k++) out[k] += out[k - i];
    c = out;
    deg = nd;
  }
  const total = Math.exp(lgamma(m + n + 1) - lgamma(m + 1) - lgamma(n + 1));
  let sum = 0;
  for (let k = 0; k < len; k++) sum += c[k];
  for (let k = 0; k < len; k++) c[k] /= sum;
  void total;
  return c;
}

/** Options of `mannWhitneyU`: exact or asymptotic p-value, continuity correction. */
export interface MannWhitneyOptions extends TestOptions {
  /** 'auto' (default): exact when either sample has <= 8 values and there are no ties. */
  method?: 'auto' | 'exact' | 'asymptotic';
  /** Continuity correction in the normal approximation (default true). */
  continuity?: boolean;
}

/**
 * Mann-Whitney U test (scipy.stats.mannwhitneyu). statistic is U of x;
 * effectSize is the common-language effect U / (n1 n2).
 */
export function mannWhitneyU(
  x: NumArray,
  y: NumArray,
  options: MannWhitneyOptions = {},
): TestResult {
  const where = 'mannWhitneyU';
  const alt = checkAlternative(where, options.alternative);
  const a = toF64(x, where, options.nan, 'x');
  const b = toF64(y, where, options.nan, 'y');
  if (a === null || b === null) return nanResult(alt);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) fail(where, 'both samples need at least one value.');
  const xy = new Float64Array(n1 + n2);
  xy.set(a);
  xy.set(b, n1);
  const ranks = rankF64(xy);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const ties = tieCounts(sorted(xy));
  let method = options.method ?? 'auto';
  if (method === 'auto') method = (n1 > 8 && n2 > 8) || ties.length > 0 ? 'asymptotic' : 'exact';
  const u = alt === 'greater' ? u1 : alt === 'less' ? u2 : Math.max(u1, u2);
  const f = alt === 'two-sided' ? 2 : 1;
  let p: number;
  if (method === 'exact') {
    const pmf = mwuPmf(Math.min(n1, n2), Math.max(n1, n2));
    const k = n1 * n2 - Math.trunc(u);
    let s = 0;
    for (let i = 0; i <= k; i++) s += pmf[i];
    p = s;
  } else {
    const n = n1 + n2;
    let tieTerm = 0;
    for (const t of ties) tieTerm += t * t * t - t;
    const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    let num = u - (n1 * n2) / 2;
    if (options.continuity ?? true) num -= 0.5;
    p = standardNormal.sf(num / sd);
  }
  p = Math.min(1, Math.max(0, p * f));
  return { statistic: u1, pValue: p, effectSize: u1 / (n1 * n2), alternative: alt };
}

// ------------------------------------------------------------- Wilcoxon signed-rank
function wilcoxonPmf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let s = (k * (k + 1)) / 2; s >= k; s--) c[s] += c[s - k];
  }
  const scale = 2 ** -n;
  for (let i = 0; i <= max; i++) c[i] *= scale;
  return c;
}

/** Options of `wilcoxon`: exact or approximate p-value, continuity correction, zero handling. */
export interface WilcoxonOptions extends TestOptions {
  /** 'auto' (default): exact when n <= 50 and no zero differences (as scipy 1.10). */
  method?: 'auto' | 'exact' | 'approx';
  /** Continuity correction in the normal approximation (default false, as scipy). */
  correction?: boolean;
}

/**
 * Wilcoxon signed-rank test on x - y, or on x alone (scipy.stats.wilcoxon,
 * zero_method='wilcox'). statistic: min(R+, R-) two-sided, else R+.
 */
export function wilcoxon(x: NumArray, y?: NumArray, options: WilcoxonOptions = {}): TestResult {
  const where = 'wilcoxon';
  const alt = checkAlternative(where, options.alternative);
  let d: Float64Array;
  if (y === undefined) {
    const a = toF64(x, where, options.nan);
    if (a === null) return nanResult(alt);
    d = Float64Array.from(a);
  } else {
    const p = toPairs(x, y, where, options.nan);
    if (p === null) return nanResult(alt);
    d = new Float64Array(p[0].length);
    for (let i = 0; i < d.length; i++) d[i] = p[0][i] - p[1][i];
  }
  if (d.length === 0) fail(where, 'need at least one difference.');
  let method = options.method ?? 'auto';
  if (method === 'auto') method = d.length <= 50 ? 'exact' : 'approx';
  let nZero = 0;
  for (const v of d) if (v === 0) nZero++;
  if (nZero > 0 && method === 'exact') method = 'approx';
  if (method === 'approx') {
    if (nZero === d.length) fail(where, 'all differences are zero; the test is undefined.');
    d = d.filter((v) => v !== 0);
  }
  const n = d.length;
  const absd = d.map(Math.abs);
  const r = rankF64(absd);
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (d[i] > 0) rPlus += r[i];
    else if (d[i] < 0) rMinus += r[i];
  }
  const T = alt === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  let p: number;
  if (method === 'approx') {
    const mn = n * (n + 1) * 0.25;
    let se = n * (n + 1) * (2 * n + 1);
    for (const t of tieCounts(sorted(absd))) se -= 0.5 * t * (t * t - 1);
    se = Math.sqrt(se / 24);
    let c = 0;
    if (options.correction)
      c = alt === 'two-sided' ? 0.5 * Math.sign(T - mn) : alt === 'less' ? -0.5 : 0.5;
    const z = (T - mn - c) / se;
    p =
      alt === 'two-sided'
        ? 2 * standardNormal.sf(Math.abs(z))
        : alt === 'greater'
          ? standardNormal.sf(z)
          : standardNormal.cdf(z);
  } else {
    const pmf = wilcoxonPmf(n);
    const rp = Math.trunc(rPlus); // scipy 1.10 truncates a half-integer R+ here
    const lessP = (): number => fsum(pmf.subarray(0, rp + 1));
    const greaterP = (): number => fsum(pmf.subarray(rp));
    if (alt === 'two-sided')
      p = rp === (pmf.length - 1) >> 1 ? 1 : 2 * Math.min(lessP(), greaterP());
    else p = alt === 'greater' ? greaterP() : lessP();
  }
  return { statistic: T, pValue: Math.min(1, Math.max(0, p)), alternative: alt };
}
