import { describeValue, EdgewiseError } from '../errors';
import type { EventBus } from '../events/bus';
import { Moments } from '../kernels/moments';
import { QuantileSketch, type QuantileSketchOptions } from '../kernels/quantile';
import { Acc, type AccConfig, type AccState, type Reducer } from './aggregate';
import { parseSeriesCsv } from './csv';
import { FIRE, PURGE, TimerHeap } from './timers';
import {
  checkPaneBudget,
  DEFAULT_MAX_PANES,
  type SlidingGeometry,
  type SlidingPanes,
  SlidingWindows,
} from './windows/sliding';

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

interface Session {
  start: number;
  end: number;
  acc: Acc;
  emitted: boolean;
  /** Previously emitted ranges this session supersedes. */
  replaces: Array<{ start: number; end: number }>;
}

interface KeyState {
  key: Key;
  seq: number;
  panes: Map<number, Acc> | null;
  registered: Set<number> | null;
  emitted: Set<number> | null;
  sessions: Session[] | null;
  count: { n: number; first: number; last: number; acc: Acc } | null;
  /** Sliding windows of more than one pane: panes and their Two-Stacks aggregates. */
  sliding: SlidingPanes | null;
}

interface SourceState {
  name: string;
  maxTs: number;
  explicitWm: number;
  lastSeen: number;
  finished: boolean;
  events: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function positive(v: unknown, name: string, integer = false): number {
  if (
    typeof v !== 'number' ||
    !(v > 0) ||
    !Number.isFinite(v) ||
    (integer && !Number.isInteger(v))
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: window ${name} must be a positive ${integer ? 'integer' : 'finite number'} (ms for time windows), got ${describeValue(v)}.`,
    );
  }
  return v;
}

function nonNegative(v: unknown, dflt: number, name: string, allowInf = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || (!allowInf && !Number.isFinite(v))) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: ${name} must be a non-negative number of ms${allowInf ? ' (or Infinity)' : ''}, got ${describeValue(v)}.`,
    );
  }
  return v;
}

const defaultKey = (e: unknown): Key => (e as StreamEvent).key ?? '';
const defaultTs = (e: unknown): number => (e as StreamEvent).timestamp;
const defaultValue = (e: unknown): number => (e as StreamEvent).value;

/**
 * Keyed event-time windows over one or more sources, aggregated by the WASM
 * `Moments` kernel (count, sum, mean, variance, std, min, max) and custom reducers.
 *
 * Semantics (see docs/design/stream.md):
 * - each source's watermark is `max event time seen - outOfOrderness` (or what
 *   `advanceWatermark(t, source)` set); the stream's watermark is the minimum
 *   over active sources. Idle sources (nothing for `idleTimeout`) and finished
 *   sources are left out; when every source is idle or finished the watermark
 *   is the maximum of their watermarks (all data seen so far is final). It
 *   never goes backwards.
 * - a window `[start, end)` fires when the watermark reaches `end`.
 * - an event for a fired window whose `end + allowedLateness` is still above
 *   the watermark updates it: the window re-fires at once with `update: true`.
 *   Events later than that go to the late side output (`onLate`, the bus's
 *   late topic, `stats.late`): counted, never silently dropped.
 * - `flush()` is end of input: every open window fires and the watermark goes
 *   to +Infinity.
 *
 * ```ts
 * const p = new StreamProcessor({ window: { type: 'tumbling', size: 60_000 }, outOfOrderness: 5_000 });
 * p.pushMany(events);            // { timestamp, value, key }
 * for await (const r of p.results()) console.log(r.key, r.start, r.mean);
 * ```
 */
export class StreamProcessor<E = StreamEvent> {
  readonly #spec: WindowSpec;
  readonly #kind: WindowSpec['type'];
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;
  readonly #pane: number;
  readonly #panesPerWindow: number;
  readonly #panesPerSlide: number;
  readonly #gap: number;
  readonly #keyFn: (e: E) => Key;
  readonly #tsFn: (e: E) => number;
  readonly #valueFn: (e: E) => number;
  readonly #processing: boolean;
  readonly #bound: number;
  readonly #idleTimeout: number;
  readonly #lateness: number;
  readonly #reducerNames: string[];
  readonly #reducers: Reducer[] | null;
  readonly #quantiles: number[] | null;
  readonly #cfg: AccConfig;
  readonly #bus: EventBus | undefined;
  readonly #topic: string;
  readonly #lateTopic: string;
  readonly #onResult: ((r: WindowResult) => void) | undefined;
  readonly #onLate: ((l: LateEvent<E>) => void) | undefined;
  readonly #clock: () => number;

  #keys = new Map<Key, KeyState>();
  #nextSeq = 0;
  #sources = new Map<string, SourceState>();
  #sourceList: SourceState[] = [];
  #watermark = Number.NEGATIVE_INFINITY;
  #timers = new TimerHeap<KeyState>();
  #sliding: SlidingWindows<KeyState> | null = null;
  #tmp: Moments | null = null;
  #tmpSketch: QuantileSketch | null = null;
  #events = 0;
  #late = 0;
  #results = 0;
  #updates = 0;
  #callbackErrors = 0;
  #iterators = new Set<ResultQueue>();
  #closed = false;
  #idleTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: StreamOptions<E>) {
    if (options === null || typeof options !== 'object' || typeof options.window !== 'object') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        "StreamProcessor: pass options with a window, e.g. { window: { type: 'tumbling', size: 60000 } }.",
      );
    }
    const w = options.window;
    this.#spec = { ...w };
    this.#kind = w.type;
    this.#size = 0;
    this.#slide = 0;
    this.#offset = 0;
    this.#pane = 0;
    this.#panesPerWindow = 1;
    this.#panesPerSlide = 1;
    this.#gap = 0;
    switch (w.type) {
      case 'tumbling':
      case 'sliding': {
        this.#size = positive(w.size, 'size');
        this.#slide = w.type === 'sliding' ? positive(w.slide, 'slide') : this.#size;
        if (this.#slide > this.#size) {
          throw new EdgewiseError(
            'INVALID_ARGUMENT',
            `StreamProcessor: sliding window slide (${this.#slide}) must not exceed size (${this.#size}).`,
          );
        }
        this.#offset = w.offset ?? 0;
        if (!Number.isFinite(this.#offset)) {
          throw new EdgewiseError(
            'INVALID_ARGUMENT',
            'StreamProcessor: window offset must be finite.',
          );
        }
        if (!Number.isInteger(this.#size) || !Number.isInteger(this.#slide)) {
          throw new EdgewiseError(
            'INVALID_ARGUMENT',
            'StreamProcessor: window size and slide must be whole milliseconds.',
          );
        }
        this.#pane = gcd(this.#size, this.#slide);
        this.#panesPerWindow = this.#size / this.#pane;
        this.#panesPerSlide = this.#slide / this.#pane;
        break;
      }
      case 'session':
        this.#gap = positive(w.gap, 'gap');
        break;
      case 'count':
        this.#size = positive(w.size, 'size', true);
        break;
      default:
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: window type must be 'tumbling', 'sliding', 'session' or 'count', got ${describeValue((w as { type: unknown }).type)}.`,
        );
    }
    for (const [name, fn] of [
      ['key', options.key],
      ['timestamp', options.timestamp],
      ['value', options.value],
      ['onResult', options.onResult],
      ['onLate', options.onLate],
      ['clock', options.clock],
    ] as const) {
      if (fn !== undefined && typeof fn !== 'function') {
        throw new EdgewiseError('INVALID_ARGUMENT', `StreamProcessor: ${name} must be a function.`);
      }
    }
    this.#keyFn = options.key ?? (defaultKey as (e: E) => Key);
    this.#tsFn = options.timestamp ?? (defaultTs as (e: E) => number);
    this.#valueFn = options.value ?? (defaultValue as (e: E) => number);
    if (options.time !== undefined && options.time !== 'event' && options.time !== 'processing') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: time must be 'event' or 'processing', got ${describeValue(options.time)}.`,
      );
    }
    this.#processing = options.time === 'processing';
    this.#bound = nonNegative(options.outOfOrderness, 0, 'outOfOrderness');
    this.#idleTimeout = nonNegative(
      options.idleTimeout,
      Number.POSITIVE_INFINITY,
      'idleTimeout',
      true,
    );
    this.#lateness = nonNegative(options.allowedLateness, 0, 'allowedLateness');
    const reducers = options.reducers ?? {};
    this.#reducerNames = Object.keys(reducers);
    for (const n of this.#reducerNames) {
      const r = reducers[n];
      if (
        !r ||
        typeof r.create !== 'function' ||
        typeof r.add !== 'function' ||
        typeof r.result !== 'function'
      ) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: reducer '${n}' needs create(), add(state, value, event) and result(state).`,
        );
      }
      const needsMerge =
        this.#kind === 'session' || (this.#kind === 'sliding' && this.#panesPerWindow > 1);
      if (needsMerge && typeof r.merge !== 'function') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: reducer '${n}' needs merge(a, b) for ${this.#kind} windows (they combine partial states).`,
        );
      }
    }
    this.#reducers = this.#reducerNames.length ? this.#reducerNames.map((n) => reducers[n]) : null;
    const qs = options.quantiles;
    if (qs !== undefined) {
      if (!Array.isArray(qs) || qs.some((q) => typeof q !== 'number' || !(q >= 0 && q <= 1))) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: quantiles must be an array of numbers in [0, 1], e.g. [0.5, 0.95], got ${describeValue(qs)}.`,
        );
      }
    }
    this.#quantiles = qs?.length ? [...qs] : null;
    let sketch: QuantileSketchOptions | null = null;
    if (this.#quantiles) {
      sketch = { ...(options.sketch ?? {}) };
      new QuantileSketch(sketch).dispose(); // validates the options now
    }
    this.#cfg = { reducers: this.#reducers, sketch };
    const maxPanes = options.maxPanes ?? DEFAULT_MAX_PANES;
    if (typeof maxPanes !== 'number' || !Number.isInteger(maxPanes) || maxPanes < 1) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: maxPanes must be a positive integer, got ${describeValue(maxPanes)}.`,
      );
    }
    if (this.#kind === 'sliding' && this.#panesPerWindow > 1) {
      const g: SlidingGeometry = {
        pane: this.#pane,
        a: this.#panesPerWindow,
        b: this.#panesPerSlide,
        offset: this.#offset,
        lateness: this.#lateness,
      };
      checkPaneBudget(this.#size, this.#slide, g, maxPanes);
      this.#sliding = new SlidingWindows<KeyState>(g, this.#cfg, {
        emit: (ks, start, end, m, q, custom, update) =>
          this.#emit(this.#result(ks.key, start, end, m, q, custom, update)),
        timer: (kind, t, ks, w) => this.#timers.push({ t, kind, ks, w }),
      });
    }
    this.#bus = options.bus;
    this.#topic = options.topic ?? 'stream.window';
    this.#lateTopic = options.lateTopic ?? 'stream.late';
    this.#onResult = options.onResult;
    this.#onLate = options.onLate;
    this.#clock = options.clock ?? Date.now;
  }

  // ------------------------------------------------------------------ input

  /** Registers a source by name (so it holds the watermark before its first event). */
  addSource(name: string): this {
    this.#source(name);
    return this;
  }

  /** Pushes one event from `source` (default 'default'). */
  push(event: E, source = 'default'): this {
    this.#checkOpen('push');
    const t = this.#processing ? this.#clock() : this.#tsFn(event);
    const v = this.#valueFn(event);
    if (typeof v !== 'number') this.#badValue(0, v);
    const k = this.#keyFn(event);
    const ts = [t];
    const ks = [k];
    this.#validate(ts, ks, 1);
    this.#ingest(ts, [v], ks, [event], source);
    return this;
  }

  /** Pushes a batch; the batch is validated first, so a bad event changes nothing. */
  pushMany(events: readonly E[], source = 'default'): this {
    this.#checkOpen('pushMany');
    if (!Array.isArray(events)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor.pushMany: pass an array of events, got ${describeValue(events)}.`,
      );
    }
    const n = events.length;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    const ks: Key[] = new Array(n);
    const now = this.#processing ? this.#clock() : 0;
    for (let i = 0; i < n; i++) {
      const e = events[i];
      ts[i] = this.#processing ? now : this.#tsFn(e);
      const v = this.#valueFn(e);
      if (typeof v !== 'number') this.#badValue(i, v);
      vs[i] = v;
      ks[i] = this.#keyFn(e);
    }
    this.#validate(ts, ks, n);
    this.#ingest(ts, vs, ks, events, source);
    return this;
  }

  /**
   * Columnar push: `timestamps[i], values[i], keys?.[i]` (the fast path; no
   * event objects). Late events are reported as `{ timestamp, value, key }`.
   */
  pushColumns(
    columns: { timestamps: ArrayLike<number>; values: ArrayLike<number>; keys?: ArrayLike<Key> },
    source = 'default',
  ): this {
    this.#checkOpen('pushColumns');
    const { timestamps, values, keys } = columns ?? ({} as never);
    if (
      !timestamps ||
      !values ||
      typeof timestamps.length !== 'number' ||
      values.length !== timestamps.length ||
      (keys !== undefined && keys.length !== timestamps.length)
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'StreamProcessor.pushColumns: pass { timestamps, values, keys? } of equal lengths.',
      );
    }
    const n = timestamps.length;
    let ts = timestamps;
    if (this.#processing) ts = new Float64Array(n).fill(this.#clock());
    for (let i = 0; i < n; i++) if (typeof values[i] !== 'number') this.#badValue(i, values[i]);
    this.#validate(ts, keys, n);
    this.#ingest(ts, values, keys, null, source);
    return this;
  }

  /** Replays `timestamp,value[,key]` CSV text (see `parseSeriesCsv`); returns the row errors. */
  replayCsv(text: string, source = 'default'): ReturnType<typeof parseSeriesCsv>['errors'] {
    const p = parseSeriesCsv(text);
    this.pushColumns({ timestamps: p.timestamps, values: p.values, keys: p.keys }, source);
    return p.errors;
  }

  /**
   * Consumes an (async) iterable of events as source `source`, in batches of
   * `batch` (default 1024); marks the source finished at its end.
   */
  async consume(
    iterable: AsyncIterable<E> | Iterable<E>,
    source = 'default',
    options: { batch?: number } = {},
  ): Promise<void> {
    this.#checkOpen('consume');
    const batchSize = options.batch ?? 1024;
    this.#source(source);
    const buf: E[] = [];
    for await (const e of iterable as AsyncIterable<E>) {
      buf.push(e);
      if (buf.length >= batchSize) {
        this.pushMany(buf, source);
        buf.length = 0;
      }
    }
    if (buf.length) this.pushMany(buf, source);
    this.finishSource(source);
  }

  /** Subscribes to `pattern` on `bus`: payloads are events of source `source` (default: the pattern). */
  fromBus(bus: EventBus, pattern: string, source = pattern): () => void {
    this.#checkOpen('fromBus');
    this.#source(source);
    return bus.on(pattern, (payload: E) => {
      this.push(payload, source);
    });
  }

  /** Declares the end of a source: it no longer holds the watermark back. */
  finishSource(source: string): this {
    this.#source(source).finished = true;
    this.#refresh();
    return this;
  }

  /**
   * Moves the watermark explicitly (replay): for one source, or, without a
   * source, for the whole stream. Never moves it backwards.
   */
  advanceWatermark(t: number, source?: string): this {
    this.#checkOpen('advanceWatermark');
    if (typeof t !== 'number' || Number.isNaN(t)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor.advanceWatermark: pass a time in ms, got ${describeValue(t)}.`,
      );
    }
    if (source === undefined) this.#advance(t);
    else {
      const s = this.#source(source);
      s.explicitWm = Math.max(s.explicitWm, t);
      this.#refresh();
    }
    return this;
  }

  /** Re-evaluates idleness and processing time against the clock (call periodically, or use `startTimer`). */
  tick(): this {
    if (!this.#closed) this.#refresh();
    return this;
  }

  /** Calls `tick()` every `intervalMs` (unref'd in Node); returns the stop function. */
  startTimer(intervalMs = 1000): () => void {
    this.stopTimer();
    const t = setInterval(() => this.tick(), intervalMs);
    (t as { unref?: () => void }).unref?.();
    this.#idleTimer = t;
    return () => this.stopTimer();
  }

  stopTimer(): void {
    if (this.#idleTimer !== undefined) clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** End of input: fires every open window (count windows: partial ones too). */
  flush(): this {
    this.#checkOpen('flush');
    if (this.#kind === 'count') {
      for (const ks of [...this.#keys.values()].sort((a, b) => a.seq - b.seq)) {
        if (ks.count && ks.count.n > 0) this.#fireCount(ks, true);
        this.#keys.delete(ks.key);
      }
      this.#watermark = Number.POSITIVE_INFINITY;
      return this;
    }
    this.#advance(Number.POSITIVE_INFINITY);
    return this;
  }

  /** End of input and of the processor: `flush()`, then `dispose()`. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.dispose();
  }

  /**
   * Frees kernel memory and ends the result iterators without firing open
   * windows (e.g. after `snapshot()`, when a restored processor takes over).
   */
  dispose(): void {
    if (this.#closed) return;
    this.stopTimer();
    this.#disposeState();
    this.#sliding?.dispose();
    this.#closed = true;
    for (const q of this.#iterators) q.end();
    this.#iterators.clear();
  }

  // ----------------------------------------------------------------- output

  /** An async iterator over results emitted from now on; ends at `close()`. */
  results(): AsyncIterableIterator<WindowResult> {
    const q = new ResultQueue(() => this.#iterators.delete(q));
    if (this.#closed) q.end();
    else this.#iterators.add(q);
    return q;
  }

  get watermark(): number {
    return this.#watermark;
  }

  get stats(): StreamStats {
    let open = 0;
    for (const ks of this.#keys.values()) {
      open += ks.panes?.size ?? 0;
      open += ks.sliding?.size ?? 0;
      open += ks.sessions?.length ?? 0;
      open += ks.count && ks.count.n > 0 ? 1 : 0;
    }
    return {
      events: this.#events,
      late: this.#late,
      results: this.#results,
      updates: this.#updates,
      watermark: this.#watermark,
      keys: this.#keys.size,
      openStates: open,
      callbackErrors: this.#callbackErrors,
      sources: [...this.#sources.values()].map((s) => ({
        name: s.name,
        maxTimestamp: s.maxTs,
        watermark: this.#sourceWm(s),
        idle: this.#isIdle(s, this.#idleTimeout === Number.POSITIVE_INFINITY ? 0 : this.#clock()),
        finished: s.finished,
        events: s.events,
      })),
    };
  }

  // ------------------------------------------------------------ checkpoints

  /** The whole state (kernel states included) as a structured-clone-safe object. */
  snapshot(): StreamSnapshot {
    this.#checkOpen('snapshot');
    const keys: StreamSnapshot['keys'] = [];
    for (const ks of this.#keys.values()) {
      const k: StreamSnapshot['keys'][number] = { key: ks.key, seq: ks.seq };
      if (ks.panes) k.panes = [...ks.panes].map(([j, a]) => [j, a.toState()]);
      if (ks.sliding && this.#sliding) k.panes = this.#sliding.toPanes(ks.sliding);
      if (ks.registered) k.registered = [...ks.registered];
      if (ks.emitted) k.emitted = [...ks.emitted];
      if (ks.sessions) {
        k.sessions = ks.sessions.map((s) => ({
          start: s.start,
          end: s.end,
          emitted: s.emitted,
          replaces: s.replaces.map((r) => ({ ...r })),
          acc: s.acc.toState(),
        }));
      }
      if (ks.count) k.count = { ...ks.count, acc: ks.count.acc.toState() };
      keys.push(k);
    }
    return {
      format: 'edgewise.stream',
      version: 1,
      window: { ...this.#spec },
      watermark: this.#watermark,
      counters: {
        events: this.#events,
        late: this.#late,
        results: this.#results,
        updates: this.#updates,
      },
      nextSeq: this.#nextSeq,
      sources: [...this.#sources.values()].map((s) => ({ ...s })),
      keys,
    };
  }

  /**
   * Replaces this processor's state with a snapshot taken by a processor built
   * with the same options; the remaining input then gives the same results as
   * an uninterrupted run. Throws `CORRUPT_STATE` / `UNSUPPORTED_VERSION` on a
   * bad snapshot, leaving the current state unchanged.
   */
  restore(snap: StreamSnapshot): this {
    this.#checkOpen('restore');
    if (snap === null || typeof snap !== 'object' || snap.format !== 'edgewise.stream') {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamProcessor.restore: pass an object returned by snapshot().',
      );
    }
    if (snap.version !== 1) {
      throw new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `StreamProcessor.restore: snapshot version ${String(snap.version)} is not supported (this build reads 1).`,
      );
    }
    if (JSON.stringify(snap.window) !== JSON.stringify(this.#spec)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor.restore: the snapshot's window ${JSON.stringify(snap.window)} differs from this processor's ${JSON.stringify(this.#spec)}.`,
      );
    }
    if (!Array.isArray(snap.keys) || !Array.isArray(snap.sources) || !snap.counters) {
      throw new EdgewiseError('CORRUPT_STATE', 'StreamProcessor.restore: the snapshot is damaged.');
    }
    // build everything first; swap in only when all of it decoded
    const built: KeyState[] = [];
    const cfg = this.#cfg;
    try {
      for (const k of snap.keys) {
        const ks: KeyState = {
          key: k.key,
          seq: k.seq,
          panes: null,
          registered: null,
          emitted: null,
          sessions: null,
          count: null,
          sliding: null,
        };
        built.push(ks);
        if (k.panes && this.#sliding) ks.sliding = this.#sliding.fromPanes(k.panes);
        else if (k.panes) ks.panes = new Map(k.panes.map(([j, a]) => [j, Acc.fromState(a, cfg)]));
        if (k.registered && !this.#sliding) ks.registered = new Set(k.registered);
        if (k.emitted && !this.#sliding) ks.emitted = new Set(k.emitted);
        if (k.sessions) {
          ks.sessions = k.sessions.map((s) => ({
            start: s.start,
            end: s.end,
            emitted: s.emitted,
            replaces: s.replaces.map((r) => ({ ...r })),
            acc: Acc.fromState(s.acc, cfg),
          }));
        }
        if (k.count) ks.count = { ...k.count, acc: Acc.fromState(k.count.acc, cfg) };
      }
    } catch (e) {
      for (const ks of built) this.#disposeKey(ks);
      if (e instanceof EdgewiseError) throw e;
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamProcessor.restore: the snapshot is damaged.',
        {
          cause: e,
        },
      );
    }
    this.#disposeState();
    this.#keys = new Map(built.map((ks) => [ks.key, ks]));
    this.#sources = new Map(snap.sources.map((s) => [s.name, { ...s }]));
    this.#sourceList = [...this.#sources.values()];
    this.#watermark = snap.watermark;
    this.#nextSeq = snap.nextSeq;
    this.#events = snap.counters.events;
    this.#late = snap.counters.late;
    this.#results = snap.counters.results;
    this.#updates = snap.counters.updates;
    this.#timers = new TimerHeap<KeyState>();
    for (const ks of built) this.#rebuildTimers(ks);
    return this;
  }

  // --------------------------------------------------------------- internals

  #checkOpen(verb: string): void {
    if (this.#closed) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `StreamProcessor.${verb}: the processor was closed; create a new one (or restore a snapshot into one).`,
      );
    }
  }

  #badValue(i: number, v: unknown): never {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: event ${i} has value ${describeValue(v)}; the value extractor must return a number ` +
        '(NaN and ±Infinity are accepted and counted in `rejected`).',
    );
  }

  #validate(ts: ArrayLike<number>, ks: ArrayLike<Key> | undefined, n: number): void {
    for (let i = 0; i < n; i++) {
      const t = ts[i];
      if (typeof t !== 'number' || !Number.isFinite(t)) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: event ${i} has timestamp ${describeValue(t)}; pass finite epoch milliseconds ` +
            '(or set the timestamp extractor).',
        );
      }
      if (ks !== undefined) {
        const k = ks[i];
        if (typeof k !== 'string' && typeof k !== 'number') {
          throw new EdgewiseError(
            'INVALID_ARGUMENT',
            `StreamProcessor: event ${i} has key ${describeValue(k)}; keys must be strings or numbers.`,
          );
        }
      }
    }
  }

  #source(name: string): SourceState {
    if (typeof name !== 'string') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: source names are strings, got ${describeValue(name)}.`,
      );
    }
    let s = this.#sources.get(name);
    if (!s) {
      s = {
        name,
        maxTs: Number.NEGATIVE_INFINITY,
        explicitWm: Number.NEGATIVE_INFINITY,
        lastSeen: this.#idleTimeout === Number.POSITIVE_INFINITY ? 0 : this.#clock(),
        finished: false,
        events: 0,
      };
      this.#sources.set(name, s);
      this.#sourceList.push(s);
    }
    return s;
  }

  #keyState(key: Key): KeyState {
    let ks = this.#keys.get(key);
    if (ks === undefined) {
      ks = {
        key,
        seq: this.#nextSeq++,
        panes: null,
        registered: null,
        emitted: null,
        sessions: null,
        count: null,
        sliding: null,
      };
      this.#keys.set(key, ks);
    }
    return ks;
  }

  #ingest(
    ts: ArrayLike<number>,
    vs: ArrayLike<number>,
    ks: ArrayLike<Key> | undefined,
    events: readonly E[] | null,
    sourceName: string,
  ): void {
    const src = this.#source(sourceName);
    const n = ts.length;
    if (n === 0) return;
    if (this.#idleTimeout !== Number.POSITIVE_INFINITY) src.lastSeen = this.#clock();
    let lastKey: Key | undefined;
    let lastKs: KeyState | undefined;
    for (let i = 0; i < n; i++) {
      const t = ts[i];
      const v = vs[i];
      const key = ks === undefined ? '' : ks[i];
      let kst: KeyState;
      if (key === lastKey && lastKs !== undefined && this.#keys.get(key) === lastKs) kst = lastKs;
      else {
        kst = this.#keyState(key);
        lastKey = key;
        lastKs = kst;
      }
      this.#events++;
      src.events++;
      const ev: unknown = events !== null ? events[i] : null;
      switch (this.#kind) {
        case 'tumbling':
        case 'sliding':
          this.#addPaned(kst, t, v, ev, src);
          break;
        case 'session':
          this.#addSession(kst, t, v, ev, src);
          break;
        case 'count':
          this.#addCount(kst, t, v, ev);
          break;
      }
      if (t > src.maxTs) {
        src.maxTs = t;
        if (this.#kind !== 'count' && t - this.#bound > this.#watermark) this.#refresh();
      }
    }
    if (this.#processing || this.#idleTimeout !== Number.POSITIVE_INFINITY) this.#refresh();
  }

  #lateEvent(kst: KeyState, t: number, v: number, ev: unknown, src: SourceState): void {
    this.#late++;
    const event = (ev ?? { timestamp: t, value: v, key: kst.key }) as E;
    const late: LateEvent<E> = {
      event,
      key: kst.key,
      timestamp: t,
      source: src.name,
      watermark: this.#watermark,
    };
    this.#onLate?.(late);
    this.#bus?.emit(this.#lateTopic, late);
    this.#dropKeyIfEmpty(kst);
  }

  #windowEnd(w: number): number {
    return (w * this.#panesPerSlide + this.#panesPerWindow) * this.#pane + this.#offset;
  }

  #addPaned(kst: KeyState, t: number, v: number, ev: unknown, src: SourceState): void {
    if (this.#sliding !== null) {
      if (!this.#sliding.add(kst, t, v, ev, this.#watermark)) this.#lateEvent(kst, t, v, ev, src);
      return;
    }
    const P = this.#pane;
    const a = this.#panesPerWindow;
    const b = this.#panesPerSlide;
    const j = Math.floor((t - this.#offset) / P);
    const wMax = Math.floor(j / b);
    const wMin = Math.floor((j - a) / b) + 1;
    const W = this.#watermark;
    const purgeAt = this.#windowEnd(wMax) + this.#lateness;
    if (purgeAt <= W) {
      this.#lateEvent(kst, t, v, ev, src);
      return;
    }
    kst.panes ??= new Map();
    let acc = kst.panes.get(j);
    if (acc === undefined) {
      acc = new Acc(this.#cfg);
      kst.panes.set(j, acc);
      this.#timers.push({ t: purgeAt, kind: PURGE, ks: kst, w: j });
      kst.registered ??= new Set();
      for (let w = wMin; w <= wMax; w++) {
        const end = this.#windowEnd(w);
        if (end > W && !kst.registered.has(w)) {
          kst.registered.add(w);
          this.#timers.push({ t: end, kind: FIRE, ks: kst, w });
        }
      }
    }
    acc.add(v, ev);
    if (this.#windowEnd(wMin) <= W) {
      // late but within allowedLateness: re-fire the windows that already closed
      for (let w = wMin; w <= wMax; w++) {
        const end = this.#windowEnd(w);
        if (end <= W && end + this.#lateness > W) this.#firePaned(kst, w);
      }
    }
  }

  #firePaned(kst: KeyState, w: number): void {
    const a = this.#panesPerWindow;
    const b = this.#panesPerSlide;
    const first = w * b;
    const panes = kst.panes;
    if (!panes) return;
    const update = kst.emitted?.has(w) ?? false;
    let res: WindowResult;
    const start = first * this.#pane + this.#offset;
    const end = this.#windowEnd(w);
    if (a === 1) {
      const acc = panes.get(first);
      if (!acc) return;
      acc.flush();
      res = this.#result(kst.key, start, end, acc.m, acc.q, acc.custom, update);
    } else {
      if (this.#tmp === null) this.#tmp = new Moments();
      const tmp = this.#tmp.reset();
      let sk: QuantileSketch | null = null;
      if (this.#cfg.sketch) {
        this.#tmpSketch ??= new QuantileSketch(this.#cfg.sketch);
        sk = this.#tmpSketch.reset();
      }
      const rs = this.#reducers;
      let custom: unknown[] | null = rs ? rs.map((r) => r.create()) : null;
      let any = false;
      for (let j = first; j < first + a; j++) {
        const acc = panes.get(j);
        if (!acc) continue;
        any = true;
        acc.mergeInto(tmp, sk);
        if (rs && custom) custom = custom.map((s, i) => rs[i].merge!(s, acc.custom![i]));
      }
      if (!any) return;
      res = this.#result(kst.key, start, end, tmp, sk, custom, update);
    }
    if (this.#lateness > 0) {
      kst.emitted ??= new Set();
      kst.emitted.add(w);
    }
    this.#emit(res);
  }

  #addSession(kst: KeyState, t: number, v: number, ev: unknown, src: SourceState): void {
    const W = this.#watermark;
    const gap = this.#gap;
    kst.sessions ??= [];
    const sessions = kst.sessions;
    // sessions that [t, t + gap) touches (events at most `gap` apart share a session)
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i];
      if (s.start <= t + gap && t <= s.end) {
        if (lo < 0) lo = i;
        hi = i;
      } else if (s.start > t + gap) break;
    }
    if (lo < 0) {
      if (t + gap + this.#lateness <= W) {
        this.#lateEvent(kst, t, v, ev, src);
        return;
      }
      const acc = new Acc(this.#cfg);
      acc.add(v, ev);
      const s: Session = { start: t, end: t + gap, acc, emitted: false, replaces: [] };
      let at = 0;
      while (at < sessions.length && sessions[at].start < t) at++;
      sessions.splice(at, 0, s);
      this.#sessionTimers(kst, s);
      if (s.end <= W) this.#fireSession(kst, s);
      return;
    }
    const target = sessions[lo];
    const oldEnd = target.end;
    const replaces = [...target.replaces];
    if (target.emitted) replaces.push({ start: target.start, end: target.end });
    let start = Math.min(target.start, t);
    let end = Math.max(target.end, t + gap);
    for (let i = lo + 1; i <= hi; i++) {
      const o = sessions[i];
      replaces.push(...o.replaces);
      if (o.emitted) replaces.push({ start: o.start, end: o.end });
      start = Math.min(start, o.start);
      end = Math.max(end, o.end);
      target.acc.absorb(o.acc);
    }
    if (hi > lo) sessions.splice(lo + 1, hi - lo);
    target.acc.add(v, ev);
    const changed = start !== target.start || end !== oldEnd || hi > lo;
    target.start = start;
    target.end = end;
    if (target.emitted && !changed) {
      // same window got more data: an update of the same range
      target.replaces = replaces.filter((r) => r.start !== start || r.end !== end);
      if (end <= W) this.#fireSession(kst, target, true);
      return;
    }
    target.replaces = replaces;
    target.emitted = false;
    if (end !== oldEnd || hi > lo) this.#sessionTimers(kst, target);
    if (end <= W) this.#fireSession(kst, target);
  }

  #sessionTimers(kst: KeyState, s: Session): void {
    this.#timers.push({ t: s.end, kind: FIRE, ks: kst, w: 0 });
    this.#timers.push({ t: s.end + this.#lateness, kind: PURGE, ks: kst, w: 0 });
  }

  #fireSession(kst: KeyState, s: Session, sameRange = false): void {
    s.acc.flush();
    const update = sameRange || s.replaces.length > 0;
    const res = this.#result(kst.key, s.start, s.end, s.acc.m, s.acc.q, s.acc.custom, update);
    if (s.replaces.length) res.replaces = s.replaces;
    s.replaces = [];
    s.emitted = true;
    this.#emit(res);
  }

  #addCount(kst: KeyState, t: number, v: number, ev: unknown): void {
    if (!kst.count) kst.count = { n: 0, first: t, last: t, acc: new Acc(this.#cfg) };
    const c = kst.count;
    if (c.n === 0) c.first = t;
    c.last = t;
    c.n++;
    c.acc.add(v, ev);
    if (c.n >= this.#size) this.#fireCount(kst, false);
  }

  #fireCount(kst: KeyState, partial: boolean): void {
    const c = kst.count!;
    c.acc.flush();
    const res = this.#result(kst.key, c.first, c.last, c.acc.m, c.acc.q, c.acc.custom, false);
    if (partial) res.partial = true;
    c.acc.dispose();
    kst.count = null;
    this.#emit(res);
  }

  #result(
    key: Key,
    start: number,
    end: number,
    m: Moments | null,
    q: QuantileSketch | null,
    custom: unknown[] | null,
    update: boolean,
  ): WindowResult {
    const count = m ? m.count : 0;
    const r: WindowResult = {
      key,
      start,
      end,
      count,
      sum: m ? m.sum : 0,
      mean: m && count ? m.mean : Number.NaN,
      variance: m && count ? m.variance : Number.NaN,
      std: m && count ? m.std : Number.NaN,
      min: m && count ? m.min : Number.NaN,
      max: m && count ? m.max : Number.NaN,
      rejected: m ? m.rejected : 0,
      update,
      watermark: this.#watermark,
    };
    if (this.#quantiles) {
      r.quantiles =
        q && q.count > 0
          ? Array.from(q.quantiles(this.#quantiles))
          : this.#quantiles.map(() => Number.NaN);
    }
    const rs = this.#reducers;
    if (rs && custom) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < rs.length; i++) out[this.#reducerNames[i]] = rs[i].result(custom[i]);
      r.custom = out;
    }
    return r;
  }

  #emit(r: WindowResult): void {
    this.#results++;
    if (r.update) this.#updates++;
    if (this.#onResult) {
      // The caller's callback must not leave the processor half-updated (or,
      // from startTimer's timer, throw into the host): its error is reported
      // on the bus's error topic (or the console) and the stream goes on.
      try {
        this.#onResult(r);
      } catch (error) {
        this.#callbackErrors++;
        this.#reportCallbackError(error, r);
      }
    }
    this.#bus?.emit(this.#topic, r);
    for (const q of this.#iterators) q.put(r);
  }

  #reportCallbackError(error: unknown, r: WindowResult): void {
    const payload = { source: 'stream.onResult', key: r.key, start: r.start, error };
    try {
      if (this.#bus) this.#bus.emitSync(this.#bus.errorTopic, payload);
      else console.error('edgewise: StreamProcessor onResult threw', error);
    } catch {
      // The error topic itself is backed up: counted in stats.callbackErrors.
    }
  }

  #sourceWm(s: SourceState): number {
    return Math.max(s.maxTs - this.#bound, s.explicitWm);
  }

  #isIdle(s: SourceState, now: number): boolean {
    return this.#idleTimeout !== Number.POSITIVE_INFINITY && now - s.lastSeen > this.#idleTimeout;
  }

  /** Recomputes the watermark from the sources (and the clock in processing time). */
  #refresh(): void {
    if (this.#kind === 'count') return;
    if (this.#processing) {
      this.#advance(this.#clock());
      return;
    }
    const now = this.#idleTimeout === Number.POSITIVE_INFINITY ? 0 : this.#clock();
    let minActive = Number.POSITIVE_INFINITY;
    let anyActive = false;
    let maxAll = Number.NEGATIVE_INFINITY;
    const list = this.#sourceList;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const wm = this.#sourceWm(s);
      if (wm > maxAll) maxAll = wm;
      if (s.finished || this.#isIdle(s, now)) continue;
      anyActive = true;
      if (wm < minActive) minActive = wm;
    }
    this.#advance(anyActive ? minActive : maxAll);
  }

  #advance(t: number): void {
    if (!(t > this.#watermark)) return;
    this.#watermark = t;
    const h = this.#timers;
    while (h.size > 0 && h.peek()!.t <= t) {
      const tm = h.pop();
      const ks = tm.ks;
      if (this.#keys.get(ks.key) !== ks) continue; // key state was dropped
      if (this.#kind === 'session') {
        if (tm.kind === FIRE) {
          // only sessions ending at this timer's time: firing order does not depend on stale timers
          for (const s of ks.sessions ?? []) {
            if (!s.emitted && s.end <= tm.t) this.#fireSession(ks, s);
          }
        } else if (ks.sessions) {
          const keep: Session[] = [];
          for (const s of ks.sessions) {
            if (s.end + this.#lateness <= tm.t && s.emitted) s.acc.dispose();
            else keep.push(s);
          }
          ks.sessions = keep;
        }
      } else if (this.#sliding !== null) {
        if (tm.kind === FIRE) this.#sliding.fire(ks, tm.w);
        else this.#sliding.purge(ks, tm.t);
      } else if (tm.kind === FIRE) {
        if (ks.registered?.delete(tm.w)) this.#firePaned(ks, tm.w);
      } else {
        const acc = ks.panes?.get(tm.w);
        if (acc) {
          acc.dispose();
          ks.panes!.delete(tm.w);
        }
        if (ks.emitted) {
          for (const w of ks.emitted) {
            if (this.#windowEnd(w) + this.#lateness <= t) ks.emitted.delete(w);
          }
        }
      }
      this.#dropKeyIfEmpty(ks);
    }
  }

  #dropKeyIfEmpty(ks: KeyState): void {
    if (
      (ks.panes?.size ?? 0) === 0 &&
      (ks.sliding?.size ?? 0) === 0 &&
      (ks.sessions?.length ?? 0) === 0 &&
      (ks.registered?.size ?? 0) === 0 &&
      (ks.emitted?.size ?? 0) === 0 &&
      !(ks.count && ks.count.n > 0)
    ) {
      this.#keys.delete(ks.key);
    }
  }

  #rebuildTimers(ks: KeyState): void {
    if (ks.panes) {
      for (const j of ks.panes.keys()) {
        const wMax = Math.floor(j / this.#panesPerSlide);
        this.#timers.push({
          t: this.#windowEnd(wMax) + this.#lateness,
          kind: PURGE,
          ks,
          w: j,
        });
      }
    }
    if (ks.registered) {
      for (const w of ks.registered)
        this.#timers.push({ t: this.#windowEnd(w), kind: FIRE, ks, w });
    }
    if (ks.sessions) for (const s of ks.sessions) this.#sessionTimers(ks, s);
    if (ks.sliding) this.#sliding?.rearm(ks, this.#watermark);
  }

  #disposeKey(ks: KeyState): void {
    if (ks.panes) for (const a of ks.panes.values()) a.dispose();
    if (ks.sliding) this.#sliding?.disposePanes(ks.sliding);
    if (ks.sessions) for (const s of ks.sessions) s.acc.dispose();
    ks.count?.acc.dispose();
  }

  #disposeState(): void {
    for (const ks of this.#keys.values()) this.#disposeKey(ks);
    this.#keys.clear();
    this.#tmp?.dispose();
    this.#tmp = null;
    this.#tmpSketch?.dispose();
    this.#tmpSketch = null;
  }
}

/** One consumer's queue behind `results()`. */
class ResultQueue implements AsyncIterableIterator<WindowResult> {
  #buf: WindowResult[] = [];
  #waiting: Array<(r: IteratorResult<WindowResult>) => void> = [];
  #done = false;
  constructor(readonly onReturn: () => void) {}
  put(r: WindowResult): void {
    const w = this.#waiting.shift();
    if (w) w({ value: r, done: false });
    else this.#buf.push(r);
  }
  end(): void {
    this.#done = true;
    for (const w of this.#waiting) w({ value: undefined, done: true });
    this.#waiting = [];
  }
  next(): Promise<IteratorResult<WindowResult>> {
    if (this.#buf.length) return Promise.resolve({ value: this.#buf.shift()!, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => this.#waiting.push(r));
  }
  return(): Promise<IteratorResult<WindowResult>> {
    this.end();
    this.#buf = [];
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<WindowResult> {
    return this;
  }
}
