import { describeValue, EdgewiseError } from '../../errors';

/**
 * ARTime: anomaly detection with adaptive resonance theory over windowed
 * features (M. Hampton's ARTime, the leader of the NAB scoreboard; published
 * in Julia as ARTimeNAB.jl). This is our own TypeScript implementation of
 * that algorithm, written to reproduce its scores record by record.
 *
 * Per record, the raw values are gathered in blocks of `sstep` records (the
 * downsampling step) and each block is reduced to one value: its mean, or its
 * most extreme value when that is a spike (more than 10% from the mean). That
 * value is normalised to the value range, quantised to 81 levels, and pulled
 * to a running median level when it is close to it. The last 8 quantised
 * values give a 16-dimensional feature vector: a Haar wavelet transform of the
 * min-max scaled window (shape) beside the window itself (level). A dual
 * vigilance fuzzy ART network (complement coded, 32 dimensions) clusters the
 * feature vectors: a vector that resonates with no category (similarity below
 * the lower vigilance) founds a new category, and that is an anomaly, scored
 * by how far below the vigilances its similarity fell, unless it is masked
 * (shortly after another anomaly or a new category). The vigilances adapt to
 * the trend of the similarities. The first `probation` records are a training
 * period (score 0): at its end the network is trained on its feature vectors
 * in one batch, with a starting vigilance chosen from them.
 *
 * Two ways to run it:
 * - **NAB mode** (`min`, `max` and `length` or `probation` given): exactly
 *   what NAB's harness does (the file's minimum and maximum over the whole
 *   file, a probation of 15% of the file capped at 750 records). The scores
 *   then match the published ARTime results.
 * - **Streaming mode** (no `min`/`max`): neither the range nor the length of
 *   the series is needed. The training period is `probation` records
 *   (default 750, NAB's cap); the range is learned from the training records
 *   (widened by `rangeMargin` of its span on each side) and afterwards widens
 *   to take in any downsampled value that falls outside it (again with the
 *   margin), so an excursion is seen as the new extreme it is.
 *
 * The score of a record is in [0, 1]: 0 for most records, the ARTime
 * confidence (rounded to 6 decimals, as ARTime does) on the records where it
 * detects an anomaly. `update` returns it directly (no calibration).
 *
 * State: about 370 bytes per category (its 32 weights and cached sums) plus
 * fixed buffers of a few KB; the network grows as categories are founded
 * (NAB's dev files end with 2 to 831) and is bounded by `maxCategories`
 * (default 4096, about 1.5 MB): once full, a new category replaces the least
 * recently used one. The similarities of past anomalies (their mean is a
 * floor for the lower vigilance) are kept for the last 4096 anomalies. Below
 * the caps, which NAB's files do not reach, the scores are ARTime's exactly.
 *
 * Speed: one network pass per `sstep` records; categories that cannot win or
 * learn are skipped with an exact upper bound, so a pass costs a fraction of
 * a full scan (about 0.7 to 1.6 million records/s on NAB's longer files, one
 * core, Node 20).
 */
export interface ARTimeOptions {
  /**
   * Lower end of the value range (give with `max`). NAB's harness passes the
   * minimum of the whole file. Omit both for the streaming mode (range learned
   * from the training records). Values outside [min, max] are quantised to
   * the end levels.
   */
  min?: number;
  /** Upper end of the value range (give with `min`). */
  max?: number;
  /**
   * Training (probationary) period in records, in [16, 1e6] (an odd number is
   * rounded down to even, as ARTime does). Default 750, or derived from
   * `length`.
   */
  probation?: number;
  /**
   * Length of the series when it is known in advance: the probation is then
   * NAB's rule, 15% of it (rounded down) capped at 750 records. Do not give
   * both `length` and `probation`.
   */
  length?: number;
  /**
   * Streaming mode only: margin added on each side of the learned range, as a
   * share of its span (default 0.25).
   */
  rangeMargin?: number;
  /** Most categories the network stores (default 4096, >= 16). */
  maxCategories?: number;
}

// ARTime's constants (ARTimeNAB.jl `P`).
export const WIN = 8; // feature window (downsampled points)
export const DIM = 2 * WIN; // features: 8 wavelet coefficients + the 8 levels
export const DIM2 = 2 * DIM; // complement coded
export const WINDOWS_PER_PB = 13;
export const NLEVELS = 80;
export const CHOMP = 0.075;
export const MASK = 12; // mask_rho_after_anomaly = window * 1.5
export const INITIAL_RHO = 0.8;
export const MAX_PROBATION = 750;
/** Larger magnitudes are rejected like non-finite values (block sums and the range would overflow). */
export const MAX_ABS = 1e300;
/** Anomaly similarities kept (ARTime keeps all; ours: the most recent). */
export const MAX_HISTORY = 4096;
/** Haar filter coefficient: Wavelets.jl normalises [0.7071067811865475, 0.7071067811865475] by its 2-norm. */
export const HAAR = Math.SQRT1_2;

export const SNAPSHOT_VERSION = 1;
export const KIND = 'ARTimeDetector';
export interface ResolvedOptions {
  probation: number;
  sstep: number;
  trend: number;
  fixed: boolean;
  min: number;
  max: number;
  rangeMargin: number;
  maxCategories: number;
}

export function resolveOptions(o: ARTimeOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: options must be an object, got ${describeValue(o)}.`,
    );
  }
  const hasMin = o.min !== undefined;
  const hasMax = o.max !== undefined;
  if (hasMin !== hasMax) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'ARTimeDetector: give both min and max (the value range), or neither to learn the range.',
    );
  }
  if (
    hasMin &&
    !(Number.isFinite(o.min) && Number.isFinite(o.max) && (o.max as number) >= (o.min as number))
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: min and max must be finite numbers with min <= max, got ${describeValue(o.min)} and ${describeValue(o.max)}.`,
    );
  }
  if (o.length !== undefined && o.probation !== undefined) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'ARTimeDetector: give the series length or the probation, not both.',
    );
  }
  let pp: number;
  if (o.length !== undefined) {
    if (!Number.isInteger(o.length) || o.length < 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeDetector: length must be a non-negative integer, got ${describeValue(o.length)}.`,
      );
    }
    pp = o.length < 5000 ? Math.floor(0.15 * o.length) : MAX_PROBATION;
    if (pp < 16) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeDetector: a series of ${o.length} records is too short (15% of it must be at least 16 records); give a probation instead.`,
      );
    }
  } else {
    pp = o.probation ?? MAX_PROBATION;
    if (!Number.isInteger(pp) || pp < 16 || pp > 1e6) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `ARTimeDetector: probation must be an integer in [16, 1e6] (records), got ${describeValue(o.probation)}.`,
      );
    }
  }
  pp -= pp % 2;
  const sstep = Math.max(1, Math.floor(pp / (WIN * WINDOWS_PER_PB)));
  const trend = Math.floor(pp / sstep);
  const rangeMargin = o.rangeMargin ?? 0.25;
  if (typeof rangeMargin !== 'number' || !(rangeMargin >= 0 && rangeMargin <= 10)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: rangeMargin must be a number in [0, 10], got ${describeValue(o.rangeMargin)}.`,
    );
  }
  const maxCategories = o.maxCategories ?? 4096;
  if (!Number.isInteger(maxCategories) || maxCategories < 16 || maxCategories > 1e6) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `ARTimeDetector: maxCategories must be an integer in [16, 1e6], got ${describeValue(o.maxCategories)}.`,
    );
  }
  return {
    probation: pp,
    sstep,
    trend,
    fixed: hasMin,
    min: hasMin ? (o.min as number) : Number.NaN,
    max: hasMin ? (o.max as number) : Number.NaN,
    rangeMargin,
    maxCategories,
  };
}
