/** Tests on counts (scipy.stats): chi-square goodness of fit and independence, Fisher's exact test. */

import {
  type Alternative,
  checkAlternative,
  fail,
  finiteF64,
  fsum,
  type NumArray,
  type TestResult,
} from '../common';
import { chiSquare } from '../distributions';
import { logChoose } from './shared';

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
