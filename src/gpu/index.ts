/**
 * `edgewise/gpu`: WebGPU compute with exact CPU twins and automatic fallback.
 *
 * @module edgewise/gpu
 */
export {
  type BackendRan,
  type BackendReport,
  type BackendRequest,
  measuredThreshold,
} from './backend';
export {
  BATCH_STATS_WGSL,
  type BatchStatsOptions,
  type BatchStatsResult,
  batchStats,
  batchStatsCpu,
} from './batch-stats';
export {
  type Activation,
  DENSE_WGSL,
  type DenseLayer,
  type DenseOptions,
  type DenseResult,
  denseForward,
  denseForwardCpu,
} from './dense';
export {
  type GpuContext,
  type GpuStatus,
  getGpu,
  getGpuStatus,
  runOnGpu,
  setGpuProvider,
  type WebGpuDevice,
  type WebGpuDeviceLostInfo,
  type WebGpuType,
} from './device';
export {
  type FlatForest,
  type ForestGpuResult,
  IFOREST_WGSL,
  orderKeys,
  scoreForestGpu,
} from './iforest';
export { KNN_WGSL, type KnnOptions, type KnnResult, knn, knnCpu, lofFromKnn } from './knn';
export { createGpuService, type GpuService } from './service';
export { GpuWorkerClient } from './worker';
