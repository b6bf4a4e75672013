/**
 * `edgewise`: the public entry. `createRuntime()` gathers the parts that are
 * built so far and reports which backends run; sub-paths export each family.
 */
import { KERNEL_BACKEND } from './kernels/runtime';

export * from './kernels/index';
export * from './stats/index';

export interface RuntimeOptions {
  /** Where state persists. Only 'memory' exists until the storage issue lands. */
  storage?: 'memory';
}

export interface Runtime {
  /** Which implementation runs each part, e.g. `{ kernels: 'wasm-simd' }`. */
  readonly backends: { readonly kernels: typeof KERNEL_BACKEND };
  dispose(): Promise<void>;
}

export async function createRuntime(_options: RuntimeOptions = {}): Promise<Runtime> {
  return {
    backends: { kernels: KERNEL_BACKEND },
    async dispose() {},
  };
}
