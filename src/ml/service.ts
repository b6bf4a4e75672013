/**
 * The ML service a worker exposes through Comlink (workers/ml.worker.ts,
 * workers/ml.node-worker.ts): training jobs with progress and cancellation,
 * feature extraction, and ONNX sessions living in the worker.
 */
import { type Endpoint, type Remote, transfer, wrap } from '../comlink';
import { EdgewiseError } from '../errors';
import type { FeatureSpec, FeatureTable } from './features';
import type { LoadOnnxOptions, OnnxModel, OnnxModelInfo, OnnxRunResult } from './onnx';
import type { Evaluation, TrainData, TrainOptions, TrainProgress } from './train';

// Loaded on first use so a worker can expose() the service before the
// WebAssembly kernels instantiate (Comlink drops calls that arrive earlier).
// The kernel module loads first: worker builds have no top-level await.
const kernels = () => import('../kernels/runtime').then((r) => r.loadKernels());
const lazyTrain = () => kernels().then(() => import('./train'));
const lazyFeatures = () => kernels().then(() => import('./features'));
const lazyOnnx = () => kernels().then(() => import('./onnx'));

/** The ML service a worker exposes through Comlink (workers/ml.worker.ts). */
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
  /** Loads an ONNX model in the worker; returns its id and info. */
  onnxLoad(
    source: Uint8Array | string,
    options: Omit<LoadOnnxOptions, 'ort'>,
  ): Promise<{ id: number; info: OnnxModelInfo }>;
  onnxRun(id: number, x: Float64Array, dims: number): Promise<OnnxRunResult>;
  onnxScore(id: number, x: Float64Array, dims: number): Promise<Float64Array>;
  onnxDispose(id: number): Promise<void>;
}

/**
 * Creates the ML service a worker exposes (`expose(createMlService())`): training jobs, feature
 * extraction and ONNX sessions.
 */
export function createMlService(): MlService {
  const jobs = new Map<number, AbortController>();
  const models = new Map<number, OnnxModel>();
  let nextModel = 1;
  const need = (id: number): OnnxModel => {
    const m = models.get(id);
    if (!m)
      throw new EdgewiseError(
        'DISPOSED',
        `ONNX model ${id} is not loaded in this worker (disposed?).`,
      );
    return m;
  };
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
    async onnxLoad(source, options) {
      const { loadOnnx } = await lazyOnnx();
      const m = await loadOnnx(source, options);
      const id = nextModel++;
      models.set(id, m);
      return { id, info: m.info };
    },
    async onnxRun(id, x, dims) {
      const r = await need(id).run(x, { dims });
      return transfer(r, [r.data.buffer]);
    },
    async onnxScore(id, x, dims) {
      const s = await need(id).score(x, { dims });
      return transfer(s, [s.buffer]);
    },
    async onnxDispose(id) {
      await models.get(id)?.dispose();
      models.delete(id);
    },
  };
}

const remotes = new WeakMap<Endpoint, Remote<MlService>>();
/**
 * One Comlink proxy per endpoint. Never released: releasing a proxy makes the
 * worker side stop listening on that endpoint (the service would go deaf).
 */
export function mlRemote(endpoint: Endpoint): Remote<MlService> {
  let r = remotes.get(endpoint);
  if (!r) {
    r = wrap<MlService>(endpoint);
    remotes.set(endpoint, r);
  }
  return r;
}
