/**
 * Hypothesis tests matching scipy.stats (1.10) conventions. Every test returns
 * `{ statistic, pValue, df?, confidenceInterval?, effectSize?, alternative }`.
 */

import { toFloat64 } from '../core/arrays';
import { type MeanM2, meanAndM2 } from '../kernels/bivariate';
import {
  type Alternative,
  checkAlternative,
  checkLevel,
  fail,
  finiteF64,
  fsum,
  type NanOptions,
  type NumArray,
  pFromTails,
  sorted,
  type TestResult,
  toF64,
  toPairs,
  withNanPolicy,
} from './common';
import { median, rankF64, tieCounts } from './descriptive';
import { chiSquare, fisherF, standardNormal, studentT } from './distributions';
import { kolmogorovSfN, smirnovSf } from './ks';
import { lgamma } from './special';

/** Options every hypothesis test takes: the alternative and the NaN policy. */
export interface TestOptions extends NanOptions {
  alternative?: Alternative;
}
/** Options of the t tests: `TestOptions` plus the confidence level of the interval. */
export interface TTestOptions extends TestOptions {
  /** Confidence level of the interval (default 0.95). */
  confidenceLevel?: number;
}

const nanResult = (alternative: Alternative): TestResult => ({
  statistic: Number.NaN,
  pValue: Number.NaN,
  alternative,
});

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

// ------------------------------------------------------------- k-sample tests
function samples(
  where: string,
  groups: readonly NumArray[],
  nan: NanOptions['nan'],
): Float64Array[] | null {
  if (!Array.isArray(groups) || groups.length < 2) {
    fail(where, 'pass an array of at least 2 samples, e.g. [a, b, c].');
  }
  const out: Float64Array[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = toF64(groups[i], where, nan, `samples[${i}]`);
    if (g === null) return null;
    if (g.length === 0) fail(where, `samples[${i}] is empty.`);
    out.push(g);
  }
  return out;
}

/** One-way ANOVA (scipy.stats.f_oneway). effectSize is eta² = SSB / SST. */
export function anova(groups: readonly NumArray[], options: NanOptions = {}): TestResult {
  const gs0 = samples('anova', groups, options.nan);
  if (gs0 === null) return nanResult('two-sided');
  // shift by one data value so offset data (1e6 + noise) keeps its digits
  const c0 = gs0[0][0];
  const gs = gs0.map((g) => g.map((v) => v - c0));
  const k = gs.length;
  let N = 0;
  const all: number[] = [];
  for (const g of gs) {
    N += g.length;
    for (const v of g) all.push(v);
  }
  if (N <= k) fail('anova', 'need more values than groups.');
  const grand = fsum(all) / N;
  let ssb = 0;
  let ssw = 0;
  for (const g of gs) {
    const m = fsum(g) / g.length;
    ssb += g.length * (m - grand) * (m - grand);
    for (const v of g) ssw += (v - m) * (v - m);
  }
  const dfb = k - 1;
  const dfw = N - k;
  const F = ssb / dfb / (ssw / dfw);
  return {
    statistic: F,
    pValue: fisherF(dfb, dfw).sf(F),
    df: dfb,
    effectSize: ssb / (ssb + ssw),
    alternative: 'two-sided',
  };
}

/** Kruskal-Wallis H test with tie correction (scipy.stats.kruskal). df = k - 1. */
export function kruskalWallis(groups: readonly NumArray[], options: NanOptions = {}): TestResult {
  const gs = samples('kruskalWallis', groups, options.nan);
  if (gs === null) return nanResult('two-sided');
  let N = 0;
  for (const g of gs) N += g.length;
  const all = new Float64Array(N);
  let o = 0;
  for (const g of gs) {
    all.set(g, o);
    o += g.length;
  }
  const r = rankF64(all);
  let h = 0;
  o = 0;
  for (const g of gs) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += r[o + i];
    h += (s * s) / g.length;
    o += g.length;
  }
  h = (12 / (N * (N + 1))) * h - 3 * (N + 1);
  let tt = 0;
  for (const t of tieCounts(sorted(all))) tt += t * t * t - t;
  const corr = 1 - tt / (N * N * N - N);
  if (corr === 0) fail('kruskalWallis', 'all values are identical; the test is undefined.');
  h /= corr;
  const df = gs.length - 1;
  return { statistic: h, pValue: chiSquare(df).sf(h), df, alternative: 'two-sided' };
}

/** Options of `levene`: the centre (median, mean or trimmed mean). */
export interface LeveneOptions extends NanOptions {
  /** 'median' (default, Brown-Forsythe), 'mean' or 'trimmed' (trimmed samples, then mean, as scipy). */
  center?: 'median' | 'mean' | 'trimmed';
  /** Proportion cut from each end when center = 'trimmed' (default 0.05). */
  proportionToCut?: number;
}

/** Levene's test for equal variances (scipy.stats.levene). */
export function levene(groups: readonly NumArray[], options: LeveneOptions = {}): TestResult {
  const gs = samples('levene', groups, options.nan);
  if (gs === null) return nanResult('two-sided');
  const center = options.center ?? 'median';
  if (center !== 'median' && center !== 'mean' && center !== 'trimmed') {
    fail('levene', `center must be 'median', 'mean' or 'trimmed', got ${String(center)}.`);
  }
  const cut = options.proportionToCut ?? 0.05;
  if (!(cut >= 0 && cut < 0.5)) fail('levene', `proportionToCut must be in [0, 0.5), got ${cut}.`);
  const k = gs.length;
  let N = 0;
  const zs: Float64Array[] = [];
  for (const g1 of gs) {
    // 'trimmed' trims each sample and uses the trimmed samples throughout (as scipy)
    let g0 = g1;
    if (center === 'trimmed') {
      const s = sorted(g1);
      const c = Math.floor(cut * s.length);
      g0 = s.slice(c, s.length - c);
    }
    N += g0.length;
    const s0 = g0[0];
    const g = g0.map((v) => v - s0); // shift: |v - center| keeps its digits on offset data
    const c = center === 'median' ? median(g) : fsum(g) / g.length;
    zs.push(g.map((v) => Math.abs(v - c)));
  }
  const zbar = zs.map((z) => fsum(z) / z.length);
  let zbb = 0;
  for (let i = 0; i < k; i++) zbb += zbar[i] * zs[i].length;
  zbb /= N;
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    num += zs[i].length * (zbar[i] - zbb) * (zbar[i] - zbb);
    for (const v of zs[i]) den += (v - zbar[i]) * (v - zbar[i]);
  }
  const W = ((N - k) * num) / ((k - 1) * den);
  return { statistic: W, pValue: fisherF(k - 1, N - k).sf(W), df: k - 1, alternative: 'two-sided' };
}

// ------------------------------------------------------------- chi-square
/** Options of `chiSquareGoodnessOfFit`. */
export interface ChiSquareOptions {
  /** Expected frequencies (default: uniform). Must sum to the observed total. */
  expected?: NumArray;
  /** Extra degrees of freedom lost (e.g. estimated parameters). */
  ddof?: number;
}

/** Chi-square goodness-of-fit test (scipy.stats.chisquare). */
export function chiSquareGoodnessOfFit(
  observed: NumArray,
  options: ChiSquareOptions = {},
): TestResult {
  const where = 'chiSquareGoodnessOfFit';
  const o = finiteF64(observed, where, 'observed');
  const k = o.length;
  if (k < 2) fail(where, 'need at least 2 categories.');
  const total = fsum(o);
  let e: Float64Array;
  if (options.expected !== undefined) {
    e = finiteF64(options.expected, where, 'expected');
    if (e.length !== k) fail(where, `expected has ${e.length} entries, observed has ${k}.`);
    const te = fsum(e);
    if (Math.abs(te - total) > 1e-8 * Math.max(Math.abs(te), Math.abs(total))) {
      fail(where, `observed and expected must have the same sum (got ${total} and ${te}).`);
    }
  } else e = new Float64Array(k).fill(total / k);
  let stat = 0;
  for (let i = 0; i < k; i++) {
    if (!(e[i] > 0)) fail(where, `expected[${i}] must be positive, got ${e[i]}.`);
    stat += ((o[i] - e[i]) * (o[i] - e[i])) / e[i];
  }
  const df = k - 1 - (options.ddof ?? 0);
  if (!(df > 0)) fail(where, `degrees of freedom k - 1 - ddof must be positive, got ${df}.`);
  return { statistic: stat, pValue: chiSquare(df).sf(stat), df, alternative: 'two-sided' };
}

/**
 * Chi-square test of independence on an r x c contingency table given as rows
 * (scipy.stats.chi2_contingency). `yates` (default true) applies Yates'
 * continuity correction when df = 1. effectSize is Cramér's V.
 */
export function chiSquareIndependence(
  table: readonly (readonly number[])[],
  options: { yates?: boolean } = {},
): TestResult & { expected: number[][] } {
  const where = 'chiSquareIndependence';
  if (!Array.isArray(table) || table.length < 1 || !Array.isArray(table[0])) {
    fail(where, 'pass the table as an array of rows, e.g. [[10, 20], [30, 40]].');
  }
  const r = table.length;
  const c = table[0].length;
  const rows = new Float64Array(r);
  const cols = new Float64Array(c);
  let N = 0;
  for (let i = 0; i < r; i++) {
    if (!Array.isArray(table[i]) || table[i].length !== c)
      fail(where, 'all rows must have the same length.');
    for (let j = 0; j < c; j++) {
      const v = table[i][j];
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
        fail(where, `table[${i}][${j}] must be a non-negative finite count, got ${String(v)}.`);
      }
      rows[i] += v;
      cols[j] += v;
      N += v;
    }
  }
  const expected: number[][] = [];
  for (let i = 0; i < r; i++) {
    expected.push([]);
    for (let j = 0; j < c; j++) {
      const e = (rows[i] * cols[j]) / N;
      if (!(e > 0))
        fail(where, `expected frequency at [${i}][${j}] is 0 (an empty row or column).`);
      expected[i].push(e);
    }
  }
  const df = (r - 1) * (c - 1);
  if (df === 0) {
    return { statistic: 0, pValue: 1, df: 0, alternative: 'two-sided', expected };
  }
  const yates = (options.yates ?? true) && df === 1;
  let stat = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let o = table[i][j];
      const e = expected[i][j];
      if (yates) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += ((o - e) * (o - e)) / e;
    }
  }
  const cramer = Math.sqrt(stat / (N * Math.min(r - 1, c - 1)));
  return {
    statistic: stat,
    pValue: chiSquare(df).sf(stat),
    df,
    effectSize: cramer,
    alternative: 'two-sided',
    expected,
  };
}

// ------------------------------------------------------------- Fisher exact
function logChoose(n: number, k: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/**
 * Fisher's exact test on a 2x2 table [[a, b], [c, d]] (scipy.stats.fisher_exact).
 * statistic is the sample odds ratio ad/bc; two-sided sums the tables no more
 * likely than the observed one (relative tolerance 1e-7, as scipy).
 */
export function fisherExact(
  table: readonly (readonly number[])[],
  options: { alternative?: Alternative } = {},
): TestResult {
  const where = 'fisherExact';
  const alt = checkAlternative(where, options.alternative);
  if (
    !Array.isArray(table) ||
    table.length !== 2 ||
    table.some((r) => !Array.isArray(r) || r.length !== 2)
  ) {
    fail(where, 'pass a 2x2 table [[a, b], [c, d]].');
  }
  const [[a, b], [c, d]] = table;
  for (const v of [a, b, c, d]) {
    if (!Number.isInteger(v) || v < 0)
      fail(where, `counts must be non-negative integers, got ${String(v)}.`);
  }
  if (a + c === 0 || b + d === 0 || a + b === 0 || c + d === 0) {
    return { statistic: Number.NaN, pValue: 1, alternative: alt };
  }
  const odds = c > 0 && b > 0 ? (a * d) / (c * b) : Number.POSITIVE_INFINITY;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const M = n1 + n2;
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  const lden = logChoose(M, n);
  const pmf = (k: number): number => Math.exp(logChoose(n1, k) + logChoose(n2, n - k) - lden);
  const sumRange = (from: number, to: number): number => {
    const t: number[] = [];
    for (let k = from; k <= to; k++) t.push(pmf(k));
    return fsum(t);
  };
  let p: number;
  if (alt === 'less') p = sumRange(lo, a);
  else if (alt === 'greater') p = sumRange(a, hi);
  else {
    const pexact = pmf(a);
    const eps = 1 - 1e-7;
    const t: number[] = [];
    for (let k = lo; k <= hi; k++) {
      const pk = pmf(k);
      if (pk <= pexact / eps) t.push(pk);
    }
    p = fsum(t);
  }
  return { statistic: odds, pValue: Math.min(1, p), alternative: alt };
}

// ------------------------------------------------------------- multiple testing
/**
 * Adjusted p-values for many tests: 'bh' (Benjamini-Hochberg FDR) or 'holm'
 * (Holm-Bonferroni FWER), as statsmodels' multipletests. Same order as input.
 */
export function adjustPValues(pValues: NumArray, method: 'bh' | 'holm' = 'bh'): Float64Array {
  const where = 'adjustPValues';
  const p = finiteF64(pValues, where, 'pValues');
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) fail(where, `pValues[${i}] = ${p[i]} is not in [0, 1].`);
  }
  if (method !== 'bh' && method !== 'holm')
    fail(where, `method must be 'bh' or 'holm', got ${String(method)}.`);
  const m = p.length;
  const idx = Array.from({ length: m }, (_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  const out = new Float64Array(m);
  if (method === 'bh') {
    let run = 1;
    for (let r = m - 1; r >= 0; r--) {
      const v = Math.min(1, (p[idx[r]] * m) / (r + 1));
      if (v < run) run = v;
      out[idx[r]] = run;
    }
  } else {
    let run = 0;
    for (let r = 0; r < m; r++) {
      const v = Math.min(1, p[idx[r]] * (m - r));
      if (v > run) run = v;
      out[idx[r]] = run;
    }
  }
  return out;
}

// ------------------------------------------------------------- Kolmogorov-Smirnov
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
