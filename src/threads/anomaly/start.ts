/**
 * The anomaly worker the package ships (./worker.ts, built to
 * dist/workers/anomaly.worker.js). The `new Worker(new URL(...))` spelling
 * below is the one app bundlers recognise (see ../worker-source.ts); keep it
 * literal, on its own, in this module only.
 */
import { startWorkerHandle, type WorkerHandle, type WorkerSource } from '../worker-source';

export { type WorkerHandle as PoolWorkerHandle, workerHandle } from '../worker-source';

/**
 * Starts the package's anomaly worker (a Web Worker; in Node its
 * worker_threads entry), or the one `source` names.
 */
export function startAnomalyWorker(source?: WorkerSource): WorkerHandle {
  return startWorkerHandle(
    source,
    () =>
      new Worker(new URL('./worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-anomaly',
      }),
    'anomaly',
    'anomaly worker',
  );
}
