import { EdgewiseError } from '../errors';
import {
  BaseDetector,
  type BaseOptions,
  checkAlpha,
  checkWindow,
  fin,
  level,
  REL_FLOOR,
  Ring,
} from './detector-base';

/**
 * The calibrated streaming detectors (windowed Gaussian, MAD, EWMA chart,
 * CUSUM, Page-Hinkley) and, re-exported, their base (`./detector-base`) and
 * the seasonal baseline (`./seasonal`).
 */
export {
  BaseDetector,
  type BaseOptions,
  checkBatch,
  type DetectorSnapshot,
  type StreamingDetectorApi,
} from './detector-base';
export { SeasonalDetector, type SeasonalOptions } from './seasonal';

/** Options of `GaussianDetector`. */
export interface GaussianOptions extends BaseOptions {
  /** Sliding window length (default 400). */
  window?: number;
}

/** Windowed Gaussian: |x - mean| / std over a sliding window. */
export class GaussianDetector extends BaseDetector {
  readonly kind = 'GaussianDetector';
  #ring: Ring;
  #sum = 0;
  #sum2 = 0;
  #shift = Number.NaN;

  constructor(options: GaussianOptions = {}) {
    const w = checkWindow(options.window ?? 400, 'GaussianDetector');
    super(options.warmup ?? Math.min(30, w), options, 3);
    this.#ring = new Ring(w);
  }
  protected raw(x: number): number {
    const n = this.#ring.len;
    const m = this.#sum / n;
    const v = Math.max(0, this.#sum2 / n - m * m);
    const mean = m + this.#shift;
    const sd = Math.max(Math.sqrt(v), REL_FLOOR * Math.abs(mean) + 1e-12);
    return Math.abs(x - mean) / sd;
  }
  protected learn(x: number): void {
    if (Number.isNaN(this.#shift)) this.#shift = x;
    const d = x - this.#shift;
    const old = this.#ring.push(d);
    this.#sum += d;
    this.#sum2 += d * d;
    if (!Number.isNaN(old)) {
      this.#sum -= old;
      this.#sum2 -= old * old;
    }
  }
  protected state(): unknown {
    return { ring: this.#ring.toJSON(), sum: this.#sum, sum2: this.#sum2, shift: this.#shift };
  }
  protected setState(
    s: {
      ring: Parameters<typeof Ring.from>[0];
      sum: number;
      sum2: number;
      shift: number | null;
    },
    n: number,
  ): void {
    const ring = Ring.from(s.ring, this.#ring.buf.length);
    if (!ring || ring.len > n || (ring.len === 0) !== (n === 0)) throw this.corrupt('bad window');
    if (!level(s.shift, n)) throw this.corrupt('bad shift');
    // the running sums of the window (they drift by rounding)
    let sum = 0;
    let abs = 0;
    let sum2 = 0;
    for (let i = 0; i < ring.len; i++) {
      const d = ring.buf[(ring.head - 1 - i + ring.buf.length) % ring.buf.length];
      sum += d;
      abs += Math.abs(d);
      sum2 += d * d;
    }
    if (!(fin(s.sum) && Math.abs(s.sum - sum) <= 1e-6 * (1 + abs))) {
      throw this.corrupt('bad window sum');
    }
    if (!(fin(s.sum2) && s.sum2 >= 0 && Math.abs(s.sum2 - sum2) <= 1e-6 * (1 + sum2))) {
      throw this.corrupt('bad window sum of squares');
    }
    this.#ring = ring;
    this.#sum = s.sum;
    this.#sum2 = s.sum2;
    this.#shift = s.shift ?? Number.NaN;
  }
}

/** Options of `MadDetector`. */
export interface MadOptions extends BaseOptions {
  /** Sliding window length (default 200). */
  window?: number;
}

/** Robust: |x - median| / (1.4826 MAD) over a sliding window (sorted window, O(w) per update). */
export class MadDetector extends BaseDetector {
  readonly kind = 'MadDetector';
  #ring: Ring;
  #sorted: Float64Array;
  #len = 0;

  constructor(options: MadOptions = {}) {
    const w = checkWindow(options.window ?? 200, 'MadDetector');
    super(options.warmup ?? Math.min(30, w), options, 3);
    this.#ring = new Ring(w);
    this.#sorted = new Float64Array(w);
  }
  #lower(x: number): number {
    let lo = 0;
    let hi = this.#len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  protected raw(x: number): number {
    const s = this.#sorted;
    const n = this.#len;
    const med = n & 1 ? s[n >> 1] : (s[(n >> 1) - 1] + s[n >> 1]) / 2;
    // MAD: the k-th smallest |s[i] - med| by merging outward from the median
    const k = n >> 1; // lower median of deviations (0-based rank k for odd, avg for even below)
    let lo = this.#lower(med) - 1;
    let hi = lo + 1;
    let prev = 0;
    let cur = 0;
    for (let c = 0; c <= k; c++) {
      const dl = lo >= 0 ? med - s[lo] : Number.POSITIVE_INFINITY;
      const dh = hi < n ? s[hi] - med : Number.POSITIVE_INFINITY;
      prev = cur;
      if (dl <= dh) {
        cur = dl;
        lo--;
      } else {
        cur = dh;
        hi++;
      }
    }
    const mad = n & 1 ? cur : (prev + cur) / 2;
    const scale = Math.max(1.4826 * mad, REL_FLOOR * Math.abs(med) + 1e-12);
    return Math.abs(x - med) / scale;
  }
  protected learn(x: number): void {
    const old = this.#ring.push(x);
    const s = this.#sorted;
    if (!Number.isNaN(old)) {
      const i = this.#lower(old);
      s.copyWithin(i, i + 1, this.#len);
      this.#len--;
    }
    const j = this.#lower(x);
    s.copyWithin(j + 1, j, this.#len);
    s[j] = x;
    this.#len++;
  }
  protected state(): unknown {
    return { ring: this.#ring.toJSON() };
  }
  protected setState(st: { ring: Parameters<typeof Ring.from>[0] }, n: number): void {
    const ring = Ring.from(st.ring, this.#ring.buf.length);
    if (!ring || ring.len > n || (ring.len === 0) !== (n === 0)) throw this.corrupt('bad window');
    this.#ring = ring;
    const vals: number[] = [];
    const r = this.#ring;
    for (let i = 0; i < r.len; i++)
      vals.push(r.buf[(r.head - r.len + i + r.buf.length) % r.buf.length]);
    vals.sort((a, b) => a - b);
    this.#sorted = new Float64Array(r.buf.length);
    this.#sorted.set(vals);
    this.#len = vals.length;
  }
}

/** Options of `EwmaDetector`. */
export interface EwmaOptions extends BaseOptions {
  /** Smoothing of the mean and variance (default 0.05). */
  alpha?: number;
}

/** EWMA control chart: |x - ewma| / ewm-std. */
export class EwmaDetector extends BaseDetector {
  readonly kind = 'EwmaDetector';
  readonly alpha: number;
  #m = Number.NaN;
  #v = 0;

  constructor(options: EwmaOptions = {}) {
    const a = checkAlpha(options.alpha ?? 0.05, 'EwmaDetector');
    super(options.warmup ?? 30, options, 3);
    this.alpha = a;
  }
  protected raw(x: number): number {
    const sd = Math.max(Math.sqrt(this.#v), REL_FLOOR * Math.abs(this.#m) + 1e-12);
    return Math.abs(x - this.#m) / sd;
  }
  protected learn(x: number): void {
    if (Number.isNaN(this.#m)) {
      this.#m = x;
      return;
    }
    const d = x - this.#m;
    const a = this.alpha;
    this.#m += a * d;
    this.#v = (1 - a) * (this.#v + a * d * d);
  }
  protected state(): unknown {
    return { m: this.#m, v: this.#v };
  }
  protected setState(s: { m: number | null; v: number }, n: number): void {
    if (!level(s.m, n) || !(fin(s.v) && s.v >= 0)) throw this.corrupt('bad mean or variance');
    this.#m = s.m ?? Number.NaN;
    this.#v = s.v;
  }
}
/** Options of `CusumDetector`. */
export interface CusumOptions extends BaseOptions {
  /** Allowance k in standard deviations (default 0.5). */
  k?: number;
  /** Decision level h: the statistic restarts after exceeding it (default 8). */
  h?: number;
  /** Smoothing of the reference mean / std (default 0.01). */
  alpha?: number;
}

/**
 * Two-sided CUSUM on values standardised by a slow EWMA mean / std. Raw
 * score: max(S+, S-) in standard deviations; both restart at 0 once one
 * exceeds h (after the score is emitted).
 */
export class CusumDetector extends BaseDetector {
  readonly kind = 'CusumDetector';
  readonly k: number;
  readonly h: number;
  readonly alpha: number;
  #m = Number.NaN;
  #v = 0;
  #sp = 0;
  #sn = 0;

  constructor(options: CusumOptions = {}) {
    super(options.warmup ?? 30, options);
    this.k = options.k ?? 0.5;
    this.h = options.h ?? 8;
    this.alpha = checkAlpha(options.alpha ?? 0.01, 'CusumDetector');
    if (!(this.k >= 0) || !(this.h > 0)) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'CusumDetector: k must be >= 0 and h > 0.');
    }
  }
  #z(x: number): number {
    const sd = Math.max(Math.sqrt(this.#v), REL_FLOOR * Math.abs(this.#m) + 1e-12);
    return (x - this.#m) / sd;
  }
  protected raw(x: number): number {
    const z = this.#z(x);
    return Math.max(Math.max(0, this.#sp + z - this.k), Math.max(0, this.#sn - z - this.k));
  }
  protected learn(x: number): void {
    if (Number.isNaN(this.#m)) {
      this.#m = x;
      return;
    }
    const z = this.#z(x);
    this.#sp = Math.max(0, this.#sp + z - this.k);
    this.#sn = Math.max(0, this.#sn - z - this.k);
    if (this.#sp > this.h || this.#sn > this.h) {
      this.#sp = 0;
      this.#sn = 0;
    }
    const d = x - this.#m;
    this.#m += this.alpha * d;
    this.#v = (1 - this.alpha) * (this.#v + this.alpha * d * d);
  }
  protected state(): unknown {
    return { m: this.#m, v: this.#v, sp: this.#sp, sn: this.#sn };
  }
  protected setState(s: { m: number | null; v: number; sp: number; sn: number }, n: number): void {
    if (!level(s.m, n) || !(fin(s.v) && s.v >= 0)) throw this.corrupt('bad mean or variance');
    // both sums restart once one exceeds h
    if (!(fin(s.sp) && s.sp >= 0 && s.sp <= this.h && fin(s.sn) && s.sn >= 0 && s.sn <= this.h)) {
      throw this.corrupt('bad cumulative sums');
    }
    this.#m = s.m ?? Number.NaN;
    this.#v = s.v;
    this.#sp = s.sp;
    this.#sn = s.sn;
  }
}

/** Options of `PageHinkleyDetector`. */
export interface PageHinkleyOptions extends BaseOptions {
  /** Tolerated drift per record, in standard deviations (default 0.25). */
  delta?: number;
  /** Restart threshold in standard deviations (default 20). */
  lambda?: number;
  /** Forgetting of the cumulative sums (default 0.99). */
  forget?: number;
}

/**
 * Page-Hinkley test (two-sided) on standardised values: m_t = sum (z - delta),
 * PH = m_t - min m. Raw score: max of the up and down statistics; restarts
 * after exceeding lambda.
 */
export class PageHinkleyDetector extends BaseDetector {
  readonly kind = 'PageHinkleyDetector';
  readonly delta: number;
  readonly lambda: number;
  readonly forget: number;
  #mean = Number.NaN;
  #var = 0;
  #up = 0;
  #upMin = 0;
  #dn = 0;
  #dnMin = 0;

  constructor(options: PageHinkleyOptions = {}) {
    super(options.warmup ?? 30, options);
    this.delta = options.delta ?? 0.25;
    this.lambda = options.lambda ?? 20;
    this.forget = options.forget ?? 0.99;
    if (!(this.delta >= 0) || !(this.lambda > 0) || !(this.forget > 0 && this.forget <= 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'PageHinkleyDetector: delta >= 0, lambda > 0, forget in (0, 1].',
      );
    }
  }
  #z(x: number): number {
    const sd = Math.max(Math.sqrt(this.#var), REL_FLOOR * Math.abs(this.#mean) + 1e-12);
    return (x - this.#mean) / sd;
  }
  #next(x: number): [number, number, number, number] {
    const z = this.#z(x);
    const up = this.forget * this.#up + z - this.delta;
    const dn = this.forget * this.#dn - z - this.delta;
    return [up, Math.min(this.#upMin, up), dn, Math.min(this.#dnMin, dn)];
  }
  protected raw(x: number): number {
    const [up, upMin, dn, dnMin] = this.#next(x);
    return Math.max(up - upMin, dn - dnMin);
  }
  protected learn(x: number): void {
    if (Number.isNaN(this.#mean)) {
      this.#mean = x;
      return;
    }
    const [up, upMin, dn, dnMin] = this.#next(x);
    if (up - upMin > this.lambda || dn - dnMin > this.lambda) {
      this.#up = this.#upMin = this.#dn = this.#dnMin = 0;
    } else {
      this.#up = up;
      this.#upMin = upMin;
      this.#dn = dn;
      this.#dnMin = dnMin;
    }
    const a = 0.01;
    const d = x - this.#mean;
    this.#mean += a * d;
    this.#var = (1 - a) * (this.#var + a * d * d);
  }
  protected state(): unknown {
    return {
      mean: this.#mean,
      var: this.#var,
      up: this.#up,
      upMin: this.#upMin,
      dn: this.#dn,
      dnMin: this.#dnMin,
    };
  }
  protected setState(
    s: {
      mean: number | null;
      var: number;
      up: number;
      upMin: number;
      dn: number;
      dnMin: number;
    },
    n: number,
  ): void {
    if (!level(s.mean, n) || !(fin(s.var) && s.var >= 0)) {
      throw this.corrupt('bad mean or variance');
    }
    // the statistics restart once one exceeds lambda; the minima start at 0
    const ok = (x: number, min: number) =>
      fin(x) && fin(min) && min <= 0 && min <= x && x - min <= this.lambda;
    if (!ok(s.up, s.upMin) || !ok(s.dn, s.dnMin)) throw this.corrupt('bad statistics');
    this.#mean = s.mean ?? Number.NaN;
    this.#var = s.var;
    this.#up = s.up;
    this.#upMin = s.upMin;
    this.#dn = s.dn;
    this.#dnMin = s.dnMin;
  }
}
