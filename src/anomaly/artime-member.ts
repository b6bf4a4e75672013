import { describeValue, EdgewiseError } from '../errors';
import { ARTimeDetector } from './artime';
import { SNAPSHOT_VERSION as ARTIME_VERSION, MAX_ABS } from './artime/options';
import type { ARTimeState } from './artime/state';
import { ScoreCalibrator } from './calibration';
import { BaseDetector, type BaseOptions, type DetectorSnapshot } from './detector-base';

/**
 * Options of `ARTimeMember`. `alarmFloor` and `likelihoodFloor` (see
 * `BaseOptions`) have their own defaults here: 0.5 and 1e9.
 */
export interface ARTimeMemberOptions extends BaseOptions {
  /**
   * ARTime's training period in records, in [16, 1e6] (default 750, NAB's
   * cap): its score is 0 until then, and at its end the network is trained
   * on the buffered records in one batch. See `ARTimeOptions.probation`.
   */
  probation?: number;
  /**
   * Margin added on each side of the value range ARTime learns from its
   * training records, and again each time a value falls outside the range,
   * as a share of the range's span, in [0, 10] (default 1: the setting
   * measured best of three in `npm run eval:nab`; `ARTimeDetector`'s own
   * default is 0.25). See `ARTimeOptions.rangeMargin`.
   */
  rangeMargin?: number;
  /**
   * Most categories ARTime's network stores, in [16, 1e6] (default 1024: about
   * 380 KB in memory and 330 KB of snapshot JSON when full; NAB's dev files end
   * with 2 to 831 in NAB mode, 2 to 376 with this member's settings). Once
   * full, a new category replaces the least recently used one.
   */
  maxCategories?: number;
}

/** The ARTime options this member builds its detector with, and its floors. */
const defaults = {
  probation: 750,
  rangeMargin: 1,
  maxCategories: 1024,
  alarmFloor: 0.5,
  likelihoodFloor: 1e9,
} as const;

/**
 * ARTime (`ARTimeDetector`) in streaming mode as a calibrated member of a
 * `StreamingDetector`.
 *
 * `ARTimeDetector` scores 0 on most records and its confidence (in (0, 1])
 * on the records where its network founds a new category; it needs neither
 * the series' range nor its length in streaming mode (the range is learned
 * from the first `probation` records, then widens with any excursion). This
 * member runs it that way and, like every `BaseDetector`, maps its score to
 * the mid-rank empirical CDF of its own past scores (`ScoreCalibrator`), so it
 * can be combined with the other members:
 *
 * ```ts
 * new StreamingDetector({ members: withARTime() }); // the default's members, ARTime with these defaults
 * // or, spelled out:
 * new StreamingDetector({ members: { seasonal: new SeasonalDetector(), artime: new ARTimeMember() } });
 * ```
 *
 * The calibration sees every record from the first (`warmup` 0 by default),
 * including the probation's zeros, so an ARTime detection ranks at the top of
 * a history that is mostly zeros. Score-then-learn, one record at a time;
 * timestamps are accepted and not used (ARTime works on the record order).
 * Non-finite values return NaN, are counted in `rejected` and change nothing;
 * finite values beyond +-1e300 are clamped to +-1e300 (ARTime's limit).
 *
 * Inside a `StreamingDetector` (what `npm run eval:nab -- --artime` measured
 * best of six settings, docs/anomaly-nab.md): the member alarms through its
 * point score, and only for a confident detection. `lastRaw` is ARTime's own
 * score, so `alarmFloor` (default 0.5, the median confidence of ARTime's
 * detections on NAB's development split) is in ARTime's confidence units: a
 * weaker detection cannot raise this member's point score above 0.999. Its
 * anomaly likelihoods are held at 0.999 by `likelihoodFloor` (default 1e9
 * standard deviations, which no window mean reaches once a likelihood has
 * seen 10 of them): ARTime's score is already an event detector, and the
 * likelihoods would carry a weak detection past the floor.
 * `alarmFloor: 0, likelihoodFloor: 0` give the plain member.
 *
 * State: ARTime's (fixed buffers of a few KB plus about 370 bytes per
 * category, bounded by `maxCategories`) and the calibrator's fixed histogram.
 * `snapshot()` / `restore()` are exact (a restored member scores on as the
 * uninterrupted one); a damaged snapshot, or one of a member with other
 * options, is refused with CORRUPT_STATE (UNSUPPORTED_VERSION for another
 * version) and the member keeps its state.
 *
 * Measured on NAB's development split (docs/anomaly-nab.md): with these
 * defaults it raises the cross-validated scores in all three profiles, but on
 * clean noisy sines it raises alarms (ARTime finds windows of a new shape
 * there, with the same confidences as its useful detections on NAB). The
 * default `StreamingDetector` therefore runs it as
 * `new ARTimeMember({ alarmFloor: 0, deviationFloor: 3.5 })`: a detection
 * alarms only where the seasonal or EWMA member also sees a 3.5-sigma
 * deviation (`BaseOptions.deviationFloor`), which keeps the sines quiet.
 */
export class ARTimeMember extends BaseDetector {
  readonly kind = 'ARTimeMember';
  /** Its alarm floor is a confidence, not a deviation: `historyCheck` does not apply. */
  readonly historyChecked = false;
  /** ARTime's training period, in records (even). */
  readonly probation: number;
  readonly rangeMargin: number;
  readonly maxCategories: number;
  #d: ARTimeDetector;
  /** Whether `raw` has fed the current record to ARTime (false between records). */
  #stepped = false;

  constructor(options: ARTimeMemberOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeMember: options must be an object, got ${describeValue(options)}.`,
      );
    }
    super(options.warmup ?? 0, {
      ...options,
      likelihoodFloor: options.likelihoodFloor ?? defaults.likelihoodFloor,
      alarmFloor: options.alarmFloor ?? defaults.alarmFloor,
    });
    const d = new ARTimeDetector({
      probation: options.probation ?? defaults.probation,
      rangeMargin: options.rangeMargin ?? defaults.rangeMargin,
      maxCategories: options.maxCategories ?? defaults.maxCategories,
    });
    this.#d = d;
    this.probation = d.probation;
    this.rangeMargin = options.rangeMargin ?? defaults.rangeMargin;
    this.maxCategories = options.maxCategories ?? defaults.maxCategories;
  }

  /** Categories in ARTime's network. */
  get categories(): number {
    return this.#d.categories;
  }

  /** ARTime scores then learns in one step: the score of the record is its raw deviation. */
  protected raw(x: number): number {
    this.#stepped = true;
    return this.#d.update(clamp(x));
  }

  protected learn(x: number): void {
    // during `warmup` the base class learns without scoring
    if (!this.#stepped) this.#d.update(clamp(x));
    this.#stepped = false;
  }

  protected state(): unknown {
    return { artime: this.#d.snapshot().state };
  }

  protected setState(s: unknown, n: number): void {
    const st = s as { artime?: unknown } | null;
    if (!st || typeof st !== 'object' || !st.artime || typeof st.artime !== 'object') {
      throw this.corrupt('no ARTime state');
    }
    const d = new ARTimeDetector(this.#d.options);
    const inner: DetectorSnapshot = {
      kind: d.kind,
      version: ARTIME_VERSION,
      n,
      rejected: 0,
      calibrator: new ScoreCalibrator().snapshot(),
      state: st.artime as ARTimeState,
    };
    try {
      d.restore(inner);
    } catch (e) {
      if (e instanceof EdgewiseError) {
        throw new EdgewiseError(
          e.code,
          `${this.kind}.restore: the ARTime state is refused (${e.message})`,
        );
      }
      throw e;
    }
    this.#d = d;
    this.#stepped = false;
  }
}

const clamp = (x: number): number => Math.min(MAX_ABS, Math.max(-MAX_ABS, x));
