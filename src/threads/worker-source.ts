/**
 * How Edgewise starts the workers it ships. By default each main-thread class
 * (`AnomalyWorkerPool`, `KernelWorkerClient`, `WorkerAnomalyMonitor`,
 * `createStreamWorker`, `createMlWorker`, `GpuWorkerClient`) starts its own
 * worker with `new Worker(new URL('./workers/<name>.worker.js',
 * import.meta.url), { type: 'module' })` in the package's code: Vite,
 * webpack 5 and Rollup bundle that worker into the app, and a page with no
 * bundler loads it from the package's `dist/workers`. Users pass no URL.
 * (In the source, each src/threads/<kind>/start.ts spells it
 * `new URL('./worker.ts', import.meta.url)`; the library build writes the
 * dist spelling, see scripts/asset-urls.mjs.)
 *
 * In Node (no global `Worker`), the pool, the kernel client and the monitor
 * start the package's `worker_threads` entries instead
 * (dist/workers/<name>.node-worker.js, Node 20.16+).
 *
 * The `worker` option overrides that for unusual hosting (a CDN, a CSP that
 * needs the script on another path): a URL of the worker script (the file
 * `edgewise/workers/<name>.worker.js`, served as a module) or a function that
 * returns a started `Worker`.
 */
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { describeValue, EdgewiseError } from '../errors';
import type { Endpoint } from './comlink';

/** The parts of a Web Worker that Edgewise uses (a DOM `Worker` has them). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  // biome-ignore lint/suspicious/noExplicitAny: the DOM's listeners take specific event types
  addEventListener(type: string, listener: (event: any) => void): void;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  removeEventListener(type: string, listener: (event: any) => void): void;
  terminate(): void;
}

/**
 * The DOM `Worker` type where the DOM library is loaded, else `WorkerLike`:
 * the public types do not require `lib: ["DOM"]` (e.g. Node projects).
 */
export type WebWorker = typeof globalThis extends { Worker: { prototype: infer W } }
  ? W
  : WorkerLike;

/** A worker script URL, or a function that starts the worker. */
export type WorkerSource = string | URL | (() => WebWorker);

/**
 * The `worker` option of the classes that start a worker: overrides the script the package ships.
 */
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
  spawnDefault: () => WebWorker,
  what: string,
): WebWorker {
  if (source === undefined) {
    if (typeof Worker === 'undefined') {
      throw new EdgewiseError(
        'WORKER_FAILED',
        `${what}: this JavaScript environment has no Web Worker; pass { worker } (a function ` +
          'returning a Worker), or in Node an endpoint / worker factory where one is accepted.',
      );
    }
    return spawnDefault();
  }
  if (typeof source === 'function') {
    const w = source();
    if (!w || typeof (w as WorkerLike).postMessage !== 'function') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${what}: the worker function must return a started Worker, got ${describeValue(w)}.`,
      );
    }
    return w;
  }
  if (typeof source === 'string' || source instanceof URL) {
    if (typeof Worker === 'undefined') {
      throw new EdgewiseError(
        'WORKER_FAILED',
        `${what}: a worker URL needs Web Workers, which this JavaScript environment lacks; ` +
          'pass a function returning a worker (or, in Node, an endpoint / worker factory).',
      );
    }
    return new Worker(source, { type: 'module' });
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${what}: worker must be a URL of the worker script or a function returning a Worker, got ${describeValue(source)}.`,
  );
}

/** One started worker as the clients see it (browser Worker or Node worker_threads). */
export interface WorkerHandle {
  endpoint: Endpoint;
  terminate(): unknown;
  /** Registers the callback to run if the worker fails. */
  onFailure(cb: (reason: unknown) => void): void;
}

/** A browser `Worker` as a handle: 'error' and 'messageerror' count as failures. */
export function workerHandle(w: WorkerLike): WorkerHandle {
  return {
    endpoint: w as unknown as Endpoint,
    terminate: () => w.terminate(),
    onFailure: (cb) => {
      w.addEventListener('error', (e) => cb(e));
      w.addEventListener('messageerror', (e) => cb(e));
    },
  };
}

export interface NodeWorker {
  on(event: 'error' | 'exit', cb: (v: unknown) => void): void;
  terminate(): Promise<number>;
}
export type NodeProcess = {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
};

// Where this module runs from: a chunk at the root of dist/ (the package), or
// src/threads/worker-source.ts (the repository's tests, which use the built dist).
const here = import.meta.url;

/**
 * The built Node entry `dist/workers/<name>.node-worker.js`. Not spelled as
 * `new URL('...', import.meta.url)`: app bundlers must not pick it up.
 */
export function nodeWorkerUrl(name: 'anomaly' | 'analytics' | 'ml' | 'onnx'): URL {
  const rel = here.endsWith('/src/threads/worker-source.ts')
    ? `../../dist/workers/${name}.node-worker.js`
    : `./workers/${name}.node-worker.js`;
  return new URL(rel, here);
}

/**
 * True in Node when there is no Web Worker: no global `Worker`, or the global
 * `Worker` is worker_threads' own (onnxruntime-web's Node build installs it as
 * `globalThis.Worker` once it has loaded; it takes file paths, not module
 * URLs, and has no addEventListener). False in browsers, Deno and Bun.
 */
export function globalWorkerIsNodes(proc: NodeProcess): boolean {
  if (typeof Worker === 'undefined') return true;
  const wt = proc.getBuiltinModule?.('node:worker_threads') as { Worker?: unknown } | undefined;
  return wt !== undefined && (Worker as unknown) === wt.Worker;
}

/**
 * In Node without Web Workers (see `globalWorkerIsNodes`): starts the
 * package's `worker_threads` entry `name` (Node 20.16+). Elsewhere: undefined,
 * the caller starts a Web Worker.
 */
export function startNodeWorker(
  name: 'anomaly' | 'analytics' | 'ml' | 'onnx',
  what: string,
): NodeWorker | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node || !globalWorkerIsNodes(proc)) return undefined;
  const wt = proc.getBuiltinModule?.('node:worker_threads') as
    | { Worker: new (url: URL) => NodeWorker }
    | undefined;
  if (!wt) {
    throw new EdgewiseError(
      'WORKER_FAILED',
      `${what}: starting the package's worker_threads entry needs Node 20.16+ ` +
        '(process.getBuiltinModule); on older Node pass { worker } (a worker factory).',
    );
  }
  return new wt.Worker(nodeWorkerUrl(name));
}

/**
 * Starts the package's worker: in browsers with `spawnBrowser` (its
 * `new Worker(new URL(...))`), in Node the `worker_threads` entry `nodeName`;
 * `source` overrides both.
 */
export function startWorkerHandle(
  source: WorkerSource | undefined,
  spawnBrowser: () => WebWorker,
  nodeName: 'anomaly' | 'analytics',
  what: string,
): WorkerHandle {
  const w = source === undefined ? startNodeWorker(nodeName, what) : undefined;
  if (!w) return workerHandle(startWorker(source, spawnBrowser, what));
  return {
    endpoint: nodeEndpoint(w),
    terminate: () => w.terminate(),
    onFailure: (cb) => {
      w.on('error', cb);
      w.on('exit', (code) => cb(new Error(`worker exited with code ${String(code)}`)));
    },
  };
}
