/**
 * The ONNX worker the package ships (./worker.ts, built to
 * dist/workers/onnx.worker.js). Only `edgewise/onnx` references it, so an app
 * that never imports that entry never has onnxruntime-web in its build. The
 * `new Worker(new URL(...))` spelling below is the one app bundlers recognise
 * (see ../worker-source.ts); keep it literal, on its own, in this module only.
 */
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import {
  startNodeWorker,
  startWorker,
  type WebWorker,
  type WorkerLike,
  type WorkerSourceOptions,
} from '../worker-source';

/** Node (no Web Worker): the package's worker_threads entry, as a WorkerLike. */
function startNodeOnnxWorker(): WebWorker | undefined {
  const w = startNodeWorker('onnx', 'createOnnxWorker');
  if (!w) return undefined;
  const ep = nodeEndpoint(w as unknown as Parameters<typeof nodeEndpoint>[0]);
  const like: WorkerLike = {
    postMessage: (m) => ep.postMessage(m),
    addEventListener: (type, l) => ep.addEventListener(type, l),
    removeEventListener: (type, l) => ep.removeEventListener(type, l),
    terminate: () => {
      void w.terminate();
    },
  };
  return like as WebWorker;
}

/**
 * Starts the package's ONNX worker, for `loadOnnxInWorker(worker, ...)`:
 *
 * ```ts
 * const worker = createOnnxWorker();
 * const model = await loadOnnxInWorker(worker, bytes, { executionProviders: ['webgpu', 'wasm'] });
 * ```
 *
 * In Node (no global `Worker`) it starts the package's `worker_threads` entry
 * (dist/workers/onnx.node-worker.js, Node 20.16+) and returns it as a
 * `WorkerLike` (postMessage, add/removeEventListener, terminate).
 *
 * `options.worker` overrides the script (a URL, or a function returning a `Worker`).
 */
export function createOnnxWorker(options: WorkerSourceOptions = {}): WebWorker {
  if (options.worker === undefined) {
    const node = startNodeOnnxWorker();
    if (node) return node;
  }
  return startWorker(
    options.worker,
    () =>
      new Worker(new URL('./worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-onnx',
      }),
    'createOnnxWorker',
  );
}
