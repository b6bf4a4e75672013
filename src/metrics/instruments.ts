/**
 * Instruments: Counter, UpDownCounter, Gauge (settable and callback-observed),
 * Histogram (explicit or exponential buckets) and Summary, one kind per file
 * in instruments/. Every label set is one series object; a
 * bound handle (`metric.labels({...})`) is that object, so recording on it is
 * one field update with no allocation.
 */
import type { Counter, UpDownCounter } from './instruments/counter';
import type { ExponentialHistogramMetric } from './instruments/exponential-histogram';
import type { Gauge } from './instruments/gauge';
import type { HistogramMetric } from './instruments/histogram';
import type { Summary } from './instruments/summary';

export * from './instruments/counter';
export * from './instruments/exponential-histogram';
export * from './instruments/gauge';
export * from './instruments/histogram';
export {
  DEFAULT_MAX_SERIES,
  Metric,
  type MetricContext,
  type MetricOptions,
  type MetricType,
  SeriesBase,
} from './instruments/metric';
export * from './instruments/summary';

/** Any instrument a registry holds. */
export type AnyMetric =
  | Counter
  | UpDownCounter
  | Gauge
  | HistogramMetric
  | ExponentialHistogramMetric
  | Summary;
