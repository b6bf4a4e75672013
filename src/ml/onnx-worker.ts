/**
 * The ONNX worker the package ships (workers/onnx.worker.ts, built to
 * dist/workers/onnx.worker.js). Only `edgewise/onnx` references it, so an app
 * that never imports that entry never has onnxruntime-web in its build. The
 * `new Worker(new URL(...))` spelling below is the one app bundlers recognise
 * (see src/worker-source.ts); keep it literal, on its own, in this module only.
 */
import { startWorker, type WebWorker, type WorkerSourceOptions } from '../worker-source';

/**
 * Starts the package's ONNX worker, for `loadOnnxInWorker(worker, ...)`:
 *
 * ```ts
 * const worker = createOnnxWorker();
 * const model = await loadOnnxInWorker(worker, bytes, { executionProviders: ['webgpu', 'wasm'] });
 * ```
 *
 * `options.worker` overrides the script (a URL, or a function returning a `Worker`).
 */
export function createOnnxWorker(options: WorkerSourceOptions = {}): WebWorker {
  return startWorker(
    options.worker,
    () =>
      new Worker(new URL('../../workers/onnx.worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-onnx',
      }),
    'createOnnxWorker',
  );
}
