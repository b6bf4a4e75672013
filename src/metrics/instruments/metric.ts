/**
 * The base of every instrument: a name, declared labels and one series object
 * per label set (a bound handle from `labels()` is that object, so recording on
 * it is one field update with no allocation), a series limit with one overflow
 * series, and the options and context a registry hands in.
 */
import { describeValue, EdgewiseError } from '../../errors';
import {
  checkLabelNames,
  checkMetricName,
  checkUnit,
  type Labels,
  labelValuesOf,
  OVERFLOW_LABEL,
  seriesKey,
} from '../names';

/** The kind of a metric. */
export type MetricType = 'counter' | 'updowncounter' | 'gauge' | 'histogram' | 'summary';

/** Default number of label sets per metric (2,000) before the overflow series. */
export const DEFAULT_MAX_SERIES = 2000;

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

/** Throws INVALID_ARGUMENT: `where`: `what`, got <value>. */
export function badAmount(where: string, v: unknown, what: string): never {
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

/** `(labels?, amount?)` or `(amount)` as the instruments' shorthands take them. */
export function splitArgs(
  a: Labels | number | undefined,
  b: number | undefined,
): [Labels | undefined, number] {
  if (typeof a === 'number') return [undefined, a];
  return [a, b === undefined ? 1 : b];
}
