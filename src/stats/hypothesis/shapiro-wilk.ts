/**
 * Shapiro-Wilk W test for normality: Royston's algorithm AS R94 (the SWILK
 * routine scipy.stats.shapiro wraps), evaluated in double precision.
 * (scipy 1.10 runs the Fortran routine in single precision, so its W and p
 * carry ~1e-7 relative rounding; see docs/design/stats.md.)
 */
import { fail, type NanOptions, type NumArray, sorted, type TestResult, toF64 } from '../common';
import { standardNormal } from '../distributions';
import { ndtri } from '../special';

const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
const C3 = [0.544, -0.39978, 0.025054, -0.0006714];
const C4 = [1.3822, -0.77857, 0.062767, -0.0020322];
const C5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
const C6 = [-0.4803, -0.082676, 0.0030302];
const G = [-2.273, 0.459];
const SMALL = 1e-19;

/** c[0] + c[1] x + c[2] x² + ... */
function poly(c: readonly number[], x: number): number {
  let r = 0;
  for (let i = c.length - 1; i >= 0; i--) r = r * x + c[i];
  return r;
}

/** The AS R94 coefficients a[0..n/2-1] (positive, for the upper half). */
function swilkCoefficients(n: number): Float64Array {
  const nn2 = Math.floor(n / 2);
  const a = new Float64Array(nn2);
  if (n === 3) {
    a[0] = Math.SQRT1_2;
    return a;
  }
  const an25 = n + 0.25;
  const m = new Float64Array(nn2);
  let summ2 = 0;
  for (let i = 0; i < nn2; i++) {
    m[i] = ndtri((i + 1 - 0.375) / an25);
    summ2 += m[i] * m[i];
  }
  summ2 *= 2;
  const ssumm2 = Math.sqrt(summ2);
  const rsn = 1 / Math.sqrt(n);
  const a1 = poly(C1, rsn) - m[0] / ssumm2;
  let i1: number;
  let fac: number;
  if (n > 5) {
    i1 = 2;
    const a2 = -m[1] / ssumm2 + poly(C2, rsn);
    fac = Math.sqrt((summ2 - 2 * m[0] * m[0] - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
    a[1] = a2;
  } else {
    i1 = 1;
    fac = Math.sqrt((summ2 - 2 * m[0] * m[0]) / (1 - 2 * a1 * a1));
  }
  a[0] = a1;
  for (let i = i1; i < nn2; i++) a[i] = -m[i] / fac;
  return a;
}

/**
 * Shapiro-Wilk test (scipy.stats.shapiro): W and its p-value from Royston's
 * normalising transformation (exact for n = 3). Needs 3 <= n; p-values for
 * n > 5000 are approximate (as in scipy).
 */
export function shapiroWilk(x: NumArray, options: NanOptions = {}): TestResult {
  const where = 'shapiroWilk';
  const a0 = toF64(x, where, options.nan);
  if (a0 === null) return { statistic: Number.NaN, pValue: Number.NaN, alternative: 'two-sided' };
  const n = a0.length;
  if (n < 3) fail(where, `x needs at least 3 values, got ${n}.`);
  const y = sorted(a0);
  const med = n % 2 ? y[(n - 1) / 2] : (y[n / 2 - 1] + y[n / 2]) / 2;
  for (let i = 0; i < n; i++) y[i] -= med;
  const range = y[n - 1] - y[0];
  if (!(range >= SMALL))
    fail(where, 'x has (nearly) zero range; the test is undefined for constant data.');
  const a = swilkCoefficients(n);
  const coef = (i: number): number => {
    // signed coefficient of the i-th order statistic (0-based)
    const j = n - 1 - i;
    if (i === j) return 0;
    return i < j ? -a[i] : a[j];
  };
  let sa = 0;
  let sx = 0;
  for (let i = 0; i < n; i++) {
    sa += coef(i);
    sx += y[i] / range;
  }
  sa /= n;
  sx /= n;
  let ssa = 0;
  let ssx = 0;
  let sax = 0;
  for (let i = 0; i < n; i++) {
    const asa = coef(i) - sa;
    const xsx = y[i] / range - sx;
    ssa += asa * asa;
    ssx += xsx * xsx;
    sax += asa * xsx;
  }
  const ssassx = Math.sqrt(ssa * ssx);
  const w1 = ((ssassx - sax) * (ssassx + sax)) / (ssa * ssx);
  const w = 1 - w1;
  let pw: number;
  if (n === 3) {
    pw = Math.max(0, (6 / Math.PI) * (Math.asin(Math.sqrt(w)) - Math.PI / 3));
  } else {
    let yy = Math.log(w1);
    const xx = Math.log(n);
    let m: number;
    let s: number;
    if (n <= 11) {
      const gamma = poly(G, n);
      if (yy >= gamma) return { statistic: w, pValue: SMALL, alternative: 'two-sided' }; // as SWILK
      yy = -Math.log(gamma - yy);
      m = poly(C3, n);
      s = Math.exp(poly(C4, n));
    } else {
      m = poly(C5, xx);
      s = Math.exp(poly(C6, xx));
    }
    pw = standardNormal.sf((yy - m) / s);
  }
  return { statistic: w, pValue: pw, alternative: 'two-sided' };
}
