/**
 * `edgewise`: the public entry. `createRuntime()` wires the bus, metrics,
 * storage, sync and detection (`rt.detect`) and reports which backends run; this entry exports it with the core
 * types (runtime, errors, bus and its topics, metrics, sync, inputs). Each
 * family comes through its subpath: `edgewise/kernels`, `edgewise/events`,
 * `edgewise/stream`, `edgewise/metrics`, `edgewise/stats`, `edgewise/anomaly`,
 * `edgewise/threads`, `edgewise/gpu`, `edgewise/ml`, `edgewise/onnx`,
 * `edgewise/storage`, `edgewise/sync`, `edgewise/widgets`.
 *
 * @module edgewise
 */
export type { MatrixOptions } from './anomaly/matrix';
export { EdgewiseError, type ErrorCode, isEdgewiseError } from './errors';
export type {
  AnomalyEvent,
  BusStats,
  EdgewiseTopics,
  EmitOptions,
  EventBus,
  EventBusOptions,
  Handler,
  HandlerErrorEvent,
  Priority,
  RuntimeErrorEvent,
  SubscribeOptions,
  Subscription,
} from './events/index';
export type { GpuStatus } from './gpu/device';
export type { NumericInput } from './kernels/runtime';
export type { Counter, Gauge, HistogramMetric } from './metrics/instruments';
export type { Metrics, MetricsOptions } from './metrics/metrics';
export type { Labels } from './metrics/names';
export type { ExpositionFormat } from './metrics/registry';
export {
  createRuntime,
  type Detection,
  type DetectionSnapshot,
  type DetectOptions,
  type Runtime,
  type RuntimeOptions,
} from './runtime/create';
export type { Sync, SyncOptions } from './sync/sync';
