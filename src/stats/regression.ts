/**
 * Regression: ordinary, weighted, ridge and polynomial least squares via
 * Householder QR (never the normal equations), and logistic regression by
 * IRLS. Designs are row-major n x dims Float64Arrays; an intercept column is
 * added first unless `intercept: false`.
 */

import { toFloat64 } from '../core/arrays';
import { EdgewiseError } from '../errors';
import { CoMoments, residualSumOfSquares } from '../kernels/bivariate';
import { fail, finiteF64, type NumArray, withNanPolicy } from './common';
import { fisherF, standardNormal, studentT } from './distributions';

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

interface QR {
  /** Column-major n x p, Householder vectors below the diagonal, R on and above. */
  a: Float64Array;
  rdiag: Float64Array;
  n: number;
  p: number;
}

/** Householder QR of a column-major n x p matrix (in place). */
function householder(a: Float64Array, n: number, p: number, names: string[], where: string): QR {
  const rdiag = new Float64Array(p);
  const colNorm = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s = Math.hypot(s, a[j * n + i]);
    colNorm[j] = s;
  }
  for (let k = 0; k < p; k++) {
    const o = k * n;
    let nrm = 0;
    for (let i = k; i < n; i++) nrm = Math.hypot(nrm, a[o + i]);
    if (nrm === 0 || nrm <= 1e-11 * colNorm[k] || colNorm[k] === 0) {
      rdiag[k] = 0;
      collinear(a, rdiag, n, k, names, where, colNorm[k] === 0);
    }
    if (a[o + k] < 0) nrm = -nrm;
    for (let i = k; i < n; i++) a[o + i] /= nrm;
    a[o + k] += 1;
    for (let j = k + 1; j < p; j++) {
      const oj = j * n;
      let s = 0;
      for (let i = k; i < n; i++) s += a[o + i] * a[oj + i];
      s = -s / a[o + k];
      for (let i = k; i < n; i++) a[oj + i] += s * a[o + i];
    }
    rdiag[k] = -nrm;
  }
  return { a, rdiag, n, p };
}

function collinear(
  a: Float64Array,
  rdiag: Float64Array,
  n: number,
  k: number,
  names: string[],
  where: string,
  zero: boolean,
): never {
  if (zero) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: the design is singular: column '${names[k]}' is all zeros; drop it.`,
    );
  }
  // Which earlier columns is column k a combination of? Solve R[0:k,0:k] c = R[0:k,k].
  const c = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = a[k * n + i];
    for (let j = i + 1; j < k; j++) s -= a[j * n + i] * c[j];
    c[i] = s / rdiag[i];
  }
  let mx = 0;
  for (let i = 0; i < k; i++) mx = Math.max(mx, Math.abs(c[i]));
  const involved = names.slice(0, k).filter((_, i) => Math.abs(c[i]) > 1e-8 * mx);
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: the design is rank-deficient: column '${names[k]}' is (nearly) a linear ` +
      `combination of ${involved.map((s) => `'${s}'`).join(', ') || 'earlier columns'}; ` +
      'drop one of these collinear columns (or use ridge).',
  );
}

/** Solves min ||A b - y|| given the QR of A; returns b. y is consumed. */
function qrSolve(qr: QR, y: Float64Array): Float64Array {
  const { a, rdiag, n, p } = qr;
  for (let k = 0; k < p; k++) {
    const o = k * n;
    let s = 0;
    for (let i = k; i < n; i++) s += a[o + i] * y[i];
    s = -s / a[o + k];
    for (let i = k; i < n; i++) y[i] += s * a[o + i];
  }
  const b = new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let s = y[k];
    for (let j = k + 1; j < p; j++) s -= a[j * n + k] * b[j];
    b[k] = s / rdiag[k];
  }
  return b;
}

/** (RᵀR)⁻¹ = R⁻¹R⁻ᵀ, row-major p x p. */
function unscaledCov(qr: QR): Float64Array {
  const { a, rdiag, n, p } = qr;
  const R = (i: number, j: number): number => (i === j ? rdiag[i] : a[j * n + i]);
  const inv = new Float64Array(p * p); // row-major upper-triangular R⁻¹
  for (let j = 0; j < p; j++) {
    inv[j * p + j] = 1 / R(j, j);
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += R(i, k) * inv[k * p + j];
      inv[i * p + j] = -s / R(i, i);
    }
  }
  const c = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = j; k < p; k++) s += inv[i * p + k] * inv[j * p + k];
      c[i * p + j] = s;
      c[j * p + i] = s;
    }
  }
  return c;
}

interface Design {
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

function design(where: string, X: NumArray, y0: Float64Array, options: RegressionOptions): Design {
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

/**
 * Ridge regression: minimises ||y - Xb||² + lambda ||b||² with the intercept
 * unpenalised (as sklearn Ridge(alpha = lambda)); solved by QR of the
 * augmented centred design.
 */
export function ridge(
  X: NumArray,
  yIn: NumArray,
  options: RegressionOptions & { lambda: number },
): { coefficients: Float64Array; names: string[]; fitted: Float64Array; residuals: Float64Array } {
  const where = 'ridge';
  const lambda = options?.lambda;
  if (typeof lambda !== 'number' || !(lambda >= 0) || !Number.isFinite(lambda)) {
    fail(where, `lambda must be a non-negative number, got ${String(lambda)}.`);
  }
  const d = design(where, X, toFloat64(yIn, where, 'y'), { ...options, intercept: false });
  const y = d.y;
  const intercept = options.intercept ?? true;
  const { n, p } = d;
  const means = new Float64Array(p);
  let ym = 0;
  if (intercept) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += d.cols[j * n + i];
      means[j] = s / n;
    }
    for (let i = 0; i < n; i++) ym += y[i];
    ym /= n;
  }
  const N = n + p;
  const a = new Float64Array(N * p);
  const sl = Math.sqrt(lambda);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) a[j * N + i] = d.cols[j * n + i] - means[j];
    a[j * N + n + j] = sl;
  }
  const yy = new Float64Array(N);
  for (let i = 0; i < n; i++) yy[i] = y[i] - ym;
  const qr = householder(a, N, p, d.names, where);
  const b = qrSolve(qr, yy);
  let b0 = ym;
  for (let j = 0; j < p; j++) b0 -= means[j] * b[j];
  const coefficients = intercept ? Float64Array.from([b0, ...b]) : b;
  const fitted = new Float64Array(n);
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let f = intercept ? b0 : 0;
    for (let j = 0; j < p; j++) f += d.cols[j * n + i] * b[j];
    fitted[i] = f;
    residuals[i] = y[i] - f;
  }
  return {
    coefficients,
    names: intercept ? ['intercept', ...d.names] : d.names,
    fitted,
    residuals,
  };
}

/** A logistic regression: coefficients, log-likelihood, deviance and AIC. */
export interface LogisticReport extends RegressionReport {
  logLikelihood: number;
  deviance: number;
  nullDeviance: number;
  /** McFadden's pseudo R² = 1 - deviance / nullDeviance. */
  pseudoRSquared: number;
  aic: number;
  iterations: number;
  /** Fitted probabilities for new rows (row-major m x dims). */
  predictProbability(X: NumArray): Float64Array;
}

/**
 * Logistic regression (binomial GLM, logit link) by iteratively reweighted
 * least squares, each step a QR solve; z statistics and Wald intervals (as
 * statsmodels Logit). y must be 0/1. Throws on perfect separation.
 */
export function logisticRegression(
  X: NumArray,
  yIn: NumArray,
  options: RegressionOptions & { maxIterations?: number; tolerance?: number },
): LogisticReport {
  const where = 'logisticRegression';
  const y0 = toFloat64(yIn, where, 'y');
  for (let i = 0; i < y0.length; i++) {
    if (y0[i] !== 0 && y0[i] !== 1 && !Number.isNaN(y0[i])) {
      fail(where, `y[${i}] = ${y0[i]}; y must contain only 0 and 1.`);
    }
  }
  const d = design(where, X, y0, options);
  const y = d.y;
  const { n, p } = d;
  const level = options.confidenceLevel ?? 0.95;
  const maxIt = options.maxIterations ?? 100;
  const tol = options.tolerance ?? 1e-10;
  householder(Float64Array.from(d.cols), n, p, d.names, where); // rank check on the raw design
  const separated = (it: number, maxAbs: number): EdgewiseError =>
    new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: IRLS did not converge (${it} iterations; largest |coefficient| ${maxAbs.toPrecision(3)}). ` +
        'The classes are probably (quasi-)perfectly separated by the predictors; remove the separating ' +
        'column or use a penalised model.',
    );
  let b: Float64Array = new Float64Array(p);
  const eta = new Float64Array(n);
  let it = 0;
  let converged = false;
  let qr: QR | null = null;
  let devOld = Number.POSITIVE_INFINITY;
  for (; it < maxIt; it++) {
    const a = new Float64Array(n * p);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const mu = 1 / (1 + Math.exp(-eta[i]));
      const w = Math.max(mu * (1 - mu), 1e-300);
      const sw = Math.sqrt(w);
      z[i] = (eta[i] + (y[i] - mu) / w) * sw;
      for (let j = 0; j < p; j++) a[j * n + i] = d.cols[j * n + i] * sw;
    }
    try {
      qr = householder(a, n, p, d.names, where);
    } catch {
      throw separated(it, Math.max(...b.map(Math.abs)));
    }
    const nb = qrSolve(qr, z);
    let dev = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < p; j++) e += d.cols[j * n + i] * nb[j];
      eta[i] = e;
      dev += -2 * (y[i] === 1 ? -Math.log1p(Math.exp(-e)) : -Math.log1p(Math.exp(e)));
    }
    let change = 0;
    for (let j = 0; j < p; j++)
      change = Math.max(change, Math.abs(nb[j] - b[j]) / (1 + Math.abs(nb[j])));
    b = nb;
    if (change < tol || Math.abs(devOld - dev) <= 1e-15 * Math.abs(dev)) {
      converged = true;
      it++;
      break;
    }
    devOld = dev;
  }
  let maxAbs = 0;
  for (const v of b) maxAbs = Math.max(maxAbs, Math.abs(v));
  if (!converged || maxAbs > 1e3) throw separated(it, maxAbs);
  // final weights at the solution for the covariance
  const a = new Float64Array(n * p);
  let ll = 0;
  let ybar = 0;
  const fitted = new Float64Array(n);
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = 1 / (1 + Math.exp(-eta[i]));
    const sw = Math.sqrt(mu * (1 - mu));
    for (let j = 0; j < p; j++) a[j * n + i] = d.cols[j * n + i] * sw;
    ll += y[i] === 1 ? -Math.log1p(Math.exp(-eta[i])) : -Math.log1p(Math.exp(eta[i]));
    ybar += y[i];
    fitted[i] = mu;
    residuals[i] = y[i] - mu;
  }
  ybar /= n;
  try {
    qr = householder(a, n, p, d.names, where);
  } catch {
    throw separated(it, maxAbs);
  }
  const cov = unscaledCov(qr);
  const se = new Float64Array(p);
  const zs = new Float64Array(p);
  const pv = new Float64Array(p);
  const q = standardNormal.isf((1 - level) / 2);
  const ci: [number, number][] = [];
  for (let j = 0; j < p; j++) {
    se[j] = Math.sqrt(cov[j * p + j]);
    zs[j] = b[j] / se[j];
    pv[j] = Math.min(1, 2 * standardNormal.sf(Math.abs(zs[j])));
    ci.push([b[j] - q * se[j], b[j] + q * se[j]]);
  }
  const llNull = d.intercept
    ? n * (ybar > 0 && ybar < 1 ? ybar * Math.log(ybar) + (1 - ybar) * Math.log(1 - ybar) : 0)
    : n * Math.log(0.5);
  return {
    names: d.names,
    rows: d.rows,
    coefficients: b,
    standardErrors: se,
    statistics: zs,
    pValues: pv,
    confidenceIntervals: ci,
    covariance: cov,
    n,
    dfModel: d.intercept ? p - 1 : p,
    dfResidual: n - p,
    fitted,
    residuals,
    logLikelihood: ll,
    deviance: -2 * ll,
    nullDeviance: -2 * llNull,
    pseudoRSquared: 1 - ll / llNull,
    aic: -2 * ll + 2 * p,
    iterations: it,
    predictProbability(Xn: NumArray): Float64Array {
      const xn = finiteF64(Xn, `${where}.predictProbability`, 'X');
      const dims = d.dims;
      const m = dims === 0 ? 1 : xn.length / dims;
      if (!Number.isInteger(m))
        fail(`${where}.predictProbability`, `X length is not a multiple of dims = ${dims}.`);
      const out = new Float64Array(m);
      for (let r = 0; r < m; r++) {
        let e = d.intercept ? b[0] : 0;
        const c = d.intercept ? 1 : 0;
        for (let j = 0; j < dims; j++) e += b[c + j] * xn[r * dims + j];
        out[r] = 1 / (1 + Math.exp(-e));
      }
      return out;
    },
  };
}

/** A one-predictor regression (`simpleRegression`). */
export interface SimpleRegressionReport {
  n: number;
  slope: number;
  intercept: number;
  slopeStandardError: number;
  interceptStandardError: number;
  /** t statistic and two-sided p-value of the slope (H0: slope = 0). */
  slopeT: number;
  slopePValue: number;
  rSquared: number;
  /** Residual standard error. */
  sigma: number;
  dfResidual: number;
}

/**
 * Simple regression y = a + b x in one streaming pass of the WASM SIMD
 * co-moment kernel (centred sums merged pairwise, so no normal-equation
 * cancellation): the fast path for one predictor on large arrays. Same
 * estimates as `ols(x, y, { dims: 1 })` (tested against the same references).
 */
export function simpleRegression(x: NumArray, y: NumArray): SimpleRegressionReport {
  const where = 'simpleRegression';
  const xs = toFloat64(x, where, 'x');
  const ys = toFloat64(y, where, 'y');
  if (xs.length !== ys.length)
    fail(where, `x and y must have the same length (got ${xs.length} and ${ys.length}).`);
  const k = withNanPolicy([xs, ys], ['x', 'y'], where, 'raise', () => {
    const c = CoMoments.of(xs, ys);
    const out = {
      n: c.count,
      sxx: c.sxx,
      syy: c.syy,
      sxy: c.sxy,
      mx: c.meanX,
      my: c.meanY,
      rejected: c.rejected,
    };
    c.dispose();
    return out;
  }) as { n: number; sxx: number; syy: number; sxy: number; mx: number; my: number };
  const { n, sxx, syy, sxy, mx, my } = k;
  if (n < 3) fail(where, `need at least 3 pairs, got ${n}.`);
  if (!(sxx > 0))
    fail(
      where,
      "the design is singular: x is constant (column 'x0' is a multiple of 'intercept').",
    );
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssr = Math.max(0, syy - slope * sxy);
  // Syy - b Sxy cancels when R² -> 1: then take a second pass over the residuals
  if (ssr < 1e-4 * syy) ssr = residualSumOfSquares(xs, ys, mx, my, slope);
  const df = n - 2;
  const s2 = ssr / df;
  const seSlope = Math.sqrt(s2 / sxx);
  const seIntercept = Math.sqrt(s2 * (1 / n + (mx * mx) / sxx));
  const t = slope / seSlope;
  return {
    n,
    slope,
    intercept,
    slopeStandardError: seSlope,
    interceptStandardError: seIntercept,
    slopeT: t,
    slopePValue: Math.min(1, 2 * studentT(df).sf(Math.abs(t))),
    rSquared: syy > 0 ? 1 - ssr / syy : Number.NaN,
    sigma: Math.sqrt(s2),
    dfResidual: df,
  };
}
