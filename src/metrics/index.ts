/** `edgewise/metrics`: instruments, registry, exposition, time-series retention. */
export { EdgewiseError, type ErrorCode } from '../errors';
export {
  escapeHelpOpenMetrics,
  escapeHelpPrometheus,
  escapeLabelValue,
  formatValue,
} from './exposition';
export { type MetricsServer, metricsHandler, serveMetrics } from './http';
export * from './instruments';
export * from './names';
export * from './registry';
