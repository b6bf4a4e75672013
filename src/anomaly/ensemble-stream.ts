import { describeValue, EdgewiseError } from '../errors';
import { ScoreCalibrator } from './calibration';
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

export interface StreamingDetectorOptions {
  /** Member detectors (default: `defaultMembers()`: seasonal daily profile + slow EWMA chart). */
  members?: Record<string, BaseDetector>;
  /**
   * Alarm level of the combined score that starts a cooldown (default 0.996,
   * i.e. about 0.998 for one of two members).
   */
  alarmLevel?: number;
  /** Records after an alarm during which scores are halved (default 100; 0 disables). */
  cooldown?: number;
}

/**
 * The default streaming detector: an ensemble of calibrated members.
 *
 * Combination rule: each member's score p_i is already calibrated (the ECDF
 * of its own raw scores); the ensemble reports max_i p_i ^ m (m members),
 * the Šidák correction, which is again calibrated (uniform) when members are
 * independent and uniform, so the same threshold keeps its meaning whatever
 * the number of members. Alarm cooldown: once the combined score reaches
 * `alarmLevel`, the next `cooldown` records report half their score, so one
 * incident raises one alarm rather than a burst (a later, stronger incident
 * still shows as long as its halved score clears the user's threshold).
 * `contributions` holds each member's score of the last update.
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
  readonly alarmLevel: number;
  readonly cooldown: number;
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
    this.contributions = new Float64Array(this.#list.length);
    this.alarmLevel = options.alarmLevel ?? 0.996;
    this.cooldown = options.cooldown ?? 100;
    if (!(this.alarmLevel > 0 && this.alarmLevel <= 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: alarmLevel must be in (0, 1], got ${describeValue(options.alarmLevel)}.`,
      );
    }
    if (!Number.isInteger(this.cooldown) || this.cooldown < 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamingDetector: cooldown must be a non-negative integer, got ${describeValue(options.cooldown)}.`,
      );
    }
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
    let mx = 0;
    for (let i = 0; i < this.#list.length; i++) {
      const s = this.#list[i].update(value, t);
      c[i] = s;
      if (s > mx) mx = s;
    }
    const combined = this.#list.length === 1 ? mx : mx ** this.#list.length;
    this.#last = combined;
    const n = this.#n++;
    const quiet = n - this.#lastAlarm <= this.cooldown;
    if (!quiet && combined >= this.alarmLevel) this.#lastAlarm = n;
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
      version: 1,
      n: this.#n,
      rejected: this.#rejected,
      calibrator: this.#cal.snapshot(),
      state: {
        lastAlarm: Number.isFinite(this.#lastAlarm) ? this.#lastAlarm : null,
        members: Object.fromEntries(this.#names.map((k) => [k, this.members[k].snapshot()])),
      },
    };
  }

  restore(s: DetectorSnapshot): this {
    if (!s || s.kind !== this.kind) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamingDetector.restore: pass a snapshot() of a StreamingDetector.',
      );
    }
    const outer = s.state as {
      lastAlarm: number | null;
      members: Record<string, DetectorSnapshot>;
    };
    const st = outer?.members;
    for (const k of this.#names) {
      if (!st?.[k])
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `StreamingDetector.restore: the snapshot has no member ${k}.`,
        );
    }
    for (const k of this.#names) this.members[k].restore(st[k]);
    this.#cal.restore(s.calibrator);
    this.#n = s.n;
    this.#rejected = s.rejected;
    this.#lastAlarm = outer.lastAlarm ?? Number.NEGATIVE_INFINITY;
    return this;
  }
}
