/** One-predictor regression in one streaming pass of the WASM SIMD co-moment kernel. */

import { toFloat64 } from '../../core/arrays';
import { CoMoments, residualSumOfSquares } from '../../kernels/bivariate';
import { fail, type NumArray, withNanPolicy } from '../common';
import { studentT } from '../distributions';

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
