/**
 * ONNX sessions in a worker: the service a worker exposes through Comlink
 * (workers/onnx.worker.ts, workers/onnx.node-worker.ts) and its main-thread
 * proxy. Apart from the ML service so that the training worker never pulls
 * onnxruntime-web into an app's build; the method names are distinct, so one
 * worker can expose both (`{ ...createMlService(), ...createOnnxService() }`).
 */
import { type Endpoint, type Remote, transfer, wrap } from '../comlink';
import { EdgewiseError } from '../errors';
import type {
  ExecutionProvider,
  LoadOnnxOptions,
  OnnxModel,
  OnnxModelInfo,
  OnnxRunResult,
} from './onnx';

// Loaded on first use so a worker can expose() the service at once (Comlink
// drops calls that arrive before expose); onnxruntime-web loads with it.
const lazyOnnx = () => import('./onnx');

/** What a worker running ONNX sessions exposes. */
export interface OnnxService {
  /** Loads an ONNX model in the worker; returns its id and info. */
  onnxLoad(
    source: Uint8Array | string,
    options: Omit<LoadOnnxOptions, 'ort'>,
  ): Promise<{ id: number; info: OnnxModelInfo }>;
  onnxRun(id: number, x: Float64Array, dims: number): Promise<OnnxRunResult>;
  onnxScore(id: number, x: Float64Array, dims: number): Promise<Float64Array>;
  onnxDispose(id: number): Promise<void>;
}

/** The worker side: ONNX sessions by id. */
export function createOnnxService(): OnnxService {
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

const remotes = new WeakMap<Endpoint, Remote<OnnxService>>();
/** One Comlink proxy per endpoint (never released: that would make the worker stop listening). */
function onnxRemote(endpoint: Endpoint): Remote<OnnxService> {
  let r = remotes.get(endpoint);
  if (!r) {
    r = wrap<OnnxService>(endpoint);
    remotes.set(endpoint, r);
  }
  return r;
}

/** An ONNX model whose session lives in a worker running the ONNX service. */
export class RemoteOnnxModel {
  readonly #remote: Remote<OnnxService>;
  /** The session's id in the worker. */
  readonly id: number;
  /** What loading found out (provider, input/output names, input type, dims, SHA-256). */
  readonly info: OnnxModelInfo;
  constructor(remote: Remote<OnnxService>, id: number, info: OnnxModelInfo) {
    this.#remote = remote;
    this.id = id;
    this.info = info;
  }
  /** The execution provider that runs the session. */
  get provider(): ExecutionProvider {
    return this.info.provider;
  }
  /** Runs the model on n x dims rows; returns the selected output, row-major. */
  run(x: Float64Array, options: { dims: number }): Promise<OnnxRunResult> {
    return this.#remote.onnxRun(this.id, x, options.dims);
  }
  /** One anomaly score per row (see `OnnxModel.score`). */
  score(x: Float64Array, options: { dims: number }): Promise<Float64Array> {
    return this.#remote.onnxScore(this.id, x, options.dims);
  }
  /** Releases the session in the worker. */
  dispose(): Promise<void> {
    return this.#remote.onnxDispose(this.id);
  }
}

/**
 * `loadOnnx` inside a worker (from `createOnnxWorker()`, or any endpoint
 * exposing `createOnnxService()`): the session runs off the calling thread;
 * the model bytes are copied to the worker.
 *
 * ```ts
 * const worker = createOnnxWorker();
 * const model = await loadOnnxInWorker(worker, '/models/ae.onnx', { score: 'reconstruction' });
 * const scores = await model.score(X, { dims: 8 });
 * ```
 */
export async function loadOnnxInWorker(
  worker: Endpoint,
  source: Uint8Array | string,
  options: Omit<LoadOnnxOptions, 'ort'> = {},
): Promise<RemoteOnnxModel> {
  const remote = onnxRemote(worker);
  const { id, info } = await remote.onnxLoad(source, options);
  return new RemoteOnnxModel(remote, id, info);
}
