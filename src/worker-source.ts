/**
 * How Edgewise starts the workers it ships. By default each main-thread class
 * (`AnomalyWorkerPool`, `KernelWorkerClient`, `WorkerAnomalyMonitor`,
 * `createStreamWorker`, `createMlWorker`, `GpuWorkerClient`) starts its own
 * worker with `new Worker(new URL('./workers/<name>.worker.js',
 * import.meta.url), { type: 'module' })` in the package's code: Vite,
 * webpack 5 and Rollup bundle that worker into the app, and a page with no
 * bundler loads it from the package's `dist/workers`. Users pass no URL.
 *
 * The `worker` option overrides that for unusual hosting (a CDN, a CSP that
 * needs the script on another path): a URL of the worker script (the file
 * `edgewise/workers/<name>.worker.js`, served as a module) or a function that
 * returns a started `Worker`.
 */
import { describeValue, EdgewiseError } from './errors';

/** A worker script URL, or a function that starts the worker. */
export type WorkerSource = string | URL | (() => Worker);

export interface WorkerSourceOptions {
  /**
   * Overrides the worker the package ships: the URL of the worker script
   * (served as a JavaScript module) or a function returning a started
   * `Worker`. Default: the package's own worker, located relative to its code.
   */
  worker?: WorkerSource;
}

/** Starts a worker from `source`, or with `spawnDefault` (the package's own script). */
export function startWorker(
  source: WorkerSource | undefined,
  spawnDefault: () => Worker,
  what: string,
): Worker {
  if (source === undefined) {
    if (typeof Worker === 'undefined') {
      throw new EdgewiseError(
        'WORKER_FAILED',
        `${what}: this JavaScript environment has no Web Worker. In Node, pass the worker yourself ` +
          "(e.g. nodeEndpoint(new Worker(new URL('edgewise/workers/<name>.node-worker.js', import.meta.url))) " +
          'where an endpoint is accepted).',
      );
    }
    return spawnDefault();
  }
  if (typeof source === 'function') {
    const w = source();
    if (!w || typeof (w as Worker).postMessage !== 'function') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${what}: the worker function must return a started Worker, got ${describeValue(w)}.`,
      );
    }
    return w;
  }
  if (typeof source === 'string' || source instanceof URL) {
    return new Worker(source, { type: 'module' });
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${what}: worker must be a URL of the worker script or a function returning a Worker, got ${describeValue(source)}.`,
  );
}
