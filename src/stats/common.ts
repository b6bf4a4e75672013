/** Shared input handling and result types for `edgewise/stats`. */
import { toFloat64 } from '../core/arrays';
import { describeValue, EdgewiseError } from '../errors';

/** Numeric input: a `Float64Array`, any typed array or a number array. */
export type NumArray = Float64Array | ArrayLike<number> | readonly number[];
/** The alternative hypothesis of a test. */
export type Alternative = 'two-sided' | 'less' | 'greater';
/** What to do with NaN inputs: `'raise'` throws, `'omit'` drops them, `'propagate'` returns NaN. */
export type NanPolicy = 'omit' | 'propagate' | 'raise';

/** The common shape of every hypothesis test result. */
export interface TestResult {
  statistic: number;
  pValue: number;
  df?: number;
  confidenceInterval?: [number, number];
  effectSize?: number;
  alternative: Alternative;
}

/** The NaN policy option every statistics function takes. */
export interface NanOptions {
  /** What to do with NaN inputs: 'raise' (default) throws, 'omit' drops them, 'propagate' returns NaN. */
  nan?: NanPolicy;
}

export function fail(where: string, msg: string): never {
  throw new EdgewiseError('INVALID_ARGUMENT', `${where}: ${msg}`);
}

/**
 * Copies/validates an input into a Float64Array. Returns null when the policy
 * is 'propagate' and a NaN was found (the caller returns NaN results).
 */
export function toF64(
  x: unknown,
  where: string,
  nan: NanPolicy = 'raise',
  name = 'x',
): Float64Array | null {
  const a = toFloat64(x, where, name);
  checkNanPolicy(where, nan);
  let nans = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    // One pass: NaN counted, ±Infinity refused (v - v is NaN for both).
    if (v - v !== 0) {
      if (Number.isNaN(v)) nans++;
      else infinite(v, i, where, name);
    }
  }
  if (nans === 0) return a;
  if (nan === 'raise') {
    fail(
      where,
      `${name} contains ${nans} NaN value(s); remove them or pass { nan: 'omit' } to drop them ` +
        "(or { nan: 'propagate' } to get NaN results).",
    );
  }
  if (nan === 'propagate') return null;
  const out = new Float64Array(a.length - nans);
  let j = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) out[j++] = a[i];
  return out;
}

/** Paired inputs: with 'omit' drops pairs where either value is NaN. */
export function toPairs(
  x: unknown,
  y: unknown,
  where: string,
  nan: NanPolicy = 'raise',
): [Float64Array, Float64Array] | null {
  const fx = toFloat64(x, where, 'x');
  const fy = toFloat64(y, where, 'y');
  if (fx.length !== fy.length) {
    fail(where, `x and y must have the same length (got ${fx.length} and ${fy.length}).`);
  }
  let k = 0;
  for (let i = 0; i < fx.length; i++) {
    const a = fx[i];
    const b = fy[i];
    if (a - a === 0 && b - b === 0) k++;
    else {
      if (!Number.isNaN(a) && a - a !== 0) infinite(a, i, where, 'x');
      if (!Number.isNaN(b) && b - b !== 0) infinite(b, i, where, 'y');
    }
  }
  if (k === fx.length) return [fx, fy];
  checkNanPolicy(where, nan);
  if (nan === 'raise') {
    fail(
      where,
      `x or y contains NaN (${fx.length - k} pair(s)); remove them or pass { nan: 'omit' } to drop those pairs.`,
    );
  }
  if (nan === 'propagate') return null;
  const ox = new Float64Array(k);
  const oy = new Float64Array(k);
  k = 0;
  for (let i = 0; i < fx.length; i++) {
    if (!Number.isNaN(fx[i]) && !Number.isNaN(fy[i])) {
      ox[k] = fx[i];
      oy[k++] = fy[i];
    }
  }
  return [ox, oy];
}

/** ±Infinity is always an error in the statistics (it has no sample meaning and poisons sums). */
function infinite(v: number, i: number, where: string, name: string): never {
  return fail(where, `${name}[${i}] is ${v}; statistics need finite values (remove or clip it).`);
}

function checkNanPolicy(where: string, nan: unknown): void {
  if (nan !== 'raise' && nan !== 'omit' && nan !== 'propagate') {
    fail(where, `nan must be 'omit', 'propagate' or 'raise', got ${describeValue(nan)}.`);
  }
}

export function checkAlternative(where: string, alt: unknown): Alternative {
  if (alt === undefined) return 'two-sided';
  if (alt === 'two-sided' || alt === 'less' || alt === 'greater') return alt;
  return fail(
    where,
    `alternative must be 'two-sided', 'less' or 'greater', got ${describeValue(alt)}.`,
  );
}

export function checkLevel(where: string, level: unknown): number {
  if (level === undefined) return 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    fail(where, `confidenceLevel must be a number in (0, 1), got ${describeValue(level)}.`);
  }
  return level;
}

export function needLength(where: string, a: Float64Array, n: number, name = 'x'): void {
  if (a.length < n) fail(where, `${name} needs at least ${n} values, got ${a.length}.`);
}

/** p-value from a symmetric-null statistic given its cdf and sf. */
export function pFromTails(
  stat: number,
  alt: Alternative,
  cdf: (x: number) => number,
  sf: (x: number) => number,
): number {
  if (Number.isNaN(stat)) return Number.NaN;
  if (alt === 'less') return cdf(stat);
  if (alt === 'greater') return sf(stat);
  return Math.min(1, 2 * sf(Math.abs(stat)));
}

/** Neumaier-compensated sum. */
export function fsum(a: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Sorted copy (numeric, ascending). */
export function sorted(a: Float64Array): Float64Array {
  return Float64Array.from(a).sort();
}

/** Arithmetic mean with a correction pass (two-pass, precise). */
export function mean(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const m = fsum(a) / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += a[i] - m;
  return m + c / n;
}

/** Sum of squared deviations about the mean. */
export function ssd(a: Float64Array, m = mean(a)): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - m;
    s += d * d;
    c += d;
  }
  return s - (c * c) / a.length;
}

/**
 * Fast path for big batches: `kernel` runs on the raw data first (it skips and
 * counts non-finite values); only when it reports skipped values do we scan to
 * apply the NaN policy, and ±Infinity is always an error. Returns null for
 * 'propagate' with NaN present.
 */
export function withNanPolicy<T extends { rejected: number }>(
  arrays: Float64Array[],
  names: string[],
  where: string,
  nan: NanPolicy = 'raise',
  kernel: () => T,
): T | null {
  checkNanPolicy(where, nan);
  const r = kernel();
  if (r.rejected === 0) return r;
  for (let a = 0; a < arrays.length; a++) {
    const x = arrays[a];
    let nans = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (Number.isNaN(v)) nans++;
      else if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
        fail(where, `${names[a]}[${i}] is ${v}; pass finite values.`);
      }
    }
    if (nans > 0 && nan === 'raise') {
      fail(
        where,
        `${names[a]} contains ${nans} NaN value(s); remove them or pass { nan: 'omit' } to drop them ` +
          "(or { nan: 'propagate' } to get NaN results).",
      );
    }
  }
  return nan === 'propagate' ? null : r;
}

/** Converts and requires every value to be finite (for inputs with no NaN policy). */
export function finiteF64(x: unknown, where: string, name = 'x'): Float64Array {
  const a = toFloat64(x, where, name);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) fail(where, `${name}[${i}] is ${a[i]}; pass finite values.`);
  }
  return a;
}
