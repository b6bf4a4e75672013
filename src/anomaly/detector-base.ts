import { checkSnapshot, isCount } from '../core/state-codec';
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

export const SNAPSHOT_VERSION = 1;

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
  /**
   * Deviation floor, in standard deviations: inside a `StreamingDetector`,
   * this member's point score cannot pass 0.999 unless another member
   * without a deviation floor (a z-scored member: seasonal, EWMA, ...) sees a
   * raw deviation of at least this much at the same record (default 0: off).
   * For members whose score says "new shape" rather than "far from normal"
   * (`ARTimeMember`): their alarm needs the value to be unusual too.
   */
  deviationFloor?: number;
  /**
   * Alarm tail, a probability in (0, 1]: inside a `StreamingDetector`, this
   * member's point score cannot pass 0.999 unless the record's calibrated
   * tail probability in the member's own history (1 - its score) is at most
   * this (default 1: no requirement). The alarm floor alone assumes Gaussian
   * noise, where a deviation of 4 standard deviations has a probability of
   * 6.3e-5; on heavy-tailed data (counts, latencies) such deviations are
   * common. The default seasonal member uses 6.3e-5, the two-sided Gaussian
   * tail of its 4-sigma floor, so its point alarms keep the rate the floor
   * was chosen for (docs/anomaly-nab.md).
   */
  alarmTail?: number;
}

export const checkFloor = (x: unknown, name: string, where: string): number => {
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

/** A finite number. */
export const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** A level learnt from the first record: null (JSON's NaN) exactly when nothing was learnt. */
export const level = (x: unknown, n: number): boolean =>
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
  #lastAlarmDeviation = 0;
  #lastExceedance = Number.NaN;
  readonly warmup: number;
  /** See `BaseOptions.alarmFloor`. */
  readonly alarmFloor: number;
  /** See `BaseOptions.likelihoodFloor`. */
  readonly likelihoodFloor: number;
  /** See `BaseOptions.deviationFloor`. */
  readonly deviationFloor: number;
  /** See `BaseOptions.alarmTail`. */
  readonly alarmTail: number;
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
    this.deviationFloor = checkFloor(
      options.deviationFloor ?? 0,
      'deviationFloor',
      this.constructor.name,
    );
    const tail = options.alarmTail ?? 1;
    if (typeof tail !== 'number' || !(tail > 0 && tail <= 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${this.constructor.name}: alarmTail must be a probability in (0, 1], got ${describeValue(options.alarmTail)}.`,
      );
    }
    this.alarmTail = tail;
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
  /**
   * The deviation this detector's alarm floor is compared with inside a
   * `StreamingDetector`, at the last scored record: `lastRaw` for most
   * detectors; `SeasonalDetector` reports the least deviation over the slots
   * within its `slotTolerance`. 0 during warm-up.
   */
  get lastAlarmDeviation(): number {
    return this.#lastAlarmDeviation;
  }
  /**
   * The share of this detector's earlier raw deviations at least as large as
   * the last scored record's (`ScoreCalibrator.exceedance`, before that
   * record was added), computed where its calibrated score passed 0.999
   * (the only records where an alarm can depend on it); NaN elsewhere and
   * during warm-up. A `StreamingDetector` holds a member's point alarm where
   * it exceeds the member's share of the alarm level (`historyCheck`).
   */
  get lastExceedance(): number {
    return this.#lastExceedance;
  }
  /** The alarm deviation of the record just scored (`raw`: its raw deviation). */
  protected alarmDeviation(raw: number): number {
    return raw;
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
      this.#lastAlarmDeviation = this.alarmDeviation(r);
      score = this.calibrator.score(r);
      this.#lastExceedance = this.calibrator.lastExceedance;
    } else {
      this.#lastRaw = 0;
      this.#lastAlarmDeviation = 0;
      this.#lastExceedance = Number.NaN;
    }
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
    checkSnapshot(s, { kind: this.kind, version: SNAPSHOT_VERSION, where: `${this.kind}.restore` });
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
export class Ring {
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

export const checkWindow = (w: unknown, where: string): number => {
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 3) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: window must be an integer >= 3, got ${describeValue(w)}.`,
    );
  }
  return w;
};

/** Scale floor: deviations are measured against max(scale, floor * |level| + 1e-12). */
export const REL_FLOOR = 1e-3;

export const checkAlpha = (a: unknown, where: string): number => {
  if (typeof a !== 'number' || !(a > 0 && a < 1)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: alpha must be in (0, 1), got ${describeValue(a)}.`,
    );
  }
  return a;
};
