/** Summaries: sliding-window quantiles (`{quantile="0.99"}`), `_sum` and `_count`. */
import { QuantileSketch } from '../../kernels/quantile';
import { Rollup } from '../../storage/timeseries/rollup';
import type { Labels } from '../names';
import { badAmount, Metric, type MetricContext, type MetricOptions, SeriesBase } from './metric';

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
