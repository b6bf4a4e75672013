/**
 * `edgewise`: the public entry. `createRuntime()` gathers the parts that are
 * built so far and reports which backends run; sub-paths export each family.
 */
import { EdgewiseError } from './errors';
import { EventBus, type EventBusOptions } from './events/bus';
import { type GpuStatus, getGpuStatus } from './gpu/device';
import { KERNEL_BACKEND } from './kernels/runtime';
import { Metrics, type MetricsOptions } from './metrics/metrics';

export * from './anomaly/index';
export * from './events/index';
export * from './gpu/index';
// Both the kernels (Ewma) and the anomaly detectors (EwmaDetector) name an
// options type EwmaOptions: the root re-exports the kernel's; the detector's
// is `edgewise/anomaly`'s EwmaOptions.
export type { EwmaOptions } from './kernels/index';
export * from './kernels/index';
export * from './metrics/index';
// Both families name an options type MadOptions: the root re-exports the
// statistics one; the detector's is `edgewise/anomaly`'s MadOptions.
export type { MadOptions } from './stats/index';
export * from './stats/index';
export * from './stream/index';

export interface RuntimeOptions {
  /** Where state persists: 'memory' (default) or 'indexeddb' (browsers). */
  storage?: 'memory' | 'indexeddb';
  /** Options of the metrics registry and its time-series store (`rt.metrics`). */
  metrics?: Omit<MetricsOptions, 'storage'>;
  /** Options of the runtime's event bus (`rt.bus`). */
  bus?: EventBusOptions;
  /**
   * WebGPU: 'auto' (default) uses it where it pays and falls back to WASM;
   * 'off' never touches it; 'require' rejects when no adapter is available.
   */
  gpu?: 'auto' | 'off' | 'require';
}

export interface Runtime {
  /** Which implementation runs each part, e.g. `{ kernels: 'wasm-simd' }`. */
  readonly backends: {
    readonly kernels: typeof KERNEL_BACKEND;
    /** WebGPU adapter and limits, or why it is not used. */
    readonly gpu: GpuStatus & { mode: 'auto' | 'off' | 'require' };
  };
  /** The runtime's event bus. */
  readonly bus: EventBus;
  /** Metrics registry, time-series retention and exposition. */
  readonly metrics: Metrics;
  dispose(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const mode = options.gpu ?? 'auto';
  if (mode !== 'auto' && mode !== 'off' && mode !== 'require') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `createRuntime: gpu must be 'auto', 'off' or 'require', got ${String(mode)}.`,
    );
  }
  const gpuStatus: GpuStatus =
    mode === 'off' ? { available: false, reason: "gpu: 'off'" } : await getGpuStatus();
  if (mode === 'require' && !gpuStatus.available) {
    throw new EdgewiseError(
      'GPU_UNAVAILABLE',
      `createRuntime: gpu 'require' but WebGPU is unavailable: ${gpuStatus.reason}`,
    );
  }
  const bus = new EventBus(options.bus);
  const metrics = await Metrics.create({
    ...options.metrics,
    storage: options.storage ?? 'memory',
  });
  return {
    backends: { kernels: KERNEL_BACKEND, gpu: { ...gpuStatus, mode } },
    bus,
    metrics,
    async dispose() {
      bus.dispose();
      await metrics.close();
    },
  };
}
