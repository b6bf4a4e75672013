/** Ridge regression (L2-penalised least squares, as sklearn Ridge). */

import { toFloat64 } from '../../core/arrays';
import { fail, type NumArray } from '../common';
import { design, type RegressionOptions } from './design';
import { householder, qrSolve } from './qr';

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
