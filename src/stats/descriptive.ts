/**
 * Descriptive statistics: describe, quantiles (the nine Hyndman-Fan methods
 * under numpy's names), median absolute deviation, trimmed mean, mode, ranks.
 */
import { argsortF64 } from '../kernels/bivariate';
import { Moments } from '../kernels/moments';
import { fail, type NanOptions, type NumArray, sorted, toF64 } from './common';
import { ndtri } from './special';

/** The summary `describe` returns. */
export interface Description {
  n: number;
  mean: number;
  /** Sample variance (ddof = 1). */
  variance: number;
  /** Sample standard deviation (ddof = 1). */
  std: number;
  min: number;
  max: number;
  /** Quartiles by the 'linear' method (numpy default). */
  q1: number;
  median: number;
  q3: number;
  /** Population skewness g1 (scipy.stats.skew, bias=True). */
  skewness: number;
  /** Excess kurtosis g2 (scipy.stats.kurtosis, fisher=True, bias=True). */
  kurtosis: number;
  /** Standard error of the mean, std / sqrt(n) (scipy.stats.sem). */
  sem: number;
}

const nanDescription = (n: number): Description => ({
  n,
  mean: Number.NaN,
  variance: Number.NaN,
  std: Number.NaN,
  min: Number.NaN,
  max: Number.NaN,
  q1: Number.NaN,
  median: Number.NaN,
  q3: Number.NaN,
  skewness: Number.NaN,
  kurtosis: Number.NaN,
  sem: Number.NaN,
});

/** Summary statistics of a sample (moments by the WASM SIMD kernel). */
export function describe(x: NumArray, options: NanOptions = {}): Description {
  const a = toF64(x, 'describe', options.nan);
  if (a === null) return nanDescription((x as ArrayLike<number>).length);
  if (a.length === 0) fail('describe', 'x is empty; pass at least one value.');
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) fail('describe', `x[${i}] is ${a[i]}; pass finite values.`);
  }
  const m = Moments.of(a);
  const s = sorted(a);
  const n = a.length;
  const out: Description = {
    n,
    mean: m.mean,
    variance: m.sampleVariance,
    std: m.sampleStd,
    min: m.min,
    max: m.max,
    q1: quantileSorted(s, 0.25, 'linear'),
    median: quantileSorted(s, 0.5, 'linear'),
    q3: quantileSorted(s, 0.75, 'linear'),
    skewness: m.skewness,
    kurtosis: m.kurtosis,
    sem: m.sampleStd / Math.sqrt(n),
  };
  m.dispose();
  return out;
}

/** numpy / Hyndman-Fan quantile methods (H&F 1..9). */
export type QuantileMethod =
  | 'inverted_cdf'
  | 'averaged_inverted_cdf'
  | 'closest_observation'
  | 'interpolated_inverted_cdf'
  | 'hazen'
  | 'weibull'
  | 'linear'
  | 'median_unbiased'
  | 'normal_unbiased';

const CONTINUOUS: Record<string, [number, number]> = {
  interpolated_inverted_cdf: [0, 1],
  hazen: [0.5, 0.5],
  weibull: [0, 0],
  median_unbiased: [1 / 3, 1 / 3],
  normal_unbiased: [3 / 8, 3 / 8],
};

function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** Quantile of an ascending-sorted array, exactly as numpy.quantile(method=). */
export function quantileSorted(s: Float64Array, q: number, method: QuantileMethod): number {
  const n = s.length;
  if (method === 'inverted_cdf' || method === 'closest_observation') {
    const idx = method === 'inverted_cdf' ? n * q - 1 : n * q - 1 - 0.5;
    const prev = Math.floor(idx);
    const g = idx - prev;
    const takePrev = method === 'inverted_cdf' ? g === 0 : g === 0 && prev % 2 === 0;
    let r = takePrev ? prev : prev + 1;
    if (r < 0) r = 0;
    if (r > n - 1) r = n - 1;
    return s[r];
  }
  let vi: number;
  if (method === 'linear') vi = (n - 1) * q;
  else if (method === 'averaged_inverted_cdf') vi = n * q - 1;
  else {
    const ab = CONTINUOUS[method];
    vi = n * q + (ab[0] + q * (1 - ab[0] - ab[1])) - 1;
  }
  let prev = Math.floor(vi);
  let next = prev + 1;
  if (vi >= n - 1) {
    prev = n - 1;
    next = n - 1;
  }
  if (vi < 0) {
    prev = 0;
    next = 0;
  }
  let g = vi - prev;
  if (method === 'averaged_inverted_cdf') g = g === 0 ? 0.5 : 1;
  if (prev === next) return s[prev];
  return lerp(s[prev], s[next], g);
}

const METHODS = new Set([
  'inverted_cdf',
  'averaged_inverted_cdf',
  'closest_observation',
  'interpolated_inverted_cdf',
  'hazen',
  'weibull',
  'linear',
  'median_unbiased',
  'normal_unbiased',
]);

/** Options of `quantile`: one of numpy's methods, NaN policy. */
export interface QuantileOptions extends NanOptions {
  /** numpy's method name (default 'linear' = Hyndman-Fan 7). */
  method?: QuantileMethod;
}

/** The q-quantile(s) of x (numpy.quantile semantics; q in [0, 1]). */
export function quantile(x: NumArray, q: number, options?: QuantileOptions): number;
export function quantile(x: NumArray, q: readonly number[], options?: QuantileOptions): number[];
export function quantile(
  x: NumArray,
  q: number | readonly number[],
  options: QuantileOptions = {},
): number | number[] {
  const method = options.method ?? 'linear';
  if (!METHODS.has(method)) {
    fail('quantile', `method must be one of ${[...METHODS].join(', ')}; got ${String(method)}.`);
  }
  const qs = typeof q === 'number' ? [q] : q;
  for (const v of qs) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      fail('quantile', `q must be in [0, 1], got ${String(v)}.`);
    }
  }
  const a = toF64(x, 'quantile', options.nan);
  let out: number[];
  if (a === null) out = qs.map(() => Number.NaN);
  else {
    if (a.length === 0) fail('quantile', 'x is empty; pass at least one value.');
    const s = sorted(a);
    out = qs.map((v) => quantileSorted(s, v, method));
  }
  return typeof q === 'number' ? out[0] : out;
}

/** The median (numpy.median). */
export function median(x: NumArray, options: NanOptions = {}): number {
  return quantile(x, 0.5, { ...options, method: 'linear' });
}

/** Options of `medianAbsDeviation`: the scale, NaN policy. */
export interface MadOptions extends NanOptions {
  /** Divide by this scale; 'normal' uses Φ⁻¹(3/4) so the MAD estimates σ (default 1). */
  scale?: number | 'normal';
}

/** Median absolute deviation (scipy.stats.median_abs_deviation). */
export function medianAbsDeviation(x: NumArray, options: MadOptions = {}): number {
  const a = toF64(x, 'medianAbsDeviation', options.nan);
  const scale = options.scale === 'normal' ? ndtri(0.75) : (options.scale ?? 1);
  if (typeof scale !== 'number' || !(scale > 0)) {
    fail(
      'medianAbsDeviation',
      `scale must be a positive number or 'normal', got ${String(options.scale)}.`,
    );
  }
  if (a === null || a.length === 0) return Number.NaN;
  const med = quantileSorted(sorted(a), 0.5, 'linear');
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = Math.abs(a[i] - med);
  return quantileSorted(d.sort(), 0.5, 'linear') / scale;
}

/** Mean after cutting `proportion` of values from each end (scipy.stats.trim_mean). */
export function trimmedMean(x: NumArray, proportion: number, options: NanOptions = {}): number {
  if (typeof proportion !== 'number' || !(proportion >= 0 && proportion < 0.5)) {
    fail('trimmedMean', `proportion must be in [0, 0.5), got ${String(proportion)}.`);
  }
  const a = toF64(x, 'trimmedMean', options.nan);
  if (a === null || a.length === 0) return Number.NaN;
  const s = sorted(a);
  const cut = Math.floor(proportion * s.length);
  const part = s.subarray(cut, s.length - cut);
  let sum = 0;
  for (let i = 0; i < part.length; i++) sum += part[i];
  const m = sum / part.length;
  let c = 0;
  for (let i = 0; i < part.length; i++) c += part[i] - m;
  return m + c / part.length;
}

/** The most frequent value (smallest on ties) and its count (scipy.stats.mode). */
export function mode(x: NumArray, options: NanOptions = {}): { mode: number; count: number } {
  const a = toF64(x, 'mode', options.nan);
  if (a === null || a.length === 0) return { mode: Number.NaN, count: 0 };
  const s = sorted(a);
  let best = s[0];
  let bestCount = 0;
  let i = 0;
  while (i < s.length) {
    let j = i + 1;
    while (j < s.length && s[j] === s[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = s[i];
    }
    i = j;
  }
  return { mode: best, count: bestCount };
}

/** How `rank` ranks ties (scipy's `rankdata` methods). */
export type TieMethod = 'average' | 'min' | 'max' | 'dense' | 'ordinal';

/**
 * Indices that sort `a` ascending (stable; NaN-free input). Large arrays use
 * the WebAssembly radix argsort kernel.
 */
export function argsort(a: Float64Array): Uint32Array {
  if (a.length >= 512) return argsortF64(a);
  const idx = new Uint32Array(a.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((i, j) => a[i] - a[j] || i - j);
  return idx;
}

/** Ranks 1..n with ties handled as scipy.stats.rankdata(method=). */
export function rank(x: NumArray, options: NanOptions & { method?: TieMethod } = {}): Float64Array {
  const method = options.method ?? 'average';
  if (!['average', 'min', 'max', 'dense', 'ordinal'].includes(method)) {
    fail(
      'rank',
      `method must be 'average', 'min', 'max', 'dense' or 'ordinal', got ${String(method)}.`,
    );
  }
  const a = toF64(x, 'rank', options.nan);
  if (a === null) return new Float64Array((x as ArrayLike<number>).length).fill(Number.NaN);
  return rankF64(a, method);
}

/** `rank` on a `Float64Array` with no NaN: 1-based ranks, ties by `method`. */
export function rankF64(a: Float64Array, method: TieMethod = 'average'): Float64Array {
  const n = a.length;
  const idx = argsort(a);
  const r = new Float64Array(n);
  let dense = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && a[idx[j]] === a[idx[i]]) j++;
    dense++;
    for (let k = i; k < j; k++) {
      let v: number;
      switch (method) {
        case 'average':
          v = (i + 1 + j) / 2;
          break;
        case 'min':
          v = i + 1;
          break;
        case 'max':
          v = j;
          break;
        case 'dense':
          v = dense;
          break;
        default:
          v = k + 1;
      }
      r[idx[k]] = v;
    }
    i = j;
  }
  return r;
}

/** Sizes of the groups of tied values (for tie corrections). */
export function tieCounts(s: Float64Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i + 1;
    while (j < s.length && s[j] === s[i]) j++;
    if (j - i > 1) out.push(j - i);
    i = j;
  }
  return out;
}
