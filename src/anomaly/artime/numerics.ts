import { DIM, DIM2, HAAR } from './options';

/** Julia's `round` (to nearest, ties to even). */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Julia's `sum` over a contiguous Float64 vector, in its order of operations:
 * fewer than 16 elements are added left to right; longer vectors go through
 * an `@simd` loop (after the first two are added) that LLVM vectorises with 4
 * accumulators of 4 lanes (AVX2), reduced part by part and then by halves,
 * followed by the leftover elements one by one.
 */
export const simdAcc = new Float64Array(16);
export function juliaSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n <= 0) return 0;
  if (n === 1) return a[start];
  let v = a[start] + a[start + 1];
  let i = start + 2;
  const end = start + n;
  if (n < 18) {
    // Base's short path (n < 16), or an @simd loop too short for one vector iteration
    for (; i < end; i++) v += a[i];
    return v;
  }
  const acc = simdAcc;
  acc.fill(0);
  acc[0] = v;
  const vecEnd = i + ((end - i) & ~15);
  for (; i < vecEnd; i += 16) for (let k = 0; k < 16; k++) acc[k] += a[i + k];
  // parts: ((p0 + p1) + p2) + p3, lane by lane
  const l0 = acc[0] + acc[4] + acc[8] + acc[12];
  const l1 = acc[1] + acc[5] + acc[9] + acc[13];
  const l2 = acc[2] + acc[6] + acc[10] + acc[14];
  const l3 = acc[3] + acc[7] + acc[11] + acc[15];
  v = l0 + l2 + (l1 + l3);
  for (; i < end; i++) v += a[i];
  return v;
}

/**
 * OpenBLAS `dasum` of 32 non-negative values (Julia's `norm(x, 1)` from 32
 * elements on): the x86-64 Haswell / SkylakeX kernel's SSE loop, 4 two-lane
 * accumulators over blocks of 8, added in order, then the two lanes.
 */
export function asum32(a: Float64Array, o: number): number {
  let s0 = a[o];
  let s1 = a[o + 1];
  let s2 = a[o + 2];
  let s3 = a[o + 3];
  let s4 = a[o + 4];
  let s5 = a[o + 5];
  let s6 = a[o + 6];
  let s7 = a[o + 7];
  for (let b = o + 8; b < o + 32; b += 8) {
    s0 += a[b];
    s1 += a[b + 1];
    s2 += a[b + 2];
    s3 += a[b + 3];
    s4 += a[b + 4];
    s5 += a[b + 5];
    s6 += a[b + 6];
    s7 += a[b + 7];
  }
  return s0 + s2 + s4 + s6 + (s1 + s3 + s5 + s7);
}

/** Blocks of 4 dimensions whose sums bound the activation (pruning). */
export const NB = DIM2 / 4;
/** Relative slack that covers the rounding of the bound and of the exact activation. */
export const BOUND_SLACK = 1 + 1e-12;
/** Wavelets.jl `dwt(x, wavelet(WT.haar))` of 8 values, full depth, into y (periodic filter bank, same operation order). */
export function haar8(x: Float64Array, y: Float64Array): void {
  const h = HAAR;
  // level 1: scaling s1[k] = h x[2k] + h x[2k+1], detail d1[k] = h x[2k+1] - h x[2k]
  const s10 = h * x[0] + h * x[1];
  const s11 = h * x[2] + h * x[3];
  const s12 = h * x[4] + h * x[5];
  const s13 = h * x[6] + h * x[7];
  y[4] = -(h * x[0]) + h * x[1];
  y[5] = -(h * x[2]) + h * x[3];
  y[6] = -(h * x[4]) + h * x[5];
  y[7] = -(h * x[6]) + h * x[7];
  const s20 = h * s10 + h * s11;
  const s21 = h * s12 + h * s13;
  y[2] = -(h * s10) + h * s11;
  y[3] = -(h * s12) + h * s13;
  y[0] = h * s20 + h * s21;
  y[1] = -(h * s20) + h * s21;
}

/** ARTime's `similarity`: close to cosine similarity (columns i and j of a DIM-row matrix). */
export function similarity(f: Float64Array, i: number, j: number, norms: Float64Array): number {
  const n1 = norms[i];
  const n2 = norms[j];
  if (n1 === 0) return 1 - n2;
  if (n2 === 0) return 1 - n1;
  const p = simProd;
  const oi = i * DIM;
  const oj = j * DIM;
  for (let k = 0; k < DIM; k++) p[k] = f[oi + k] * f[oj + k];
  return juliaSum(p, 0, DIM) / (n1 * n2);
}
export const simProd = new Float64Array(DIM);
