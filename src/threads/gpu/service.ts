/**
 * The `edgewise/gpu` ops as the service the GPU worker exposes through Comlink
 * (./worker.ts; the main-thread side is ./client.ts). Modules load with
 * import() on first use so the worker can expose() before anything heavy is
 * instantiated.
 */
import type { BatchStatsOptions, BatchStatsResult } from '../../gpu/batch-stats';
import type { DenseOptions, DenseResult } from '../../gpu/dense';
import type { GpuStatus } from '../../gpu/device';
import type { FlatForest, ForestGpuResult } from '../../gpu/forest-wgsl';
import type { KnnOptions, KnnResult } from '../../gpu/knn-wgsl';

/** The GPU ops a worker exposes over Comlink (see `createGpuService`). */
export interface GpuService {
  status(): Promise<GpuStatus>;
  batchStats(
    values: Float32Array | Float64Array,
    options: BatchStatsOptions,
  ): Promise<BatchStatsResult>;
  denseForward(X: Float32Array | Float64Array, options: DenseOptions): Promise<DenseResult>;
  knn(X: Float32Array | Float64Array, options: KnnOptions): Promise<KnnResult>;
  /** `forestPathSums`: Isolation Forest path-length sums of a flat forest (src/gpu/forest-wgsl.ts). */
  forestPathSums(
    forest: FlatForest,
    X: Float64Array,
    options: { dims: number },
  ): Promise<ForestGpuResult>;
}

// The WebAssembly kernels back the CPU fallbacks (worker builds have no
// top-level await: load the module before the first op that may use them).
const kernels = () => import('../../kernels/runtime').then((r) => r.loadKernels());

/**
 * Creates the GPU service a worker exposes (`expose(createGpuService())`): the `edgewise/gpu`
 * ops, results transferred back.
 */
export function createGpuService(): GpuService {
  return {
    async status() {
      return (await import('../../gpu/device')).getGpuStatus();
    },
    async batchStats(values, options) {
      await kernels();
      return (await import('../../gpu/batch-stats')).batchStats(values, options);
    },
    async denseForward(X, options) {
      return (await import('../../gpu/dense')).denseForward(X, options);
    },
    async knn(X, options) {
      return (await import('../../gpu/knn-wgsl')).knn(X, options);
    },
    async forestPathSums(forest, X, options) {
      return (await import('../../gpu/forest-wgsl')).forestPathSums(forest, X, options);
    },
  };
}
