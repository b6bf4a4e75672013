import { describeValue, EdgewiseError } from '../errors';
import { BaseDetector, type BaseOptions, checkAlpha, fin, level, REL_FLOOR } from './detector-base';

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
  /**
   * Slots on each side of a record's own slot whose level may also explain
   * it (default 1: half an hour either side with the default 30-minute
   * slots; 0: only its own slot). Inside a `StreamingDetector` the member's
   * alarm floor is compared with the least deviation over those slots
   * (`lastAlarmDeviation`), so a daily pattern that comes a little early or
   * late (a job whose schedule drifts) does not raise a point alarm. The
   * member's score, its calibration, its likelihoods and the deviation it
   * offers to range novelty and to the ARTime member still use the record's
   * own slot.
   */
  slotTolerance?: number;
}

export const DAY_MS = 86_400_000;

/** One seasonal profile: EWMA level and mean absolute deviation per slot. */
export class Profile {
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
  /** The least deviation over the slots within `slotTolerance` at the last scored record. */
  #alarmDev = 0;
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
      slotTolerance: options.slotTolerance ?? 1,
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
    const k = this.opts.slotTolerance;
    if (!(Number.isInteger(k) && k >= 0 && 2 * k < Math.min(perDay, this.opts.period))) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `SeasonalDetector: slotTolerance must be an integer >= 0 with 2 x slotTolerance below the slots per day and the period, got ${describeValue(options.slotTolerance)}.`,
      );
    }
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
    if (p.seen[i] < 2) {
      this.#alarmDev = Math.abs(x - this.#gm) / (gscale * 1.2533);
      return this.#alarmDev;
    }
    const r = this.#deviation(p, i, x, gscale);
    // the alarm deviation: the least over the slots within slotTolerance that have a level
    let e = r;
    // the slots of one cycle: a day (or a week) of slots with timestamps, else the period
    const slots =
      t > 1e11 ? (p === this.#daily ? 1 : 7) * (DAY_MS / this.opts.slotMs) : this.opts.period;
    for (let k = 1; k <= this.opts.slotTolerance; k++) {
      const a = (i + k) % slots;
      const b = (i - k + slots) % slots;
      if (p.seen[a] >= 2) e = Math.min(e, this.#deviation(p, a, x, gscale));
      if (p.seen[b] >= 2) e = Math.min(e, this.#deviation(p, b, x, gscale));
    }
    this.#alarmDev = e;
    return r;
  }
  /** |x - level| / spread in slot i (the spread blends the slot's deviation with the series'). */
  #deviation(p: Profile, i: number, x: number, gscale: number): number {
    const wt = Math.min(1, p.seen[i] / 8);
    const scale = wt * p.dev[i] + (1 - wt) * gscale + 0.1 * gscale;
    return Math.abs(x - p.level[i]) / (scale * 1.2533);
  }
  protected override alarmDeviation(): number {
    return this.#alarmDev;
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
