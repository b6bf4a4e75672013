/**
 * Linear least squares: ordinary, weighted, one-predictor and polynomial
 * fits (as statsmodels OLS / WLS), solved by Householder QR.
 */

import { toFloat64 } from '../../core/arrays';
import { fail, finiteF64, type NumArray } from '../common';
import { fisherF, studentT } from '../distributions';
import { design, type RegressionOptions, type RegressionReport } from './design';
import { householder, qrSolve, unscaledCov } from './qr';

/** A linear regression: coefficients, fit statistics, residuals and `predict`. */
export interface LinearReport extends RegressionReport {
  rSquared: number;
  adjustedRSquared: number;
  fStatistic: number;
  fPValue: number;
  /** Residual standard error sqrt(SSR / dfResidual). */
  sigma: number;
  sumSquaredResiduals: number;
  /** Predictions at new rows (row-major m x dims) with intervals. */
  predict(
    X: NumArray,
    options?: { interval?: 'confidence' | 'prediction'; level?: number },
  ): { fit: Float64Array; lower: Float64Array; upper: Float64Array };
}

function linearFit(
  where: string,
  X: NumArray,
  yIn: NumArray,
  options: RegressionOptions,
  weights?: Float64Array,
): LinearReport {
  const d = design(where, X, toFloat64(yIn, where, 'y'), options);
  const y = d.y;
  const level = options.confidenceLevel ?? 0.95;
  if (!(level > 0 && level < 1)) fail(where, `confidenceLevel must be in (0, 1), got ${level}.`);
  const { n, p } = d;
  const sw = new Float64Array(n).fill(1);
  if (weights) {
    if (weights.length !== (yIn as ArrayLike<number>).length) {
      fail(
        where,
        `weights has ${weights.length} values, y has ${(yIn as ArrayLike<number>).length}.`,
      );
    }
    for (let i = 0; i < n; i++) {
      const wi = weights[d.rows[i]];
      if (!(wi > 0) || !Number.isFinite(wi)) {
        fail(where, `weights[${d.rows[i]}] = ${wi}; weights must be positive and finite.`);
      }
      sw[i] = Math.sqrt(wi);
    }
  }
  const a = Float64Array.from(d.cols);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) a[j * n + i] *= sw[i];
  const qr = householder(a, n, p, d.names, where);
  const yw = new Float64Array(n);
  for (let i = 0; i < n; i++) yw[i] = y[i] * sw[i];
  const b = qrSolve(qr, yw);
  const fitted = new Float64Array(n);
  const resid = new Float64Array(n);
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < p; j++) f += d.cols[j * n + i] * b[j];
    fitted[i] = f;
    resid[i] = y[i] - f;
    const wr = resid[i] * sw[i];
    ssr += wr * wr;
  }
  const w = (i: number): number => sw[i] * sw[i];
  let sst: number;
  if (d.intercept) {
    let sw1 = 0;
    let swy = 0;
    for (let i = 0; i < n; i++) {
      sw1 += w(i);
      swy += w(i) * y[i];
    }
    const ybar = swy / sw1;
    sst = 0;
    for (let i = 0; i < n; i++) sst += w(i) * (y[i] - ybar) * (y[i] - ybar);
  } else {
    sst = 0;
    for (let i = 0; i < n; i++) sst += w(i) * y[i] * y[i];
  }
  const dfResidual = n - p;
  const dfModel = d.intercept ? p - 1 : p;
  const s2 = ssr / dfResidual;
  const ucov = unscaledCov(qr);
  const cov = ucov.map((v) => v * s2);
  const se = new Float64Array(p);
  const tv = new Float64Array(p);
  const pv = new Float64Array(p);
  const td = studentT(dfResidual);
  const q = td.isf((1 - level) / 2);
  const ci: [number, number][] = [];
  for (let j = 0; j < p; j++) {
    se[j] = Math.sqrt(cov[j * p + j]);
    tv[j] = b[j] / se[j];
    pv[j] = Math.min(1, 2 * td.sf(Math.abs(tv[j])));
    ci.push([b[j] - q * se[j], b[j] + q * se[j]]);
  }
  const r2 = 1 - ssr / sst;
  const adj = 1 - ((1 - r2) * (d.intercept ? n - 1 : n)) / dfResidual;
  const F = dfModel > 0 ? (sst - ssr) / dfModel / s2 : Number.NaN;
  const fP = dfModel > 0 ? fisherF(dfModel, dfResidual).sf(F) : Number.NaN;
  const predict: LinearReport['predict'] = (Xn, opts = {}) => {
    const xn = finiteF64(Xn, `${where}.predict`, 'X');
    const dims = d.dims;
    if (dims === 0 ? xn.length !== 0 : xn.length % dims !== 0) {
      fail(`${where}.predict`, `X has ${xn.length} values, not a multiple of dims = ${dims}.`);
    }
    const m = dims === 0 ? 1 : xn.length / dims;
    const lvl = opts.level ?? 0.95;
    const tq = td.isf((1 - lvl) / 2);
    const fit = new Float64Array(m);
    const lower = new Float64Array(m);
    const upper = new Float64Array(m);
    const row = new Float64Array(p);
    for (let r = 0; r < m; r++) {
      let c = 0;
      if (d.intercept) row[c++] = 1;
      for (let j = 0; j < dims; j++) row[c + j] = xn[r * dims + j];
      let f = 0;
      let v = 0;
      for (let i = 0; i < p; i++) {
        f += row[i] * b[i];
        for (let j = 0; j < p; j++) v += row[i] * cov[i * p + j] * row[j];
      }
      if (opts.interval === 'prediction') v += s2;
      const h = tq * Math.sqrt(v);
      fit[r] = f;
      lower[r] = f - h;
      upper[r] = f + h;
    }
    return { fit, lower, upper };
  };
  return {
    names: d.names,
    rows: d.rows,
    coefficients: b,
    standardErrors: se,
    statistics: tv,
    pValues: pv,
    confidenceIntervals: ci,
    covariance: cov,
    n,
    dfModel,
    dfResidual,
    fitted,
    residuals: resid,
    rSquared: r2,
    adjustedRSquared: adj,
    fStatistic: F,
    fPValue: fP,
    sigma: Math.sqrt(s2),
    sumSquaredResiduals: ssr,
    predict,
  };
}

/**
 * Ordinary least squares (as statsmodels OLS): coefficients, standard errors,
 * t and p-values, R², adjusted R², F, residuals, and `predict` with
 * confidence / prediction intervals.
 *
 * ```ts
 * const fit = ols(X, y, { dims: 2 }); // X row-major n x 2
 * fit.coefficients; // [intercept, b0, b1]
 * ```
 */
export function ols(X: NumArray, y: NumArray, options: RegressionOptions): LinearReport {
  return linearFit('ols', X, y, options);
}

/** Weighted least squares with positive weights (as statsmodels WLS). */
export function wls(
  X: NumArray,
  y: NumArray,
  options: RegressionOptions & { weights: NumArray },
): LinearReport {
  const w = finiteF64(options?.weights, 'wls', 'weights');
  return linearFit('wls', X, y, options, w);
}

/** Simple regression of y on one predictor x (OLS with intercept). */
export function linearRegression(
  x: NumArray,
  y: NumArray,
  options: { confidenceLevel?: number } = {},
): LinearReport {
  return linearFit('linearRegression', x, y, { dims: 1, ...options });
}

/**
 * Least-squares polynomial of `degree` (coefficients in increasing powers:
 * c0 + c1 x + ... ; numpy.polyfit lists them highest first).
 */
export function polyfit(x: NumArray, y: NumArray, degree: number): LinearReport {
  if (!Number.isInteger(degree) || degree < 1)
    fail('polyfit', `degree must be an integer >= 1, got ${degree}.`);
  const xs = finiteF64(x, 'polyfit', 'x');
  const V = new Float64Array(xs.length * degree);
  for (let i = 0; i < xs.length; i++) {
    let v = 1;
    for (let k = 0; k < degree; k++) {
      v *= xs[i];
      V[i * degree + k] = v;
    }
  }
  const names = Array.from({ length: degree }, (_, k) => `x^${k + 1}`);
  return linearFit('polyfit', V, y, { dims: degree, names });
}
