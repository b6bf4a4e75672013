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
  /**
   * Combination rule (default 'max'): 'max' reports the largest calibrated
   * score with the Šidák correction; 'fisher' sums the members' surprisals
   * -ln(1 - p) (each member's max Šidák-corrected first) and reports the
   * Gamma(m) CDF of the sum (Fisher's method), so agreeing members add up;
   * 'min' reports the smallest member score (each member's max Šidák-corrected):
   * an alarm needs every member to agree.
   */
  combine?: CombineRule;
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

/** How the calibrated member scores become one score (see `StreamingDetector`). */
export type CombineRule = 'max' | 'fisher' | 'min';

/** P(Gamma(k, 1) <= x) for an integer k >= 1 (Fisher's method on surprisals). */
function gammaCdfInt(x: number, k: number): number {
  if (!(x > 0)) return 0;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < k; j++) {
    term *= x / j;
    sum += term;
  }
  const q = Math.exp(-x) * sum;
  return q >= 1 ? 0 : 1 - q;
}

/**
 * The combination stage of `StreamingDetector`, apart from its members: it
 * takes the members' calibrated scores of one record and returns the
 * ensemble's score (likelihoods, combination rule, range novelty, learning
 * period, cooldown). Exported for evaluation, which replays cached member
 * scores through it to compare combination rules without re-running members;
 * `StreamingDetector` runs exactly this code.
 */
export class EnsembleCombiner {
  readonly alarmLevel: number;
  readonly cooldown: number;
  readonly cooldownMs: number;
  readonly warmup: number;
  readonly likelihoodWindows: readonly number[];
  readonly rangeTolerance: number;
  readonly combine: CombineRule;
  readonly memberWarmups: readonly number[];
  readonly contributions: Float64Array;
  /** Records combined so far. */
  n = 0;
  /** The last combined score before the cooldown. */
  last = 0;
  lastAlarm = Number.NEGATIVE_INFINITY;
  lastAlarmT = Number.NEGATIVE_INFINITY;
  lo = Number.NaN;
  hi = Number.NaN;
  lik: Likelihood[][];
  /** Scores are capped at 0.5 while n < capUntil (the learning period). */
  capUntil: number;
  readonly #parts: number;
  readonly #perMember: number;
  readonly #warm: number;

  constructor(memberWarmups: readonly number[], options: StreamingDetectorOptions = {}) {
    this.memberWarmups = [...memberWarmups];
    this.contributions = new Float64Array(memberWarmups.length);
    this.alarmLevel = options.alarmLevel ?? 0.996;
    this.cooldown = options.cooldown ?? 100;
    this.cooldownMs = options.cooldownMs ?? 12 * 3_600_000;
    this.warmup = options.warmup ?? 150;
    this.combine = options.combine ?? 'max';
    if (this.combine !== 'max' && this.combine !== 'fisher' && this.combine !== 'min') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: combine must be 'max', 'fisher' or 'min', got ${describeValue(options.combine)}.`,
      );
    }
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
    this.lik = this.freshLikelihoods();
    this.#perMember = 1 + ws.length;
    this.#parts = memberWarmups.length * this.#perMember;
    this.#warm = Math.max(...memberWarmups);
    this.capUntil = this.warmup;
  }

  freshLikelihoods(): Likelihood[][] {
    return this.memberWarmups.map(() => this.likelihoodWindows.map((w) => new Likelihood(w)));
  }

  /** Combines the members' calibrated scores `p` of one finite record. */
  step(p: ArrayLike<number>, value: number, t: number): number {
    const c = this.contributions;
    const n = this.n;
    let mx = 0;
    let mn = 1;
    let fisher = 0;
    for (let i = 0; i < c.length; i++) {
      const pi = p[i];
      let s = pi;
      const e = -Math.log(Math.max(1e-12, 1 - pi));
      const seen = n + 1 - this.memberWarmups[i];
      for (const l of this.lik[i]) {
        const q = l.update(e, seen >= l.ring.length);
        if (q > s) s = q;
      }
      c[i] = s;
      if (s > mx) mx = s;
      if (s < mn) mn = s;
      if (this.combine === 'fisher') {
        const u = this.#perMember === 1 ? s : s ** this.#perMember;
        fisher -= Math.log(Math.max(1e-300, 1 - u));
      }
    }
    let combined =
      this.combine === 'fisher'
        ? gammaCdfInt(fisher, c.length)
        : this.combine === 'min'
          ? mn ** this.#perMember
          : this.#parts === 1
            ? mx
            : mx ** this.#parts;
    const lo = this.lo;
    const hi = this.hi;
    const tol = (hi - lo) * this.rangeTolerance;
    const novel = n >= this.#warm && hi > lo && (value > hi + tol || value < lo - tol);
    if (novel) combined = 1;
    if (n < this.capUntil && combined > 0.5) combined = 0.5;
    if (!(value >= lo)) this.lo = value;
    if (!(value <= hi)) this.hi = value;
    this.last = combined;
    this.n++;
    const quiet =
      !novel &&
      n - this.lastAlarm <= this.cooldown &&
      (!(t > 1e11) || t - this.lastAlarmT <= this.cooldownMs);
    if (combined >= this.alarmLevel) {
      // an ongoing incident extends the quiet period
      this.lastAlarm = n;
      this.lastAlarmT = t;
    }
    return quiet ? combined * 0.5 : combined;
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
  readonly #p: Float64Array;
  readonly #c: EnsembleCombiner;
  #rejected = 0;
  readonly #cal = new ScoreCalibrator();

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
    this.#p = new Float64Array(this.#list.length);
    this.#c = new EnsembleCombiner(
      this.#list.map((d) => d.warmup),
      options,
    );
  }

  get count(): number {
    return this.#c.n;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get lastRaw(): number {
    return this.#c.last;
  }
  get memberNames(): readonly string[] {
    return this.#names;
  }
  /** Each member's score of the last update (the max of its point score and its likelihoods). */
  get contributions(): Float64Array {
    return this.#c.contributions;
  }
  get alarmLevel(): number {
    return this.#c.alarmLevel;
  }
  get cooldown(): number {
    return this.#c.cooldown;
  }
  get cooldownMs(): number {
    return this.#c.cooldownMs;
  }
  get warmup(): number {
    return this.#c.warmup;
  }
  get likelihoodWindows(): readonly number[] {
    return this.#c.likelihoodWindows;
  }
  get rangeTolerance(): number {
    return this.#c.rangeTolerance;
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
    const t = timestamp ?? this.#c.n;
    const p = this.#p;
    for (let i = 0; i < this.#list.length; i++) p[i] = this.#list[i].update(value, t);
    return this.#c.step(p, value, t);
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
      n: this.#c.n,
      rejected: this.#rejected,
      calibrator: this.#cal.snapshot(),
      state: {
        lastAlarm: Number.isFinite(this.#c.lastAlarm) ? this.#c.lastAlarm : null,
        lastAlarmT: Number.isFinite(this.#c.lastAlarmT) ? this.#c.lastAlarmT : null,
        capUntil: this.#c.capUntil,
        range: [this.#c.lo, this.#c.hi],
        likelihoods: this.#c.lik.map((ls) =>
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
      ls.length !== this.#c.lik.length ||
      !ls.every(
        (x, i) =>
          Array.isArray(x) &&
          x.length === this.#c.lik[i].length &&
          x.every(
            (l, j) =>
              Array.isArray(l?.ring) &&
              l.ring.length === this.#c.lik[i][j].ring.length &&
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
    this.#c.lik.forEach((x, i) => {
      x.forEach((l, j) => {
        const src = ls[i][j];
        l.ring.set(src.ring);
        l.i = src.i;
        l.sum = src.sum;
        l.cal.restore(src.cal);
      });
    });
    // JSON turns NaN into null
    const c = this.#c;
    c.lo = outer.range?.[0] ?? Number.NaN;
    c.hi = outer.range?.[1] ?? Number.NaN;
    this.#cal.restore(s.calibrator);
    c.n = s.n;
    this.#rejected = s.rejected;
    c.lastAlarm = outer.lastAlarm ?? Number.NEGATIVE_INFINITY;
    c.lastAlarmT = outer.lastAlarmT ?? Number.NEGATIVE_INFINITY;
    c.capUntil = Number.isFinite(outer.capUntil) ? (outer.capUntil as number) : c.warmup;
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
    const c = this.#c;
    c.lik = c.freshLikelihoods();
    c.lo = Number.NaN;
    c.hi = Number.NaN;
    this.#cal.restore(s.calibrator);
    c.n = s.n;
    this.#rejected = s.rejected;
    c.lastAlarm = outer.lastAlarm ?? Number.NEGATIVE_INFINITY;
    c.lastAlarmT = Number.NEGATIVE_INFINITY;
    c.capUntil = s.n + c.warmup;
    return this;
  }
}
