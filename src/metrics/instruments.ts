/**
 * Instruments: Counter, UpDownCounter, Gauge (settable and callback-observed)
 * and Histogram (explicit buckets). Every label set is one series object; a
 * bound handle (`metric.labels({...})`) is that object, so recording on it is
 * one field update with no allocation.
 */
import { describeValue, EdgewiseError } from '../errors';
import { type ExponentialHistogramPoint, Histogram as KernelHistogram } from '../kernels/histogram';
import { QuantileSketch } from '../kernels/quantile';
import { Rollup } from '../storage/timeseries/rollup';
import {
  checkLabelNames,
  checkMetricName,
  checkUnit,
  type Labels,
  labelValuesOf,
  OVERFLOW_LABEL,
  seriesKey,
} from './names';

/** The kind of a metric. */
export type MetricType = 'counter' | 'updowncounter' | 'gauge' | 'histogram' | 'summary';

/** Default number of label sets per metric (2,000) before the overflow series. */
export const DEFAULT_MAX_SERIES = 2000;
/** Default bucket bounds of explicit histograms (prom-client's and the Prometheus clients'). */
export const DEFAULT_HISTOGRAM_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Options shared by all instruments: help, unit, label names, series limit. */
export interface MetricOptions {
  /** One line of documentation (any text; escaped on output). */
  help?: string;
  /** OpenMetrics unit, e.g. 'seconds'; the name must end with `_<unit>`. */
  unit?: string;
  /** Declared label names; every recording passes exactly these. */
  labelNames?: readonly string[];
  /** Series limit for this metric (default: the registry's, 2,000). Further label sets go to one overflow series. */
  maxSeries?: number;
}

/** Shared context the registry hands to its instruments. */
export interface MetricContext {
  now: () => number;
  onOverflow: (metric: Metric) => void;
  /** A gauge's `observe` callback threw: the metric keeps its previous values. */
  onCallbackError?: (metric: Metric, error: unknown) => void;
  maxSeries: number;
}

/** One label set of one metric. */
export class SeriesBase {
  /** Label values in the metric's declared label order (empty for the overflow series). */
  readonly labelValues: readonly string[];
  /** True for the series that collects label sets beyond the cardinality limit. */
  readonly overflow: boolean;
  /** When this series was first recorded (ms since epoch). */
  readonly created: number;
  /** Cached exposition line prefixes (built on first render). @internal */
  _prom: string[] | undefined = undefined;
  /** @internal */
  _om: string[] | undefined = undefined;
  constructor(labelValues: readonly string[], overflow: boolean, created: number) {
    this.labelValues = labelValues;
    this.overflow = overflow;
    this.created = created;
  }
  /** Frees kernel memory held by the series (summaries). @internal */
  _dispose(): void {}
}

function badAmount(where: string, v: unknown, what: string): never {
  throw new EdgewiseError('INVALID_ARGUMENT', `${where}: ${what}, got ${describeValue(v)}.`);
}

/**
 * The base of all instruments: a name, declared labels and one series per label set (bound
 * handles from `labels()`).
 */
export abstract class Metric<S extends SeriesBase = SeriesBase> {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: readonly string[];
  readonly maxSeries: number;
  /** Recordings (or bindings) of new label sets redirected to the overflow series. */
  overflowCount = 0;
  /** @internal */
  readonly _series = new Map<string, S>();
  /** @internal */
  _overflow: S | undefined = undefined;
  /** The series of a label-less metric. @internal */
  _default: S | undefined = undefined;
  protected readonly ctx: MetricContext;

  constructor(name: string, options: MetricOptions, ctx: MetricContext, reserved: string[]) {
    const where = `metric '${String(name)}'`;
    this.name = checkMetricName(name, where);
    if (options.help !== undefined && typeof options.help !== 'string') {
      badAmount(where, options.help, 'help must be a string');
    }
    this.help = options.help ?? '';
    this.labelNames = checkLabelNames(options.labelNames, reserved, where);
    this.unit = checkUnit(options.unit, this.baseName(), where);
    const max = options.maxSeries ?? ctx.maxSeries;
    if (!Number.isInteger(max) || max < 1) {
      badAmount(where, max, 'maxSeries must be a positive integer');
    }
    this.maxSeries = max;
    this.ctx = ctx;
  }

  /** Creates the zero series of a label-less metric (the registry calls this once). @internal */
  _init(): this {
    if (this.labelNames.length === 0) this._default = this.bind(undefined);
    return this;
  }

  /** The family name OpenMetrics uses (counters drop `_total`). */
  baseName(): string {
    return this.name;
  }

  protected abstract makeSeries(values: readonly string[], overflow: boolean): S;

  /** Number of series (label sets) currently held, including the overflow series. */
  get seriesCount(): number {
    return this._series.size + (this._overflow ? 1 : 0);
  }

  /** All series, the overflow series last. */
  *series(): IterableIterator<S> {
    yield* this._series.values();
    if (this._overflow) yield this._overflow;
  }

  /** The series for `labels`, created on first use (or the overflow series past the limit). */
  protected bind(labels: Labels | undefined): S {
    // Fast path: an existing series, all values strings, exactly the declared keys.
    if (labels === undefined) {
      if (this._default !== undefined) return this._default;
    } else if (labels !== null && typeof labels === 'object') {
      const names = this.labelNames;
      let key = '';
      let i = 0;
      for (; i < names.length; i++) {
        const v = labels[names[i]];
        if (typeof v !== 'string') break;
        key += `${v.length}:${v}`;
      }
      if (i === names.length) {
        const s = this._series.get(key);
        if (s !== undefined) {
          let n = 0;
          for (const _ in labels) n++;
          if (n === names.length) return s;
        }
      }
    }
    return this.bindSlow(labels);
  }

  private bindSlow(labels: Labels | undefined): S {
    const values = labelValuesOf(this.labelNames, labels, `metric '${this.name}'`);
    const key = seriesKey(values);
    const s = this._series.get(key);
    if (s !== undefined) return s;
    if (this._series.size >= this.maxSeries) {
      this.overflowCount++;
      if (this._overflow === undefined) {
        this._overflow = this.makeSeries([], true);
        this.ctx.onOverflow(this);
      }
      return this._overflow;
    }
    const n = this.makeSeries(values, false);
    this._series.set(key, n);
    return n;
  }

  /** Label names and values of a series as an object (overflow: `{otel_metric_overflow: 'true'}`). */
  labelsOf(s: SeriesBase): Record<string, string> {
    if (s.overflow) return { [OVERFLOW_LABEL]: 'true' };
    const o: Record<string, string> = {};
    for (let i = 0; i < this.labelNames.length; i++) o[this.labelNames[i]] = s.labelValues[i];
    return o;
  }

  /** Removes every series (label-less metrics get their zero series back). */
  reset(): void {
    for (const x of this.series()) x._dispose();
    this._series.clear();
    this._overflow = undefined;
    this.overflowCount = 0;
    this._default = undefined;
    if (this.labelNames.length === 0) this._default = this.bind(undefined);
  }

  /** @internal Runs callbacks before a collection. */
  _collect(): void {}
}

// ---------------------------------------------------------------- counters

export class CounterSeries extends SeriesBase {
  value = 0;
  /** Adds `v` (default 1); throws `INVALID_ARGUMENT` on a negative or non-finite amount. */
  inc(v = 1): void {
    if (typeof v !== 'number' || !(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      badAmount('Counter.inc', v, 'pass a finite amount >= 0 (counters only go up)');
    }
    this.value += v;
  }
}

function splitArgs(
  a: Labels | number | undefined,
  b: number | undefined,
): [Labels | undefined, number] {
  if (typeof a === 'number') return [undefined, a];
  return [a, b === undefined ? 1 : b];
}

/** A monotonic counter. Exposed as `<base>_total` (+ `_created` in OpenMetrics). */
export class Counter extends Metric<CounterSeries> {
  readonly type = 'counter' as const;
  override baseName(): string {
    return this.name.endsWith('_total') ? this.name.slice(0, -6) : this.name;
  }
  protected makeSeries(values: readonly string[], overflow: boolean): CounterSeries {
    return new CounterSeries(values, overflow, this.ctx.now());
  }
  /** Binds a label set: the handle's `inc()` allocates nothing. */
  labels(labels: Labels): CounterSeries {
    return this.bind(labels);
  }
  /** `inc()`, `inc(5)`, `inc({ route: '/' })`, `inc({ route: '/' }, 5)`. */
  inc(labels?: Labels | number, value?: number): void {
    const [l, v] = splitArgs(labels, value);
    if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      badAmount(`Counter '${this.name}'.inc`, v, 'pass a finite amount >= 0 (counters only go up)');
    }
    this.bind(l).value += v;
  }
  /** Current value of a label set (0 if never recorded). */
  get(labels?: Labels): number {
    return this.bind(labels).value;
  }
}

export class UpDownCounterSeries extends SeriesBase {
  value = 0;
  /** Adds `v` (may be negative); throws on a non-finite amount. */
  add(v: number): void {
    if (typeof v !== 'number' || !(v > Number.NEGATIVE_INFINITY && v < Number.POSITIVE_INFINITY)) {
      badAmount('UpDownCounter.add', v, 'pass a finite number');
    }
    this.value += v;
  }
  inc(v = 1): void {
    this.add(v);
  }
  dec(v = 1): void {
    this.add(-v);
  }
}

/** A sum that goes up and down (e.g. queue length). Exposed as a Prometheus gauge. */
export class UpDownCounter extends Metric<UpDownCounterSeries> {
  readonly type = 'updowncounter' as const;
  protected makeSeries(values: readonly string[], overflow: boolean): UpDownCounterSeries {
    return new UpDownCounterSeries(values, overflow, this.ctx.now());
  }
  labels(labels: Labels): UpDownCounterSeries {
    return this.bind(labels);
  }
  add(labels: Labels | number | undefined, value?: number): void {
    const [l, v] = splitArgs(labels, value);
    this.bind(l).add(v);
  }
  inc(labels?: Labels | number, value?: number): void {
    const [l, v] = splitArgs(labels, value);
    this.bind(l).add(v);
  }
  dec(labels?: Labels | number, value?: number): void {
    const [l, v] = splitArgs(labels, value);
    this.bind(l).add(-v);
  }
  get(labels?: Labels): number {
    return this.bind(labels).value;
  }
}

// ---------------------------------------------------------------- gauges

export class GaugeSeries extends SeriesBase {
  value = 0;
  /** Sets the value (NaN and ±Infinity are allowed: Prometheus gauges carry them). */
  set(v: number): void {
    if (typeof v !== 'number') badAmount('Gauge.set', v, 'pass a number');
    this.value = v;
  }
  inc(v = 1): void {
    if (typeof v !== 'number') badAmount('Gauge.inc', v, 'pass a number');
    this.value += v;
  }
  dec(v = 1): void {
    if (typeof v !== 'number') badAmount('Gauge.dec', v, 'pass a number');
    this.value -= v;
  }
}

/** `record(value, labels?)` as given to a gauge's `observe` callback. */
export type ObserveFn = (value: number, labels?: Labels) => void;

/** Options of `MetricsRegistry.gauge`; `observe` makes it a callback gauge. */
export interface GaugeOptions extends MetricOptions {
  /**
   * Callback-observed gauge: called at every collection (exposition, sampling)
   * to report the current values; series not reported in a collection are dropped.
   */
  observe?: (record: ObserveFn) => void;
}

/**
 * A value that goes up and down (`set`, `inc`, `dec`), or one a callback observes at each
 * collection.
 */
export class Gauge extends Metric<GaugeSeries> {
  readonly type = 'gauge' as const;
  private readonly observer: ((record: ObserveFn) => void) | undefined;
  /** Collections in which the `observe` callback threw (its previous values were kept). */
  callbackErrors = 0;
  constructor(name: string, options: GaugeOptions, ctx: MetricContext) {
    super(name, options, ctx, []);
    if (options.observe !== undefined && typeof options.observe !== 'function') {
      badAmount(`metric '${name}'`, options.observe, 'observe must be a function');
    }
    this.observer = options.observe;
  }
  protected makeSeries(values: readonly string[], overflow: boolean): GaugeSeries {
    return new GaugeSeries(values, overflow, this.ctx.now());
  }
  labels(labels: Labels): GaugeSeries {
    return this.bind(labels);
  }
  set(labels: Labels | number, value?: number): void {
    if (typeof labels === 'number') this.bind(undefined).set(labels);
    else this.bind(labels).set(value as number);
  }
  inc(labels?: Labels | number, value?: number): void {
    const [l, v] = splitArgs(labels, value);
    this.bind(l).inc(v);
  }
  dec(labels?: Labels | number, value?: number): void {
    const [l, v] = splitArgs(labels, value);
    this.bind(l).dec(v);
  }
  get(labels?: Labels): number {
    return this.bind(labels).value;
  }
  override _collect(): void {
    if (!this.observer) return;
    // The callback's values are staged and applied only when it returns: a callback
    // that throws half-way leaves every series as it was, and the error is reported
    // (it must not break exposition, sampling or sync of the other metrics).
    const staged = new Map<string, { values: string[]; value: number }>();
    const record: ObserveFn = (value, labels) => {
      if (typeof value !== 'number') {
        badAmount(`metric '${this.name}' observe`, value, 'record(value) takes a number');
      }
      const values = labelValuesOf(this.labelNames, labels, `metric '${this.name}' observe`);
      staged.set(seriesKey(values), { values, value });
    };
    try {
      this.observer(record);
    } catch (error) {
      this.callbackErrors++;
      this.ctx.onCallbackError?.(this, error);
      return;
    }
    const fresh = new Map<string, GaugeSeries>();
    const old = this._series;
    this._overflow = undefined;
    for (const [key, { values, value }] of staged) {
      let s = fresh.get(key);
      if (s === undefined) {
        if (fresh.size >= this.maxSeries) {
          this.overflowCount++;
          if (this._overflow === undefined) {
            this._overflow = this.makeSeries([], true);
            this.ctx.onOverflow(this);
          }
          this._overflow.set(value);
          continue;
        }
        s = old.get(key) ?? this.makeSeries(values, false);
        fresh.set(key, s);
      }
      s.set(value);
    }
    old.clear();
    for (const [k, s] of fresh) old.set(k, s);
  }
}

// ---------------------------------------------------------------- histograms

export class HistogramSeries extends SeriesBase {
  /** Per-bucket (non-cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** NaN / ±Infinity observations skipped. */
  rejected = 0;
  private readonly bounds: Float64Array;
  constructor(values: readonly string[], overflow: boolean, created: number, bounds: Float64Array) {
    super(values, overflow, created);
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }
  /** Records one observation (NaN / ±Infinity are counted in `rejected` and skipped). */
  observe(v: number): void {
    if (!(v > Number.NEGATIVE_INFINITY && v < Number.POSITIVE_INFINITY)) {
      this.rejected++;
      return;
    }
    const b = this.bounds;
    const n = b.length;
    let i = 0;
    if (n <= 16) {
      while (i < n && v > b[i]) i++;
    } else {
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (v > b[mid]) i = mid + 1;
        else hi = mid;
      }
    }
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

/** Options of an explicit-bucket histogram (`MetricsRegistry.histogram`). */
export interface HistogramMetricOptions extends MetricOptions {
  kind?: 'explicit';
  /** Upper bounds (inclusive, `le`), strictly increasing and finite; +Inf is implicit. */
  buckets?: readonly number[];
}

/** Explicit-bucket histogram: `_bucket{le=...}` (cumulative), `_sum`, `_count`. */
export class HistogramMetric extends Metric<HistogramSeries> {
  readonly type = 'histogram' as const;
  readonly kind = 'explicit' as const;
  readonly buckets: Float64Array;
  constructor(name: string, options: HistogramMetricOptions, ctx: MetricContext) {
    const b = options.buckets ?? DEFAULT_HISTOGRAM_BUCKETS;
    const where = `histogram '${String(name)}'`;
    if (!Array.isArray(b) || b.length === 0) {
      badAmount(where, b, 'buckets must be a non-empty array of increasing finite numbers');
    }
    for (let i = 0; i < b.length; i++) {
      if (typeof b[i] !== 'number' || !Number.isFinite(b[i]) || (i > 0 && !(b[i] > b[i - 1]))) {
        badAmount(
          where,
          b[i],
          `bucket ${i} must be a finite number greater than the previous one (+Inf is added for you)`,
        );
      }
    }
    const bounds = Float64Array.from(b);
    // Set before super() runs bind() for a label-less histogram.
    super(name, options, ctx, ['le']);
    this.buckets = bounds;
  }
  protected makeSeries(values: readonly string[], overflow: boolean): HistogramSeries {
    return new HistogramSeries(values, overflow, this.ctx.now(), this.buckets);
  }
  labels(labels: Labels): HistogramSeries {
    return this.bind(labels);
  }
  /** `observe(0.2)` or `observe({ route: '/' }, 0.2)`. */
  observe(labels: Labels | number, value?: number): void {
    if (typeof labels === 'number') this.bind(undefined).observe(labels);
    else this.bind(labels).observe(value as number);
  }
}

// ---------------------------------------------------------------- summaries

/** Options of `MetricsRegistry.summary`: quantiles over a sliding time window. */
export interface SummaryOptions extends MetricOptions {
  /** Quantiles to expose (default [0.5, 0.9, 0.99]), each in [0, 1]. */
  quantiles?: readonly number[];
  /** Sliding window length (default 10 min). */
  maxAgeMs?: number;
  /** Number of panes the window slides by (default 5: the window advances every maxAgeMs / 5). */
  ageBuckets?: number;
  /** Relative accuracy of the pane sketches (default 0.01). */
  relativeAccuracy?: number;
}

const STAGE = 256;

/**
 * One label set of a summary: all-time `count` and `sum`, and quantiles over a
 * sliding window kept as `ageBuckets` QuantileSketch panes. Observations are
 * staged in a small buffer and pushed to the WebAssembly sketch in batches.
 */
export class SummarySeries extends SeriesBase {
  count = 0;
  sum = 0;
  /** NaN / ±Infinity observations skipped. */
  rejected = 0;
  private readonly panes: QuantileSketch[];
  private readonly paneMs: number;
  private readonly now: () => number;
  private cur = 0;
  private paneEnd: number;
  private readonly stage = new Float64Array(STAGE);
  private staged = 0;
  /** Observations since the time-series store last drained them (sketch + moments). @internal */
  readonly _delta: QuantileSketch;
  /** @internal */
  readonly _deltaMoments = new Rollup();
  constructor(
    values: readonly string[],
    overflow: boolean,
    now: () => number,
    opts: { ageBuckets: number; maxAgeMs: number; relativeAccuracy: number },
  ) {
    const t = now();
    super(values, overflow, t);
    this.now = now;
    this.paneMs = opts.maxAgeMs / opts.ageBuckets;
    this.panes = Array.from(
      { length: opts.ageBuckets },
      () => new QuantileSketch({ relativeAccuracy: opts.relativeAccuracy }),
    );
    this._delta = new QuantileSketch({ relativeAccuracy: opts.relativeAccuracy, exactLimit: 0 });
    this.paneEnd = (Math.floor(t / this.paneMs) + 1) * this.paneMs;
  }

  /** Records one observation (NaN / ±Infinity are counted in `rejected` and skipped). */
  observe(v: number): void {
    if (!(v > Number.NEGATIVE_INFINITY && v < Number.POSITIVE_INFINITY)) {
      this.rejected++;
      return;
    }
    const t = this.now();
    if (t >= this.paneEnd) this.rotate(t);
    this.count++;
    this.sum += v;
    this._deltaMoments.add(v, 0);
    this.stage[this.staged++] = v;
    if (this.staged === STAGE) this.drain();
  }

  private drain(): void {
    if (this.staged === 0) return;
    const batch = this.stage.subarray(0, this.staged);
    this.panes[this.cur].push(batch);
    this._delta.push(batch);
    this.staged = 0;
  }

  private rotate(t: number): void {
    this.drain();
    const steps = Math.floor((t - this.paneEnd) / this.paneMs) + 1;
    const n = this.panes.length;
    for (let i = 0; i < Math.min(steps, n); i++) {
      this.cur = (this.cur + 1) % n;
      this.panes[this.cur].reset();
    }
    this.paneEnd += steps * this.paneMs;
  }

  /** Pushes staged observations into the sketches. @internal */
  _sync(): void {
    const t = this.now();
    if (t >= this.paneEnd) this.rotate(t);
    this.drain();
  }

  /** Quantiles over the sliding window (NaN when it holds no observation). */
  quantiles(qs: ArrayLike<number>): Float64Array {
    this._sync();
    const merged = this.panes[0].clone();
    try {
      for (let i = 1; i < this.panes.length; i++) merged.merge(this.panes[i]);
      return merged.quantiles(qs);
    } finally {
      merged.dispose();
    }
  }

  /** Observations in the current window. */
  get windowCount(): number {
    this._sync();
    let c = 0;
    for (const p of this.panes) c += p.count;
    return c;
  }

  override _dispose(): void {
    for (const p of this.panes) p.dispose();
    this._delta.dispose();
  }
}

/** Summary: sliding-window quantiles (`{quantile="0.99"}`), `_sum` and `_count`. */
export class Summary extends Metric<SummarySeries> {
  readonly type = 'summary' as const;
  readonly quantiles: Float64Array;
  readonly maxAgeMs: number;
  readonly ageBuckets: number;
  readonly relativeAccuracy: number;
  constructor(name: string, options: SummaryOptions, ctx: MetricContext) {
    const where = `summary '${String(name)}'`;
    const qs = options.quantiles ?? [0.5, 0.9, 0.99];
    if (!Array.isArray(qs)) badAmount(where, qs, 'quantiles must be an array of numbers in [0, 1]');
    for (const q of qs) {
      if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
        badAmount(where, q, 'each quantile must be a number in [0, 1]');
      }
    }
    const maxAgeMs = options.maxAgeMs ?? 600_000;
    if (!(maxAgeMs > 0) || !Number.isFinite(maxAgeMs)) {
      badAmount(where, maxAgeMs, 'maxAgeMs must be a positive number of milliseconds');
    }
    const ageBuckets = options.ageBuckets ?? 5;
    if (!Number.isInteger(ageBuckets) || ageBuckets < 1 || ageBuckets > 60) {
      badAmount(where, ageBuckets, 'ageBuckets must be an integer in [1, 60]');
    }
    const relativeAccuracy = options.relativeAccuracy ?? 0.01;
    if (!(relativeAccuracy >= 1e-5 && relativeAccuracy <= 0.5)) {
      badAmount(where, relativeAccuracy, 'relativeAccuracy must be in [1e-5, 0.5]');
    }
    super(name, options, ctx, ['quantile']);
    this.quantiles = Float64Array.from([...new Set(qs)].sort((a, b) => a - b));
    this.maxAgeMs = maxAgeMs;
    this.ageBuckets = ageBuckets;
    this.relativeAccuracy = relativeAccuracy;
  }
  protected makeSeries(values: readonly string[], overflow: boolean): SummarySeries {
    const o = {
      ageBuckets: this.ageBuckets,
      maxAgeMs: this.maxAgeMs,
      relativeAccuracy: this.relativeAccuracy,
    };
    return new SummarySeries(values, overflow, this.ctx.now, o);
  }
  labels(labels: Labels): SummarySeries {
    return this.bind(labels);
  }
  /** `observe(0.2)` or `observe({ route: '/' }, 0.2)`. */
  observe(labels: Labels | number, value?: number): void {
    if (typeof labels === 'number') this.bind(undefined).observe(labels);
    else this.bind(labels).observe(value as number);
  }
}

// ---------------------------------------------------------------- exponential histograms

/**
 * Options of an OpenTelemetry base-2 exponential histogram (`histogram(name, { kind:
 * 'exponential' })`).
 */
export interface ExponentialHistogramOptions extends MetricOptions {
  kind: 'exponential';
  /** Maximum buckets per sign (default 160, as OpenTelemetry SDKs). */
  maxBuckets?: number;
  /** Starting (and maximum) scale in [-10, 20] (default 20); it drops as the range widens. */
  maxScale?: number;
}

/**
 * One label set of an exponential histogram: an OpenTelemetry base-2
 * exponential `Histogram` kernel, fed in batches of 256 staged observations.
 */
export class ExponentialHistogramSeries extends SeriesBase {
  sum = 0;
  count = 0;
  /** NaN / ±Infinity observations skipped. */
  rejected = 0;
  private readonly h: KernelHistogram;
  private readonly stage = new Float64Array(STAGE);
  private staged = 0;
  constructor(
    values: readonly string[],
    overflow: boolean,
    created: number,
    opts: { maxBuckets: number; maxScale: number },
  ) {
    super(values, overflow, created);
    this.h = new KernelHistogram({ kind: 'exponential', ...opts });
  }
  observe(v: number): void {
    if (!(v > Number.NEGATIVE_INFINITY && v < Number.POSITIVE_INFINITY)) {
      this.rejected++;
      return;
    }
    this.count++;
    this.sum += v;
    this.stage[this.staged++] = v;
    if (this.staged === STAGE) this._sync();
  }
  /** Pushes staged observations into the kernel. @internal */
  _sync(): void {
    if (this.staged === 0) return;
    this.h.push(this.stage.subarray(0, this.staged));
    this.staged = 0;
  }
  /** The OpenTelemetry exponential data point (scale, zero count, positive/negative buckets). */
  point(): ExponentialHistogramPoint {
    this._sync();
    return this.h.toExponentialPoint();
  }
  override _dispose(): void {
    this.h.dispose();
  }
}

/**
 * Exponential-bucket histogram (OpenTelemetry base-2, via the Histogram
 * kernel). Prometheus text and OpenMetrics 1.0 have no exponential buckets, so
 * it is exposed as a classic histogram whose `le` bounds are the current
 * bucket boundaries.
 */
export class ExponentialHistogramMetric extends Metric<ExponentialHistogramSeries> {
  readonly type = 'histogram' as const;
  readonly kind = 'exponential' as const;
  readonly maxBuckets: number;
  readonly maxScale: number;
  constructor(name: string, options: ExponentialHistogramOptions, ctx: MetricContext) {
    const where = `histogram '${String(name)}'`;
    const maxBuckets = options.maxBuckets ?? 160;
    const maxScale = options.maxScale ?? 20;
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2 || maxBuckets > 16384) {
      badAmount(where, maxBuckets, 'maxBuckets must be an integer in [2, 16384]');
    }
    if (!Number.isInteger(maxScale) || maxScale < -10 || maxScale > 20) {
      badAmount(where, maxScale, 'maxScale must be an integer in [-10, 20]');
    }
    super(name, options, ctx, ['le']);
    this.maxBuckets = maxBuckets;
    this.maxScale = maxScale;
  }
  protected makeSeries(values: readonly string[], overflow: boolean): ExponentialHistogramSeries {
    const o = { maxBuckets: this.maxBuckets, maxScale: this.maxScale };
    return new ExponentialHistogramSeries(values, overflow, this.ctx.now(), o);
  }
  labels(labels: Labels): ExponentialHistogramSeries {
    return this.bind(labels);
  }
  observe(labels: Labels | number, value?: number): void {
    if (typeof labels === 'number') this.bind(undefined).observe(labels);
    else this.bind(labels).observe(value as number);
  }
}

/** Any instrument a registry holds. */
export type AnyMetric =
  | Counter
  | UpDownCounter
  | Gauge
  | HistogramMetric
  | ExponentialHistogramMetric
  | Summary;
