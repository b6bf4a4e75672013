/**
 * The ML service a worker exposes through Comlink (./worker.ts,
 * ./node-worker.ts): training jobs with progress and cancellation, and
 * feature extraction. ONNX sessions are the ONNX service's
 * (src/threads/onnx/service.ts, `edgewise/onnx`).
 */
import type { FeatureSpec, FeatureTable } from '../../ml/features';
import type { Evaluation, TrainData, TrainOptions, TrainProgress } from '../../ml/train';

// Loaded on first use so a worker can expose() the service before the
// WebAssembly kernels instantiate (Comlink drops calls that arrive earlier).
// The kernel module loads first: worker builds have no top-level await.
const kernels = () => import('../../kernels/runtime').then((r) => r.loadKernels());
const lazyTrain = () => kernels().then(() => import('../../ml/train'));
const lazyFeatures = () => kernels().then(() => import('../../ml/features'));

/** The ML service a worker exposes through Comlink (see `createMlService`). */
export interface MlService {
  info(): { ready: true };
  train(
    job: number,
    spec: FeatureSpec,
    data: TrainData,
    options: TrainOptions,
    onProgress?: (p: TrainProgress) => void,
  ): Promise<{ bytes: Uint8Array; specHash: string; evaluation: Evaluation }>;
  cancel(job: number): void;
  /** Features of a table (for cross-realm parity checks). */
  features(
    spec: FeatureSpec,
    table: FeatureTable,
  ): Promise<{ data: Float64Array; dims: number; columns: string[] }>;
}

/**
 * Creates the ML service a worker exposes (`expose(createMlService())`): training jobs and
 * feature extraction.
 */
export function createMlService(): MlService {
  const jobs = new Map<number, AbortController>();
  return {
    info: () => ({ ready: true }),
    async train(job, spec, data, options, onProgress) {
      const ac = new AbortController();
      jobs.set(job, ac);
      try {
        const { trainInline } = await lazyTrain();
        const r = await trainInline(spec, data, { ...options, signal: ac.signal, onProgress });
        r.model.dispose();
        return { bytes: r.bytes, specHash: r.specHash, evaluation: r.evaluation };
      } finally {
        jobs.delete(job);
      }
    },
    cancel(job) {
      jobs.get(job)?.abort(new Error('cancelled by the caller'));
    },
    async features(spec, table) {
      const { compileFeatures } = await lazyFeatures();
      const m = compileFeatures(spec).transform(table);
      return { data: m.data, dims: m.dims, columns: [...m.columns] };
    },
  };
}
