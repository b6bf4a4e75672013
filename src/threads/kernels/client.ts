/**
 * Main-thread side of the kernel worker: async objects that mirror the sync
 * kernel classes. `new KernelWorkerClient()` starts the kernel worker the
 * package ships; it also takes `{ worker }` (a URL of the worker script or a
 * function returning a `Worker`) or any Comlink endpoint: a browser `Worker`
 * or, in Node, `nodeEndpoint(new Worker(...))` from
 * `comlink/dist/esm/node-adapter.mjs`.
 */

import { describeValue, EdgewiseError } from '../../errors';
import type { MomentsSummary } from '../../kernels/moments';
import { type Endpoint, type Remote, releaseProxy, transfer, wrap } from '../comlink';
import type { WorkerHandle, WorkerSourceOptions } from '../worker-source';
import type { KernelService, KernelServiceInfo } from './service';
import { startKernelWorker } from './start';

function isEndpoint(v: unknown): v is Endpoint {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Endpoint).postMessage === 'function' &&
    typeof (v as Endpoint).addEventListener === 'function'
  );
}

/**
 * The kernels in a worker, with an async API that mirrors the sync one. Without arguments it
 * starts the package's kernel worker.
 *
 * @example
 * ```ts
 * const client = new KernelWorkerClient();
 * const m = await client.createMoments();
 * await m.push(new Float64Array([1, 2, 3]), { transfer: true });
 * (await m.summary()).mean; // 2
 * client.close();
 * ```
 */
export class KernelWorkerClient {
  readonly #remote: Remote<KernelService>;
  readonly #owned: WorkerHandle | undefined;

  /**
   * `new KernelWorkerClient()` starts the package's kernel worker (closed by
   * `close()`); `{ worker }` overrides it; an endpoint (a `Worker` you
   * started, a `MessagePort`, Node's `nodeEndpoint(worker)`) is used as is.
   */
  constructor(endpointOrOptions: Endpoint | WorkerSourceOptions = {}) {
    if (isEndpoint(endpointOrOptions)) {
      this.#remote = wrap<KernelService>(endpointOrOptions);
    } else if (typeof endpointOrOptions === 'object' && endpointOrOptions !== null) {
      this.#owned = startKernelWorker(endpointOrOptions.worker);
      this.#remote = wrap<KernelService>(this.#owned.endpoint);
    } else {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `KernelWorkerClient: pass nothing, { worker } or a worker endpoint, got ${describeValue(endpointOrOptions)}.`,
      );
    }
  }

  info(): Promise<KernelServiceInfo> {
    return this.#remote.info();
  }

  /** A `Moments` living in the worker (optionally restored from a serialized state). */
  async createMoments(state?: Uint8Array): Promise<RemoteMoments> {
    const id = await this.#remote.create('moments', state);
    return new RemoteMoments(this.#remote, id);
  }

  /**
   * Releases the Comlink proxy and terminates the worker if this client
   * started it (a worker you passed in is yours to terminate).
   */
  close(): void {
    this.#remote[releaseProxy]();
    void this.#owned?.terminate();
  }
}

/** Async mirror of `Moments` whose state lives in a worker. */
export class RemoteMoments {
  readonly #remote: Remote<KernelService>;
  readonly id: number;

  constructor(remote: Remote<KernelService>, id: number) {
    this.#remote = remote;
    this.id = id;
  }

  /**
   * Sends a batch. With `{ transfer: true }` the buffer is moved, not copied,
   * and `values` is unusable afterwards.
   */
  async push(values: Float64Array | number[], options: { transfer?: boolean } = {}): Promise<void> {
    if (options.transfer && values instanceof Float64Array) {
      await this.#remote.push(this.id, transfer(values, [values.buffer]));
    } else {
      await this.#remote.push(this.id, values);
    }
  }

  summary(): Promise<MomentsSummary> {
    return this.#remote.summary(this.id);
  }

  /** this <- this (+) other. `other` may live in this worker or in another one. */
  async merge(other: RemoteMoments | Uint8Array): Promise<void> {
    if (other instanceof RemoteMoments && other.#remote === this.#remote) {
      await this.#remote.merge(this.id, other.id);
    } else {
      const state = other instanceof RemoteMoments ? await other.serialize() : other;
      await this.#remote.mergeSerialized(this.id, state);
    }
  }

  serialize(): Promise<Uint8Array> {
    return this.#remote.serialize(this.id);
  }

  reset(): Promise<void> {
    return this.#remote.reset(this.id);
  }

  dispose(): Promise<void> {
    return this.#remote.dispose(this.id);
  }
}
