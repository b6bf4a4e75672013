/** Counters: monotonic `Counter` (`<base>_total`) and `UpDownCounter` (a sum that goes up and down). */
import type { Labels } from '../names';
import { badAmount, Metric, SeriesBase, splitArgs } from './metric';

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
