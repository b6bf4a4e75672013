/** `edgewise/metrics`: instruments, registry, exposition, time-series retention. */
export { EdgewiseError, type ErrorCode } from '../errors';
export * from '../storage/index';
export {
  escapeHelpOpenMetrics,
  escapeHelpPrometheus,
  escapeLabelValue,
  formatValue,
} from './exposition';
export { type MetricsServer, metricsHandler, serveMetrics } from './http';
export * from './instruments';
export { Metrics, type MetricsOptions } from './metrics';
export * from './names';
export * from './registry';
export { AGGREGATIONS, type Aggregation, Rollup } from './rollup';
export {
  DEFAULT_TIERS,
  type QueryOptions,
  type QueryResult,
  type StoreEvent,
  type TierSpec,
  TimeSeriesStore,
  type TimeSeriesStoreOptions,
} from './timeseries';
