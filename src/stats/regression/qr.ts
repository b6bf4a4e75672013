/**
 * The linear algebra under the least-squares fits: Householder QR of a
 * column-major design (never the normal equations), with a rank check that
 * names the collinear columns, the QR solve and the unscaled covariance.
 */

import { EdgewiseError } from '../../errors';

export interface QR {
  /** Column-major n x p, Householder vectors below the diagonal, R on and above. */
  a: Float64Array;
  rdiag: Float64Array;
  n: number;
  p: number;
}

/** Householder QR of a column-major n x p matrix (in place). */
export function householder(
  a: Float64Array,
  n: number,
  p: number,
  names: string[],
  where: string,
): QR {
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
export function qrSolve(qr: QR, y: Float64Array): Float64Array {
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
export function unscaledCov(qr: QR): Float64Array {
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
