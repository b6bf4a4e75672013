import { checkSnapshot, isCount, type SnapshotFormat } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import { erfc } from '../stats/special';
import { ARTimeMember, type ARTimeMemberOptions } from './artime-member';
import { type CalibratorSnapshot, ScoreCalibrator } from './calibration';
import {
  EnsembleCombiner,
  LEGACY_LIKELIHOOD_WINDOWS,
  type StreamingDetectorOptions,
} from './ensemble-combiner';
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

export {
  type CombineRule,
  EnsembleCombiner,
  type MemberSpec,
  type StreamingDetectorOptions,
} from './ensemble-combiner';

/**
 * The default seasonal member's `alarmTail`: erfc(4 / sqrt 2) = 6.33e-5, the
 * two-sided Gaussian tail probability of its 4-sigma alarm floor.
 */
export const SEASONAL_ALARM_TAIL = erfc(4 / Math.SQRT2);

/**
 * The members of the default `StreamingDetector`, by name: the seasonal
 * daily profile (alarm floor 4; since 0.6 also `alarmTail`
 * `SEASONAL_ALARM_TAIL`; since 0.7 its point alarms tolerate a pattern one
 * slot early or late, `slotTolerance` 1), a slow EWMA chart (alpha 0.01, likelihood
 * floor 3) and ARTime in streaming mode (`ARTimeMember`), whose detections
 * alarm only where the seasonal or EWMA member sees a deviation of 3.5
 * standard deviations (`deviationFloor`; point score only).
 */
export function defaultMembers(): Record<string, () => BaseDetector> {
  return {
    // alarm floor 4: the seasonal deviation is in units of the slot's own noise, whose maximum
    // over 10,000 Gaussian records is about 4 standard deviations; alarm tail (since 0.6): that
    // floor's Gaussian probability, so on heavy-tailed noise its point alarms keep the floor's rate
    seasonal: () => new SeasonalDetector({ alarmFloor: 4, alarmTail: SEASONAL_ALARM_TAIL }),
    ewma: () => new EwmaDetector({ alpha: 0.01, likelihoodFloor: 3 }),
    // a new shape alarms only where the value is also unusual (the range floor's 3.5 SD)
    artime: () => new ARTimeMember({ alarmFloor: 0, deviationFloor: 3.5 }),
  };
}

/**
 * The default members with the ARTime member built from `options`
 * (`ARTimeMember`'s own defaults: a confidence floor of 0.5 and no
 * deviation floor), as instances:
 * `new StreamingDetector({ members: withARTime() })`.
 */
export function withARTime(options: ARTimeMemberOptions = {}): Record<string, BaseDetector> {
  const members: Record<string, BaseDetector> = {};
  for (const [name, make] of Object.entries(defaultMembers())) {
    members[name] = name === 'artime' ? new ARTimeMember(options) : make();
  }
  return members;
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
 * single outliers. A likelihood at the top of its own history is not
 * enough to alarm: its window must also be improbable in absolute terms
 * (`likelihoodAlpha`). Range novelty: a value outside the range seen so far
 * (widened by `rangeTolerance` of its width) scores 1, as in NAB's HTM
 * detector, when a member also sees `rangeFloor` standard deviations or the
 * margin is 4 x `rangeTolerance`. A z-scored member's point score passes
 * 0.999 only where its own history has seen deviations at least as large
 * no more often than its share of the alarm level (`historyCheck`, since
 * 0.7). Alarm cooldown: once the combined score reaches `alarmLevel`,
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
/** The snapshot format: version 3 is written, versions 1 and 2 still restore. */
const SNAPSHOT: SnapshotFormat = {
  kind: 'StreamingDetector',
  version: 3,
  reads: [1, 2],
  where: 'StreamingDetector.restore',
};

export class StreamingDetector implements StreamingDetectorApi {
  readonly kind = 'StreamingDetector';
  readonly members: Record<string, BaseDetector>;
  readonly #names: string[];
  readonly #list: BaseDetector[];
  readonly #p: Float64Array;
  readonly #raw: Float64Array;
  readonly #alarmRaw: Float64Array;
  readonly #exceedance: Float64Array;
  readonly #c: EnsembleCombiner;
  #rejected = 0;
  readonly #cal = new ScoreCalibrator();
  /** Built with `defaultMembers()` (no `members` option). */
  readonly #defaults: boolean;
  /** Built with the default likelihood windows (no `likelihoodWindows` option). */
  readonly #defaultWindows: boolean;

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
    this.#defaults = !options.members;
    this.#defaultWindows = options.likelihoodWindows === undefined;
    this.#names = Object.keys(this.members);
    this.#list = this.#names.map((k) => this.members[k]);
    if (this.#list.length === 0) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'StreamingDetector: pass at least one member.');
    }
    this.#p = new Float64Array(this.#list.length);
    this.#c = new EnsembleCombiner(this.#list, options);
    this.#raw = new Float64Array(this.#list.length);
    this.#alarmRaw = new Float64Array(this.#list.length);
    this.#exceedance = new Float64Array(this.#list.length);
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
  /** Whether point alarms must agree with the member's own history (`StreamingDetectorOptions.historyCheck`). */
  get historyCheck(): boolean {
    return this.#c.historyCheck;
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
    const alarmRaw = this.#alarmRaw;
    const exceedance = this.#exceedance;
    for (let i = 0; i < this.#list.length; i++) {
      const d = this.#list[i];
      p[i] = d.update(value, t);
      raw[i] = d.lastRaw;
      alarmRaw[i] = d.lastAlarmDeviation;
      exceedance[i] = d.lastExceedance;
    }
    return this.#c.step(p, value, t, raw, alarmRaw, exceedance);
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
    checkSnapshot(s, SNAPSHOT);
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
    checkSnapshot(s, SNAPSHOT);
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
    // a default detector of 0.2 or 0.3 (before ARTime joined): its members' likelihoods come first
    const added = this.#added(outer.members);
    if (!Array.isArray(ls) || ls.length !== c.lik.length - added.length) {
      throw bad('the snapshot was taken with other members');
    }
    const lik = c.freshLikelihoods();
    // a default detector before 0.4 had four windows [8, 16, 32, 64]: the default's [16, 64] resume
    const legacy = this.#legacyWindows(ls);
    ls.forEach((all, i) => {
      const x = legacy ? legacy.map((k) => all[k]) : all;
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

  /**
   * Default members a snapshot of an earlier default lacks: `['artime']` for
   * a default `StreamingDetector` of 0.2 or 0.3 (seasonal + EWMA) restored
   * into the current default, else none.
   */
  #added(st: Record<string, DetectorSnapshot> | undefined): string[] {
    if (!this.#defaults || !st || typeof st !== 'object') return [];
    const missing = this.#names.filter((k) => !st[k]);
    const last = this.#names[this.#names.length - 1];
    return missing.length === 1 && missing[0] === 'artime' && last === 'artime' ? missing : [];
  }

  /**
   * For a default detector (default members and windows) restoring a snapshot
   * of a pre-0.4 default (windows [8, 16, 32, 64], recognised by every
   * member's four likelihood rings having those lengths): the indices of the
   * current windows among the snapshot's; else null.
   */
  #legacyWindows(ls: unknown): number[] | null {
    if (!this.#defaults || !this.#defaultWindows || !Array.isArray(ls) || ls.length === 0) {
      return null;
    }
    const old = LEGACY_LIKELIHOOD_WINDOWS;
    const isLegacy = ls.every(
      (x) =>
        Array.isArray(x) &&
        x.length === old.length &&
        x.every(
          (l, k) =>
            l !== null &&
            typeof l === 'object' &&
            Array.isArray((l as { ring?: unknown }).ring) &&
            (l as { ring: unknown[] }).ring.length === old[k],
        ),
    );
    return isLegacy ? this.#c.likelihoodWindows.map((w) => old.indexOf(w)) : null;
  }

  #restoreMembers(st: Record<string, DetectorSnapshot> | undefined): void {
    const added = this.#added(st);
    for (const k of this.#names) {
      if (!st?.[k] && !added.includes(k))
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `StreamingDetector.restore: the snapshot has no member ${k}.`,
        );
    }
    for (const k of this.#names) {
      if (added.includes(k)) {
        // a member the snapshot's version did not have starts afresh (ARTime: its probation)
        const fresh = defaultMembers()[k]();
        this.members[k] = fresh;
        this.#list[this.#names.indexOf(k)] = fresh;
      } else this.members[k].restore((st as Record<string, DetectorSnapshot>)[k]);
    }
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
