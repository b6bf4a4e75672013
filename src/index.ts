/**
 * `edgewise`: the public entry. `createRuntime()` gathers the parts that are
 * built so far and reports which backends run; sub-paths export each family.
 */
import { EdgewiseError } from './errors';
import { EventBus, type EventBusOptions } from './events/bus';
import { type GpuStatus, getGpuStatus } from './gpu/device';
import { KERNEL_BACKEND } from './kernels/runtime';

export * from './anomaly/index';
export * from './events/index';
export * from './gpu/index';
export * from './kernels/index';
export * from './stream/index';
export * from './stats/index';

export interface RuntimeOptions {
  /** Where state persists. Only 'memory' exists until the storage issue lands. */
  storage?: 'memory';
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
  return {
    backends: { kernels: KERNEL_BACKEND, gpu: { ...gpuStatus, mode } },
    bus,
    async dispose() {
      bus.dispose();
    },
  };
}
