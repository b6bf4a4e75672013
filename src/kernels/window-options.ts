/**
 * Options, output shape and option parsing of the window kernels
 * (`SlidingWindow` / `TumblingWindow`).
 */
import { describeValue, EdgewiseError } from '../errors';
import type { QuantileSketchOptions } from './quantile';

/** Statistics a window can report. */
export type WindowStat = 'count' | 'sum' | 'mean' | 'variance' | 'min' | 'max';
export const ALL_STATS: readonly WindowStat[] = ['count', 'sum', 'mean', 'variance', 'min', 'max'];

/**
 * Options of `SlidingWindow` / `TumblingWindow`: size, slide, count or time windows, statistics
 * and quantiles.
 */
export interface WindowOptions {
  /** Window length: a number of values (count windows) or a duration (time windows). */
  size: number;
  /**
   * Distance between consecutive windows, same unit as `size`. SlidingWindow:
   * default 1 for count windows and required for time windows (`size` must be
   * a multiple of it). TumblingWindow: always `size`.
   */
  slide?: number;
  /** Time-based: `push(values, timestamps)`. Default false (count-based). */
  time?: boolean;
  /** Time windows are aligned to `origin + i * slide` (default 0). */
  origin?: number;
  /** Statistics to output (default all six). */
  stats?: readonly WindowStat[];
  /** Count sliding windows: also emit windows with fewer than `size` values at the start (default true). */
  partial?: boolean;
  /**
   * Windowed percentiles: probabilities to report per window, from a
   * QuantileSketch kept per pane (a pane is `slide` values or `slide` time
   * units; count windows then need `size` to be a multiple of `slide`).
   */
  quantiles?: readonly number[];
  /** Options of the per-pane sketches (default: 1% relative accuracy). */
  sketch?: QuantileSketchOptions;
}

/**
 * Columnar window results: one row per emitted window. Only the requested
 * statistics are present; time windows add `start` and `end` (window
 * [start, end)); `quantiles[i]` is the column of `options.quantiles[i]`.
 */
export interface WindowOutput {
  length: number;
  count?: Float64Array;
  sum?: Float64Array;
  mean?: Float64Array;
  /** Population variance (divides by the window count). */
  variance?: Float64Array;
  min?: Float64Array;
  max?: Float64Array;
  start?: Float64Array;
  end?: Float64Array;
  quantiles?: Float64Array[];
}

/**
 * Options of `push(values, options)` (count windows), `push(values, timestamps, options)`
 * (time windows) and `flush(options)`.
 */
export interface WindowPushOptions {
  /**
   * Count windows: columns to write the rows into instead of the window's
   * reused memory: a Float64Array per
   * requested statistic, each at least as long as the rows this push emits
   * (`Math.floor(values.length / slide) + 1` is always enough). The result's
   * columns are then views of these arrays (row 0 at index 0), so a stream can
   * reuse one set of buffers instead of allocating per batch. Not with
   * `quantiles`.
   */
  out?: Partial<Record<WindowStat, Float64Array>>;
  /**
   * `true`: return fresh columns (a new ArrayBuffer) that stay valid forever,
   * instead of the window's reused memory, which the next `push()` or
   * `flush()` overwrites. Costs a fresh allocation per call (the operating
   * system zeroes and maps the new pages). Not with `out`.
   */
  copy?: boolean;
}

export function bad(message: string): EdgewiseError {
  return new EdgewiseError('INVALID_ARGUMENT', message);
}

export interface Parsed {
  size: number;
  slide: number;
  time: boolean;
  origin: number;
  stats: WindowStat[];
  partial: boolean;
  quantiles: number[];
  sketch: QuantileSketchOptions;
}

export function parse(o: WindowOptions, tumbling: boolean, where: string): Parsed {
  if (o === null || typeof o !== 'object') {
    throw bad(`${where}: pass an options object such as { size: 1000 }, got ${describeValue(o)}.`);
  }
  const time = o.time ?? false;
  const size = o.size;
  const slide = tumbling ? size : (o.slide ?? (time ? undefined : 1));
  if (time) {
    if (typeof size !== 'number' || !(size > 0) || !Number.isFinite(size)) {
      throw bad(`${where}: size must be a positive duration, got ${describeValue(size)}.`);
    }
    if (typeof slide !== 'number' || !(slide > 0) || !Number.isFinite(slide)) {
      throw bad(`${where}: time windows need a positive slide, got ${describeValue(slide)}.`);
    }
    const ratio = size / slide;
    if (!Number.isInteger(ratio) || ratio > 65536) {
      throw bad(
        `${where}: size (${size}) must be a multiple of slide (${slide}), at most 65536 panes.`,
      );
    }
  } else {
    if (!Number.isInteger(size) || size < 1 || size > 1 << 24) {
      throw bad(
        `${where}: size must be an integer number of values in [1, 2^24], got ${describeValue(size)}.`,
      );
    }
    if (!Number.isInteger(slide) || (slide as number) < 1 || (slide as number) > size) {
      throw bad(`${where}: slide must be an integer in [1, size], got ${describeValue(slide)}.`);
    }
  }
  const origin = o.origin ?? 0;
  if (typeof origin !== 'number' || !Number.isFinite(origin)) {
    throw bad(`${where}: origin must be a finite number, got ${describeValue(origin)}.`);
  }
  const stats = [...(o.stats ?? ALL_STATS)];
  for (const s of stats) {
    if (!ALL_STATS.includes(s)) {
      throw bad(`${where}: unknown statistic ${describeValue(s)}; use ${ALL_STATS.join(', ')}.`);
    }
  }
  const quantiles = [...(o.quantiles ?? [])];
  for (const q of quantiles) {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw bad(`${where}: quantiles must be probabilities in [0, 1], got ${describeValue(q)}.`);
    }
  }
  if (quantiles.length > 0 && !time && size % (slide as number) !== 0) {
    throw bad(
      `${where}: windowed quantiles need size to be a multiple of slide (panes of slide values).`,
    );
  }
  return {
    size,
    slide: slide as number,
    time,
    origin,
    stats,
    partial: tumbling ? false : (o.partial ?? true),
    quantiles,
    sketch: o.sketch ?? {},
  };
}
