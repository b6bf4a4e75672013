/**
 * `edgewise`: the public entry. `createRuntime()` gathers the parts that are
 * built so far and reports which backends run; sub-paths export each family.
 */
import { EventBus, type EventBusOptions } from './events/bus';
import { KERNEL_BACKEND } from './kernels/runtime';

export * from './anomaly/index';
export * from './events/index';
export * from './kernels/index';
export * from './stats/index';
export * from './stream/index';

export interface RuntimeOptions {
  /** Where state persists. Only 'memory' exists until the storage issue lands. */
  storage?: 'memory';
  /** Options of the runtime's event bus (`rt.bus`). */
  bus?: EventBusOptions;
}

export interface Runtime {
  /** Which implementation runs each part, e.g. `{ kernels: 'wasm-simd' }`. */
  readonly backends: { readonly kernels: typeof KERNEL_BACKEND };
  /** The runtime's event bus. */
  readonly bus: EventBus;
  dispose(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const bus = new EventBus(options.bus);
  return {
    backends: { kernels: KERNEL_BACKEND },
    bus,
    async dispose() {
      bus.dispose();
    },
  };
}
