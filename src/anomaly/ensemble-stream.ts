import { describeValue, EdgewiseError } from '../errors';
import { type CalibratorSnapshot, ScoreCalibrator } from './calibration';
import { HalfSpaceTreesDetector, RandomCutForestDetector } from './forests-stream';
import {
  BaseDetector,
  CusumDetector,
  checkBatch,
  type DetectorSnapshot,
  EwmaDetector,
  GaussianDetector,
  MadDetector,
  PageHinkleyDetector,
  SeasonalDetector,
  type StreamingDetectorApi,
} from './streaming';

/** The members of the default `StreamingDetector`, by name. */
export function defaultMembers(): Record<string, () => BaseDetector> {
  return {
    seasonal: () => new SeasonalDetector(),
    ewma: () => new EwmaDetector({ alpha: 0.01 }),
  };
}

/** Every streaming detector with its default options, by name (for evaluation). */
export function allDetectors(): Record<string, () => BaseDetector> {
  return {
    seasonal: () => new SeasonalDetector(),
    ewma: () => new EwmaDetector({ alpha: 0.01 }),
    gaussian: () => new GaussianDetector(),
    mad: () => new MadDetector(),
    cusum: () => new CusumDetector(),
    pageHinkley: () => new PageHinkleyDetector(),
    halfSpaceTrees: () => new HalfSpaceTreesDetector(),
    randomCutForest: () => new RandomCutForestDetector(),
  };
}

/** Options of `StreamingDetector`; every field has a default. */
export interface StreamingDetectorOptions {
  /** Member detectors (default: `defaultMembers()`: seasonal daily profile + slow EWMA chart). */
  members?: Record<string, BaseDetector>;
  /**
   * Alarm level of the combined score that starts (or extends) a cooldown
   * (default 0.996).
   */
  alarmLevel?: number;
  /**
   * Quiet period after the last record at alarm level, during which scores
   * are halved: `cooldown` records (default 100) or, when timestamps are
   * epoch milliseconds (> 1e11), `cooldownMs` (default 12 hours), whichever
   * ends first. 0 disables.
   */
  cooldown?: number;
  cooldownMs?: number;
  /**
   * Anomaly likelihood windows, in records (default [8, 16, 32, 64], one per octave; [] disables):
   * per member and window, the mean surprisal -ln(1 - p) of the last w
   * scores, calibrated against its own history.
   */
  likelihoodWindows?: number[];
  /**
   * Range novelty: a value beyond the range seen so far by more than this
   * fraction of the range scores 1 (default 0.05, as NAB's HTM detector;
   * Infinity disables).
   */
  rangeTolerance?: number;
  /**
   * Learning period, in records (default 150): the combined score is capped
   * at 0.5 ("no evidence either way") for the first `warmup` records, while
   * the members and their calibrations have seen too little to say what is
   * unusual. Everything is learnt as usual meanwhile. 0 disables.
   */
  warmup?: number;
}

/**
 * Anomaly likelihood of one member at one time scale (after Numenta's
 * `AnomalyLikelihood`): the mean surprisal of the member's last `w` scores,
 * calibrated by the ECDF of its own past means, so a run of moderately
 * unusual records scores high even when no single record does.
 */
class Likelihood {
  readonly ring: Float64Array;
  sum = 0;
  i = 0;
  readonly cal = new ScoreCalibrator();
  constructor(w: number) {
    this.ring = new Float64Array(w);
  }
  /** Pushes one surprisal e = -ln(1 - p); returns the calibrated mean (0 while `warm` is false). */
  update(e: number, warm: boolean): number {
    const r = this.ring;
    this.sum += e - r[this.i];
    r[this.i] = e;
    if (++this.i === r.length) {
      this.i = 0;
      this.sum = r.reduce((a, b) => a + b, 0); // no drift of the running sum
    }
    if (!warm) return 0;
    const m = this.sum / r.length;
    return this.cal.score(m);
  }
}

/**
 * The default streaming detector: an ensemble of calibrated members.
 *
 * Combination rule: each member's score p_i is already calibrated (the ECDF
 * of its own raw scores); the ensemble reports max_i p_i ^ m (m members),
 * the Šidák correction, which is again calibrated (uniform) when members are
 * independent and uniform, so the same threshold keeps its meaning whatever
 * the number of members (m counts every calibrated score in the max). Each
 * member also feeds one anomaly likelihood per window in `likelihoodWindows`
 * (a short-term mean of its surprisal, calibrated against its history; it
 * starts once the member has scored w records), which joins the max as one
 * more calibrated score, so sustained shifts and bursts are seen, not only
 * single outliers. Range novelty: a value outside the range seen so far
 * (widened by `rangeTolerance` of its width) scores 1, as in NAB's HTM
 * detector. Alarm cooldown: once the combined score reaches `alarmLevel`,
 * records report half their score until `cooldown` records or `cooldownMs`
 * (with epoch-ms timestamps), whichever is shorter, have passed without the
 * combined score reaching it again, so one incident, however
 * long, raises one alarm rather than a burst (a range novelty is never
 * halved; another incident in the quiet period shows only if its halved
 * score clears the user's threshold).
 * Learning period: the first `warmup` records score at most 0.5.
 * `contributions` holds each member's score of the last update (the max of
 * its point score and its likelihoods).
 */
export class StreamingDetector implements StreamingDetectorApi {
  readonly kind = 'StreamingDetector';
  readonly members: Record<string, BaseDetector>;
  readonly #names: string[];
  readonly #list: BaseDetector[];
  readonly contributions: Float64Array;
  #n = 0;
  #rejected = 0;
  #last = 0;
  #lastAlarm = Number.NEGATIVE_INFINITY;
  #lastAlarmT = Number.NEGATIVE_INFINITY;
  readonly alarmLevel: number;
  readonly cooldown: number;
  readonly cooldownMs: number;
  readonly warmup: number;
  readonly #cal = new ScoreCalibrator();
  readonly likelihoodWindows: readonly number[];
  readonly rangeTolerance: number;
  #lik: Likelihood[][];
  #lo = Number.NaN;
  #hi = Number.NaN;
  #parts: number;
  #warm: number;
  /** Scores are capped at 0.5 while count < #capUntil (the learning period). */
  #capUntil: number;

  constructor(options: StreamingDetectorOptions = {}) {
    if (options.members) {
      for (const [k, v] of Object.entries(options.members)) {
        if (!(v instanceof BaseDetector)) {
          throw new EdgewiseError(
            'INVALID_ARGUMENT',
            `StreamingDetector: member ${k} is ${describeValue(v)}; pass streaming detectors.`,
          );
        }
      }
      this.members = { ...options.members };
    } else {
      this.members = Object.fromEntries(Object.entries(defaultMembers()).map(([k, f]) => [k, f()]));
    }
    this.#names = Object.keys(this.members);
    this.#list = this.#names.map((k) => this.members[k]);
    if (this.#list.length === 0) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'StreamingDetector: pass at least one member.');
    }
    this.contributions = new Float64Array(this.#list.length);
    this.alarmLevel = options.alarmLevel ?? 0.996;
    this.cooldown = options.cooldown ?? 100;
    this.cooldownMs = options.cooldownMs ?? 12 * 3_600_000;
    this.warmup = options.warmup ?? 150;
    if (!Number.isInteger(this.warmup) || this.warmup < 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: warmup must be a non-negative integer (records), got ${describeValue(options.warmup)}.`,
      );
    }
    if (!(this.alarmLevel > 0 && this.alarmLevel <= 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: alarmLevel must be in (0, 1], got ${describeValue(options.alarmLevel)}.`,
      );
    }
    if (!(this.cooldownMs >= 0)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: cooldownMs must be >= 0, got ${describeValue(options.cooldownMs)}.`,
      );
    }
    if (!Number.isInteger(this.cooldown) || this.cooldown < 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: cooldown must be a non-negative integer, got ${describeValue(options.cooldown)}.`,
      );
    }
    const ws = options.likelihoodWindows ?? [8, 16, 32, 64];
    if (!Array.isArray(ws) || !ws.every((w) => Number.isInteger(w) && w >= 1 && w <= 1e5)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: likelihoodWindows must be an array of integers in [1, 1e5], got ${describeValue(ws)}.`,
      );
    }
    this.likelihoodWindows = [...ws];
    this.rangeTolerance = options.rangeTolerance ?? 0.05;
    if (!(this.rangeTolerance >= 0)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: rangeTolerance must be >= 0, got ${describeValue(options.rangeTolerance)}.`,
      );
    }
    this.#lik = this.#list.map(() => ws.map((w) => new Likelihood(w)));
    this.#parts = this.#list.length * (1 + ws.length);
    this.#warm = Math.max(...this.#list.map((d) => d.warmup));
    this.#capUntil = this.warmup;
  }

  get count(): number {
    return this.#n;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get lastRaw(): number {
    return this.#last;
  }
  get memberNames(): readonly string[] {
    return this.#names;
  }

  update(value: number, timestamp?: number): number {
    if (typeof value !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector.update: value must be a number, got ${describeValue(value)}.`,
      );
    }
    if (!Number.isFinite(value)) {
      this.#rejected++;
      return Number.NaN;
    }
    const t = timestamp ?? this.#n;
    const c = this.contributions;
    const n = this.#n;
    let mx = 0;
    for (let i = 0; i < this.#list.length; i++) {
      const d = this.#list[i];
      const p = d.update(value, t);
      let s = p;
      const e = -Math.log(Math.max(1e-12, 1 - p));
      for (const l of this.#lik[i]) {
        const q = l.update(e, d.count - d.warmup >= l.ring.length);
        if (q > s) s = q;
      }
      c[i] = s;
      if (s > mx) mx = s;
    }
    let combined = this.#parts === 1 ? mx : mx ** this.#parts;
    const lo = this.#lo;
    const hi = this.#hi;
    const tol = (hi - lo) * this.rangeTolerance;
    const novel = n >= this.#warm && hi > lo && (value > hi + tol || value < lo - tol);
    if (novel) combined = 1;
    if (n < this.#capUntil && combined > 0.5) combined = 0.5;
    if (!(value >= lo)) this.#lo = value;
    if (!(value <= hi)) this.#hi = value;
    this.#last = combined;
    this.#n++;
    const quiet =
      !novel &&
      n - this.#lastAlarm <= this.cooldown &&
      (!(t > 1e11) || t - this.#lastAlarmT <= this.cooldownMs);
    if (combined >= this.alarmLevel) {
      // an ongoing incident extends the quiet period
      this.#lastAlarm = n;
      this.#lastAlarmT = t;
    }
    return quiet ? combined * 0.5 : combined;
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, 'StreamingDetector.updateBatch');
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.update(values[i], timestamps?.[i]);
    return out;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: 2,
      n: this.#n,
      rejected: this.#rejected,
      calibrator: this.#cal.snapshot(),
      state: {
        lastAlarm: Number.isFinite(this.#lastAlarm) ? this.#lastAlarm : null,
        lastAlarmT: Number.isFinite(this.#lastAlarmT) ? this.#lastAlarmT : null,
        capUntil: this.#capUntil,
        range: [this.#lo, this.#hi],
        likelihoods: this.#lik.map((ls) =>
          ls.map((l) => ({ ring: Array.from(l.ring), i: l.i, sum: l.sum, cal: l.cal.snapshot() })),
        ),
        members: Object.fromEntries(this.#names.map((k) => [k, this.members[k].snapshot()])),
      },
    };
  }

  /**
   * Resumes from a `snapshot()`. All or nothing: if any part of the snapshot
   * is refused (CORRUPT_STATE, UNSUPPORTED_VERSION), the detector keeps the
   * state it had.
   */
  restore(s: DetectorSnapshot): this {
    if (!s || s.kind !== this.kind) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamingDetector.restore: pass a snapshot() of a StreamingDetector.',
      );
    }
    const saved = this.snapshot();
    try {
      return this.#restore(s);
    } catch (e) {
      this.#restore(saved);
      throw e;
    }
  }

  #restore(s: DetectorSnapshot): this {
    if (s.version === 1) return this.#restoreV1(s);
    if (s.version !== 2) {
      throw new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `StreamingDetector.restore: snapshot version ${s.version} is not supported (expected 1 or 2).`,
      );
    }
    const outer = s.state as {
      lastAlarm: number | null;
      lastAlarmT: number | null;
      capUntil?: number;
      range: [number | null, number | null];
      likelihoods: { ring: number[]; i: number; sum: number; cal: CalibratorSnapshot }[][];
      members: Record<string, DetectorSnapshot>;
    };
    const ls = outer?.likelihoods;
    if (
      !Array.isArray(ls) ||
      ls.length !== this.#lik.length ||
      !ls.every(
        (x, i) =>
          Array.isArray(x) &&
          x.length === this.#lik[i].length &&
          x.every(
            (l, j) =>
              Array.isArray(l?.ring) &&
              l.ring.length === this.#lik[i][j].ring.length &&
              l.ring.every(Number.isFinite) &&
              Number.isInteger(l.i) &&
              l.i >= 0 &&
              l.i < l.ring.length &&
              // the running sum of the ring (it drifts by rounding between refreshes)
              Math.abs(l.sum - l.ring.reduce((a: number, b: number) => a + b, 0)) <=
                1e-9 * (1 + l.ring.reduce((a: number, b: number) => a + Math.abs(b), 0)),
          ),
      )
    ) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamingDetector.restore: the snapshot was taken with other members or likelihood windows.',
      );
    }
    this.#restoreMembers(outer?.members);
    this.#lik.forEach((x, i) => {
      x.forEach((l, j) => {
        const src = ls[i][j];
        l.ring.set(src.ring);
        l.i = src.i;
        l.sum = src.sum;
        l.cal.restore(src.cal);
      });
    });
    // JSON turns NaN into null
    this.#lo = outer.range?.[0] ?? Number.NaN;
    this.#hi = outer.range?.[1] ?? Number.NaN;
    this.#cal.restore(s.calibrator);
    this.#n = s.n;
    this.#rejected = s.rejected;
    this.#lastAlarm = outer.lastAlarm ?? Number.NEGATIVE_INFINITY;
    this.#lastAlarmT = outer.lastAlarmT ?? Number.NEGATIVE_INFINITY;
    this.#capUntil = Number.isFinite(outer.capUntil) ? (outer.capUntil as number) : this.warmup;
    return this;
  }

  #restoreMembers(st: Record<string, DetectorSnapshot> | undefined): void {
    for (const k of this.#names) {
      if (!st?.[k])
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `StreamingDetector.restore: the snapshot has no member ${k}.`,
        );
    }
    for (const k of this.#names)
      this.members[k].restore((st as Record<string, DetectorSnapshot>)[k]);
  }

  /**
   * A version-1 snapshot (before the likelihoods and range novelty): the
   * members, the calibration and the counts resume; the likelihoods and the
   * range start afresh and are learnt during one more learning period
   * (`warmup` records with scores capped at 0.5).
   */
  #restoreV1(s: DetectorSnapshot): this {
    const outer = s.state as {
      lastAlarm: number | null;
      members: Record<string, DetectorSnapshot>;
    };
    if (!Number.isInteger(s.n) || s.n < 0) {
      throw new EdgewiseError('CORRUPT_STATE', 'StreamingDetector.restore: bad record count.');
    }
    this.#restoreMembers(outer?.members);
    this.#lik = this.#list.map(() => this.likelihoodWindows.map((w) => new Likelihood(w)));
    this.#lo = Number.NaN;
    this.#hi = Number.NaN;
    this.#cal.restore(s.calibrator);
    this.#n = s.n;
    this.#rejected = s.rejected;
    this.#lastAlarm = outer.lastAlarm ?? Number.NEGATIVE_INFINITY;
    this.#lastAlarmT = Number.NEGATIVE_INFINITY;
    this.#capUntil = s.n + this.warmup;
    return this;
  }
}
