/**
 * `edgewise/threads`: the families in Web Workers and Node worker_threads,
 * over Comlink. The main-thread side (a pool that splits batch scoring across
 * anomaly workers, a monitor that feeds a streaming detector in a worker and
 * emits `anomaly.*` events, a client mirroring `Moments` in a worker) and the
 * services the worker entry points
 * (`edgewise/workers/*`) expose. Source layout: one folder per worker kind
 * (src/threads/<kind>/: `service.ts` runs in the worker, `worker.ts` and
 * `node-worker.ts` are its entry points, `start.ts` starts it, `client.ts`
 * and the like are the main-thread side). Apart from the core so that pages using no
 * worker do not download Comlink.
 *
 * The classes start the workers the package ships (browsers: Web Workers an
 * app bundler picks up; Node: worker_threads): `new AnomalyWorkerPool({ size:
 * 2 })`, `new KernelWorkerClient()`, `new WorkerAnomalyMonitor(bus)`.
 * `{ worker }` overrides the script: a URL, or a function returning a
 * `Worker` (a CDN, a CSP that needs another path). The stream worker
 * (`createStreamWorker`) is its own entry, `edgewise/threads/stream`, so that
 * apps that do not use it do not get it in their build.
 *
 * Your own worker entries that import Edgewise must be built as module
 * workers (Vite: `worker.format: 'es'`): the public entries load the
 * WebAssembly module with a top-level await.
 *
 * `wrap` and `expose` are Comlink's, with Edgewise's error handler installed
 * (an `EdgewiseError` thrown in a worker arrives with its `code`); use them
 * for your own worker entries. The services and the monitor install it too.
 *
 * @module edgewise/threads
 */

export { EdgewiseError, type ErrorCode } from '../errors';
export type { AnomalyEvent } from '../events/topic-map';
export { type BusLike, type MonitorOptions, WorkerAnomalyMonitor } from './anomaly/monitor';
export {
  AnomalyWorkerPool,
  browserWorkerFactory,
  type PoolCallOptions,
  type PoolOptions,
  type PoolWorkerFactory,
  type PoolWorkerHandle,
} from './anomaly/pool';
export {
  type AnomalyService,
  type AnomalyServiceInfo,
  createAnomalyService,
  type StreamUpdateResult,
} from './anomaly/service';
export { expose, wrap } from './comlink';
export { KernelWorkerClient, RemoteMoments } from './kernels/client';
export {
  createKernelService,
  type KernelService,
  type KernelServiceInfo,
} from './kernels/service';
export type {
  WebWorker,
  WorkerLike,
  WorkerSource,
  WorkerSourceOptions,
} from './worker-source';
