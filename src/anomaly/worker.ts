/**
 * The anomaly worker the package ships (workers/anomaly.worker.ts, built to
 * dist/workers/anomaly.worker.js). The `new Worker(new URL(...))` spelling
 * below is the one app bundlers recognise (see src/worker-source.ts); keep it
 * literal, on its own, in this module only.
 */
import type { Endpoint } from '../comlink';
import { startWorker, type WorkerSource } from '../worker-source';

/** Starts the package's anomaly worker (browser), or the one `source` names. */
export function startAnomalyWorker(source?: WorkerSource): Worker {
  return startWorker(
    source,
    () =>
      new Worker(new URL('../../workers/anomaly.worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-anomaly',
      }),
    'anomaly worker',
  );
}

/** One worker as the pool sees it. */
export interface PoolWorkerHandle {
  endpoint: Endpoint;
  terminate(): unknown;
  /** Registers the callback to run if the worker fails. */
  onFailure(cb: (reason: unknown) => void): void;
}

/** A browser `Worker` as a pool handle: 'error' and 'messageerror' count as failures. */
export function workerHandle(w: Worker): PoolWorkerHandle {
  return {
    endpoint: w as unknown as Endpoint,
    terminate: () => w.terminate(),
    onFailure: (cb) => {
      w.addEventListener('error', (e) => cb(e));
      w.addEventListener('messageerror', (e) => cb(e));
    },
  };
}
