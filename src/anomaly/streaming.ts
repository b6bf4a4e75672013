import { describeValue, EdgewiseError } from '../errors';
import { ScoreCalibrator } from './calibration';

/**
 * Streaming detectors: one value at a time, score-then-learn. `update(value,
 * timestamp?)` returns a calibrated score in [0, 1] computed from the past
 * only, then learns the value. Non-finite values return NaN, are counted in
 * `rejected` and change nothing.
 *
 * Calibration: each detector maps its raw score r (a deviation, >= 0) to the
 * mid-rank empirical CDF of its own past raw scores (`ScoreCalibrator`), so
 * 0.99 means "larger than 99% of what this detector produced on this series"
 * whatever the detector and the series. During `warmup` records the score is 0
 * (and the calibrator does not learn), because statistics of a few values are
 * not meaningful.
 */
export interface DetectorSnapshot {
  kind: string;
  version: number;
  n: number;
  rejected: number;
  calibrator: ReturnType<ScoreCalibrator['snapshot']>;
  state: unknown;
}

const SNAPSHOT_VERSION = 1;

/** The verbs every streaming detector speaks: `update`, `updateBatch`, `snapshot`, `restore`. */
export interface StreamingDetectorApi {
  readonly kind: string;
  /** Records learned. */
  readonly count: number;
  /** Non-finite values skipped. */
  readonly rejected: number;
  /** Raw (uncalibrated) score of the last update. */
  readonly lastRaw: number;
  update(value: number, timestamp?: number): number;
  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array;
  snapshot(): DetectorSnapshot;
  restore(snapshot: DetectorSnapshot): this;
}

/** Options shared by the streaming detectors. */
export interface BaseOptions {
  /** Records before scores are produced (default per detector). */
  warmup?: number;
  /**
   * Alarm floor, in the detector's raw units (standard deviations for the
   * z-scored detectors): inside a `StreamingDetector`, a record whose raw
   * deviation is below it cannot raise this member's point score above
   * 0.999, however high it ranks in the member's history (default 3 for
   * `GaussianDetector`, `MadDetector`, `EwmaDetector` and `SeasonalDetector`,
   * the 3-sigma control limit; 0 for the others). The member's own scores and
   * its likelihoods are unchanged.
   */
  alarmFloor?: number;
  /**
   * Likelihood floor, in standard deviations: inside a `StreamingDetector`,
   * this member's anomaly likelihoods cannot exceed 0.999 unless the window's
   * mean surprisal is at least this many standard deviations above its own
   * running mean (default 0: off).
   */
  likelihoodFloor?: number;
}

const checkFloor = (x: unknown, name: string, where: string): number => {
  if (typeof x !== 'number' || !(x >= 0 && x < Number.POSITIVE_INFINITY)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be a finite number >= 0, got ${describeValue(x)}.`,
    );
  }
  return x;
};

export function checkBatch(values: unknown, timestamps: unknown, where: string): void {
  if (
    values === null ||
    typeof values !== 'object' ||
    typeof (values as ArrayLike<number>).length !== 'number'
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: pass a Float64Array or an array of numbers, got ${describeValue(values)}.`,
    );
  }
  if (
    timestamps !== undefined &&
    (timestamps === null ||
      typeof timestamps !== 'object' ||
      (timestamps as ArrayLike<number>).length !== (values as ArrayLike<number>).length)
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: timestamps must be omitted or have one entry per value.`,
    );
  }
  const v = values as ArrayLike<unknown>;
  if (!ArrayBuffer.isView(v)) {
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `${where}: element ${i} is ${describeValue(v[i])}; pass numbers.`,
        );
      }
    }
  }
}

/** A record count: a non-negative safe integer. */
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
/** A finite number. */
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** A level learnt from the first record: null (JSON's NaN) exactly when nothing was learnt. */
const level = (x: unknown, n: number): boolean =>
  n === 0 ? x === null || Number.isNaN(x) : fin(x);

/**
 * The base of the calibrated streaming detectors: score-then-learn per record, warm-up, rejection
 * of non-finite values, calibration and snapshots.
 */
export abstract class BaseDetector implements StreamingDetectorApi {
  abstract readonly kind: string;
  protected readonly calibrator = new ScoreCalibrator();
  protected n = 0;
  #rejected = 0;
  #lastRaw = 0;
  readonly warmup: number;
  /** See `BaseOptions.alarmFloor`. */
  readonly alarmFloor: number;
  /** See `BaseOptions.likelihoodFloor`. */
  readonly likelihoodFloor: number;
  /**
   * How long the detector learns before its scores count in a
   * `StreamingDetector` (whose combination caps this member's contribution
   * at 0.5 until then): `ms` of epoch-millisecond timestamps or, without
   * them, `records`. 0 and 0 for most detectors; two days (two periods) for
   * `SeasonalDetector`.
   */
  readonly maturity: { readonly ms: number; readonly records: number } = { ms: 0, records: 0 };

  constructor(warmup: number, options: BaseOptions = {}, alarmFloor = 0) {
    if (!Number.isInteger(warmup) || warmup < 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `warmup must be a non-negative integer, got ${describeValue(warmup)}.`,
      );
    }
    this.warmup = warmup;
    this.alarmFloor = checkFloor(
      options.alarmFloor ?? alarmFloor,
      'alarmFloor',
      this.constructor.name,
    );
    this.likelihoodFloor = checkFloor(
      options.likelihoodFloor ?? 0,
      'likelihoodFloor',
      this.constructor.name,
    );
  }

  get count(): number {
    return this.n;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get lastRaw(): number {
    return this.#lastRaw;
  }

  /** Raw deviation of `x` from what was learned so far (>= 0). */
  protected abstract raw(x: number, t: number): number;
  /** Learns `x`. */
  protected abstract learn(x: number, t: number): void;
  protected abstract state(): unknown;
  /**
   * Restores `state()` (a copy: may be kept). `n` is the record count of the
   * snapshot. Implementations check every field and throw CORRUPT_STATE
   * (`this.corrupt(...)`) before changing anything.
   */
  protected abstract setState(s: unknown, n: number): void;

  /** The CORRUPT_STATE error of a damaged snapshot. */
  protected corrupt(what: string): EdgewiseError {
    return new EdgewiseError(
      'CORRUPT_STATE',
      `${this.kind}.restore: ${what}; pass an unmodified snapshot() of a ${this.kind} built with the same options.`,
    );
  }

  update(value: number, timestamp?: number): number {
    if (typeof value !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${this.kind}.update: value must be a number, got ${describeValue(value)}.`,
      );
    }
    if (!Number.isFinite(value)) {
      this.#rejected++;
      return Number.NaN;
    }
    const t = timestamp ?? this.n;
    let score = 0;
    if (this.n >= this.warmup) {
      const r = this.raw(value, t);
      this.#lastRaw = r;
      score = this.calibrator.score(r);
    } else this.#lastRaw = 0;
    this.learn(value, t);
    this.n++;
    return score;
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, `${this.kind}.updateBatch`);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.update(values[i], timestamps?.[i]);
    return out;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: SNAPSHOT_VERSION,
      n: this.n,
      rejected: this.#rejected,
      calibrator: this.calibrator.snapshot(),
      state: structuredClone(this.state()),
    };
  }

  restore(s: DetectorSnapshot): this {
    if (!s || typeof s !== 'object' || s.kind !== this.kind) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `${this.kind}.restore: pass a snapshot() of a ${this.kind} (got kind ${describeValue(s?.kind)}).`,
      );
    }
    if (s.version !== SNAPSHOT_VERSION) {
      throw new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `${this.kind}.restore: snapshot version ${s.version} is not supported (expected ${SNAPSHOT_VERSION}).`,
      );
    }
    if (!isCount(s.n) || !isCount(s.rejected)) throw this.corrupt('bad record counts');
    if (!s.state || typeof s.state !== 'object') throw this.corrupt('no state');
    const cal = new ScoreCalibrator().restore(s.calibrator).snapshot();
    const saved = structuredClone(this.state());
    const savedCal = this.calibrator.snapshot();
    try {
      this.setState(structuredClone(s.state), s.n);
      this.calibrator.restore(cal);
    } catch (e) {
      this.setState(saved, this.n);
      this.calibrator.restore(savedCal);
      if (e instanceof EdgewiseError) throw e;
      throw this.corrupt(`damaged state (${String(e)})`);
    }
    this.n = s.n;
    this.#rejected = s.rejected;
    return this;
  }
}

/** Fixed-capacity ring of the last `size` values. */
class Ring {
  buf: Float64Array;
  len = 0;
  head = 0;
  constructor(size: number) {
    this.buf = new Float64Array(size);
  }
  /** Pushes x; returns the evicted value or NaN. */
  push(x: number): number {
    const cap = this.buf.length;
    let out = Number.NaN;
    if (this.len === cap) out = this.buf[this.head];
    else this.len++;
    this.buf[this.head] = x;
    this.head = (this.head + 1) % cap;
    return out;
  }
  toJSON(): { buf: number[]; len: number; head: number } {
    return { buf: Array.from(this.buf), len: this.len, head: this.head };
  }
  /** Restores `toJSON()` of a ring of `size`; undefined when the state is not one. */
  static from(s: { buf: number[]; len: number; head: number }, size: number): Ring | undefined {
    if (
      !s ||
      !Array.isArray(s.buf) ||
      s.buf.length !== size ||
      !Array.from(s.buf).every(fin) ||
      !(Number.isInteger(s.len) && s.len >= 0 && s.len <= size) ||
      !(Number.isInteger(s.head) && s.head >= 0 && s.head < size) ||
      (s.len < size && s.head !== s.len)
    ) {
      return undefined;
    }
    const r = new Ring(s.buf.length);
    r.buf.set(s.buf);
    r.len = s.len;
    r.head = s.head;
    return r;
  }
}

const checkWindow = (w: unknown, where: string): number => {
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 3) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: window must be an integer >= 3, got ${describeValue(w)}.`,
    );
  }
  return w;
};

/** Scale floor: deviations are measured against max(scale, floor * |level| + 1e-12). */
const REL_FLOOR = 1e-3;

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

const checkAlpha = (a: unknown, where: string): number => {
  if (typeof a !== 'number' || !(a > 0 && a < 1)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: alpha must be in (0, 1), got ${describeValue(a)}.`,
    );
  }
  return a;
};

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

/** Options of `SeasonalDetector`. */
export interface SeasonalOptions extends BaseOptions {
  /** Slot width in ms when timestamps are given (default 30 min). */
  slotMs?: number;
  /**
   * Profiles: 'daily' (default) learns one level per time-of-day slot;
   * 'weekly' one per (day of week, slot); 'both' uses the weekly slot once it
   * has been seen `minSeen` times and the daily slot before.
   */
  profile?: 'daily' | 'weekly' | 'both';
  /** Period in records when timestamps are absent (default 288). */
  period?: number;
  /** Smoothing per slot (default 0.1). */
  alpha?: number;
  /** Visits before a weekly slot is trusted in 'both' mode (default 3). */
  minSeen?: number;
  /**
   * Learning time per record, in ms (default 300000, 5 minutes): with
   * epoch-ms timestamps a record weighs min(1, gap to the previous record /
   * `learnMs`) in the slot averages, so a slot learns at the same rate per
   * hour whether records come every 5 minutes or every second (and a slot
   * visited by 30 one-minute records is not turned into a fast tracker of
   * the last few). 0: every record weighs 1.
   */
  learnMs?: number;
}

const DAY_MS = 86_400_000;

/** One seasonal profile: EWMA level and mean absolute deviation per slot. */
class Profile {
  level: Float64Array;
  dev: Float64Array;
  seen: Float64Array;
  constructor(slots: number) {
    this.level = new Float64Array(slots);
    this.dev = new Float64Array(slots);
    this.seen = new Float64Array(slots);
  }
  /** Learns x in slot i with weight w in (0, 1] (`seen` sums the weights). */
  learn(i: number, x: number, alpha: number, gdev: number, w: number): void {
    if (this.seen[i] === 0) {
      this.level[i] = x;
      this.dev[i] = gdev;
    } else {
      const a = Math.max(alpha * w, w / (this.seen[i] + w));
      this.dev[i] += a * (Math.abs(x - this.level[i]) - this.dev[i]);
      this.level[i] += a * (x - this.level[i]);
    }
    this.seen[i] += w;
  }
  toJSON(): { level: number[]; dev: number[]; seen: number[] } {
    return {
      level: Array.from(this.level),
      dev: Array.from(this.dev),
      seen: Array.from(this.seen),
    };
  }
  /** Whether `s` is a `toJSON()` of a profile of this size with finite levels, spreads >= 0 and counts >= 0. */
  static valid(
    s: { level: number[]; dev: number[]; seen: number[] } | null,
    slots: number,
  ): boolean {
    const arr = (a: unknown, min: number) =>
      Array.isArray(a) && a.length === slots && Array.from(a).every((x) => fin(x) && x >= min);
    return (
      !!s &&
      typeof s === 'object' &&
      arr(s.level, Number.NEGATIVE_INFINITY) &&
      arr(s.dev, 0) &&
      arr(s.seen, 0)
    );
  }
  set(s: { level: number[]; dev: number[]; seen: number[] }): void {
    this.level.set(s.level);
    this.dev.set(s.dev);
    this.seen.set(s.seen);
  }
}

/**
 * Seasonal baseline: learns the expected level and spread per time-of-day
 * slot (optionally per day of week) from timestamps (ms since epoch, UTC), as
 * EWMAs. Without timestamps (or with small ones, < 1e11, read as record
 * numbers) the slot is the record index modulo `period`. Raw score:
 * |x - level(slot)| / spread, where the spread blends the slot's mean absolute
 * deviation with the series' (slow EWMA) so rarely visited slots are not
 * over-trusted.
 */
export class SeasonalDetector extends BaseDetector {
  readonly kind = 'SeasonalDetector';
  readonly opts: Required<Omit<SeasonalOptions, keyof BaseOptions>>;
  #daily: Profile;
  #weekly: Profile | undefined;
  #gm = Number.NaN;
  #gdev = 0;
  #prevT = Number.NaN;
  override readonly maturity: { readonly ms: number; readonly records: number };

  constructor(options: SeasonalOptions = {}) {
    super(options.warmup ?? 30, options, 3);
    this.opts = {
      slotMs: options.slotMs ?? 30 * 60_000,
      profile: options.profile ?? 'daily',
      period: options.period ?? 288,
      alpha: checkAlpha(options.alpha ?? 0.1, 'SeasonalDetector'),
      minSeen: options.minSeen ?? 3,
      learnMs: options.learnMs ?? 300_000,
    };
    if (!(this.opts.learnMs >= 0 && this.opts.learnMs <= DAY_MS)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `SeasonalDetector: learnMs must be in [0, 86400000], got ${describeValue(this.opts.learnMs)}.`,
      );
    }
    if (!(Number.isInteger(this.opts.period) && this.opts.period >= 1 && this.opts.period <= 1e6)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `SeasonalDetector: period must be an integer in [1, 1e6], got ${describeValue(this.opts.period)}.`,
      );
    }
    // a daily profile is not known before it has been seen twice
    this.maturity = { ms: 2 * DAY_MS, records: 2 * this.opts.period };
    if (!['daily', 'weekly', 'both'].includes(this.opts.profile)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `SeasonalDetector: profile must be 'daily', 'weekly' or 'both', got ${describeValue(this.opts.profile)}.`,
      );
    }
    if (!(this.opts.slotMs >= 1000 && DAY_MS % this.opts.slotMs === 0)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `SeasonalDetector: slotMs must divide a day (e.g. 900000 for 15 min), got ${describeValue(this.opts.slotMs)}.`,
      );
    }
    const perDay = DAY_MS / this.opts.slotMs;
    this.#daily = new Profile(Math.max(perDay, this.opts.period));
    if (this.opts.profile !== 'daily')
      this.#weekly = new Profile(Math.max(perDay * 7, this.opts.period));
  }
  #slots(t: number): [number, number] {
    if (t > 1e11) {
      const s = Math.floor((t % DAY_MS) / this.opts.slotMs);
      const day = (Math.floor(t / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
      return [s, day * (DAY_MS / this.opts.slotMs) + s];
    }
    const i = Math.floor(t) % this.opts.period;
    return [i, i];
  }
  protected raw(x: number, t: number): number {
    const [ds, ws] = this.#slots(t);
    let p = this.#daily;
    let i = ds;
    const w = this.#weekly;
    if (w && (this.opts.profile === 'weekly' || w.seen[ws] >= this.opts.minSeen)) {
      p = w;
      i = ws;
    }
    const gscale = Math.max(this.#gdev, REL_FLOOR * Math.abs(this.#gm) + 1e-12);
    if (p.seen[i] < 2) return Math.abs(x - this.#gm) / (gscale * 1.2533);
    const wt = Math.min(1, p.seen[i] / 8);
    const scale = wt * p.dev[i] + (1 - wt) * gscale + 0.1 * gscale;
    return Math.abs(x - p.level[i]) / (scale * 1.2533);
  }
  protected learn(x: number, t: number): void {
    if (Number.isNaN(this.#gm)) this.#gm = x;
    const ga = 0.01;
    this.#gdev += ga * (Math.abs(x - this.#gm) - this.#gdev);
    this.#gm += ga * (x - this.#gm);
    const [ds, ws] = this.#slots(t);
    const dt = t - this.#prevT;
    const w = t > 1e11 && dt > 0 && this.opts.learnMs > 0 ? Math.min(1, dt / this.opts.learnMs) : 1;
    this.#prevT = t;
    this.#daily.learn(ds, x, this.opts.alpha, this.#gdev, w);
    this.#weekly?.learn(ws, x, this.opts.alpha, this.#gdev, w);
  }
  protected state(): unknown {
    return {
      daily: this.#daily.toJSON(),
      weekly: this.#weekly?.toJSON() ?? null,
      gm: this.#gm,
      gdev: this.#gdev,
      // the last timestamp, once there is one
      ...(Number.isNaN(this.#prevT) ? {} : { prevT: this.#prevT }),
    };
  }
  protected setState(
    s: {
      daily: ReturnType<Profile['toJSON']>;
      weekly: ReturnType<Profile['toJSON']> | null;
      gm: number | null;
      gdev: number;
      /** Absent before learnMs (then every record resumes with weight 1 until the next). */
      prevT?: number | null;
    },
    n: number,
  ): void {
    if (!Profile.valid(s.daily, this.#daily.level.length)) throw this.corrupt('bad daily profile');
    if (this.#weekly && !Profile.valid(s.weekly, this.#weekly.level.length)) {
      throw this.corrupt('bad or missing weekly profile');
    }
    if (!level(s.gm, n) || !(fin(s.gdev) && s.gdev >= 0)) throw this.corrupt('bad global level');
    if (!(s.prevT === undefined || s.prevT === null || fin(s.prevT))) {
      throw this.corrupt('bad last timestamp');
    }
    this.#daily.set(s.daily);
    if (this.#weekly) this.#weekly.set(s.weekly as ReturnType<Profile['toJSON']>);
    this.#gm = s.gm ?? Number.NaN;
    this.#gdev = s.gdev;
    this.#prevT = s.prevT ?? Number.NaN;
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
