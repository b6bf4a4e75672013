/**
 * `edgewise/metrics`: instruments, registry, exposition, and `Metrics` (a
 * registry with time-series retention). The store and its backends are
 * `edgewise/storage`, loaded on demand by `Metrics.create`.
 *
 * @module edgewise/metrics
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export type { QueryOptions, QueryResult } from '../storage/timeseries/query';
export type { Aggregation } from '../storage/timeseries/rollup';
export type {
  StoreEvent,
  TimeSeriesStore,
  TimeSeriesStoreOptions,
} from '../storage/timeseries/store';
export type { TierSpec } from '../storage/timeseries/tiers';
export type * from '../storage/types';
export {
  escapeHelpOpenMetrics,
  escapeHelpPrometheus,
  escapeLabelValue,
  formatValue,
} from './exposition';
export {
  type MetricsServer,
  metricsHandler,
  type RequestLike,
  type ResponseLike,
  serveMetrics,
} from './http';
export * from './instruments';
export { Metrics, type MetricsOptions } from './metrics';
export * from './names';
export * from './registry';
