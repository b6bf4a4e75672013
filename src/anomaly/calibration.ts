import { EdgewiseError } from '../errors';

/**
 * Online, mergeable score calibration: the empirical CDF of the raw scores
 * seen so far, kept in a fixed log-spaced histogram (a Fenwick tree, so both
 * `add` and `cdf` are O(log bins)).
 *
 * - Bins: 0 (and negatives) in bin 0; (0, 1e-6] in bin 1; then bins of
 *   relative width 2^(1/32) (about 2.2%) up to 2^40 (~1e12); larger values
 *   fall in the last bin. Resolution is therefore relative: a raw score's
 *   calibrated value is exact to within its bin.
 * - `calibrate(x)` returns the mid-rank ECDF, P(X < x) + P(X = bin(x)) / 2,
 *   so a raw score never seen before at the top of the history maps close to
 *   1 - 1/(2n) and a typical value near 0.5.
 * - Merging adds histograms (exact, commutative): calibrators of the same
 *   detector over different series or workers can be pooled.
 * - Tail: above the `tailFrom` quantile u (default 0.98) the ECDF is replaced
 *   by an exponential tail fitted to the histogram (peaks-over-threshold with
 *   the mean excess over u): P(X > x) = P(X > u) exp(-(x - u) / mean excess).
 *   So values beyond everything seen still get distinct, ordered scores
 *   instead of saturating at 1 - 1/(2n). The fit is refreshed every 64 adds.
 * - `decay` (optional, per update) slowly forgets the past by multiplying all
 *   counts lazily (applied as a growing weight of new values, renormalised
 *   when it gets large), so a calibration follows a drifting score level.
 */
const LOG_MIN = -20; // 2^-20 ~ 1e-6
const LOG_MAX = 40;
const PER_OCTAVE = 32;
export const CALIBRATION_BINS = 2 + (LOG_MAX - LOG_MIN) * PER_OCTAVE;
const BIN_VALUES = Float64Array.from({ length: CALIBRATION_BINS + 2 }, (_, b) =>
  b === 0 ? 0 : b === 1 ? 2 ** LOG_MIN / 2 : 2 ** ((b - 2 + 0.5) / PER_OCTAVE + LOG_MIN),
);

/** The state of a `ScoreCalibrator` (`snapshot()`), JSON-safe. */
export interface CalibratorSnapshot {
  tree: number[];
  total: number;
  weight: number;
  /** [u, P(X > u), mean excess, adds since the last fit, highest bin used] */
  tail: number[];
}

/**
 * Maps a detector's raw deviations to calibrated scores in [0, 1]: the mid-rank empirical CDF of
 * its own past raw scores (a log-spaced Fenwick-tree histogram) with an exponential tail above
 * the 98th percentile.
 */
export class ScoreCalibrator {
  #tree: Float64Array; // Fenwick tree, 1-based
  #total = 0;
  #weight = 1;
  readonly decay: number;
  readonly tailFrom: number;
  #tailU = Number.POSITIVE_INFINITY;
  #tailP = 0;
  #tailBeta = 1;
  #sinceFit = 0;
  #maxBin = 0;
  #lastExc = Number.NaN;

  constructor(options: { decay?: number; tailFrom?: number } = {}) {
    this.tailFrom = options.tailFrom ?? 0.98;
    const decay = options.decay ?? 0;
    if (!(decay >= 0 && decay < 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ScoreCalibrator: decay must be in [0, 1), got ${decay}.`,
      );
    }
    this.decay = decay;
    this.#tree = new Float64Array(CALIBRATION_BINS + 1);
  }

  /** Number (or decayed weight) of raw scores seen. */
  get count(): number {
    return this.#total / this.#weight;
  }

  static bin(x: number): number {
    if (!(x > 0)) return 0;
    if (x <= 2 ** LOG_MIN) return 1;
    const b = 2 + Math.floor((Math.log2(x) - LOG_MIN) * PER_OCTAVE);
    return b >= CALIBRATION_BINS ? CALIBRATION_BINS - 1 : b;
  }

  #prefix(bin: number): number {
    // sum of bins [0, bin)
    let s = 0;
    for (let i = bin; i > 0; i -= i & -i) s += this.#tree[i];
    return s;
  }

  /** Adds one raw score (NaN is ignored). */
  add(x: number): void {
    if (!Number.isNaN(x)) this.#addBin(ScoreCalibrator.bin(x));
  }

  /** `calibrate(x)` then `add(x)`, finding the bin once. */
  score(x: number): number {
    if (Number.isNaN(x)) {
      this.#lastExc = Number.NaN;
      return 0.5;
    }
    const b = ScoreCalibrator.bin(x);
    const q = this.#cdf(x, b);
    this.#lastExc = q > 0.999 && this.#total > 0 ? this.#exceedanceAt(b) : Number.NaN;
    this.#addBin(b);
    return q;
  }

  /**
   * `exceedance(x)` of the last `score(x)`, before x was added, where that
   * score passed 0.999 (the only records where it can matter for an alarm);
   * NaN elsewhere.
   */
  get lastExceedance(): number {
    return this.#lastExc;
  }

  #addBin(bx: number): void {
    if (this.decay > 0) {
      this.#weight /= 1 - this.decay;
      if (this.#weight > 1e100) this.#rescale();
    }
    const w = this.#weight;
    if (bx > this.#maxBin) this.#maxBin = bx;
    for (let i = bx + 1; i <= CALIBRATION_BINS; i += i & -i) this.#tree[i] += w;
    this.#total += w;
    if (++this.#sinceFit >= 64) this.#fitTail();
  }

  /** Representative value of a bin (geometric centre). */
  static binValue(b: number): number {
    return b <= CALIBRATION_BINS + 1
      ? BIN_VALUES[Math.max(b, 0)]
      : 2 ** ((b - 2 + 0.5) / PER_OCTAVE + LOG_MIN);
  }

  #fitTail(): void {
    this.#sinceFit = 0;
    if (this.#total / this.#weight < 50) {
      this.#tailU = Number.POSITIVE_INFINITY;
      return;
    }
    // bin containing the tailFrom quantile (Fenwick descent)
    const target = this.tailFrom * this.#total;
    let pos = 0;
    let acc = 0;
    for (let step = 1 << Math.floor(Math.log2(CALIBRATION_BINS)); step > 0; step >>= 1) {
      const nx = pos + step;
      if (nx <= CALIBRATION_BINS && acc + this.#tree[nx] <= target) {
        pos = nx;
        acc += this.#tree[nx];
      }
    }
    // bins [0, pos) hold <= target; the quantile is in bin `pos`; tail = bins above it
    const ub = pos;
    let cnt = 0;
    let ex = 0;
    const u = ScoreCalibrator.binValue(ub + 1) / 2 ** (0.5 / PER_OCTAVE); // lower edge of bin ub + 1
    let prev = this.#prefix(ub + 1);
    for (let b = ub + 1; b <= this.#maxBin; b++) {
      const cur = this.#prefix(b + 1);
      const c = cur - prev;
      prev = cur;
      if (c > 0) {
        cnt += c;
        ex += c * (ScoreCalibrator.binValue(b) - u);
      }
    }
    if (cnt <= 0 || ex <= 0) {
      this.#tailU = Number.POSITIVE_INFINITY;
      return;
    }
    this.#tailU = u;
    this.#tailP = cnt / this.#total;
    this.#tailBeta = ex / cnt;
  }

  #rescale(): void {
    const f = 1 / this.#weight;
    for (let i = 0; i < this.#tree.length; i++) this.#tree[i] *= f;
    this.#total *= f;
    this.#weight = 1;
  }

  /** Mid-rank empirical CDF of `x` among the scores added so far (0.5 when empty). */
  calibrate(x: number): number {
    return Number.isNaN(x) ? 0.5 : this.#cdf(x, ScoreCalibrator.bin(x));
  }

  #cdf(x: number, b: number): number {
    if (this.#total === 0) return 0.5;
    if (x > this.#tailU) return 1 - this.#tailP * Math.exp(-(x - this.#tailU) / this.#tailBeta);
    const below = this.#prefix(b);
    const at = this.#prefix(b + 1) - below;
    return (below + at / 2) / this.#total;
  }

  /**
   * The share of the raw scores seen so far at or above `x` (counting `x`'s
   * histogram bin, so to within its 2.2%), from the histogram itself, not
   * the fitted tail; 1 before any score.
   */
  exceedance(x: number): number {
    return this.#total > 0 ? this.#exceedanceAt(ScoreCalibrator.bin(x)) : 1;
  }

  /** The share of the scores seen in bin `b` or above (the total is > 0). */
  #exceedanceAt(b: number): number {
    return Math.max(0, this.#total - this.#prefix(b)) / this.#total;
  }

  /** Adds `other`'s histogram to this one. */
  merge(other: ScoreCalibrator): this {
    const f = this.#weight / other.#weight;
    for (let i = 0; i < this.#tree.length; i++) this.#tree[i] += other.#tree[i] * f;
    this.#total += other.#total * f;
    this.#maxBin = Math.max(this.#maxBin, other.#maxBin);
    this.#fitTail();
    return this;
  }

  snapshot(): CalibratorSnapshot {
    return {
      tree: Array.from(this.#tree),
      total: this.#total,
      weight: this.#weight,
      tail: [this.#tailU, this.#tailP, this.#tailBeta, this.#sinceFit, this.#maxBin],
    };
  }

  /**
   * Resumes from a `snapshot()`. Checks the histogram (every bin count >= 0,
   * the total their sum), the weight and the tail fit; a damaged snapshot is
   * refused with CORRUPT_STATE and the calibrator keeps its state.
   */
  restore(s: CalibratorSnapshot): this {
    const bad = (what: string): EdgewiseError =>
      new EdgewiseError(
        'CORRUPT_STATE',
        `ScoreCalibrator.restore: ${what}; pass an unmodified snapshot() of a ScoreCalibrator.`,
      );
    if (
      !s ||
      typeof s !== 'object' ||
      !Array.isArray(s.tree) ||
      s.tree.length !== this.#tree.length ||
      !Array.isArray(s.tail) ||
      s.tail.length !== 5
    ) {
      throw bad('not a calibrator snapshot');
    }
    const tree = s.tree;
    // Array.from: a sparse array's holes are checked too
    if (!Array.from(tree).every((x) => Number.isFinite(x) && x >= 0) || tree[0] !== 0) {
      throw bad('bad histogram');
    }
    const { total, weight } = s;
    // the weight grows only with decay, and is renormalised below 1e100
    if (
      !(Number.isFinite(weight) && weight >= 1 && weight <= 1e100) ||
      (this.decay === 0 && weight !== 1)
    ) {
      throw bad('bad weight');
    }
    if (!(Number.isFinite(total) && total >= 0)) throw bad('bad total');
    // bin counts from the Fenwick tree: each >= 0 (up to rounding), summing to the total
    const t = Float64Array.from(tree);
    const prefix = (bin: number): number => {
      let acc = 0;
      for (let i = bin; i > 0; i -= i & -i) acc += t[i];
      return acc;
    };
    const tol = 1e-9 * (1 + total);
    let prev = 0;
    let top = 0;
    for (let b = 0; b < CALIBRATION_BINS; b++) {
      const cur = prefix(b + 1);
      if (!(cur - prev >= -tol)) throw bad('negative bin count');
      if (cur - prev > tol) top = b;
      prev = cur;
    }
    if (!(Math.abs(prev - total) <= tol)) throw bad('the total is not the sum of the bins');
    const [u0, p, beta, since, maxBin] = s.tail;
    const u = u0 === null ? Number.POSITIVE_INFINITY : u0;
    if (!(u === Number.POSITIVE_INFINITY || (Number.isFinite(u) && u > 0))) throw bad('bad tail');
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw bad('bad tail');
    if (!(Number.isFinite(beta) && beta > 0)) throw bad('bad tail');
    if (!(Number.isInteger(since) && since >= 0 && since < 64)) throw bad('bad tail');
    if (
      !(Number.isInteger(maxBin) && maxBin >= (total > 0 ? top : 0) && maxBin < CALIBRATION_BINS)
    ) {
      throw bad('bad highest bin');
    }
    this.#tree.set(tree);
    this.#total = total;
    this.#weight = weight;
    this.#tailU = u;
    this.#tailP = p;
    this.#tailBeta = beta;
    this.#sinceFit = since;
    this.#maxBin = maxBin;
    return this;
  }
}
