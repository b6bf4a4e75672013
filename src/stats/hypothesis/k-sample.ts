/** Tests across k samples (scipy.stats): one-way ANOVA, Kruskal-Wallis H and Levene. */

import {
  fail,
  fsum,
  type NanOptions,
  type NumArray,
  sorted,
  type TestResult,
  toF64,
} from '../common';
import { median, rankF64, tieCounts } from '../descriptive';
import { chiSquare, fisherF } from '../distributions';
import { nanResult } from './shared';

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
