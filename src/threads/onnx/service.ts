/**
 * ONNX sessions in a worker: the service a worker exposes through Comlink
 * (./worker.ts, ./node-worker.ts; the main-thread proxy is ./client.ts).
 * Apart from the ML service so that the training worker never pulls
 * onnxruntime-web into an app's build; the method names are distinct, so one
 * worker can expose both (`{ ...createMlService(), ...createOnnxService() }`).
 */
import { EdgewiseError } from '../../errors';
import type { LoadOnnxOptions, OnnxModel, OnnxModelInfo, OnnxRunResult } from '../../ml/onnx';
import { transfer } from '../comlink';

// Loaded on first use so a worker can expose() the service at once (Comlink
// drops calls that arrive before expose); onnxruntime-web loads with it.
const lazyOnnx = () => import('../../ml/onnx');

/** What a worker running ONNX sessions exposes. */
export interface OnnxService {
  /** Loads an ONNX model in the worker; returns its id and info. */
  onnxLoad(
    source: Uint8Array | string,
    options: Omit<LoadOnnxOptions, 'ort'>,
  ): Promise<{ id: number; info: OnnxModelInfo }>;
  /** `model.run(x, { dims })` with model `id`. */
  onnxRun(id: number, x: Float64Array, options: { dims: number }): Promise<OnnxRunResult>;
  /** `model.score(x, { dims })` with model `id`. */
  onnxScore(id: number, x: Float64Array, options: { dims: number }): Promise<Float64Array>;
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
    async onnxRun(id, x, options) {
      const r = await need(id).run(x, options);
      return transfer(r, [r.data.buffer]);
    },
    async onnxScore(id, x, options) {
      const s = await need(id).score(x, options);
      return transfer(s, [s.buffer]);
    },
    async onnxDispose(id) {
      await models.get(id)?.dispose();
      models.delete(id);
    },
  };
}
