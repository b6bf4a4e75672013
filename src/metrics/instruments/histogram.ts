/** Explicit-bucket histograms: `_bucket{le=...}` (cumulative), `_sum`, `_count`. */
import type { Labels } from '../names';
import { badAmount, Metric, type MetricContext, type MetricOptions, SeriesBase } from './metric';

/** Default bucket bounds of explicit histograms (prom-client's and the Prometheus clients'). */
export const DEFAULT_HISTOGRAM_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

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
