/**
 * MetricsRegistry: creates instruments (idempotent for the same definition),
 * rejects conflicting registrations, and renders the exposition formats.
 */
import { EdgewiseError } from '../errors';
import type { SampleSink } from '../storage/timeseries/source';
import { renderOpenMetrics, renderPrometheus } from './exposition';
import {
  type AnyMetric,
  Counter,
  DEFAULT_MAX_SERIES,
  ExponentialHistogramMetric,
  type ExponentialHistogramOptions,
  Gauge,
  type GaugeOptions,
  HistogramMetric,
  type HistogramMetricOptions,
  type Metric,
  type MetricContext,
  type MetricOptions,
  Summary,
  type SummaryOptions,
  UpDownCounter,
} from './instruments';
import { sampleMetrics } from './sampling';

/** Text exposition formats: Prometheus 0.0.4 or OpenMetrics 1.0. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** The HTTP Content-Type of each exposition format. */
export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** Options of `MetricsRegistry`. */
export interface RegistryOptions {
  /** Default series limit per metric (2,000). */
  maxSeriesPerMetric?: number;
  /** Clock in ms since epoch (default Date.now); tests pass a fake one. */
  now?: () => number;
}

/** A gauge callback that threw during a collection. */
export interface CallbackErrorEvent {
  metric: string;
  error: unknown;
}

/**
 * Reported once per metric by `onOverflow` when label sets beyond its limit go to the overflow
 * series.
 */
export interface OverflowEvent {
  metric: string;
  maxSeries: number;
}

/** Sample names each family produces, to catch collisions such as a gauge `x_total` next to a counter `x`. */
function sampleNames(m: AnyMetric): string[] {
  const b = m.baseName();
  switch (m.type) {
    case 'counter':
      return [b, `${b}_total`, `${b}_created`];
    case 'histogram':
      return [b, `${b}_bucket`, `${b}_sum`, `${b}_count`, `${b}_created`];
    case 'summary':
      return [b, `${b}_sum`, `${b}_count`, `${b}_created`];
    default:
      return [b];
  }
}

/**
 * Prometheus-style instruments (counters, up-down counters, gauges, histograms, summaries) and
 * their text exposition.
 *
 * @example
 * ```ts
 * const registry = new MetricsRegistry();
 * registry.counter('http_requests_total', { labelNames: ['route'] }).inc({ route: '/' });
 * await registry.exposition('openmetrics');
 * ```
 */
export class MetricsRegistry {
  private readonly metrics = new Map<string, AnyMetric>();
  private readonly owners = new Map<string, AnyMetric>();
  private readonly ctx: MetricContext;
  private readonly overflowListeners = new Set<(e: OverflowEvent) => void>();
  private readonly callbackErrorListeners = new Set<(e: CallbackErrorEvent) => void>();
  readonly now: () => number;

  constructor(options: RegistryOptions = {}) {
    const max = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES;
    if (!Number.isInteger(max) || max < 1) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `MetricsRegistry: maxSeriesPerMetric must be a positive integer, got ${max}.`,
      );
    }
    this.now = options.now ?? Date.now;
    this.ctx = {
      now: this.now,
      maxSeries: max,
      onOverflow: (m: Metric) => {
        const e = { metric: m.name, maxSeries: m.maxSeries };
        for (const f of this.overflowListeners) f(e);
      },
      onCallbackError: (m: Metric, error: unknown) => {
        const e = { metric: m.name, error };
        for (const f of this.callbackErrorListeners) {
          try {
            f(e);
          } catch {
            // A listener's own failure must not stop the collection.
          }
        }
      },
    };
  }

  /** Called once per metric when it first exceeds its series limit. Returns an unsubscribe function. */
  /**
   * Called when a gauge's `observe` callback throws during a collection (the
   * gauge keeps its previous values; the other metrics are collected as usual).
   */
  onCallbackError(fn: (e: CallbackErrorEvent) => void): () => void {
    this.callbackErrorListeners.add(fn);
    return () => this.callbackErrorListeners.delete(fn);
  }

  onOverflow(fn: (e: OverflowEvent) => void): () => void {
    this.overflowListeners.add(fn);
    return () => this.overflowListeners.delete(fn);
  }

  private register<M extends AnyMetric>(
    name: string,
    type: AnyMetric['type'],
    options: MetricOptions,
    make: () => M,
  ): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new EdgewiseError(
          'ALREADY_REGISTERED',
          `metric '${name}' is already registered as a ${existing.type}; use another name or the same type.`,
        );
      }
      const ln = options.labelNames ?? [];
      if (
        ln.length !== existing.labelNames.length ||
        ln.some((l, i) => l !== existing.labelNames[i])
      ) {
        throw new EdgewiseError(
          'LABEL_MISMATCH',
          `metric '${name}' is already registered with labels [${existing.labelNames.join(', ')}]; pass the same labelNames.`,
        );
      }
      return existing as M;
    }
    const m = make();
    const names = sampleNames(m);
    // Checked before _init(), so a rejected registration allocates no series (or kernel memory).
    for (const n of names) {
      const owner = this.owners.get(n);
      if (owner) {
        throw new EdgewiseError(
          'ALREADY_REGISTERED',
          `metric '${name}' would expose '${n}', which ${owner.type} '${owner.name}' already exposes; choose another name.`,
        );
      }
    }
    for (const n of names) this.owners.set(n, m);
    this.metrics.set(name, m);
    m._init();
    return m;
  }

  counter(name: string, options: MetricOptions = {}): Counter {
    return this.register(name, 'counter', options, () => new Counter(name, options, this.ctx, []));
  }
  upDownCounter(name: string, options: MetricOptions = {}): UpDownCounter {
    return this.register(
      name,
      'updowncounter',
      options,
      () => new UpDownCounter(name, options, this.ctx, []),
    );
  }
  gauge(name: string, options: GaugeOptions = {}): Gauge {
    return this.register(name, 'gauge', options, () => new Gauge(name, options, this.ctx));
  }
  /** Explicit buckets (default), or `kind: 'exponential'` (OpenTelemetry base-2 buckets via the kernel). */
  histogram(name: string, options: ExponentialHistogramOptions): ExponentialHistogramMetric;
  histogram(name: string, options?: HistogramMetricOptions): HistogramMetric;
  histogram(
    name: string,
    options: HistogramMetricOptions | ExponentialHistogramOptions = {},
  ): HistogramMetric | ExponentialHistogramMetric {
    const kind = options.kind ?? 'explicit';
    if (kind !== 'explicit' && kind !== 'exponential') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `histogram '${name}': kind must be 'explicit' or 'exponential', got '${String(kind)}'.`,
      );
    }
    const m = this.register(name, 'histogram', options, () =>
      kind === 'exponential'
        ? new ExponentialHistogramMetric(name, options as ExponentialHistogramOptions, this.ctx)
        : new HistogramMetric(name, options as HistogramMetricOptions, this.ctx),
    );
    if (m.kind !== kind) {
      throw new EdgewiseError(
        'ALREADY_REGISTERED',
        `histogram '${name}' is already registered with ${m.kind} buckets; pass kind: '${m.kind}'.`,
      );
    }
    return m;
  }

  /** Sliding-window quantiles (QuantileSketch panes), `_sum` and `_count`. */
  summary(name: string, options: SummaryOptions = {}): Summary {
    return this.register(name, 'summary', options, () => new Summary(name, options, this.ctx));
  }

  get(name: string): AnyMetric | undefined {
    return this.metrics.get(name);
  }

  /** Removes a metric; returns whether it existed. */
  remove(name: string): boolean {
    const m = this.metrics.get(name);
    if (!m) return false;
    for (const n of sampleNames(m)) this.owners.delete(n);
    this.metrics.delete(name);
    for (const s of m.series()) s._dispose();
    return true;
  }

  /** All metrics, in registration order, after running gauge callbacks. */
  collect(): AnyMetric[] {
    const out = [...this.metrics.values()];
    for (const m of out) m._collect();
    return out;
  }

  /**
   * Writes the current value of every series (gauge callbacks run first) into
   * a time-series store: what `TimeSeriesStore.sample` calls.
   */
  sampleInto(
    sink: SampleSink,
    t: number,
    include: (metricName: string) => boolean = () => true,
  ): void {
    sampleMetrics(this.collect(), sink, t, include);
  }

  /** Renders every metric (Prometheus text 0.0.4 or OpenMetrics 1.0). */
  expositionSync(format: ExpositionFormat = 'prometheus'): string {
    const ms = this.collect();
    if (format === 'prometheus') return renderPrometheus(ms);
    if (format === 'openmetrics') return renderOpenMetrics(ms);
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `exposition: unknown format '${String(format)}'; pass 'prometheus' or 'openmetrics'.`,
    );
  }

  async exposition(format: ExpositionFormat = 'prometheus'): Promise<string> {
    return this.expositionSync(format);
  }
}
