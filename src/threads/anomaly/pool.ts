/**
 * A small pool of anomaly workers (browser Web Workers or Node worker_threads)
 * that splits large batch scoring across workers and merges the results in
 * order.
 *
 * - Workers: by default the pool starts the anomaly worker the package ships
 *   (`new AnomalyWorkerPool({ size: 2 })`); `worker` overrides it with a URL
 *   of the worker script or a function returning a `Worker`. A
 *   `PoolWorkerFactory` as first argument (e.g. Node worker_threads through
 *   Comlink's node adapter) still works.
 * - Size: `options.size`, else `navigator.hardwareConcurrency` (capped at 8,
 *   at least 1).
 * - Crashes: a worker that fails (an 'error' or unexpected 'exit') is
 *   terminated and replaced; the calls it was running reject with
 *   `WORKER_FAILED` instead of hanging.
 * - Cancellation: when the `signal` aborts, the call rejects with `ABORTED`
 *   and the workers running its parts are terminated and replaced (a worker
 *   cannot be interrupted in the middle of a WebAssembly loop otherwise).
 */

import type { IsolationForest } from '../../anomaly/iforest';
import { describeValue, EdgewiseError } from '../../errors';
import { type Remote, releaseProxy, transfer, wrap } from '../comlink';
import type { WorkerSource } from '../worker-source';
import type { AnomalyService } from './service';
import { type PoolWorkerHandle, startAnomalyWorker, workerHandle } from './start';

export type { PoolWorkerHandle } from './start';

/** Starts one worker for `AnomalyWorkerPool` (an override of the worker the package ships). */
export type PoolWorkerFactory = () => PoolWorkerHandle;

/**
 * Factory for browser Web Workers from a module URL of the anomaly worker
 * script. Rarely needed: `new AnomalyWorkerPool({ worker: url })` does the same.
 */
export function browserWorkerFactory(url: string | URL): PoolWorkerFactory {
  return () => workerHandle(new Worker(url, { type: 'module' }));
}

interface Slot {
  handle: PoolWorkerHandle;
  remote: Remote<AnomalyService>;
  pending: Set<(e: unknown) => void>;
  forests: WeakMap<Uint8Array, Promise<number>>;
  generation: number;
}

/** Options of `AnomalyWorkerPool`. */
export interface PoolOptions {
  /** Workers (default: navigator.hardwareConcurrency, capped at 8). */
  size?: number;
  /**
   * Overrides the anomaly worker the package ships: the URL of the worker
   * script (`edgewise/workers/anomaly.worker.js` hosted elsewhere, served as
   * a module) or a function returning a started `Worker`.
   */
  worker?: WorkerSource;
}

/** Options of one pool call: the row width, cancellation, and the smallest split per worker. */
export interface PoolCallOptions {
  dims: number;
  signal?: AbortSignal;
  /** Do not split batches smaller than this per worker (default 4096 rows). */
  minRowsPerWorker?: number;
}

function defaultSize(): number {
  const hc = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
  return Math.max(1, Math.min(8, hc ?? 2));
}

/**
 * Scores batches across a pool of anomaly workers (Web Workers in browsers, `worker_threads` in
 * Node), splitting the rows and merging the results in order. A crashed worker is replaced; its
 * calls reject with `WORKER_FAILED`.
 *
 * @example
 * ```ts
 * const pool = new AnomalyWorkerPool({ size: 2 }); // starts the package's anomaly worker
 * const scores = await pool.scoreForest(forest, X, { dims: 4 });
 * await pool.close();
 * ```
 */
export class AnomalyWorkerPool {
  readonly #factory: PoolWorkerFactory;
  readonly #slots: Slot[] = [];
  readonly #states = new WeakMap<IsolationForest, Uint8Array>();
  #closed = false;
  #replaced = 0;

  /**
   * `new AnomalyWorkerPool({ size: 2 })` starts the package's anomaly
   * workers; `new AnomalyWorkerPool(factory, { size })` takes a factory of
   * worker handles (Node worker_threads, custom transports).
   */
  constructor(options?: PoolOptions);
  constructor(factory: PoolWorkerFactory, options?: PoolOptions);
  constructor(factoryOrOptions?: PoolWorkerFactory | PoolOptions, maybeOptions?: PoolOptions) {
    let factory: PoolWorkerFactory;
    let options: PoolOptions;
    if (typeof factoryOrOptions === 'function') {
      factory = factoryOrOptions;
      options = maybeOptions ?? {};
    } else if (
      factoryOrOptions === undefined ||
      (typeof factoryOrOptions === 'object' && factoryOrOptions !== null)
    ) {
      options = factoryOrOptions ?? {};
      const source = options.worker;
      factory = () => startAnomalyWorker(source);
    } else {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `AnomalyWorkerPool: pass options ({ size, worker }) or a worker factory function, got ${describeValue(factoryOrOptions)}.`,
      );
    }
    const size = options.size ?? defaultSize();
    if (!Number.isInteger(size) || size < 1 || size > 64) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `AnomalyWorkerPool: size must be an integer in [1, 64], got ${describeValue(size)}.`,
      );
    }
    this.#factory = factory;
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn(i, 0));
  }

  get size(): number {
    return this.#slots.length;
  }
  /** Workers replaced after a crash or an abort so far. */
  get replaced(): number {
    return this.#replaced;
  }

  #spawn(i: number, generation: number): Slot {
    const handle = this.#factory();
    const slot: Slot = {
      handle,
      remote: wrap<AnomalyService>(handle.endpoint),
      pending: new Set(),
      forests: new WeakMap(),
      generation,
    };
    handle.onFailure((reason) => {
      if (this.#slots[i] !== slot) return;
      this.#replace(
        i,
        new EdgewiseError(
          'WORKER_FAILED',
          `Anomaly worker ${i} failed (${reason instanceof Error ? reason.message : String((reason as { message?: string })?.message ?? reason)}); it was replaced, retry the call.`,
          { cause: reason },
        ),
      );
    });
    return slot;
  }

  #replace(i: number, error: unknown): void {
    const old = this.#slots[i];
    if (!old || this.#closed) return;
    this.#slots[i] = this.#spawn(i, old.generation + 1);
    this.#replaced++;
    for (const reject of old.pending) reject(error);
    old.pending.clear();
    try {
      old.remote[releaseProxy]();
    } catch {
      // the endpoint may already be gone
    }
    void old.handle.terminate();
  }

  /** Runs `fn` on worker `i`; rejects on crash or abort instead of hanging. */
  #run<T>(i: number, signal: AbortSignal | undefined, fn: (s: Slot) => Promise<T>): Promise<T> {
    if (this.#closed)
      return Promise.reject(
        new EdgewiseError('INVALID_STATE', 'AnomalyWorkerPool: the pool is closed.'),
      );
    const slot = this.#slots[i];
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new EdgewiseError('ABORTED', 'The operation was aborted (signal already aborted).'));
        return;
      }
      const done = () => {
        slot.pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: unknown) => {
        done();
        reject(e);
      };
      const onAbort = () => {
        fail(
          new EdgewiseError(
            'ABORTED',
            'The operation was aborted by its AbortSignal; its workers were replaced.',
          ),
        );
        if (this.#slots[i] === slot) this.#replace(i, new EdgewiseError('ABORTED', 'Aborted.'));
      };
      slot.pending.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      fn(slot).then(
        (v) => {
          done();
          resolve(v);
        },
        (e) => fail(e),
      );
    });
  }

  #forestId(slot: Slot, state: Uint8Array): Promise<number> {
    let id = slot.forests.get(state);
    if (!id) {
      id = slot.remote.loadForest(state);
      slot.forests.set(state, id);
      id.catch(() => slot.forests.delete(state));
    }
    return id;
  }

  /**
   * Scores rows of `x` with `forest` across the pool (rows split into one
   * contiguous part per worker, results concatenated in order). Same values
   * as `forest.score(x, { dims })`.
   */
  async scoreForest(
    forest: IsolationForest,
    x: Float64Array,
    options: PoolCallOptions,
  ): Promise<Float64Array> {
    const d = options?.dims;
    if (!(x instanceof Float64Array) || !Number.isInteger(d) || d < 1 || x.length % d !== 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'AnomalyWorkerPool.scoreForest: pass a row-major Float64Array and { dims } with length a multiple of dims.',
      );
    }
    if (d !== forest.dims) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `AnomalyWorkerPool.scoreForest: the forest was fitted with dims = ${forest.dims}; got dims = ${d}.`,
      );
    }
    let state = this.#states.get(forest);
    if (!state) {
      state = forest.serialize();
      this.#states.set(forest, state);
    }
    const n = x.length / d;
    const minRows = options.minRowsPerWorker ?? 4096;
    const parts = Math.max(1, Math.min(this.#slots.length, Math.floor(n / minRows)));
    const out = new Float64Array(n);
    const per = Math.ceil(n / parts);
    const st = state;
    await Promise.all(
      Array.from({ length: parts }, (_, p) => {
        const a = p * per;
        const b = Math.min(n, a + per);
        const chunk = x.slice(a * d, b * d);
        return this.#run(p, options.signal, async (slot) => {
          const id = await this.#forestId(slot, st);
          const s = await slot.remote.scoreForest(id, transfer(chunk, [chunk.buffer]), { dims: d });
          out.set(s, a);
        });
      }),
    );
    return out;
  }

  /** The service of worker `i` (for direct calls: streaming detectors, LOF). */
  remote(i = 0): Remote<AnomalyService> {
    return this.#slots[i % this.#slots.length].remote;
  }

  /** Runs `fn(service)` on worker `i` with crash / abort handling. */
  call<T>(
    i: number,
    fn: (service: Remote<AnomalyService>) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.#run(i % this.#slots.length, signal, (s) => fn(s.remote));
  }

  /** Terminates every worker; pending calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots) {
      for (const reject of s.pending)
        reject(new EdgewiseError('INVALID_STATE', 'AnomalyWorkerPool was closed.'));
      try {
        s.remote[releaseProxy]();
      } catch {
        // ignore
      }
      await s.handle.terminate();
    }
  }
}
