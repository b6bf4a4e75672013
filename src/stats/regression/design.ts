/**
 * What every regression shares: its options and report, and the design
 * matrix built from row-major X (NaN rows raised or omitted, an intercept
 * column prepended unless `intercept: false`).
 */

import { toFloat64 } from '../../core/arrays';
import { fail, type NumArray } from '../common';

/** Options of `ols`, `wls`, `ridge` and `logisticRegression`. */
export interface RegressionOptions {
  /** Number of predictor columns in the row-major design X. */
  dims: number;
  /** Prepend a column of ones (default true). Coefficient 0 is then the intercept. */
  intercept?: boolean;
  /** Confidence level of the coefficient intervals (default 0.95). */
  confidenceLevel?: number;
  /** Column names used in reports and errors (default x0, x1, ...; 'intercept'). */
  names?: readonly string[];
  /**
   * Rows with a NaN in X or y: 'raise' (default) or 'omit' (drop the row;
   * fitted values and residuals then cover the kept rows, listed in `rows`).
   */
  nan?: 'raise' | 'omit';
}

/** Coefficients with their standard errors, test statistics and p-values. */
export interface RegressionReport {
  names: string[];
  coefficients: Float64Array;
  standardErrors: Float64Array;
  /** t statistics (OLS/WLS) or z statistics (logistic). */
  statistics: Float64Array;
  pValues: Float64Array;
  /** [lower, upper] per coefficient. */
  confidenceIntervals: [number, number][];
  /** Covariance matrix of the coefficients (row-major p x p). */
  covariance: Float64Array;
  n: number;
  dfModel: number;
  dfResidual: number;
  fitted: Float64Array;
  residuals: Float64Array;
  /** Indices of the rows used (all rows unless `nan: 'omit'` dropped some). */
  rows: Uint32Array;
}

export interface Design {
  /** column-major n x p (with intercept column) */
  cols: Float64Array;
  /** y of the kept rows */
  y: Float64Array;
  /** original indices of the kept rows */
  rows: Uint32Array;
  n: number;
  p: number;
  dims: number;
  intercept: boolean;
  names: string[];
}

export function design(
  where: string,
  X: NumArray,
  y0: Float64Array,
  options: RegressionOptions,
): Design {
  const dims = options?.dims;
  if (!Number.isInteger(dims) || dims < 0) {
    fail(where, 'pass { dims }: the number of predictor columns of the row-major design X.');
  }
  const nan = options.nan ?? 'raise';
  if (nan !== 'raise' && nan !== 'omit')
    fail(where, `nan must be 'raise' or 'omit', got ${String(nan)}.`);
  const x0 = toFloat64(X, where, 'X');
  const intercept = options.intercept ?? true;
  if (dims === 0 ? x0.length !== 0 : x0.length % dims !== 0) {
    fail(where, `X has ${x0.length} values, not a multiple of dims = ${dims}.`);
  }
  const n0 = dims === 0 ? y0.length : x0.length / dims;
  if (n0 !== y0.length) fail(where, `X has ${n0} rows but y has ${y0.length} values.`);
  const keep: number[] = [];
  for (let i = 0; i < n0; i++) {
    let hasNan = Number.isNaN(y0[i]);
    if (!hasNan && !Number.isFinite(y0[i])) fail(where, `y[${i}] is ${y0[i]}; pass finite values.`);
    for (let j = 0; j < dims; j++) {
      const v = x0[i * dims + j];
      if (Number.isNaN(v)) hasNan = true;
      else if (!Number.isFinite(v)) fail(where, `X[${i}, ${j}] is ${v}; pass finite values.`);
    }
    if (!hasNan) keep.push(i);
    else if (nan === 'raise') {
      fail(
        where,
        `row ${i} of X / y contains NaN; remove it or pass { nan: 'omit' } to drop incomplete rows.`,
      );
    }
  }
  const rows = Uint32Array.from(keep);
  const n = rows.length;
  const y = n === n0 ? y0 : Float64Array.from(rows, (r) => y0[r]);
  const x =
    n === n0
      ? x0
      : Float64Array.from(
          { length: n * dims },
          (_, k) => x0[rows[Math.floor(k / dims)] * dims + (k % dims)],
        );
  const p = dims + (intercept ? 1 : 0);
  if (p === 0) fail(where, 'the model has no columns (dims = 0 and intercept: false).');
  if (n <= p) fail(where, `need more rows (${n}) than coefficients (${p}).`);
  const names: string[] = [];
  if (intercept) names.push('intercept');
  for (let j = 0; j < dims; j++) names.push(options.names?.[j] ?? `x${j}`);
  const cols = new Float64Array(n * p);
  let c = 0;
  if (intercept) {
    cols.fill(1, 0, n);
    c = 1;
  }
  for (let j = 0; j < dims; j++)
    for (let i = 0; i < n; i++) cols[(c + j) * n + i] = x[i * dims + j];
  return { cols, y, rows, n, p, dims, intercept, names };
}
