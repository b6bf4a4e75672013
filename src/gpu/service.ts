/**
 * GPU ops as a worker service (Comlink). Modules load with import() on first
 * use so the worker can expose() before anything heavy is instantiated.
 */
import type { BatchStatsOptions, BatchStatsResult } from './batch-stats';
import type { DenseOptions, DenseResult } from './dense';
import type { GpuStatus } from './device';
import type { FlatForest, ForestGpuResult } from './iforest';
import type { KnnOptions, KnnResult } from './knn';

export interface GpuService {
  status(): Promise<GpuStatus>;
  batchStats(
    values: Float32Array | Float64Array,
    options: BatchStatsOptions,
  ): Promise<BatchStatsResult>;
  dense(X: Float32Array | Float64Array, options: DenseOptions): Promise<DenseResult>;
  knn(X: Float32Array | Float64Array, options: KnnOptions): Promise<KnnResult>;
  /** Isolation Forest path-length sums for a flat forest (see src/gpu/iforest.ts). */
  forestPathSums(
    forest: FlatForest,
    X: Float64Array,
    options: { dims: number },
  ): Promise<ForestGpuResult>;
}

export function createGpuService(): GpuService {
  return {
    async status() {
      return (await import('./device')).getGpuStatus();
    },
    async batchStats(values, options) {
      return (await import('./batch-stats')).batchStats(values, options);
    },
    async dense(X, options) {
      return (await import('./dense')).denseForward(X, options);
    },
    async knn(X, options) {
      return (await import('./knn')).knn(X, options);
    },
    async forestPathSums(forest, X, options) {
      return (await import('./iforest')).scoreForestGpu(forest, X, options);
    },
  };
}
