/**
 * The GPU worker the package ships (workers/gpu.worker.ts, built to
 * dist/workers/gpu.worker.js): WebGPU ops in a dedicated worker, with the
 * same CPU fallbacks as on the page. The `new Worker(new URL(...))` spelling
 * below is the one app bundlers recognise (see src/worker-source.ts); keep it
 * literal, on its own, in this module only.
 */
import { type Endpoint, type Remote, releaseProxy, wrap } from '../comlink';
import { startWorker, type WebWorker, type WorkerSourceOptions } from '../worker-source';
import type { BatchStatsOptions, BatchStatsResult } from './batch-stats';
import type { DenseOptions, DenseResult } from './dense';
import type { GpuStatus } from './device';
import type { FlatForest, ForestGpuResult } from './iforest';
import type { KnnOptions, KnnResult } from './knn';
import type { GpuService } from './service';

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
    this.#worker = startWorker(
      options.worker,
      () =>
        new Worker(new URL('../../workers/gpu.worker.ts', import.meta.url), {
          type: 'module',
          name: 'edgewise-gpu',
        }),
      'GpuWorkerClient',
    );
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
  dense(X: Float32Array | Float64Array, options: DenseOptions): Promise<DenseResult> {
    return this.#remote.dense(X, options);
  }
  /** `knn` (edgewise/gpu) in the worker. */
  knn(X: Float32Array | Float64Array, options: KnnOptions): Promise<KnnResult> {
    return this.#remote.knn(X, options);
  }
  /** Isolation Forest path-length sums of a flat forest (`scoreForestGpu`) in the worker. */
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
