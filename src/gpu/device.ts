/**
 * WebGPU device management: the only place that touches `navigator.gpu`.
 *
 * - `getGpu()` requests an adapter and device once per realm (page or worker)
 *   and caches them; `getGpuStatus()` says why WebGPU is unavailable.
 * - `device.lost` marks the context lost; the next `getGpu()` creates a new
 *   device. `runOnGpu(job)` re-runs a job once on a fresh device when the
 *   device is lost while the job runs, then rejects with `GPU_DEVICE_LOST`.
 * - In Node, pass a GPU implementation with `setGpuProvider()` (e.g. the
 *   `webgpu` package: `setGpuProvider(create([]))`).
 */
import { EdgewiseError } from '../errors';

/** Whether WebGPU is available, with the adapter and limits, or why not. */
export interface GpuStatus {
  available: boolean;
  /** Why WebGPU is unavailable (when `available` is false). */
  reason?: string;
  adapter?: { vendor: string; architecture: string; device: string; description: string };
  limits?: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupSizeX: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeWorkgroupStorageSize: number;
  };
}

/**
 * A WebGPU type by its global name: the real one where WebGPU's types are
 * loaded (the DOM library of recent TypeScript versions, or `@webgpu/types`),
 * else `object`. Edgewise's declarations name WebGPU types only through this,
 * so they compile in projects that have no WebGPU types (`skipLibCheck: false`)
 * and never clash with the DOM library's own WebGPU declarations.
 */
export type WebGpuType<Name extends string> = typeof globalThis extends {
  [K in Name]: { prototype: infer T };
}
  ? T
  : object;
/** `GPUDevice` where WebGPU's types are loaded, else `object` (see `WebGpuType`). */
export type WebGpuDevice = WebGpuType<'GPUDevice'>;
/** `GPUDeviceLostInfo` where WebGPU's types are loaded, else `object` (see `WebGpuType`). */
export type WebGpuDeviceLostInfo = WebGpuType<'GPUDeviceLostInfo'>;

/** The WebGPU device of this page or worker (`getGpu()`), with its status and loss. */
export interface GpuContext {
  readonly device: WebGpuDevice;
  readonly status: GpuStatus;
  /** Resolves when this device is lost (destroyed, driver reset, ...). */
  readonly lost: Promise<WebGpuDeviceLostInfo>;
  /** True once the device was lost; a new getGpu() call creates a new one. */
  isLost(): boolean;
  /** Increments for every new device, so caches can tell devices apart. */
  readonly generation: number;
}

let provider: GPU | null | undefined;
let current: Promise<GpuContext | null> | undefined;
let lastStatus: GpuStatus = { available: false, reason: 'WebGPU has not been requested yet' };
let generation = 0;

/** Uses `gpu` instead of `navigator.gpu` (Node, tests); `null` forces "no WebGPU". */
export function setGpuProvider(gpu: WebGpuType<'GPU'> | null): void {
  provider = gpu;
  current = undefined;
}

function findGpu(): GPU | null {
  if (provider !== undefined) return provider;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? null;
}

async function create(): Promise<GpuContext | null> {
  const gpu = findGpu();
  if (!gpu) {
    lastStatus = {
      available: false,
      reason:
        provider === null
          ? 'WebGPU was turned off (setGpuProvider(null))'
          : 'navigator.gpu is not defined: this browser or context has no WebGPU (in Node, call setGpuProvider)',
    };
    return null;
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    lastStatus = { available: false, reason: `requestAdapter() failed: ${(e as Error).message}` };
    return null;
  }
  if (!adapter) {
    lastStatus = {
      available: false,
      reason: 'requestAdapter() returned null: no suitable GPU adapter',
    };
    return null;
  }
  const l = adapter.limits;
  // Ask for the adapter's largest storage buffers so big batches need fewer chunks.
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
      },
    });
  } catch (e) {
    lastStatus = { available: false, reason: `requestDevice() failed: ${(e as Error).message}` };
    return null;
  }
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const dl = device.limits;
  const status: GpuStatus = {
    available: true,
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
    },
    limits: {
      maxStorageBufferBindingSize: dl.maxStorageBufferBindingSize,
      maxBufferSize: dl.maxBufferSize,
      maxComputeWorkgroupSizeX: dl.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: dl.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: dl.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupStorageSize: dl.maxComputeWorkgroupStorageSize,
    },
  };
  let lostFlag = false;
  const gen = ++generation;
  const lost = device.lost.then((info) => {
    lostFlag = true;
    if (generation === gen) current = undefined;
    return info;
  });
  lastStatus = status;
  return { device, status, lost, isLost: () => lostFlag, generation: gen };
}

/** The shared GPU context, or null when WebGPU is unavailable (see getGpuStatus()). */
export async function getGpu(): Promise<GpuContext | null> {
  if (current) {
    const ctx = await current;
    if (!ctx?.isLost()) return ctx;
    current = undefined;
  }
  current = create();
  const ctx = await current;
  if (!ctx) current = undefined; // try again next time (e.g. a provider set later)
  return ctx;
}

/** What the last getGpu() found: adapter, limits, or why there is no WebGPU. */
export async function getGpuStatus(): Promise<GpuStatus> {
  await getGpu();
  return lastStatus;
}

/**
 * Runs `job` on the GPU. If the device is lost while the job runs, the job is
 * re-run once on a new device; a second loss rejects with GPU_DEVICE_LOST.
 */
export async function runOnGpu<T>(job: (ctx: GpuContext) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const ctx = await getGpu();
    if (!ctx) {
      throw new EdgewiseError('GPU_UNAVAILABLE', `WebGPU is unavailable: ${lastStatus.reason}`);
    }
    const lostMarker = Symbol('lost');
    try {
      const result = await Promise.race([job(ctx), ctx.lost.then(() => lostMarker)]);
      if (result !== lostMarker && !ctx.isLost()) return result as T;
    } catch (e) {
      if (!ctx.isLost()) throw e;
    }
    // The device was lost during the job: loop to re-run on a new device.
  }
  throw new EdgewiseError(
    'GPU_DEVICE_LOST',
    'The GPU device was lost twice while running this job; retry later or use backend: "wasm".',
  );
}
