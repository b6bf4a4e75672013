/**
 * The public types of `edgewise/stream`'s `StreamProcessor`: events, window
 * specs, options, results, late events, counters and the snapshot format.
 */
import type { EventBus } from '../events/bus';
import type { QuantileSketchOptions } from '../kernels/quantile';
import type { AccState, Reducer } from './aggregate';

/** The default event shape (CSV replay and columnar pushes produce it). */
export interface StreamEvent {
  /** Event time, milliseconds since the epoch. */
  timestamp: number;
  value: number;
  key?: string | number;
}

/** A stream key (per device, user or series). */
export type Key = string | number;

/**
 * Window assigners.
 * - tumbling: `[k*size + offset, (k+1)*size + offset)`
 * - sliding: windows of `size` starting every `slide`, assembled from panes of
 *   gcd(size, slide) (each event is added to one pane, never copied per window)
 * - session: per key, events at most `gap` apart share a window
 *   `[first, last + gap)`; sessions merge when a (late) event bridges them
 * - count: per key, every `size` events in arrival order (no event time,
 *   no watermark); `flush()` emits the last partial window flagged `partial`
 */
export type WindowSpec =
  | { type: 'tumbling'; size: number; offset?: number }
  | { type: 'sliding'; size: number; slide: number; offset?: number }
  | { type: 'session'; gap: number }
  | { type: 'count'; size: number };

/**
 * Options of `StreamProcessor`: window, key, time, value, watermarks, lateness, quantiles,
 * reducers and outputs.
 */
export interface StreamOptions<E = StreamEvent> {
  window: WindowSpec;
  /** keyBy: per-device / per-user / per-series state. Default: `e.key ?? ''`. */
  key?: (event: E) => Key;
  /** Event-time extractor (ms). Default `e.timestamp`. Ignored in processing time. */
  timestamp?: (event: E) => number;
  /** The value aggregated. Default `e.value`. */
  value?: (event: E) => number;
  /** 'event' (default): timestamps from the events; 'processing': the clock at arrival. */
  time?: 'event' | 'processing';
  /** Bounded out-of-orderness: a source's watermark is its max timestamp minus this (ms, default 0). */
  outOfOrderness?: number;
  /**
   * A source that has sent nothing for this long (processing time, ms) is idle
   * and does not hold the watermark back (default Infinity: never idle).
   */
  idleTimeout?: number;
  /** Fired windows keep their state this long (event time) and re-fire, flagged `update`, on late data. */
  allowedLateness?: number;
  /**
   * Quantiles per window (each in [0, 1]), estimated by a `QuantileSketch`
   * (numpy 'lower' definition; exact up to `sketch.exactLimit` values, then
   * within `sketch.relativeAccuracy`). Results in `result.quantiles`, same order.
   */
  quantiles?: number[];
  /** Options of the per-window sketches (default: relativeAccuracy 0.01). */
  sketch?: QuantileSketchOptions;
  /**
   * Sliding windows: the most panes (of gcd(size, slide) ms) one key may need,
   * counted as `size / gcd(size, slide)` plus `ceil(allowedLateness / gcd)`
   * (default 1,000,000). A configuration above it is refused at construction
   * with `INVALID_ARGUMENT`; memory is proportional to the panes holding data.
   */
  maxPanes?: number;
  /** Custom aggregations, by name (results under `result.custom[name]`). */
  reducers?: Record<string, Reducer>;
  /** Results are emitted on this bus (topic `topic`), late events on `lateTopic`. */
  bus?: EventBus;
  /** Default 'stream.window'. */
  topic?: string;
  /** Default 'stream.late'. */
  lateTopic?: string;
  onResult?: (result: WindowResult) => void;
  onLate?: (late: LateEvent<E>) => void;
  /** Processing-time clock in ms (default `Date.now`); tests inject one. */
  clock?: () => number;
}

/** One fired window of one key: bounds, aggregates, quantiles and custom reducers. */
export interface WindowResult {
  key: Key;
  /** Window bounds, `[start, end)` (count windows: first and last event time, end inclusive). */
  start: number;
  end: number;
  /** Finite values aggregated (non-finite ones are counted in `rejected`). */
  count: number;
  sum: number;
  mean: number;
  /** Population variance. */
  variance: number;
  std: number;
  min: number;
  max: number;
  rejected: number;
  /** Estimates of `options.quantiles`, in the same order. */
  quantiles?: number[];
  custom?: Record<string, unknown>;
  /** True when this result replaces an earlier result for the same window (late data). */
  update: boolean;
  /** Session windows: earlier emitted windows this merged result supersedes. */
  replaces?: Array<{ start: number; end: number }>;
  /** Count windows closed by `flush()` before reaching `size`. */
  partial?: boolean;
  /** The watermark when the window fired. */
  watermark: number;
}

/** An event too late for every window it belongs to (`onLate`, the late topic). */
export interface LateEvent<E = StreamEvent> {
  event: E;
  key: Key;
  timestamp: number;
  source: string;
  /** The watermark the event was too late for (beyond `allowedLateness`). */
  watermark: number;
}

/** Per source: events, the largest event time and its watermark, idle or finished. */
export interface SourceStats {
  name: string;
  /** Largest event time seen. */
  maxTimestamp: number;
  watermark: number;
  idle: boolean;
  finished: boolean;
  events: number;
}

/** Counters of a `StreamProcessor` (`stats`). */
export interface StreamStats {
  events: number;
  late: number;
  results: number;
  updates: number;
  watermark: number;
  keys: number;
  /** Panes, sessions or count buffers holding state. */
  openStates: number;
  sources: SourceStats[];
  /** Results whose `onResult` callback threw (reported on the bus's `error` topic, or the console). */
  callbackErrors: number;
}

/** `snapshot()` output: structured-clone safe (postMessage, IndexedDB). */
export interface StreamSnapshot {
  format: 'edgewise.stream';
  version: 1;
  window: WindowSpec;
  watermark: number;
  counters: { events: number; late: number; results: number; updates: number };
  nextSeq: number;
  sources: Array<{
    name: string;
    maxTs: number;
    explicitWm: number;
    lastSeen: number;
    finished: boolean;
    events: number;
  }>;
  keys: Array<{
    key: Key;
    seq: number;
    panes?: Array<[number, AccState]>;
    registered?: number[];
    emitted?: number[];
    sessions?: Array<{
      start: number;
      end: number;
      emitted: boolean;
      replaces: Array<{ start: number; end: number }>;
      acc: AccState;
    }>;
    count?: { n: number; first: number; last: number; acc: AccState } | null;
  }>;
}

/** One key's entry of a snapshot. */
export type KeySnapshot = StreamSnapshot['keys'][number];
