/**
 * The main-thread side of the ONNX worker: `loadOnnxInWorker` and the
 * `RemoteOnnxModel` it returns, over a worker running the ONNX service
 * (./service.ts).
 */
import type {
  ExecutionProvider,
  LoadOnnxOptions,
  OnnxModelInfo,
  OnnxRunResult,
} from '../../ml/onnx';
import { type Endpoint, type Remote, wrap } from '../comlink';
import type { OnnxService } from './service';

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
    return this.#remote.onnxRun(this.id, x, { dims: options.dims });
  }
  /** One anomaly score per row (see `OnnxModel.score`). */
  score(x: Float64Array, options: { dims: number }): Promise<Float64Array> {
    return this.#remote.onnxScore(this.id, x, { dims: options.dims });
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
