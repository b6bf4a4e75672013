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
    ewma: () => new EwmaDetector({ alpha: 0.01, likelihoodFloor: 3 }),
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
  /** Running mean and variance of the window means (exponential over ~1,000 once warm). */
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
    const n0 = this.zn;
    const k = Math.min(++this.zn, 1000);
    const d = m - this.zm;
    this.zm += d / k;
    this.zv += (d * (m - this.zm) - this.zv) / k;
    return floor > 0 && q > 0.999 && n0 > 10 && m < this.zm + floor * Math.sqrt(this.zv)
      ? 0.999
      : q;
  }
}

/** What the combination needs to know of a member (see `BaseDetector`). */
export interface MemberSpec {
  warmup: number;
  alarmFloor?: number;
  likelihoodFloor?: number;
  maturity?: { readonly ms: number; readonly records: number };
}

/** How the calibrated member scores become one score (see `StreamingDetector`). */
export type CombineRule = 'max' | 'fisher' | 'min';

/** A record count: a non-negative safe integer. */
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

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
  readonly #likFloor: Float64Array;
  readonly #matureMs: Float64Array;
  readonly #matureRecords: Float64Array;

  /**
   * `members`: per member its warm-up in records, or its `MemberSpec` (a
   * `BaseDetector` is one: warm-up, alarm and likelihood floors, maturity).
   */
  constructor(members: readonly (number | MemberSpec)[], options: StreamingDetectorOptions = {}) {
    const specs = members.map((m) => (typeof m === 'number' ? { warmup: m } : m));
    const memberWarmups = specs.map((m) => m.warmup);
    this.memberWarmups = memberWarmups;
    this.#floor = Float64Array.from(specs, (m) => m.alarmFloor ?? 0);
    this.#likFloor = Float64Array.from(specs, (m) => m.likelihoodFloor ?? 0);
    this.#matureMs = Float64Array.from(specs, (m) => m.maturity?.ms ?? 0);
    this.#matureRecords = Float64Array.from(specs, (m) => m.maturity?.records ?? 0);
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
    this.rangeAfterMs = options.rangeAfterMs ?? 2 * 86_400_000;
    if (!(this.rangeAfterMs >= 0 && this.rangeAfterMs < Number.POSITIVE_INFINITY)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: rangeAfterMs must be a finite number >= 0, got ${describeValue(options.rangeAfterMs)}.`,
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

  /**
   * Combines the members' calibrated scores `p` of one finite record (`raw`:
   * their raw deviations, for the alarm floors; without it no floor applies).
   */
  step(p: ArrayLike<number>, value: number, t: number, raw?: ArrayLike<number>): number {
    const c = this.contributions;
    const n = this.n;
    if (Number.isNaN(this.firstT)) this.firstT = t;
    const epoch = t > 1e11;
    const age = t - this.firstT;
    let mx = 0;
    let mn = 1;
    let fisher = 0;
    for (let i = 0; i < c.length; i++) {
      const pi = p[i];
      // below its alarm floor a member's point score stays under the alarm levels
      let s = raw && pi > 0.999 && raw[i] < this.#floor[i] ? 0.999 : pi;
      const e = -Math.log(Math.max(1e-12, 1 - pi));
      const seen = n + 1 - this.memberWarmups[i];
      for (const l of this.lik[i]) {
        const q = l.update(e, seen >= l.ring.length, this.#likFloor[i]);
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
      !(epoch && age < this.rangeAfterMs);
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
  readonly #raw: Float64Array;
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
    this.#c = new EnsembleCombiner(this.#list, options);
    this.#raw = new Float64Array(this.#list.length);
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
    const raw = this.#raw;
    for (let i = 0; i < this.#list.length; i++) {
      const d = this.#list[i];
      p[i] = d.update(value, t);
      raw[i] = d.lastRaw;
    }
    return this.#c.step(p, value, t, raw);
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, 'StreamingDetector.updateBatch');
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.update(values[i], timestamps?.[i]);
    return out;
  }

  snapshot(): DetectorSnapshot {
    const c = this.#c;
    return {
      kind: this.kind,
      version: 3,
      n: c.n,
      rejected: this.#rejected,
      calibrator: this.#cal.snapshot(),
      state: {
        lastAlarm: Number.isFinite(c.lastAlarm) ? c.lastAlarm : null,
        lastAlarmT: Number.isFinite(c.lastAlarmT) ? c.lastAlarmT : null,
        capUntil: c.capUntil,
        range: [c.lo, c.hi],
        firstT: c.firstT,
        likelihoods: c.lik.map((ls) =>
          ls.map((l) => ({
            ring: Array.from(l.ring),
            i: l.i,
            sum: l.sum,
            cal: l.cal.snapshot(),
            z: [l.zn, l.zm, l.zv],
          })),
        ),
        members: Object.fromEntries(this.#names.map((k) => [k, this.members[k].snapshot()])),
      },
    };
  }

  /**
   * Resumes from a `snapshot()` (versions 1 to 3). Every field is checked
   * (counts, ranges, the likelihood rings and their sums, the calibrations,
   * each member's state); a damaged snapshot is refused with CORRUPT_STATE
   * (UNSUPPORTED_VERSION for an unknown version) and the detector keeps the
   * state it had. A version-2 snapshot resumes as a detector past its
   * learning periods (its likelihood floors relearn their running means).
   */
  restore(s: DetectorSnapshot): this {
    if (!s || typeof s !== 'object' || s.kind !== this.kind) {
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
      if (e instanceof EdgewiseError) throw e;
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `StreamingDetector.restore: the snapshot is damaged (${String(e)}).`,
      );
    }
  }

  #restore(s: DetectorSnapshot): this {
    const bad = (what: string): EdgewiseError =>
      new EdgewiseError(
        'CORRUPT_STATE',
        `StreamingDetector.restore: ${what}; pass an unmodified snapshot() of a StreamingDetector with the same members and options.`,
      );
    if (s.version !== 1 && s.version !== 2 && s.version !== 3) {
      throw new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `StreamingDetector.restore: snapshot version ${String(s.version)} is not supported (expected 1, 2 or 3).`,
      );
    }
    if (!isCount(s.n)) throw bad('bad record count n');
    if (!isCount(s.rejected)) throw bad('bad rejected count');
    if (s.version === 1) return this.#restoreV1(s, bad);
    const outer = s.state as {
      lastAlarm: number | null;
      lastAlarmT: number | null;
      capUntil?: number;
      range: [number | null, number | null];
      firstT?: number | null;
      likelihoods: {
        ring: number[];
        i: number;
        sum: number;
        cal: CalibratorSnapshot;
        z?: number[];
      }[][];
      members: Record<string, DetectorSnapshot>;
    };
    if (!outer || typeof outer !== 'object') throw bad('no state');
    const c = this.#c;
    const n = s.n;
    const la = outer.lastAlarm;
    if (la !== null && !(Number.isInteger(la) && la >= 0 && la < n)) throw bad('bad lastAlarm');
    const lt = outer.lastAlarmT;
    if (lt !== null && !Number.isFinite(lt)) throw bad('bad lastAlarmT');
    if ((la === null) !== (lt === null)) throw bad('lastAlarm and lastAlarmT disagree');
    const cap = outer.capUntil;
    if (!(Number.isInteger(cap) && (cap as number) >= 0 && (cap as number) <= n + c.warmup)) {
      throw bad('bad capUntil');
    }
    const range = outer.range;
    if (!Array.isArray(range) || range.length !== 2) throw bad('bad range');
    // NaN (in memory) or null (through JSON): none yet
    const [lo, hi] = range.map((x) => (x === null || Number.isNaN(x) ? null : x));
    const noRange = lo === null && hi === null;
    if (
      !noRange &&
      !(Number.isFinite(lo) && Number.isFinite(hi) && (lo as number) <= (hi as number))
    ) {
      throw bad('bad range');
    }
    if (noRange !== (n === 0)) throw bad('the range does not match the record count');
    let firstT: number;
    if (s.version === 2) firstT = n > 0 ? -Number.MAX_SAFE_INTEGER : Number.NaN;
    else {
      const f = outer.firstT === null || Number.isNaN(outer.firstT) ? null : outer.firstT;
      if (f === null ? n !== 0 : !(Number.isFinite(f) && n > 0)) throw bad('bad firstT');
      firstT = f ?? Number.NaN;
    }
    const ls = outer.likelihoods;
    if (!Array.isArray(ls) || ls.length !== c.lik.length) {
      throw bad('the snapshot was taken with other members');
    }
    const lik = c.freshLikelihoods();
    ls.forEach((x, i) => {
      if (!Array.isArray(x) || x.length !== lik[i].length) {
        throw bad('the snapshot was taken with other likelihood windows');
      }
      x.forEach((src, j) => {
        const l = lik[i][j];
        if (!src || typeof src !== 'object') throw bad('bad likelihood');
        const ring = src.ring;
        // surprisals -ln(1 - p) with p clamped to 1 - 1e-12
        if (
          !Array.isArray(ring) ||
          ring.length !== l.ring.length ||
          !Array.from(ring).every((e) => Number.isFinite(e) && e >= 0 && e <= 28)
        ) {
          throw bad('bad likelihood ring');
        }
        if (!(Number.isInteger(src.i) && src.i >= 0 && src.i < ring.length)) {
          throw bad('bad likelihood ring position');
        }
        const total = ring.reduce((a, b) => a + b, 0);
        // the running sum of the ring (it drifts by rounding between refreshes)
        if (!(Math.abs(src.sum - total) <= 1e-9 * (1 + total))) throw bad('bad likelihood sum');
        const z = s.version === 2 ? [0, 0, 0] : src.z;
        if (
          !Array.isArray(z) ||
          z.length !== 3 ||
          !isCount(z[0]) ||
          !(Number.isFinite(z[1]) && z[1] >= 0 && z[1] <= 28) ||
          !(Number.isFinite(z[2]) && z[2] >= 0 && z[2] <= 28 * 28)
        ) {
          throw bad('bad likelihood floor statistics');
        }
        l.ring.set(ring);
        l.i = src.i;
        l.sum = src.sum;
        l.cal.restore(src.cal);
        [l.zn, l.zm, l.zv] = z;
      });
    });
    const cal = new ScoreCalibrator().restore(s.calibrator);
    this.#restoreMembers(outer.members);
    c.lik = lik;
    c.lo = lo ?? Number.NaN;
    c.hi = hi ?? Number.NaN;
    c.firstT = firstT;
    this.#cal.restore(cal.snapshot());
    c.n = n;
    this.#rejected = s.rejected;
    c.lastAlarm = la ?? Number.NEGATIVE_INFINITY;
    c.lastAlarmT = lt ?? Number.NEGATIVE_INFINITY;
    c.capUntil = cap as number;
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
  #restoreV1(s: DetectorSnapshot, bad: (what: string) => EdgewiseError): this {
    const outer = s.state as {
      lastAlarm: number | null;
      members: Record<string, DetectorSnapshot>;
    };
    if (!outer || typeof outer !== 'object') throw bad('no state');
    const la = outer.lastAlarm;
    if (la !== null && !(Number.isInteger(la) && la >= 0 && la < s.n)) throw bad('bad lastAlarm');
    const cal = new ScoreCalibrator().restore(s.calibrator);
    this.#restoreMembers(outer.members);
    const c = this.#c;
    c.lik = c.freshLikelihoods();
    c.lo = Number.NaN;
    c.hi = Number.NaN;
    c.firstT = s.n > 0 ? -Number.MAX_SAFE_INTEGER : Number.NaN;
    this.#cal.restore(cal.snapshot());
    c.n = s.n;
    this.#rejected = s.rejected;
    c.lastAlarm = outer.lastAlarm ?? Number.NEGATIVE_INFINITY;
    c.lastAlarmT = Number.NEGATIVE_INFINITY;
    c.capUntil = s.n + c.warmup;
    return this;
  }
}
