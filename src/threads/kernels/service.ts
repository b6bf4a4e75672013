/**
 * The kernel service that workers expose through Comlink. Its async methods
 * mirror the synchronous kernel classes (DuckDB-WASM style). Kernels are
 * loaded with import() on first use, so a worker can `expose()` this service
 * before the WebAssembly module has been instantiated (Comlink loses calls
 * that arrive before expose()).
 */

import { EdgewiseError, globalScopeName } from '../../errors';
import type { Moments, MomentsSummary } from '../../kernels/moments';
import { installErrorTransfer } from '../comlink';

type KernelsModule = typeof import('../../kernels/moments') & { KERNEL_BACKEND: string };
let kernels: Promise<KernelsModule> | undefined;
// The module first (no top-level await in worker builds), then the classes
// the service serves (only those: the worker bundle stays small).
const loadKernels = (): Promise<KernelsModule> => {
  kernels ??= import('../../kernels/runtime').then(async (r) => {
    await r.loadKernels();
    return { ...(await import('../../kernels/moments')), KERNEL_BACKEND: r.KERNEL_BACKEND };
  });
  return kernels;
};

export type KernelKind = 'moments';

/** What a kernel service reports about itself: backend, live objects and the global scope it runs in. */
export interface KernelServiceInfo {
  backend: string;
  objects: number;
  /**
   * The global scope's class where the service runs, e.g.
   * 'DedicatedWorkerGlobalScope' in a Web Worker, 'Window' on a page.
   */
  scope: string;
}

/** The kernel API a worker exposes over Comlink (see `createKernelService`). */
export interface KernelService {
  info(): Promise<KernelServiceInfo>;
  /** Creates a kernel object (optionally from a serialized state) and returns its id. */
  create(kind: KernelKind, state?: Uint8Array): Promise<number>;
  /** Pushes a batch; transfer the buffer to avoid a copy. */
  push(id: number, values: Float64Array | number[]): Promise<void>;
  summary(id: number): Promise<MomentsSummary>;
  /** target <- target (+) source, both living in this worker. */
  merge(targetId: number, sourceId: number): Promise<void>;
  /** target <- target (+) a serialized state from elsewhere (another worker, storage). */
  mergeSerialized(targetId: number, state: Uint8Array): Promise<void>;
  serialize(id: number): Promise<Uint8Array>;
  reset(id: number): Promise<void>;
  dispose(id: number): Promise<void>;
}

/**
 * Creates the kernel service a worker exposes (`expose(createKernelService())`): `Moments`
 * objects held by id.
 */
export function createKernelService(): KernelService {
  installErrorTransfer(); // EdgewiseErrors keep their code, whoever calls expose()
  const objects = new Map<number, Moments>();
  let nextId = 1;
  const get = (id: number): Moments => {
    const o = objects.get(id);
    if (!o) {
      throw new EdgewiseError(
        'NOT_FOUND',
        `Kernel object ${id} does not exist in this worker (never created, or disposed).`,
      );
    }
    return o;
  };
  return {
    async info() {
      const k = await loadKernels();
      return { backend: k.KERNEL_BACKEND, objects: objects.size, scope: globalScopeName() };
    },
    async create(kind, state) {
      const k = await loadKernels();
      if (kind !== 'moments') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `Unknown kernel kind ${String(kind)}; use 'moments'.`,
        );
      }
      const o = state ? k.Moments.deserialize(state) : new k.Moments();
      const id = nextId++;
      objects.set(id, o);
      return id;
    },
    async push(id, values) {
      get(id).push(values);
    },
    async summary(id) {
      return get(id).summary();
    },
    async merge(targetId, sourceId) {
      get(targetId).merge(get(sourceId));
    },
    async mergeSerialized(targetId, state) {
      const k = await loadKernels();
      const target = get(targetId);
      const other = k.Moments.deserialize(state);
      try {
        target.merge(other);
      } finally {
        other.dispose();
      }
    },
    async serialize(id) {
      return get(id).serialize();
    },
    async reset(id) {
      get(id).reset();
    },
    async dispose(id) {
      const o = objects.get(id);
      if (o) {
        o.dispose();
        objects.delete(id);
      }
    },
  };
}
