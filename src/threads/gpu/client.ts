/**
 * The main-thread side of the GPU worker the package ships (./worker.ts,
 * built to dist/workers/gpu.worker.js): WebGPU ops in a dedicated worker,
 * with the same CPU fallbacks as on the page.
 */
import type { BatchStatsOptions, BatchStatsResult } from '../../gpu/batch-stats';
import type { DenseOptions, DenseResult } from '../../gpu/dense';
import type { GpuStatus } from '../../gpu/device';
import type { FlatForest, ForestGpuResult } from '../../gpu/forest-wgsl';
import type { KnnOptions, KnnResult } from '../../gpu/knn-wgsl';
import { type Endpoint, type Remote, releaseProxy, wrap } from '../comlink';
import type { WebWorker, WorkerSourceOptions } from '../worker-source';
import type { GpuService } from './service';
import { startGpuWorker } from './start';

/**
 * The GPU ops of `edgewise/gpu` run in the package's GPU worker (WebGPU in a
 * dedicated worker keeps long dispatches off the page's thread):
 *
 * ```ts
 * const gpu = new GpuWorkerClient();
 * const stats = await gpu.batchStats(values, { series: 64, length: 1024 });
 * gpu.close();
 * ```
 *
 * `options.worker` overrides the script (a URL, or a function returning a `Worker`).
 */
export class GpuWorkerClient {
  readonly #worker: WebWorker;
  readonly #remote: Remote<GpuService>;

  constructor(options: WorkerSourceOptions = {}) {
    this.#worker = startGpuWorker(options.worker);
    this.#remote = wrap<GpuService>(this.#worker as unknown as Endpoint);
  }

  /** WebGPU adapter and limits in the worker, or why it is not used. */
  status(): Promise<GpuStatus> {
    return this.#remote.status();
  }
  /** `batchStats` (edgewise/gpu) in the worker. */
  batchStats(
    values: Float32Array | Float64Array,
    options: BatchStatsOptions,
  ): Promise<BatchStatsResult> {
    return this.#remote.batchStats(values, options);
  }
  /** `denseForward` (edgewise/gpu) in the worker. */
  denseForward(X: Float32Array | Float64Array, options: DenseOptions): Promise<DenseResult> {
    return this.#remote.denseForward(X, options);
  }
  /** `knn` (edgewise/gpu) in the worker. */
  knn(X: Float32Array | Float64Array, options: KnnOptions): Promise<KnnResult> {
    return this.#remote.knn(X, options);
  }
  /** `forestPathSums` (edgewise/gpu) in the worker: Isolation Forest path-length sums of a flat forest. */
  forestPathSums(
    forest: FlatForest,
    X: Float64Array,
    options: { dims: number },
  ): Promise<ForestGpuResult> {
    return this.#remote.forestPathSums(forest, X, options);
  }
  /** Terminates the worker. */
  close(): void {
    this.#remote[releaseProxy]();
    this.#worker.terminate();
  }
}
