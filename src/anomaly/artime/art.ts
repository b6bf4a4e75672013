import { asum32, BOUND_SLACK, juliaSum, NB, similarity } from './numerics';
import { DIM, DIM2, INITIAL_RHO, WIN } from './options';

/**
 * Dual vigilance fuzzy ART (ARTime's compacted DVFA): complement-coded
 * categories, activation M = (|min(x, w)|_1 / |w|_1)^3 * (energy match)^2,
 * where the energy match compares the last level and its complement.
 *
 * ARTime visits the categories by decreasing activation: every category at or
 * above the upper vigilance learns (w = min(x, w)); if the best is below it
 * but at or above the lower vigilance the sample founds a category; below
 * both, the sample founds a category and is a mismatch. Only the maximum and
 * the set above the upper vigilance matter, so categories are scanned in
 * index order (ties go to the lowest index, as in Julia's `sortperm`), and a
 * category whose upper bound (from sums over blocks of 4 dimensions) is below
 * both the best so far and the upper vigilance is skipped; the activations
 * that are computed follow ARTime's operation order exactly.
 */
export class Art {
  /** Category weights, one row of DIM2 per category. */
  w: Float64Array;
  /** Block sums of w (NB per category), for the bound. */
  wb: Float64Array;
  /** |w|_1 per category (cached, OpenBLAS order). */
  nw: Float64Array;
  /** Energy weight w[DIM-1] + w[DIM2-1] per category (cached), and its two terms. */
  nwe: Float64Array;
  w15: Float64Array;
  w31: Float64Array;
  /** Activation of the last sample per category (-1: pruned, below the upper vigilance). */
  m: Float64Array;
  /** Record (downsampled index) at which each category last won or learned, for replacement when full. */
  used: Float64Array;
  n = 0;
  rhoLb = 0;
  rhoUb = 0;
  /** Similarity (activation of the best category) and its energy match, of the last sample. */
  a = 0;
  ae = 0;
  /** Index of the last winner (where the next scan starts). */
  lastBest = 0;
  readonly #x = new Float64Array(DIM2);
  readonly max: number;

  constructor(max: number, capacity = 64) {
    this.max = max;
    const c = Math.min(capacity, max);
    this.w = new Float64Array(c * DIM2);
    this.wb = new Float64Array(c * NB);
    this.nw = new Float64Array(c);
    this.nwe = new Float64Array(c);
    this.w15 = new Float64Array(c);
    this.w31 = new Float64Array(c);
    this.m = new Float64Array(c);
    this.used = new Float64Array(c);
  }

  reserve(c: number): void {
    if (c <= this.nw.length) return;
    const grow = (a: Float64Array, k: number): Float64Array => {
      const b = new Float64Array(c * k);
      b.set(a);
      return b;
    };
    this.w = grow(this.w, DIM2);
    this.wb = grow(this.wb, NB);
    this.nw = grow(this.nw, 1);
    this.nwe = grow(this.nwe, 1);
    this.w15 = grow(this.w15, 1);
    this.w31 = grow(this.w31, 1);
    this.m = grow(this.m, 1);
    this.used = grow(this.used, 1);
  }

  /** Stores x as a category (replacing the least recently used one when full). */
  #commit(x: Float64Array, t: number): void {
    let j = this.n;
    if (j === this.max) {
      j = 0;
      for (let k = 1; k < this.n; k++) if (this.used[k] < this.used[j]) j = k;
    } else {
      if (j === this.nw.length) this.reserve(Math.min(this.max, j * 2));
      this.n++;
    }
    this.w.set(x, j * DIM2);
    this.used[j] = t;
    this.cache(j);
  }

  cache(j: number): void {
    const w = this.w;
    const o = j * DIM2;
    this.nw[j] = asum32(w, o);
    this.w15[j] = w[o + DIM - 1];
    this.w31[j] = w[o + DIM2 - 1];
    this.nwe[j] = w[o + DIM - 1] + w[o + DIM2 - 1];
    for (let b = 0; b < NB; b++) {
      const q = o + 4 * b;
      this.wb[j * NB + b] = w[q] + w[q + 1] + w[q + 2] + w[q + 3];
    }
  }

  /** Exact activation of category j for the sample in #x (ARTime's operation order); sets #es. */
  #activation(j: number): number {
    const x = this.#x;
    const w = this.w;
    const o = j * DIM2;
    // min(x, w) summed as OpenBLAS dasum does (see asum32)
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    let e15 = 0;
    let e31 = 0;
    for (let b = 0; b < DIM2; b += 8) {
      const q = o + b;
      let v = w[q];
      let y = x[b];
      const m0 = Math.min(y, v);
      v = w[q + 1];
      y = x[b + 1];
      const m1 = Math.min(y, v);
      v = w[q + 2];
      y = x[b + 2];
      const m2 = Math.min(y, v);
      v = w[q + 3];
      y = x[b + 3];
      const m3 = Math.min(y, v);
      v = w[q + 4];
      y = x[b + 4];
      const m4 = Math.min(y, v);
      v = w[q + 5];
      y = x[b + 5];
      const m5 = Math.min(y, v);
      v = w[q + 6];
      y = x[b + 6];
      const m6 = Math.min(y, v);
      v = w[q + 7];
      y = x[b + 7];
      const m7 = Math.min(y, v);
      if (b === 0) {
        s0 = m0;
        s1 = m1;
        s2 = m2;
        s3 = m3;
        s4 = m4;
        s5 = m5;
        s6 = m6;
        s7 = m7;
      } else {
        s0 += m0;
        s1 += m1;
        s2 += m2;
        s3 += m3;
        s4 += m4;
        s5 += m5;
        s6 += m6;
        s7 += m7;
      }
      if (b === DIM - 8) e15 = m7;
      else if (b === DIM2 - 8) e31 = m7;
    }
    let nW = this.nw[j];
    if (nW === 0) nW = 0.001;
    const fs = (s0 + s2 + s4 + s6 + (s1 + s3 + s5 + s7)) / nW;
    const es = (e15 + e31) / this.nwe[j];
    this.#es = es;
    return fs * fs * fs * (es * es);
  }
  #es = 0;

  /**
   * Presents f (DIM features at f[off]) at downsampled index t; returns true
   * when no category resonates (a new one is founded). Sets `a` and `ae`.
   * Without learning, returns false and changes no category.
   */
  train(f: Float64Array, off: number, learning: boolean, t: number): boolean {
    const x = this.#x;
    for (let k = 0; k < DIM; k++) {
      x[k] = f[off + k];
      x[k + DIM] = 1 - f[off + k];
    }
    if (this.n === 0) {
      // the first category is all ones and the first sample is skipped
      this.w.fill(1, 0, DIM2);
      this.n = 1;
      this.used[0] = t;
      this.cache(0);
      this.a = 0;
      this.ae = 0;
      return false;
    }
    const xb0 = x[0] + x[1] + x[2] + x[3];
    const xb1 = x[4] + x[5] + x[6] + x[7];
    const xb2 = x[8] + x[9] + x[10] + x[11];
    const xb3 = x[12] + x[13] + x[14] + x[15];
    const xb4 = x[16] + x[17] + x[18] + x[19];
    const xb5 = x[20] + x[21] + x[22] + x[23];
    const xb6 = x[24] + x[25] + x[26] + x[27];
    const xb7 = x[28] + x[29] + x[30] + x[31];
    const x15 = x[DIM - 1];
    const x31 = x[DIM2 - 1];
    const w15Arr = this.w15;
    const w31Arr = this.w31;
    const n = this.n;
    const m = this.m;
    const wb = this.wb;
    const nwArr = this.nw;
    const nweArr = this.nwe;
    const ub = learning ? this.rhoUb : Number.POSITIVE_INFINITY;
    // start from the last winner so the bound prunes early
    let best = this.lastBest < n ? this.lastBest : 0;
    let bestM = this.#activation(best);
    let bestE = this.#es;
    let nan = Number.isNaN(bestM);
    m[best] = bestM;
    if (nan || !(bestM > 0)) {
      best = -1;
      bestM = 0;
      bestE = 0;
    }
    for (let j = 0; j < n; j++) {
      if (j === this.lastBest) continue;
      // upper bounds: the energy match is exact and the feature match is at most 1; then
      // the sum over blocks of min(block sums) >= |min(x, w)|_1
      const w15 = w15Arr[j];
      const w31 = w31Arr[j];
      const e = Math.min(x15, w15) + Math.min(x31, w31);
      const nwe = nweArr[j];
      const thr = Math.min(bestM, ub);
      // es^2 < thr without the division
      if (e * e * BOUND_SLACK < thr * (nwe * nwe)) {
        m[j] = -1;
        continue;
      }
      const es = e / nwe;
      const es2 = es * es * BOUND_SLACK;
      const o = j * NB;
      let q = wb[o];
      let bound = Math.min(xb0, q);
      q = wb[o + 1];
      bound += Math.min(xb1, q);
      q = wb[o + 2];
      bound += Math.min(xb2, q);
      q = wb[o + 3];
      bound += Math.min(xb3, q);
      q = wb[o + 4];
      bound += Math.min(xb4, q);
      q = wb[o + 5];
      bound += Math.min(xb5, q);
      q = wb[o + 6];
      bound += Math.min(xb6, q);
      q = wb[o + 7];
      bound += Math.min(xb7, q);
      let nW = nwArr[j];
      if (nW === 0) nW = 0.001;
      const fsB = bound / nW;
      const mb = fsB * fsB * fsB * es2;
      if (mb < bestM && mb < ub) {
        m[j] = -1;
        continue;
      }
      const mj = this.#activation(j);
      m[j] = mj;
      if (mj > bestM || (mj === bestM && mj > 0 && j < best)) {
        bestM = mj;
        best = j;
        bestE = this.#es;
      } else if (Number.isNaN(mj)) nan = true;
    }
    if (best >= 0) this.lastBest = best;
    if (!learning) {
      this.a = bestM;
      this.ae = bestE;
      return false;
    }
    // ARTime visits NaN activations first, and a NaN stops the visit: a mismatch
    if (nan) {
      this.a = 0;
      this.ae = 0;
      this.#commit(x, t);
      return true;
    }
    this.a = bestM;
    this.ae = bestE;
    // all activations 0: the first category is the best, with activation 0
    const top = best >= 0 ? bestM : 0;
    if (top >= this.rhoUb) {
      const w = this.w;
      for (let j = 0; j < n; j++) {
        if (m[j] >= this.rhoUb) {
          const o = j * DIM2;
          for (let k = 0; k < DIM2; k++) if (x[k] < w[o + k]) w[o + k] = x[k];
          this.used[j] = t;
          this.cache(j);
        }
      }
      return false;
    }
    if (best >= 0) this.used[best] = t;
    this.#commit(x, t);
    return !(top >= this.rhoLb);
  }
}

/**
 * ARTime's `init_rho`: orders the complete training feature vectors by their
 * summed similarity to the others, trains a network with vigilance 0.8 on
 * them in that order, and returns the mean similarity over its second half.
 */
export function initRho(feats: Float64Array, tw: number, maxCategories: number): number {
  const n = tw - WIN + 1; // columns WIN..tw (1-based)
  const cols = feats.subarray((WIN - 1) * DIM, tw * DIM);
  const norms = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let s = 0;
    let mx = 0;
    for (let k = 0; k < DIM; k++) {
      const v = Math.abs(cols[c * DIM + k]);
      if (v > mx) mx = v;
    }
    if (mx !== 0) {
      // LinearAlgebra.generic_norm2 without scaling: sum of squares left to right
      for (let k = 0; k < DIM; k++) s += cols[c * DIM + k] * cols[c * DIM + k];
      s = Math.sqrt(s);
    }
    norms[c] = s;
  }
  const sim = new Float64Array(n * n).fill(1); // column-major: sim[r + c n]
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = similarity(cols, i, j, norms);
      sim[i + j * n] = s;
      sim[j + i * n] = s;
    }
  }
  const sums = new Float64Array(n);
  for (let c = 0; c < n; c++) sums[c] = juliaSum(sim, c * n, n);
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => {
    const x = sums[a];
    const y = sums[b];
    if (x < y || (x === y && Object.is(x, -0) && !Object.is(y, -0))) return -1;
    if (x > y || (x === y && Object.is(y, -0) && !Object.is(x, -0))) return 1;
    return a - b;
  });
  const sorted = new Float64Array(n * DIM);
  for (let k = 0; k < n; k++)
    sorted.set(cols.subarray(order[k] * DIM, order[k] * DIM + DIM), k * DIM);
  const art = new Art(maxCategories);
  art.rhoLb = INITIAL_RHO;
  art.rhoUb = INITIAL_RHO;
  const a = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    art.train(sorted, k * DIM, true, k + 1);
    a[k] = art.a;
  }
  const from = (tw >> 1) - 1; // A[tw ÷ 2 : end], 1-based
  return juliaSum(a, from, n - from) / (n - from);
}
