/**
 * The GPU worker the package ships (./worker.ts, built to
 * dist/workers/gpu.worker.js). The `new Worker(new URL(...))` spelling below
 * is the one app bundlers recognise (see ../worker-source.ts); keep it
 * literal, on its own, in this module only.
 */
import { startWorker, type WebWorker, type WorkerSource } from '../worker-source';

/** Starts the package's GPU worker (a Web Worker), or the one `source` names. */
export function startGpuWorker(source?: WorkerSource): WebWorker {
  return startWorker(
    source,
    () =>
      new Worker(new URL('./worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-gpu',
      }),
    'GpuWorkerClient',
  );
}
