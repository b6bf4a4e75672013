/**
 * The ML worker the package ships (./worker.ts, built to
 * dist/workers/ml.worker.js): training jobs and features off the main thread
 * (ONNX sessions run in the ONNX worker, ../onnx/start.ts). The `new Worker(new URL(...))` spelling below is the one
 * app bundlers recognise (see ../worker-source.ts); keep it literal, on its
 * own, in this module only.
 */
import { startWorker, type WebWorker, type WorkerSourceOptions } from '../worker-source';

/**
 * Starts the package's ML worker, for `train(..., { worker })`:
 *
 * ```ts
 * const worker = createMlWorker();
 * const { model } = await train(spec, data, { model: 'isolation-forest', worker });
 * worker.terminate();
 * ```
 *
 * `options.worker` overrides the script (a URL, or a function returning a `Worker`).
 */
export function createMlWorker(options: WorkerSourceOptions = {}): WebWorker {
  return startWorker(
    options.worker,
    () =>
      new Worker(new URL('./worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-ml',
      }),
    'createMlWorker',
  );
}
