import { describeValue, EdgewiseError } from '../errors';
import { type CalibratorSnapshot, ScoreCalibrator } from './calibration';
import { checkBatch, type DetectorSnapshot, type StreamingDetectorApi } from './streaming';

/**
 * ARTime: anomaly detection with adaptive resonance theory over windowed
 * features (M. Hampton's ARTime, the leader of the NAB scoreboard; published
 * in Julia as ARTimeNAB.jl). This is our own TypeScript implementation of
 * that algorithm, written to reproduce its scores record by record.
 *
 * Per record, the raw values are gathered in blocks of `sstep` records (the
 * downsampling step) and each block is reduced to one value: its mean, or its
 * most extreme value when that is a spike (more than 10% from the mean). That
 * value is normalised to the value range, quantised to 81 levels, and pulled
 * to a running median level when it is close to it. The last 8 quantised
 * values give a 16-dimensional feature vector: a Haar wavelet transform of the
 * min-max scaled window (shape) beside the window itself (level). A dual
 * vigilance fuzzy ART network (complement coded, 32 dimensions) clusters the
 * feature vectors: a vector that resonates with no category (similarity below
 * the lower vigilance) founds a new category, and that is an anomaly, scored
 * by how far below the vigilances its similarity fell, unless it is masked
 * (shortly after another anomaly or a new category). The vigilances adapt to
 * the trend of the similarities. The first `probation` records are a training
 * period (score 0): at its end the network is trained on its feature vectors
 * in one batch, with a starting vigilance chosen from them.
 *
 * Two ways to run it:
 * - **NAB mode** (`min`, `max` and `length` or `probation` given): exactly
 *   what NAB's harness does (the file's minimum and maximum over the whole
 *   file, a probation of 15% of the file capped at 750 records). The scores
 *   then match the published ARTime results.
 * - **Streaming mode** (no `min`/`max`): neither the range nor the length of
 *   the series is needed. The training period is `probation` records
 *   (default 750, NAB's cap); the range is learned from the training records
 *   (widened by `rangeMargin` of its span on each side) and afterwards widens
 *   to take in any downsampled value that falls outside it (again with the
 *   margin), so an excursion is seen as the new extreme it is.
 *
 * The score of a record is in [0, 1]: 0 for most records, the ARTime
 * confidence (rounded to 6 decimals, as ARTime does) on the records where it
 * detects an anomaly. `update` returns it directly (no calibration).
 *
 * State: about 370 bytes per category (its 32 weights and cached sums) plus
 * fixed buffers of a few KB; the network grows as categories are founded
 * (NAB's dev files end with 2 to 831) and is bounded by `maxCategories`
 * (default 4096, about 1.5 MB): once full, a new category replaces the least
 * recently used one. The similarities of past anomalies (their mean is a
 * floor for the lower vigilance) are kept for the last 4096 anomalies. Below
 * the caps, which NAB's files do not reach, the scores are ARTime's exactly.
 *
 * Speed: one network pass per `sstep` records; categories that cannot win or
 * learn are skipped with an exact upper bound, so a pass costs a fraction of
 * a full scan (about 0.7 to 1.6 million records/s on NAB's longer files, one
 * core, Node 20).
 */
export interface ARTimeOptions {
  /**
   * Lower end of the value range (give with `max`). NAB's harness passes the
   * minimum of the whole file. Omit both for the streaming mode (range learned
   * from the training records). Values outside [min, max] are quantised to
   * the end levels.
   */
  min?: number;
  /** Upper end of the value range (give with `min`). */
  max?: number;
  /**
   * Training (probationary) period in records, in [16, 1e6] (an odd number is
   * rounded down to even, as ARTime does). Default 750, or derived from
   * `length`.
   */
  probation?: number;
  /**
   * Length of the series when it is known in advance: the probation is then
   * NAB's rule, 15% of it (rounded down) capped at 750 records. Do not give
   * both `length` and `probation`.
   */
  length?: number;
  /**
   * Streaming mode only: margin added on each side of the learned range, as a
   * share of its span (default 0.25).
   */
  rangeMargin?: number;
  /** Most categories the network stores (default 4096, >= 16). */
  maxCategories?: number;
}

// ARTime's constants (ARTimeNAB.jl `P`).
const WIN = 8; // feature window (downsampled points)
const DIM = 2 * WIN; // features: 8 wavelet coefficients + the 8 levels
const DIM2 = 2 * DIM; // complement coded
const WINDOWS_PER_PB = 13;
const NLEVELS = 80;
const CHOMP = 0.075;
const MASK = 12; // mask_rho_after_anomaly = window * 1.5
const INITIAL_RHO = 0.8;
const MAX_PROBATION = 750;
/** Larger magnitudes are rejected like non-finite values (block sums and the range would overflow). */
const MAX_ABS = 1e300;
/** Anomaly similarities kept (ARTime keeps all; ours: the most recent). */
const MAX_HISTORY = 4096;
/** Haar filter coefficient: Wavelets.jl normalises [0.7071067811865475, 0.7071067811865475] by its 2-norm. */
const HAAR = Math.SQRT1_2;

const SNAPSHOT_VERSION = 1;
const KIND = 'ARTimeDetector';

/** Julia's `round` (to nearest, ties to even). */
function roundEven(x: number): number {
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
const simdAcc = new Float64Array(16);
function juliaSum(a: ArrayLike<number>, start: number, n: number): number {
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
function asum32(a: Float64Array, o: number): number {
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
const NB = DIM2 / 4;
/** Relative slack that covers the rounding of the bound and of the exact activation. */
const BOUND_SLACK = 1 + 1e-12;

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
class Art {
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

interface ResolvedOptions {
  probation: number;
  sstep: number;
  trend: number;
  fixed: boolean;
  min: number;
  max: number;
  rangeMargin: number;
  maxCategories: number;
}

function resolveOptions(o: ARTimeOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: options must be an object, got ${describeValue(o)}.`,
    );
  }
  const hasMin = o.min !== undefined;
  const hasMax = o.max !== undefined;
  if (hasMin !== hasMax) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'ARTimeDetector: give both min and max (the value range), or neither to learn the range.',
    );
  }
  if (
    hasMin &&
    !(Number.isFinite(o.min) && Number.isFinite(o.max) && (o.max as number) >= (o.min as number))
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: min and max must be finite numbers with min <= max, got ${describeValue(o.min)} and ${describeValue(o.max)}.`,
    );
  }
  if (o.length !== undefined && o.probation !== undefined) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'ARTimeDetector: give the series length or the probation, not both.',
    );
  }
  let pp: number;
  if (o.length !== undefined) {
    if (!Number.isInteger(o.length) || o.length < 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeDetector: length must be a non-negative integer, got ${describeValue(o.length)}.`,
      );
    }
    pp = o.length < 5000 ? Math.floor(0.15 * o.length) : MAX_PROBATION;
    if (pp < 16) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeDetector: a series of ${o.length} records is too short (15% of it must be at least 16 records); give a probation instead.`,
      );
    }
  } else {
    pp = o.probation ?? MAX_PROBATION;
    if (!Number.isInteger(pp) || pp < 16 || pp > 1e6) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeDetector: probation must be an integer in [16, 1e6] (records), got ${describeValue(o.probation)}.`,
      );
    }
  }
  pp -= pp % 2;
  const sstep = Math.max(1, Math.floor(pp / (WIN * WINDOWS_PER_PB)));
  const trend = Math.floor(pp / sstep);
  const rangeMargin = o.rangeMargin ?? 0.25;
  if (typeof rangeMargin !== 'number' || !(rangeMargin >= 0 && rangeMargin <= 10)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: rangeMargin must be a number in [0, 10], got ${describeValue(o.rangeMargin)}.`,
    );
  }
  const maxCategories = o.maxCategories ?? 4096;
  if (!Number.isInteger(maxCategories) || maxCategories < 16 || maxCategories > 1e6) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: maxCategories must be an integer in [16, 1e6], got ${describeValue(o.maxCategories)}.`,
    );
  }
  return {
    probation: pp,
    sstep,
    trend,
    fixed: hasMin,
    min: hasMin ? (o.min as number) : Number.NaN,
    max: hasMin ? (o.max as number) : Number.NaN,
    rangeMargin,
    maxCategories,
  };
}

/** ARTime as a streaming detector. See the module comment for the algorithm and its two modes. */
export class ARTimeDetector implements StreamingDetectorApi {
  readonly kind = KIND;
  /** Records before the first possible non-zero score (the probation). */
  readonly warmup: number;
  /** Downsampling step: one feature vector every `sstep` records. */
  readonly sstep: number;
  readonly #o: ResolvedOptions;
  readonly #options: ARTimeOptions;

  // counters
  #i = 1; // 1-based index of the next record (ARTime's p.i)
  #rejected = 0;
  #last = 0;
  // value range
  #lo = Number.POSITIVE_INFINITY; // streaming mode: min / max of the training records, then the range
  #hi = Number.NEGATIVE_INFINITY;
  // downsampling
  #dsBuf: Float64Array;
  #dsi = 1;
  #dsAvg = 0;
  #train: Float64Array; // raw downsampled values of the training period
  // levels and running median
  #medbin = new Int32Array(NLEVELS + 1);
  #medlevel = 0;
  #below = 0;
  #above = 0;
  #fwin: Float64Array = new Float64Array(WIN);
  #feat = new Float64Array(DIM);
  #dw = new Float64Array(WIN);
  #fw = new Float64Array(WIN);
  // network and detection state
  #art: Art;
  #lastAnomalyI = 0;
  #lastAnomalySim = 0;
  #lastRhoUpdateI = 0;
  #maskAfterCat = false;
  #noNewCat = 0;
  #history = new Float64Array(16);
  #historyLen = 0;
  #simDiff: Float64Array;
  #simDiffHead = 0;
  #sim: Float64Array;
  #simHead = 0;
  #meanN = 0;
  #meanMu = 0;
  #scratch: Float64Array;

  constructor(options: ARTimeOptions = {}) {
    this.#o = resolveOptions(options);
    this.#options = { ...options };
    const o = this.#o;
    this.warmup = o.sstep * o.trend;
    this.sstep = o.sstep;
    this.#dsBuf = new Float64Array(o.sstep);
    this.#train = new Float64Array(o.trend);
    this.#simDiff = new Float64Array(o.trend + 1);
    this.#sim = new Float64Array((o.trend >> 1) + 1).fill(1);
    this.#scratch = new Float64Array(o.trend + 1);
    this.#art = new Art(o.maxCategories);
    if (o.fixed) {
      this.#lo = o.min;
      this.#hi = o.max;
    }
  }

  /** The options this detector was built with (for `restore` checks and copies). */
  get options(): ARTimeOptions {
    return { ...this.#options };
  }
  /** Training length in records (even). */
  get probation(): number {
    return this.#o.probation;
  }
  get count(): number {
    return this.#i - 1;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get lastRaw(): number {
    return this.#last;
  }
  /** Categories in the network. */
  get categories(): number {
    return this.#art.n;
  }
  /** Current value range [min, max] used for normalisation (NaN before it is known). */
  get range(): [number, number] {
    if (!this.#o.fixed && this.#dsi <= this.#o.trend) return [Number.NaN, Number.NaN];
    return [this.#lo, this.#hi];
  }

  /**
   * Scores then learns one value (timestamps are not used: ARTime works on
   * the record order). A non-finite value, or one beyond +-1e300, is counted
   * in `rejected`, skipped, and scored NaN.
   */
  update(value: number, _timestamp?: number): number {
    if (typeof value !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${KIND}.update: value must be a number, got ${describeValue(value)}.`,
      );
    }
    if (!(Math.abs(value) <= MAX_ABS)) {
      this.#rejected++;
      return Number.NaN;
    }
    return this.#step(value);
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, `${KIND}.updateBatch`);
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (Math.abs(v) <= MAX_ABS) out[k] = this.#step(v);
      else {
        this.#rejected++;
        out[k] = Number.NaN;
      }
    }
    return out;
  }

  #step(value: number): number {
    const o = this.#o;
    const i = this.#i;
    const sstep = o.sstep;
    this.#dsBuf[(i - 1) % sstep] = value;
    if (!o.fixed && this.#dsi <= o.trend) {
      if (value < this.#lo) this.#lo = value;
      if (value > this.#hi) this.#hi = value;
    }
    let anomaly = 0;
    if (i % sstep === 0) {
      const b = this.#dsBuf;
      const mean = juliaSum(b, 0, sstep) / sstep;
      let mx = b[0];
      let mn = b[0];
      for (let k = 1; k < sstep; k++) {
        const v = b[k];
        if (v > mx) mx = v;
        if (v < mn) mn = v;
      }
      const dsi = this.#dsi;
      if (dsi === 1) this.#dsAvg = mean;
      const avg = (this.#dsAvg + mean) / 2;
      this.#dsAvg = avg;
      let ds = mx;
      if (Math.abs(mx - avg) < Math.abs(mn - avg)) ds = mn; // spike below the mean
      if (Math.abs(ds - mean) < 0.1 * mean) ds = mean; // a spike must be at least 10%
      if (dsi < o.trend) this.#train[dsi - 1] = ds;
      else if (dsi === o.trend) {
        this.#train[dsi - 1] = ds;
        this.#trainBatch();
      } else {
        if (!o.fixed) this.#widen(ds);
        this.#features(ds, dsi);
        anomaly = this.#detect(this.#feat, 0, dsi);
      }
      this.#dsi = dsi + 1;
    }
    this.#i = i + 1;
    this.#last = anomaly;
    return anomaly;
  }

  /** Streaming mode: the range takes in a value outside it, with the margin. */
  #widen(ds: number): void {
    if (ds >= this.#lo && ds <= this.#hi) return;
    const lo = Math.min(this.#lo, ds);
    const hi = Math.max(this.#hi, ds);
    const pad = (hi - lo) * this.#o.rangeMargin;
    this.#lo = ds < this.#lo ? lo - pad : lo;
    this.#hi = ds > this.#hi ? hi + pad : hi;
  }

  /** Normalise, quantise, median-chomp `ds` and build the feature vector in #feat (zeros before a full window). */
  #features(ds: number, dsi: number): void {
    const span = this.#hi - this.#lo;
    let v = ds - this.#lo;
    if (span !== 0) v /= span;
    let level = roundEven(v * NLEVELS);
    if (level < 0) level = 0;
    else if (level > NLEVELS) level = NLEVELS;
    let q = level / NLEVELS;
    const bins = this.#medbin;
    bins[level]++;
    const medpos = dsi >> 1;
    if (dsi === 1) this.#medlevel = level;
    if (this.#medlevel > level) this.#below++;
    else if (this.#medlevel < level) this.#above++;
    // not strictly a running median but close enough (ARTime)
    if (medpos < this.#above) {
      this.#below += bins[this.#medlevel];
      this.#medlevel++;
      while (bins[this.#medlevel] === 0) this.#medlevel++;
      this.#above -= bins[this.#medlevel];
    } else if (medpos < this.#below) {
      this.#above += bins[this.#medlevel];
      this.#medlevel--;
      while (bins[this.#medlevel] === 0) this.#medlevel--;
      this.#below -= bins[this.#medlevel];
    }
    const med = this.#medlevel / NLEVELS;
    if (Math.abs(q - med) < CHOMP) q = med;
    const fwin = this.#fwin;
    for (let k = 0; k < WIN - 1; k++) fwin[k] = fwin[k + 1];
    fwin[WIN - 1] = q;
    const f = this.#feat;
    if (dsi < WIN) {
      f.fill(0);
      return;
    }
    const dw = this.#dw;
    let mn = fwin[0];
    for (let k = 1; k < WIN; k++) if (fwin[k] < mn) mn = fwin[k];
    let mx = 0;
    for (let k = 0; k < WIN; k++) {
      dw[k] = fwin[k] - mn;
      if (k === 0 || dw[k] > mx) mx = dw[k];
    }
    if (mx !== 0) for (let k = 0; k < WIN; k++) dw[k] /= mx;
    haar8(dw, this.#fw);
    const fw = this.#fw;
    let fmn = fw[0];
    for (let k = 1; k < WIN; k++) if (fw[k] < fmn) fmn = fw[k];
    let fmx = 0;
    for (let k = 0; k < WIN; k++) {
      fw[k] -= fmn;
      if (k === 0 || fw[k] > fmx) fmx = fw[k];
    }
    for (let k = 0; k < WIN; k++) {
      f[k] = fmx !== 0 ? fw[k] / fmx : fw[k];
      f[WIN + k] = fwin[k];
    }
  }

  /** End of the training period: features of the buffered values, starting vigilance, batch training. */
  #trainBatch(): void {
    const o = this.#o;
    const tw = o.trend;
    if (!o.fixed) {
      let lo = this.#lo;
      let hi = this.#hi;
      let span = hi - lo;
      if (span === 0) span = Math.abs(lo) > 0 ? Math.abs(lo) : 1;
      lo -= span * o.rangeMargin;
      hi += span * o.rangeMargin;
      if (hi === lo) hi = lo + 1;
      this.#lo = lo;
      this.#hi = hi;
    }
    const feats = new Float64Array(tw * DIM);
    for (let k = 0; k < tw; k++) {
      this.#features(this.#train[k], k + 1);
      feats.set(this.#feat, k * DIM);
    }
    const rho = initRho(feats, tw, o.maxCategories);
    this.#art.rhoLb = rho;
    this.#art.rhoUb = rho;
    for (let k = 0; k < tw; k++) this.#detect(feats, k * DIM, k + 1);
  }

  #detect(f: Float64Array, off: number, i: number): number {
    const o = this.#o;
    const tw = o.trend;
    const art = this.#art;
    const sinceAnomaly = i - this.#lastAnomalyI;
    const updateAfterAnomaly = sinceAnomaly === MASK;
    const updateForTrend = i - this.#lastRhoUpdateI >= tw >> 1;
    const maskAfterAnomaly = sinceAnomaly <= MASK;
    if (i > tw + MASK && this.#maskAfterCat && this.#noNewCat >= MASK) this.#maskAfterCat = false;
    let cat: boolean; // true: a new category (ARTime's cat == -1)
    if (i < WIN) {
      art.train(f, off, false, i);
      cat = true;
    } else cat = art.train(f, off, true, i);
    this.#noNewCat = cat ? 0 : this.#noNewCat + 1;
    const a = art.a;
    this.#meanN++;
    this.#meanMu += (1 / this.#meanN) * (a - this.#meanMu);
    this.#sim[this.#simHead] = a;
    this.#simHead = (this.#simHead + 1) % this.#sim.length;
    this.#simDiff[this.#simDiffHead] = art.rhoUb - a;
    this.#simDiffHead = (this.#simDiffHead + 1) % this.#simDiff.length;
    if (sinceAnomaly < MASK && this.#historyLen > 0) {
      const h = this.#historyLen - 1;
      if (a < this.#history[h]) this.#history[h] = a;
    }
    const masking = this.#maskAfterCat || maskAfterAnomaly;
    const belowLast = a < this.#lastAnomalySim * (maskAfterAnomaly ? 0.9 : 0.7);
    let anomaly = 0;
    if (i > tw && cat && (!masking || belowLast)) {
      anomaly = this.#confidence(a, art.ae);
      this.#pushHistory(a);
      this.#lastAnomalySim = a;
      this.#lastAnomalyI = i;
    }
    this.#maskAfterCat = cat || this.#maskAfterCat;
    if (i > tw && (updateAfterAnomaly || updateForTrend)) {
      let minSim = this.#sim[0];
      for (let k = 1; k < this.#sim.length; k++) if (this.#sim[k] < minSim) minSim = this.#sim[k];
      const ub = Math.min(0.97, this.#meanMu);
      const prevLb = art.rhoLb;
      let lb: number;
      if (prevLb <= minSim) lb = prevLb + (minSim - prevLb) * 0.19;
      else {
        let decr = 0;
        if (i > tw * 2) {
          const s = this.#scratch;
          const d = this.#simDiff;
          const len = d.length;
          let n = 0;
          for (let k = 0; k < len; k++) {
            const x = d[(this.#simDiffHead + k) % len];
            if (x > 0.05) s[n++] = Math.min(0.37, x);
          }
          if (n > 0) decr = juliaSum(s, 0, n) / n;
        }
        decr = Math.max(0.01, decr);
        lb = prevLb - decr / 2;
        if (this.#historyLen > 0) {
          lb = Math.max(juliaSum(this.#history, 0, this.#historyLen) / this.#historyLen, lb);
        }
      }
      lb = Math.min(ub, lb);
      art.rhoLb = lb;
      art.rhoUb = ub;
      this.#lastRhoUpdateI = i;
      this.#maskAfterCat = true;
    }
    return anomaly;
  }

  #pushHistory(a: number): void {
    if (this.#historyLen === MAX_HISTORY) {
      this.#history.copyWithin(0, 1);
      this.#historyLen--;
    } else if (this.#historyLen === this.#history.length) {
      const h = new Float64Array(this.#history.length * 2);
      h.set(this.#history);
      this.#history = h;
    }
    this.#history[this.#historyLen++] = a;
  }

  #confidence(sim: number, energy: number): number {
    const art = this.#art;
    const fs = Math.min(0.999, sim);
    const ub = (1 - fs - (1 - art.rhoUb)) / (1 - fs);
    const lb = (1 - fs - (1 - art.rhoLb)) / (1 - fs);
    let s = ub * 0.35 + lb * 0.65 + (1.0 - energy) * 1.5;
    s = Math.min(1.0, s);
    return roundEven(s * 1e6) / 1e6;
  }

  /**
   * The detector's whole state, versioned; JSON-safe. The snapshot carries
   * an empty `calibrator` (ARTime's score is not calibrated) so that it has
   * the shape of every other detector's snapshot.
   */
  snapshot(): DetectorSnapshot {
    const o = this.#o;
    const art = this.#art;
    const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const state: ARTimeState = {
      config: {
        probation: o.probation,
        min: o.fixed ? o.min : null,
        max: o.fixed ? o.max : null,
        rangeMargin: o.rangeMargin,
        maxCategories: o.maxCategories,
      },
      last: this.#last,
      lo: fin(this.#lo),
      hi: fin(this.#hi),
      dsBuf: Array.from(this.#dsBuf),
      dsi: this.#dsi,
      dsAvg: this.#dsAvg,
      train: Array.from(this.#train),
      medbin: Array.from(this.#medbin),
      medlevel: this.#medlevel,
      below: this.#below,
      above: this.#above,
      fwin: Array.from(this.#fwin),
      categories: art.n,
      rhoLb: art.rhoLb,
      rhoUb: art.rhoUb,
      lastBest: art.lastBest,
      w: Array.from(art.w.subarray(0, art.n * DIM2)),
      used: Array.from(art.used.subarray(0, art.n)),
      lastAnomalyI: this.#lastAnomalyI,
      lastAnomalySim: this.#lastAnomalySim,
      lastRhoUpdateI: this.#lastRhoUpdateI,
      maskAfterCat: this.#maskAfterCat,
      noNewCat: this.#noNewCat,
      history: Array.from(this.#history.subarray(0, this.#historyLen)),
      simDiff: Array.from(this.#simDiff),
      simDiffHead: this.#simDiffHead,
      sim: Array.from(this.#sim),
      simHead: this.#simHead,
      meanN: this.#meanN,
      meanMu: this.#meanMu,
    };
    return {
      kind: KIND,
      version: SNAPSHOT_VERSION,
      n: this.#i - 1,
      rejected: this.#rejected,
      calibrator: emptyCalibrator(),
      state,
    };
  }

  /**
   * Resumes from a `snapshot()` of an ARTimeDetector built with the same
   * options. A snapshot that is not one (or was altered) is refused with
   * CORRUPT_STATE, another version with UNSUPPORTED_VERSION; either way the
   * detector is left unchanged.
   */
  restore(snapshot: DetectorSnapshot): this {
    const s = snapshot as Partial<DetectorSnapshot> | null;
    if (!s || typeof s !== 'object' || s.kind !== KIND) {
      throw corrupt(`pass a snapshot() of an ${KIND} (got kind ${describeValue(s?.kind)})`);
    }
    if (s.version !== SNAPSHOT_VERSION) {
      throw new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `${KIND}.restore: snapshot version ${describeValue(s.version)} is not supported (expected ${SNAPSHOT_VERSION}).`,
      );
    }
    const o = this.#o;
    const st = s.state as ARTimeState;
    if (!st || typeof st !== 'object' || !st.config || typeof st.config !== 'object') {
      throw corrupt('the snapshot has no state');
    }
    const c = st.config;
    if (
      c.probation !== o.probation ||
      c.rangeMargin !== o.rangeMargin ||
      c.maxCategories !== o.maxCategories ||
      (o.fixed ? c.min !== o.min || c.max !== o.max : c.min !== null || c.max !== null)
    ) {
      throw corrupt(
        'the snapshot was taken with other options (probation, min/max, rangeMargin or maxCategories)',
      );
    }
    const n = int(s.n, 0, Number.MAX_SAFE_INTEGER - 1, 'n');
    const rejected = int(s.rejected, 0, Number.MAX_SAFE_INTEGER, 'rejected');
    const dsi = int(st.dsi, 1, Number.MAX_SAFE_INTEGER, 'dsi');
    if (dsi - 1 !== Math.floor(n / o.sstep))
      throw corrupt('the record and feature counts disagree');
    const cats = int(st.categories, 0, o.maxCategories, 'categories');
    const art = new Art(o.maxCategories, Math.max(cats, 16));
    art.n = cats;
    art.w.set(floats(st.w, cats * DIM2, 'w', 0, 1));
    art.used.set(floats(st.used, cats, 'used'));
    for (let j = 0; j < cats; j++) art.cache(j);
    art.rhoLb = num(st.rhoLb, 'rhoLb');
    art.rhoUb = num(st.rhoUb, 'rhoUb');
    art.lastBest = int(st.lastBest, 0, Math.max(0, cats - 1), 'lastBest');
    const medbin = Int32Array.from(
      floats(st.medbin, NLEVELS + 1, 'medbin', 0, Number.MAX_SAFE_INTEGER),
    );
    if (medbin.some((v, k) => v !== st.medbin[k])) throw corrupt('medbin must hold integers');
    const trained = dsi > o.trend;
    const levelled = trained ? dsi - 1 : 0;
    if (medbin.reduce((a, b) => a + b, 0) !== levelled || trained !== cats > 0) {
      throw corrupt('the level histogram or the network does not match the record count');
    }
    const medlevel = int(st.medlevel, 0, NLEVELS, 'medlevel');
    if (levelled > 0 && medbin[medlevel] === 0) throw corrupt('the median level is empty');
    const history = floats(st.history, -1, 'history');
    if (history.length > MAX_HISTORY) throw corrupt(`history holds at most ${MAX_HISTORY} values`);
    const lo = st.lo === null && !o.fixed && !trained ? Number.POSITIVE_INFINITY : num(st.lo, 'lo');
    const hi = st.hi === null && !o.fixed && !trained ? Number.NEGATIVE_INFINITY : num(st.hi, 'hi');
    if (o.fixed ? lo !== o.min || hi !== o.max : Number.isFinite(lo) && !(hi >= lo)) {
      throw corrupt('the value range is inconsistent');
    }
    const next = {
      last: num(st.last, 'last', 0, 1),
      dsBuf: floats(st.dsBuf, o.sstep, 'dsBuf'),
      dsAvg: num(st.dsAvg, 'dsAvg'),
      train: floats(st.train, o.trend, 'train'),
      fwin: floats(st.fwin, WIN, 'fwin', 0, 1),
      below: int(st.below, 0, levelled, 'below'),
      above: int(st.above, 0, levelled, 'above'),
      lastAnomalyI: int(st.lastAnomalyI, 0, dsi, 'lastAnomalyI'),
      lastAnomalySim: num(st.lastAnomalySim, 'lastAnomalySim'),
      lastRhoUpdateI: int(st.lastRhoUpdateI, 0, dsi, 'lastRhoUpdateI'),
      noNewCat: int(st.noNewCat, 0, dsi, 'noNewCat'),
      simDiff: floats(st.simDiff, o.trend + 1, 'simDiff'),
      simDiffHead: int(st.simDiffHead, 0, o.trend, 'simDiffHead'),
      sim: floats(st.sim, (o.trend >> 1) + 1, 'sim'),
      simHead: int(st.simHead, 0, o.trend >> 1, 'simHead'),
      meanN: int(st.meanN, 0, dsi, 'meanN'),
      meanMu: num(st.meanMu, 'meanMu'),
    };
    if (typeof st.maskAfterCat !== 'boolean') throw corrupt('maskAfterCat must be a boolean');
    // all checked: commit
    this.#i = n + 1;
    this.#rejected = rejected;
    this.#last = next.last;
    this.#lo = lo;
    this.#hi = hi;
    this.#dsBuf = next.dsBuf;
    this.#dsi = dsi;
    this.#dsAvg = next.dsAvg;
    this.#train = next.train;
    this.#medbin = medbin;
    this.#medlevel = medlevel;
    this.#below = next.below;
    this.#above = next.above;
    this.#fwin = next.fwin;
    this.#art = art;
    this.#lastAnomalyI = next.lastAnomalyI;
    this.#lastAnomalySim = next.lastAnomalySim;
    this.#lastRhoUpdateI = next.lastRhoUpdateI;
    this.#maskAfterCat = st.maskAfterCat;
    this.#noNewCat = next.noNewCat;
    this.#history = new Float64Array(Math.max(16, history.length));
    this.#history.set(history);
    this.#historyLen = history.length;
    this.#simDiff = next.simDiff;
    this.#simDiffHead = next.simDiffHead;
    this.#sim = next.sim;
    this.#simHead = next.simHead;
    this.#meanN = next.meanN;
    this.#meanMu = next.meanMu;
    return this;
  }
}

/** The serialisable state inside an ARTimeDetector snapshot (version 1). */
interface ARTimeState {
  config: {
    probation: number;
    min: number | null;
    max: number | null;
    rangeMargin: number;
    maxCategories: number;
  };
  last: number;
  lo: number | null;
  hi: number | null;
  dsBuf: number[];
  dsi: number;
  dsAvg: number;
  train: number[];
  medbin: number[];
  medlevel: number;
  below: number;
  above: number;
  fwin: number[];
  categories: number;
  rhoLb: number;
  rhoUb: number;
  lastBest: number;
  w: number[];
  used: number[];
  lastAnomalyI: number;
  lastAnomalySim: number;
  lastRhoUpdateI: number;
  maskAfterCat: boolean;
  noNewCat: number;
  history: number[];
  simDiff: number[];
  simDiffHead: number;
  sim: number[];
  simHead: number;
  meanN: number;
  meanMu: number;
}

const corrupt = (what: string): EdgewiseError =>
  new EdgewiseError('CORRUPT_STATE', `${KIND}.restore: ${what}; pass an unaltered snapshot().`);

function num(v: unknown, name: string, lo = -Number.MAX_VALUE, hi = Number.MAX_VALUE): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) {
    throw corrupt(`${name} must be a number in [${lo}, ${hi}], got ${describeValue(v)}`);
  }
  return v;
}

function int(v: unknown, lo: number, hi: number, name: string): number {
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) {
    throw corrupt(`${name} must be an integer in [${lo}, ${hi}], got ${describeValue(v)}`);
  }
  return v as number;
}

/** A Float64Array from a number[] of the given length (-1: any), every element finite and in [lo, hi]. */
function floats(
  v: unknown,
  len: number,
  name: string,
  lo = -Number.MAX_VALUE,
  hi = Number.MAX_VALUE,
): Float64Array {
  if (!Array.isArray(v) || (len >= 0 && v.length !== len)) {
    throw corrupt(`${name} must be an array of ${len >= 0 ? len : 'any number of'} numbers`);
  }
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) out[k] = num(v[k], `${name}[${k}]`, lo, hi);
  return out;
}

let emptyCal: CalibratorSnapshot | undefined;
function emptyCalibrator(): CalibratorSnapshot {
  emptyCal ??= new ScoreCalibrator().snapshot();
  return structuredClone(emptyCal);
}

/** Wavelets.jl `dwt(x, wavelet(WT.haar))` of 8 values, full depth, into y (periodic filter bank, same operation order). */
function haar8(x: Float64Array, y: Float64Array): void {
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
function similarity(f: Float64Array, i: number, j: number, norms: Float64Array): number {
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
const simProd = new Float64Array(DIM);

/**
 * ARTime's `init_rho`: orders the complete training feature vectors by their
 * summed similarity to the others, trains a network with vigilance 0.8 on
 * them in that order, and returns the mean similarity over its second half.
 */
function initRho(feats: Float64Array, tw: number, maxCategories: number): number {
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
