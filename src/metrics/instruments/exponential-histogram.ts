/** OpenTelemetry base-2 exponential histograms (the Histogram kernel), exposed as classic ones. */
import {
  type ExponentialHistogramPoint,
  Histogram as KernelHistogram,
} from '../../kernels/histogram';
import type { Labels } from '../names';
import { badAmount, Metric, type MetricContext, type MetricOptions, SeriesBase } from './metric';

/** Observations staged before one kernel call. */
const STAGE = 256;

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
