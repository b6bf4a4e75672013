/**
 * The binary saved-state formats and what a reader sees in each: how to load
 * one and which outputs to record. Shared by test/fixtures/generate_state_formats.ts
 * (run against an old build) and test/state-compat.test.ts (the current build).
 */
import { IsolationForest } from '../../src/anomaly/iforest';
import * as K from '../../src/kernels/index';
import { deserializeModel, type Model } from '../../src/ml/models';

/** Numbers as JSON: non-finite ones as strings ('NaN', 'Infinity', '-Infinity'). */
export const num = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
export const nums = (a: ArrayLike<number>): (number | string)[] => Array.from(a, num);

/** Rows (dims 2) the forests and models score. */
export const PROBE = Float64Array.from([-50, 50, 0, 0, 3, -7, 120, 1, 20, 20]);
/** Timestamps of the time window's events: T0 + i * 170 ms. */
export const T0 = 1_767_225_600_000;

interface Loaded {
  serialize(): Uint8Array;
  dispose(): void;
}
/** How to read one format and what to record of it (may push data: call after serialize). */
export interface StateKind<T extends Loaded = Loaded> {
  load(bytes: Uint8Array): T;
  observe(x: T): Record<string, unknown>;
}
const kind = <T extends Loaded>(k: StateKind<T>): StateKind => k as unknown as StateKind;

const model = kind<Model>({
  load: deserializeModel,
  observe: (m) => ({ header: m.header, scores: nums(m.score(PROBE, { dims: 2 })) }),
});

/** A QuantileSketch read back: mode, count, extremes and the quantiles `qs`. */
const sketch = (qs: number[]): StateKind =>
  kind<K.QuantileSketch>({
    load: K.QuantileSketch.deserialize,
    observe: (r) => ({
      exact: r.exact,
      count: r.count,
      min: r.min,
      max: r.max,
      quantiles: nums(r.quantiles(qs)),
    }),
  });

/** A Histogram read back: count, sum, extremes and its kind's buckets (`buckets`). */
const histogram = (buckets: (r: K.Histogram) => Record<string, unknown>): StateKind =>
  kind<K.Histogram>({
    load: K.Histogram.deserialize,
    observe: (r) => ({ count: r.count, sum: r.sum, min: r.min, max: r.max, ...buckets(r) }),
  });

/** A window read back: its class and the windows that `push` emits next (`fields` of them). */
const window = (
  push: (w: K.SlidingWindow) => K.WindowOutput,
  fields: (o: K.WindowOutput) => Record<string, unknown>,
): StateKind =>
  kind<K.SlidingWindow>({
    load: K.SlidingWindow.deserialize,
    observe: (w) => {
      const next = push(w);
      return {
        tumbling: w instanceof K.TumblingWindow,
        next: { length: next.length, ...fields(next) },
      };
    },
  });

/** Every format in the fixture, by name. */
export const STATE_KINDS: Record<string, StateKind> = {
  Moments: kind<K.Moments>({
    load: K.Moments.deserialize,
    observe: (r) => ({ ...r.summary(), mean: num(r.mean), variance: num(r.variance) }),
  }),
  'Moments (empty)': kind<K.Moments>({
    load: K.Moments.deserialize,
    observe: (r) => ({ count: r.count }),
  }),
  QuantileSketch: sketch([0.01, 0.25, 0.5, 0.9, 0.99]),
  'QuantileSketch (exact)': sketch([0.1, 0.5, 0.9]),
  'Histogram (exponential)': histogram((r) => ({
    scale: r.scale,
    zeroCount: r.zeroCount,
    positive: { offset: r.positive.offset, counts: nums(r.positive.bucketCounts) },
    negative: { offset: r.negative.offset, counts: nums(r.negative.bucketCounts) },
  })),
  'Histogram (explicit)': histogram((r) => ({
    bounds: nums(r.bounds),
    counts: nums(r.bucketCounts),
  })),
  Ewma: kind<K.Ewma>({
    load: K.Ewma.deserialize,
    observe: (r) => ({ count: r.count, rejected: r.rejected, mean: r.mean, variance: r.variance }),
  }),
  Covariance: kind<K.Covariance>({
    load: K.Covariance.deserialize,
    observe: (r) => ({
      dims: r.dims,
      count: r.count,
      mean: nums(r.mean),
      covariance: nums(r.covariance),
    }),
  }),
  SlidingWindow: window(
    (w) => w.push([1, 2, 3]),
    (o) => ({
      mean: nums(o.mean ?? []),
      min: nums(o.min ?? []),
      max: nums(o.max ?? []),
      p50: nums(o.quantiles?.[0] ?? []),
    }),
  ),
  'TumblingWindow (time)': window(
    (w) => w.push([5, 6], [T0 + 29 * 170 + 900, T0 + 29 * 170 + 1900]),
    (o) => ({
      start: nums(o.start ?? []),
      count: nums(o.count ?? []),
      sum: nums(o.sum ?? []),
      p90: nums(o.quantiles?.[0] ?? []),
    }),
  ),
  IsolationForest: kind<IsolationForest>({
    load: IsolationForest.deserialize,
    observe: (r) => ({
      dims: r.dims,
      threshold: r.threshold,
      scores: nums(r.score(PROBE, { dims: 2 })),
    }),
  }),
  'Model (isolation-forest)': model,
  'Model (lof)': model,
  'Model (robust-gaussian)': model,
  'Model (ols)': model,
  'Model (logistic)': model,
};
