/** Logistic regression (binomial GLM, logit link) by IRLS, each step a QR solve. */

import { toFloat64 } from '../../core/arrays';
import { EdgewiseError } from '../../errors';
import { fail, finiteF64, type NumArray } from '../common';
import { standardNormal } from '../distributions';
import { design, type RegressionOptions, type RegressionReport } from './design';
import { householder, type QR, qrSolve, unscaledCov } from './qr';

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
