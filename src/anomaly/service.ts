/**
 * The anomaly service that workers expose through Comlink
 * (workers/anomaly.worker.ts, workers/anomaly.node-worker.ts). Its async
 * methods mirror the synchronous classes; large arrays come back as
 * transferables. The detector classes load with import() on first use, so a
 * worker can expose() this before the WebAssembly module is instantiated.
 */
import { installErrorTransfer, transfer } from '../comlink';
import { EdgewiseError, globalScopeName } from '../errors';
import type { StreamingDetectorOptions } from './ensemble-stream';
import type { IsolationForestOptions } from './iforest';
import type { LocalOutlierFactorOptions } from './lof';
import type { DetectorSnapshot } from './streaming';

type AnomalyModule = typeof import('./index');
let mod: Promise<AnomalyModule> | undefined;
const load = (): Promise<AnomalyModule> => {
  // The kernel module first (worker builds have no top-level await), then the detectors.
  mod ??= import('../kernels/runtime').then((r) => r.loadKernels()).then(() => import('./index'));
  return mod;
};

/**
 * What an anomaly service reports about itself: backend, live objects and the global scope it
 * runs in.
 */
export interface AnomalyServiceInfo {
  backend: string;
  objects: number;
  /**
   * The global scope's class where the service runs, e.g.
   * 'DedicatedWorkerGlobalScope' in a Web Worker, 'Window' on a page.
   */
  scope: string;
}

/** Scores of a streaming `update` in a worker, with each member's scores. */
export interface StreamUpdateResult {
  scores: Float64Array;
  /** n x members, row-major: each member's score per record. */
  contributions: Float64Array;
  members: string[];
}

/** The anomaly API a worker exposes over Comlink (see `createAnomalyService`). */
export interface AnomalyService {
  info(): Promise<AnomalyServiceInfo>;
  /** Fits an IsolationForest here; returns its id and serialized state. */
  fitForest(
    x: Float64Array,
    dims: number,
    options?: IsolationForestOptions,
  ): Promise<{ id: number; state: Uint8Array }>;
  /** Loads a serialized IsolationForest; returns its id. */
  loadForest(state: Uint8Array): Promise<number>;
  /** Scores rows with forest `id` (the result buffer is transferred). */
  scoreForest(id: number, x: Float64Array, dims: number): Promise<Float64Array>;
  /**
   * Scores rows with forest `id` on a chosen backend: 'gpu' runs the WebGPU
   * shader inside this worker, 'auto' uses it where it pays; the result says
   * which backend ran and why.
   */
  scoreForestOn(
    id: number,
    x: Float64Array,
    dims: number,
    backend: 'auto' | 'gpu' | 'wasm',
  ): Promise<{ scores: Float64Array; backend: 'webgpu' | 'wasm'; reason: string }>;
  fitLof(
    x: Float64Array,
    dims: number,
    options?: LocalOutlierFactorOptions,
  ): Promise<{ id: number; factors: Float64Array }>;
  scoreLof(id: number, x: Float64Array, dims: number): Promise<Float64Array>;
  /** A StreamingDetector (default options, or restored from a snapshot). */
  createDetector(
    options?: Omit<StreamingDetectorOptions, 'members'>,
    snapshot?: DetectorSnapshot,
  ): Promise<number>;
  update(id: number, values: Float64Array, timestamps?: Float64Array): Promise<StreamUpdateResult>;
  snapshot(id: number): Promise<DetectorSnapshot>;
  dispose(id: number): Promise<void>;
  /** Test hook: throws an uncaught error in the worker (as a crash would). */
  crashForTest(): Promise<void>;
}

interface Disposable {
  dispose?(): void;
}

/**
 * Creates the anomaly service a worker exposes (`expose(createAnomalyService())`): forests, LOF
 * and streaming detectors held by id, with transferable results.
 */
export function createAnomalyService(): AnomalyService {
  installErrorTransfer(); // EdgewiseErrors keep their code, whoever calls expose()
  const objects = new Map<number, unknown>();
  let nextId = 1;
  const add = (o: unknown): number => {
    const id = nextId++;
    objects.set(id, o);
    return id;
  };
  const get = <T>(id: number, cls: abstract new (...a: never[]) => T, what: string): T => {
    const o = objects.get(id);
    if (!(o instanceof cls)) {
      throw new EdgewiseError(
        'NOT_FOUND',
        `${what} ${id} does not exist in this worker (never created, or disposed).`,
      );
    }
    return o;
  };
  return {
    async info() {
      const m = await load();
      const k = await import('../kernels/runtime');
      void m;
      return { backend: k.KERNEL_BACKEND, objects: objects.size, scope: globalScopeName() };
    },
    async fitForest(x, dims, options) {
      const m = await load();
      const f = new m.IsolationForest(options).fit(x, { dims });
      return { id: add(f), state: f.serialize() };
    },
    async loadForest(state) {
      const m = await load();
      return add(m.IsolationForest.deserialize(state));
    },
    async scoreForest(id, x, dims) {
      const m = await load();
      const s = get(id, m.IsolationForest, 'IsolationForest').score(x, { dims });
      return transfer(s, [s.buffer]);
    },
    async scoreForestOn(id, x, dims, backend) {
      const m = await load();
      const f = get(id, m.IsolationForest, 'IsolationForest');
      const r = await m.scoreIsolationForest(f, x, { dims, backend });
      return transfer({ scores: r.scores, backend: r.backend, reason: r.reason }, [
        r.scores.buffer,
      ]);
    },
    async fitLof(x, dims, options) {
      const m = await load();
      const l = new m.LocalOutlierFactor(options).fit(x, { dims });
      const factors = l.scores.slice();
      return transfer({ id: add(l), factors }, [factors.buffer]);
    },
    async scoreLof(id, x, dims) {
      const m = await load();
      const s = get(id, m.LocalOutlierFactor, 'LocalOutlierFactor').score(x, { dims });
      return transfer(s, [s.buffer]);
    },
    async createDetector(options, snapshot) {
      const m = await load();
      const d = new m.StreamingDetector(options);
      if (snapshot) d.restore(snapshot);
      return add(d);
    },
    async update(id, values, timestamps) {
      const m = await load();
      const d = get(id, m.StreamingDetector, 'StreamingDetector');
      const k = d.memberNames.length;
      const scores = new Float64Array(values.length);
      const contributions = new Float64Array(values.length * k);
      for (let i = 0; i < values.length; i++) {
        scores[i] = d.update(values[i], timestamps?.[i]);
        contributions.set(d.contributions, i * k);
      }
      return transfer({ scores, contributions, members: [...d.memberNames] }, [
        scores.buffer,
        contributions.buffer,
      ]);
    },
    async snapshot(id) {
      const m = await load();
      return get(id, m.StreamingDetector, 'StreamingDetector').snapshot();
    },
    async dispose(id) {
      const o = objects.get(id) as Disposable | undefined;
      o?.dispose?.();
      objects.delete(id);
    },
    async crashForTest() {
      setTimeout(() => {
        throw new EdgewiseError('WORKER_FAILED', 'crashForTest: simulated worker crash');
      }, 0);
    },
  };
}
