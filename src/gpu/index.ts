/**
 * `edgewise/gpu`: WebGPU compute with exact CPU twins and automatic fallback.
 *
 * @module edgewise/gpu
 */

export { GpuWorkerClient } from '../threads/gpu/client';
export { createGpuService, type GpuService } from '../threads/gpu/service';
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
  forestPathSums,
  IFOREST_WGSL,
  orderKeys,
} from './forest-wgsl';
export { KNN_WGSL, type KnnOptions, type KnnResult, knn, knnCpu, lofFromKnn } from './knn-wgsl';
