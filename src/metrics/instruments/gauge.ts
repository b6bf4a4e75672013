/** Gauges: settable (`set`, `inc`, `dec`) or observed by a callback at each collection. */
import { type Labels, labelValuesOf, seriesKey } from '../names';
import {
  badAmount,
  Metric,
  type MetricContext,
  type MetricOptions,
  SeriesBase,
  splitArgs,
} from './metric';

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
