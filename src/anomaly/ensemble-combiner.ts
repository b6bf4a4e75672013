import { describeValue, EdgewiseError } from '../errors';
import { ScoreCalibrator } from './calibration';
import type { BaseDetector } from './streaming';

/** Options of `StreamingDetector`; every field has a default. */
export interface StreamingDetectorOptions {
  /** Member detectors (default: `defaultMembers()`: seasonal daily profile, slow EWMA chart, ARTime backed by a deviation). */
  members?: Record<string, BaseDetector>;
  /**
   * Alarm level of the combined score that starts (or extends) a cooldown
   * (default 0.996).
   */
  alarmLevel?: number;
  /**
   * Quiet period after the last record at alarm level, during which scores
   * are halved: `cooldown` records (default 288) or, when timestamps are
   * epoch milliseconds (> 1e11), `cooldownMs` (default 24 hours), whichever
   * ends first: one day, or one day of 5-minute records. 0 disables. (Before
   * 0.5 the defaults were 100 records and 12 hours; one day scores higher on
   * NAB's development split, cross-validated across categories,
   * docs/anomaly-nab.md.)
   */
  cooldown?: number;
  cooldownMs?: number;
  /**
   * Anomaly likelihood windows, in records (default [16, 64]; [] disables):
   * per member and window, the mean surprisal -ln(1 - p) of the last w
   * scores, calibrated against its own history. (Before 0.4 the default was
   * [8, 16, 32, 64]; with ARTime as a member, [16, 64] scores higher on NAB's
   * development split cross-validated across categories, docs/anomaly-nab.md.)
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
   * With epoch-ms timestamps, range novelty starts once the series spans
   * this long (default 2 days: the range of a periodic series is not known
   * before it has been seen twice). Without them it starts after the
   * members' warm-up.
   */
  rangeAfterMs?: number;
  /**
   * Combination rule (default 'max'): 'max' reports the largest calibrated
   * score with the Šidák correction; 'fisher' sums the members' surprisals
   * -ln(1 - p) (each member's max Šidák-corrected first) and reports the
   * Gamma(m) CDF of the sum (Fisher's method), so agreeing members add up;
   * 'min' reports the smallest member score (each member's max Šidák-corrected):
   * an alarm needs every member to agree.
   */
  combine?: CombineRule;
  /**
   * Evidence a likelihood needs, as a family-wise probability (default
   * 1e-4; 0 disables). A member's anomaly likelihood over w records cannot
   * pass 0.999 unless the sum of its last w surprisals -ln(1 - p) would
   * have a probability of at most `likelihoodAlpha` / k if the member's
   * scores were independent and calibrated (the Gamma(w, 1) tail), where k
   * = max(1, windows scored / w) is the number of independent windows in
   * its history (Bonferroni). Being the top of its own history is not
   * enough: on a long stationary series some window always is, and the
   * longer the history, the more such tops it has seen.
   */
  likelihoodAlpha?: number;
  /**
   * Range novelty needs support (default 3.5; 0: none): a value beyond the
   * range by more than `rangeTolerance` counts only when some member with an
   * alarm floor (the z-scored members) also sees a raw deviation of at
   * least this many standard deviations, or when it is beyond the range by
   * more than 4 x `rangeTolerance`. A series with Gaussian noise keeps
   * setting new extremes by small margins; a bounded one does not.
   */
  rangeFloor?: number;
  /**
   * Point alarms must agree with the member's own history (default true;
   * since 0.7): a member with an alarm floor in standard deviations (the
   * z-scored members, not `ARTimeMember`; `MemberSpec.historyChecked`) cannot
   * raise its point score above 0.999 where the share of its earlier raw
   * deviations at least as large (`lastExceedance`) is above its share of
   * the alarm level, 1 - alarmLevel ^ (1 / scores combined) (4.5e-4 for the
   * default: 3 members x 3 scores). Its calibrated score extrapolates a
   * fitted tail beyond the values seen; where the member has already seen
   * deviations this large more often than an alarm allows, that
   * extrapolation is contradicted (heavy-tailed noise, recurring bursts).
   */
  historyCheck?: boolean;
}

/**
 * Anomaly likelihood of one member at one time scale (after Numenta's
 * `AnomalyLikelihood`): the mean surprisal of the member's last `w` scores,
 * calibrated by the ECDF of its own past means, so a run of moderately
 * unusual records scores high even when no single record does.
 */
export class Likelihood {
  readonly ring: Float64Array;
  sum = 0;
  i = 0;
  readonly cal = new ScoreCalibrator();
  /** Running mean and variance of the window means (exponential over ~1,000 once warm; kept only under a floor). */
  zn = 0;
  zm = 0;
  zv = 0;
  constructor(w: number) {
    this.ring = new Float64Array(w);
  }
  /**
   * Pushes one surprisal e = -ln(1 - p); returns the calibrated mean (0 while
   * `warm` is false), at most 0.999 unless the mean is at least `floor`
   * standard deviations above its running mean (floor 0: no limit).
   */
  update(e: number, warm: boolean, floor: number): number {
    const r = this.ring;
    this.sum += e - r[this.i];
    r[this.i] = e;
    if (++this.i === r.length) {
      this.i = 0;
      this.sum = r.reduce((a, b) => a + b, 0); // no drift of the running sum
    }
    if (!warm) return 0;
    const m = this.sum / r.length;
    const q = this.cal.score(m);
    if (!(floor > 0)) return q;
    const n0 = this.zn;
    const k = Math.min(++this.zn, 1000);
    const d = m - this.zm;
    this.zm += d / k;
    this.zv += (d * (m - this.zm) - this.zv) / k;
    return q > 0.999 && n0 > 10 && m < this.zm + floor * Math.sqrt(this.zv) ? 0.999 : q;
  }
}

/** What the combination needs to know of a member (see `BaseDetector`). */
export interface MemberSpec {
  warmup: number;
  alarmFloor?: number;
  likelihoodFloor?: number;
  deviationFloor?: number;
  alarmTail?: number;
  maturity?: { readonly ms: number; readonly records: number };
  /**
   * Whether `historyCheck` applies to this member's point alarms (default:
   * when it has an alarm floor, as the z-scored members do; `ARTimeMember`,
   * whose alarm floor is a confidence, says false).
   */
  historyChecked?: boolean;
}

/** How the calibrated member scores become one score (see `StreamingDetector`). */
export type CombineRule = 'max' | 'fisher' | 'min';

/** The default `likelihoodWindows`, in records. */
export const DEFAULT_LIKELIHOOD_WINDOWS: readonly number[] = [16, 64];
/** The default `likelihoodWindows` before 0.4 (snapshots of those defaults restore). */
export const LEGACY_LIKELIHOOD_WINDOWS: readonly number[] = [8, 16, 32, 64];

/** P(Gamma(k, 1) <= x) for an integer k >= 1 (Fisher's method on surprisals). */
export function gammaCdfInt(x: number, k: number): number {
  const q = gammaTailInt(x, k);
  return q >= 1 ? 0 : 1 - q;
}

/** P(Gamma(k, 1) > x) for an integer k >= 1 (the Poisson sum, without cancellation). */
export function gammaTailInt(x: number, k: number): number {
  if (!(x > 0)) return 1;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < k; j++) {
    term *= x / j;
    sum += term;
  }
  return Math.min(1, Math.exp(-x) * sum);
}

/** The x with P(Gamma(k, 1) > x) = a, for an integer k >= 1 and a in (0, 1) (bisection). */
export function gammaIsfInt(a: number, k: number): number {
  let lo = 0;
  let hi = k + 10;
  while (gammaTailInt(hi, k) > a) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (gammaTailInt(mid, k) > a) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
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
  readonly rangeAfterMs: number;
  readonly contributions: Float64Array;
  /** Records combined so far. */
  n = 0;
  /** The last combined score before the cooldown. */
  last = 0;
  lastAlarm = Number.NEGATIVE_INFINITY;
  lastAlarmT = Number.NEGATIVE_INFINITY;
  lo = Number.NaN;
  hi = Number.NaN;
  /** Timestamp of the first record (NaN before it; -Infinity: restored from a version-2 snapshot). */
  firstT = Number.NaN;
  lik: Likelihood[][];
  /** Scores are capped at 0.5 while n < capUntil (the learning period). */
  capUntil: number;
  readonly #parts: number;
  readonly #perMember: number;
  readonly #warm: number;
  readonly #floor: Float64Array;
  readonly #tail: Float64Array;
  readonly #likFloor: Float64Array;
  readonly #devFloor: Float64Array;
  /** Per member: 1 where `historyCheck` applies. */
  readonly #checked: Uint8Array;
  readonly #matureMs: Float64Array;
  readonly #matureRecords: Float64Array;
  readonly likelihoodAlpha: number;
  readonly rangeFloor: number;
  readonly historyCheck: boolean;
  /** A member's share of the alarm level, 1 - alarmLevel ^ (1 / scores combined). */
  readonly #memberLevel: number;
  /** Per likelihood window: the least window mean whose Gamma tail is <= likelihoodAlpha (0: none). */
  readonly #likMin: Float64Array;

  /**
   * `members`: per member its warm-up in records, or its `MemberSpec` (a
   * `BaseDetector` is one: warm-up, alarm and likelihood floors, maturity).
   */
  constructor(members: readonly (number | MemberSpec)[], options: StreamingDetectorOptions = {}) {
    const specs = members.map((m) => (typeof m === 'number' ? { warmup: m } : m));
    const memberWarmups = specs.map((m) => m.warmup);
    this.memberWarmups = memberWarmups;
    this.#floor = Float64Array.from(specs, (m) => m.alarmFloor ?? 0);
    this.#tail = Float64Array.from(specs, (m) => m.alarmTail ?? 1);
    this.#likFloor = Float64Array.from(specs, (m) => m.likelihoodFloor ?? 0);
    this.#devFloor = Float64Array.from(specs, (m) => m.deviationFloor ?? 0);
    this.#checked = Uint8Array.from(specs, (m) =>
      (m.historyChecked ?? (m.alarmFloor ?? 0) > 0) ? 1 : 0,
    );
    this.#matureMs = Float64Array.from(specs, (m) => m.maturity?.ms ?? 0);
    this.#matureRecords = Float64Array.from(specs, (m) => m.maturity?.records ?? 0);
    this.contributions = new Float64Array(memberWarmups.length);
    this.alarmLevel = options.alarmLevel ?? 0.996;
    this.cooldown = options.cooldown ?? 288;
    this.cooldownMs = options.cooldownMs ?? 24 * 3_600_000;
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
    const ws = options.likelihoodWindows ?? DEFAULT_LIKELIHOOD_WINDOWS;
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
    this.rangeAfterMs = options.rangeAfterMs ?? 2 * 86_400_000;
    if (!(this.rangeAfterMs >= 0 && this.rangeAfterMs < Number.POSITIVE_INFINITY)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: rangeAfterMs must be a finite number >= 0, got ${describeValue(options.rangeAfterMs)}.`,
      );
    }
    const alpha = options.likelihoodAlpha ?? 1e-4;
    if (!(alpha >= 0 && alpha < 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: likelihoodAlpha must be in [0, 1), got ${describeValue(options.likelihoodAlpha)}.`,
      );
    }
    this.likelihoodAlpha = alpha;
    this.#likMin = Float64Array.from(ws, (w) => (alpha > 0 ? gammaIsfInt(alpha, w) / w : 0));
    this.rangeFloor = options.rangeFloor ?? 3.5;
    if (!(this.rangeFloor >= 0 && this.rangeFloor < Number.POSITIVE_INFINITY)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: rangeFloor must be a finite number >= 0, got ${describeValue(options.rangeFloor)}.`,
      );
    }
    const hc = options.historyCheck ?? true;
    if (typeof hc !== 'boolean') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: historyCheck must be true or false, got ${describeValue(options.historyCheck)}.`,
      );
    }
    this.historyCheck = hc;
    this.lik = this.freshLikelihoods();
    this.#perMember = 1 + ws.length;
    this.#parts = memberWarmups.length * this.#perMember;
    this.#memberLevel = 1 - this.alarmLevel ** (1 / this.#parts);
    this.#warm = Math.max(...memberWarmups);
    this.capUntil = this.warmup;
  }

  /**
   * Whether a z-scored member (alarm floor > 0) deviates by at least
   * `rangeFloor` (true without raw deviations or without such members).
   */
  #rangeBacked(raw: ArrayLike<number> | undefined): boolean {
    if (!raw || !(this.rangeFloor > 0)) return true;
    let any = false;
    for (let i = 0; i < raw.length; i++) {
      if (!(this.#floor[i] > 0)) continue;
      if (raw[i] >= this.rangeFloor) return true;
      any = true;
    }
    return !any;
  }

  /** The largest raw deviation at this record among the members (other than `i`) without a deviation floor. */
  #deviation(raw: ArrayLike<number>, i: number): number {
    let d = 0;
    for (let j = 0; j < raw.length; j++) {
      if (j !== i && !(this.#devFloor[j] > 0) && raw[j] > d) d = raw[j];
    }
    return d;
  }

  freshLikelihoods(): Likelihood[][] {
    return this.memberWarmups.map(() => this.likelihoodWindows.map((w) => new Likelihood(w)));
  }

  /**
   * Combines the members' calibrated scores `p` of one finite record (`raw`:
   * their raw deviations, for range novelty and the deviation floors, and for
   * the alarm floors unless `alarmRaw` is given: the deviations those are
   * compared with, a member's `lastAlarmDeviation`; without `raw` no floor
   * applies; `exceedance`: the members' `lastExceedance`, for `historyCheck`;
   * without it that check does not apply).
   */
  step(
    p: ArrayLike<number>,
    value: number,
    t: number,
    raw?: ArrayLike<number>,
    alarmRaw: ArrayLike<number> | undefined = raw,
    exceedance?: ArrayLike<number>,
  ): number {
    const c = this.contributions;
    const n = this.n;
    if (Number.isNaN(this.firstT)) this.firstT = t;
    const epoch = t > 1e11;
    const age = t - this.firstT;
    let mx = 0;
    let mn = 1;
    let fisher = 0;
    for (let i = 0; i < c.length; i++) {
      let pi = p[i];
      // a "new shape" member needs the value to be unusual too: a z-scored member's deviation
      if (
        raw &&
        pi > 0.999 &&
        this.#devFloor[i] > 0 &&
        !(this.#deviation(raw, i) >= this.#devFloor[i])
      )
        pi = 0.999;
      // below its alarm floor, at a tail probability above its alarm tail, or where its history
      // has seen deviations this large more often than an alarm allows, a member's point score
      // stays under the alarm levels
      const held =
        pi > 0.999 &&
        ((alarmRaw !== undefined && (alarmRaw[i] < this.#floor[i] || 1 - pi > this.#tail[i])) ||
          (this.historyCheck &&
            exceedance !== undefined &&
            this.#checked[i] === 1 &&
            exceedance[i] > this.#memberLevel));
      let s = held ? 0.999 : pi;
      const e = -Math.log(Math.max(1e-12, 1 - pi));
      const seen = n + 1 - this.memberWarmups[i];
      const ls = this.lik[i];
      for (let j = 0; j < ls.length; j++) {
        const l = ls[j];
        let q = l.update(e, seen >= l.ring.length, this.#likFloor[i]);
        // the top of its own history is not enough: the window must also be unlikely in absolute terms
        if (q > 0.999 && this.likelihoodAlpha > 0) {
          // Bonferroni over the independent windows seen: P(sum) <= alpha w / (windows scored)
          const w = l.ring.length;
          if (
            l.sum < this.#likMin[j] * w ||
            gammaTailInt(l.sum, w) > (this.likelihoodAlpha * w) / Math.max(w, l.cal.count)
          ) {
            q = 0.999;
          }
        }
        if (q > s) s = q;
      }
      // a member still learning (e.g. a daily profile before two days) says "no evidence either way"
      if (s > 0.5 && (epoch ? age < this.#matureMs[i] : n < this.#matureRecords[i])) s = 0.5;
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
    const novel =
      n >= this.#warm &&
      hi > lo &&
      (value > hi + tol || value < lo - tol) &&
      !(epoch && age < this.rangeAfterMs) &&
      (value > hi + 4 * tol || value < lo - 4 * tol || this.#rangeBacked(raw));
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
