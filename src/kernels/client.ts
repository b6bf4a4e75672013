/**
 * Main-thread side of the kernel worker: async objects that mirror the sync
 * kernel classes. Works with a browser `Worker` or, in Node, with
 * `nodeEndpoint(new Worker(...))` from `comlink/dist/esm/node-adapter.mjs`.
 */
import { type Endpoint, type Remote, releaseProxy, transfer, wrap } from '../comlink';
import type { MomentsSummary } from './moments';
import type { KernelService, KernelServiceInfo } from './service';

export class KernelWorkerClient {
  readonly #remote: Remote<KernelService>;

  constructor(endpoint: Endpoint) {
    this.#remote = wrap<KernelService>(endpoint);
  }

  info(): Promise<KernelServiceInfo> {
    return this.#remote.info();
  }

  /** A `Moments` living in the worker (optionally restored from a serialized state). */
  async createMoments(state?: Uint8Array): Promise<RemoteMoments> {
    const id = await this.#remote.create('moments', state);
    return new RemoteMoments(this.#remote, id);
  }

  /** Releases the Comlink proxy (the caller terminates the worker itself). */
  close(): void {
    this.#remote[releaseProxy]();
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
