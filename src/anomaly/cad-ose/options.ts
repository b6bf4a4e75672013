import { describeValue, EdgewiseError } from '../../errors';

/**
 * CAD OSE: Contextual Anomaly Detector, open source edition (M. Smirnov, 2016;
 * NAB's `context_ose` detector, the version whose scores NAB's results hold),
 * written here from the published algorithm.
 *
 * Each value is bucketed into `2^valueBits` levels and written as a set of
 * "facts" (one per bit: position and value). A context is a pair (left facts,
 * right facts): what was active at the previous step (the sensor facts and the
 * ids of the contexts active then, as "neuron" facts) and the sensor facts that
 * followed. Contexts are stored as pairs of shared semi-contexts. Every step
 * reviews the left semi-contexts recognised at the previous step: the contexts
 * of a fully recognised one are "selected", those whose right side also
 * matches completely are activated (their count grows), and on steps that
 * brought a new zero-level context the partial overlaps of zero-level contexts
 * become new contexts. The score is `(1 - active / selected + new / potential
 * new) / 2`. The `maxActiveNeurons` most activated contexts (ties broken by
 * the hashes of their fact tuples) become the neuron facts of the next step.
 * After a score of at least `threshold`, scores are held at 0 for `restPeriod`
 * steps (also at the start).
 *
 * Exactness: the reference orders contexts by CPython 2's 64-bit tuple hash and
 * numbers new contexts in the slot order of CPython 2.7 dicts; both are
 * reproduced (`tupleHash`, `IntDict`), as is its skipping of context 0 when no
 * new context was made (`False == 0`).
 *
 * Two ways to give the value range:
 * - **NAB mode** (`min` and `max`): the fixed range of the series, as NAB's
 *   harness does (min and max over the whole file; `length` gives NAB's rest
 *   period of floor(min(floor(0.15 n), 750) / 5)). Fed the values NAB fed it,
 *   the scores equal NAB's reference scores record by record.
 * - **Streaming mode** (no `min`/`max`, the default): the range is the running
 *   minimum and maximum of the values seen so far (including the current one;
 *   `rangeMargin` adds headroom when it widens), so no knowledge of the future
 *   is needed. Every widening shifts the buckets.
 *
 * Values outside a given range are clamped to its end buckets. Deterministic.
 * Memory grows with the number of contexts (a few per novel step; about
 * 200-550 bytes each), up to `maxContexts`. Cost per record grows with the
 * number of left semi-contexts that share facts with the current ones.
 */
export interface CadOseOptions {
  /** Lower end of the value range (give with `max`; NAB mode). */
  min?: number;
  /** Upper end of the value range (give with `min`). */
  max?: number;
  /** Records during which scores stay 0 after a score >= threshold, and at the start (default 150). */
  restPeriod?: number;
  /** Length of the series when known: rest period as NAB's harness sets it. Not with `restPeriod`. */
  length?: number;
  /** Score at or above which the rest period starts (default 0.75). */
  threshold?: number;
  /** Longest left semi-context grown from overlaps (default 7). */
  maxLeftSemiContexts?: number;
  /** Active contexts fed back as neuron facts (default 15). */
  maxActiveNeurons?: number;
  /** Bits of the bucketed value: 2^bits levels (default 3, at most 15). */
  valueBits?: number;
  /**
   * Streaming mode only: when a value leaves the running range, the range is
   * widened to it plus this fraction of its previous width (default 0: the
   * plain running minimum and maximum). A margin makes later widenings, which
   * shift every bucket, rarer.
   */
  rangeMargin?: number;
  /**
   * Most contexts kept (default 200,000, roughly 20 MB): once reached, no new
   * contexts are learned (known ones still count and activate), so memory
   * stays bounded on endless noisy streams. NAB's files stay far below it.
   */
  maxContexts?: number;
}

export interface Config {
  min: number;
  max: number;
  restPeriod: number;
  threshold: number;
  maxLeftSemiContexts: number;
  maxActiveNeurons: number;
  valueBits: number;
  maxContexts: number;
  rangeMargin: number;
}

export const KIND = 'CadOseDetector';
export const VERSION = 1;
export const SENSOR_BASE = 0;
export const NEURON_BASE = 2 ** 31;
export const DEFAULT_REST = 150;

export function checkInt(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: ${name} must be an integer in [${lo}, ${hi}], got ${describeValue(v)}.`,
    );
  }
  return v;
}

export function resolve(o: CadOseOptions): Config {
  if (o === null || typeof o !== 'object') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: options must be an object, got ${describeValue(o)}.`,
    );
  }
  const hasMin = o.min !== undefined;
  if (hasMin !== (o.max !== undefined)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'CadOseDetector: give both min and max (the value range), or neither to learn the range.',
    );
  }
  if (
    hasMin &&
    !(
      typeof o.min === 'number' &&
      typeof o.max === 'number' &&
      Number.isFinite(o.min) &&
      Number.isFinite(o.max) &&
      o.max >= o.min
    )
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: min and max must be finite numbers with min <= max, got ${describeValue(o.min)} and ${describeValue(o.max)}.`,
    );
  }
  if (o.length !== undefined && o.restPeriod !== undefined) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'CadOseDetector: give the series length or the rest period, not both.',
    );
  }
  let rest = DEFAULT_REST;
  if (o.length !== undefined) {
    const n = checkInt(o.length, 'length', 34, 1e12);
    rest = Math.floor(Math.min(Math.floor(0.15 * n), 750) / 5);
  } else if (o.restPeriod !== undefined) rest = checkInt(o.restPeriod, 'restPeriod', 1, 1e6);
  const threshold = o.threshold ?? 0.75;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: threshold must be a finite number > 0, got ${describeValue(threshold)}.`,
    );
  }
  const margin = o.rangeMargin ?? 0;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0 || margin > 1e3) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: rangeMargin must be a number in [0, 1000], got ${describeValue(margin)}.`,
    );
  }
  if (hasMin && o.rangeMargin !== undefined) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'CadOseDetector: rangeMargin is for the streaming mode; omit it when giving min and max.',
    );
  }
  return {
    min: hasMin ? (o.min as number) : Number.NaN,
    max: hasMin ? (o.max as number) : Number.NaN,
    restPeriod: rest,
    threshold,
    maxLeftSemiContexts: checkInt(o.maxLeftSemiContexts ?? 7, 'maxLeftSemiContexts', 1, 1e6),
    maxActiveNeurons: checkInt(o.maxActiveNeurons ?? 15, 'maxActiveNeurons', 1, 1e4),
    valueBits: checkInt(o.valueBits ?? 3, 'valueBits', 1, 15),
    maxContexts: checkInt(o.maxContexts ?? 200_000, 'maxContexts', 1, 1e8),
    rangeMargin: margin,
  };
}
