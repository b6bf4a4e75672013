/**
 * `edgewise`: the public entry. `createRuntime()` gathers the parts that are
 * built so far and reports which backends run; sub-paths export each family.
 */
import { EventBus, type EventBusOptions } from './events/bus';
import { KERNEL_BACKEND } from './kernels/runtime';
import { Metrics, type MetricsOptions } from './metrics/metrics';

export * from './events/index';
export * from './kernels/index';
export * from './metrics/index';
export * from './stream/index';

export interface RuntimeOptions {
  /** Where state persists: 'memory' (default) or 'indexeddb' (browsers). */
  storage?: 'memory' | 'indexeddb';
  /** Options of the metrics registry and its time-series store (`rt.metrics`). */
  metrics?: Omit<MetricsOptions, 'storage'>;
  /** Options of the runtime's event bus (`rt.bus`). */
  bus?: EventBusOptions;
}

export interface Runtime {
  /** Which implementation runs each part, e.g. `{ kernels: 'wasm-simd' }`. */
  readonly backends: { readonly kernels: typeof KERNEL_BACKEND };
  /** The runtime's event bus. */
  readonly bus: EventBus;
  /** Metrics registry, time-series retention and exposition. */
  readonly metrics: Metrics;
  dispose(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const bus = new EventBus(options.bus);
  const metrics = await Metrics.create({
    ...options.metrics,
    storage: options.storage ?? 'memory',
  });
  return {
    backends: { kernels: KERNEL_BACKEND },
    bus,
    metrics,
    async dispose() {
      bus.dispose();
      await metrics.close();
    },
  };
}
