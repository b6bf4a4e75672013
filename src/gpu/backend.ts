/**
 * Backend choice shared by every GPU op: 'gpu' requires WebGPU, 'wasm' never
 * uses it, 'auto' uses the GPU only for batches above the size where it pays,
 * measured on this adapter at first use (a fixed cost + per-item cost model
 * fitted from two calibration sizes) and cached per op and device.
 */
import { EdgewiseError } from '../errors';
import { type GpuContext, getGpu, getGpuStatus } from './device';

/** The backend a GPU op may use: `'auto'` (the GPU where it pays), `'gpu'` or `'wasm'`. */
export type BackendRequest = 'auto' | 'gpu' | 'wasm';
/** Which backend ran a GPU op: `'webgpu'` or its CPU twin `'wasm'`. */
export type BackendRan = 'webgpu' | 'wasm';

/** Which backend ran an op, and why. */
export interface BackendReport {
  backend: BackendRan;
  /** Why this backend ran (e.g. 'auto: batch 512 below GPU threshold 20000'). */
  reason: string;
}

const thresholds = new Map<string, { generation: number; items: number }>();

/** Calibration timings (ms) for the GPU and the CPU twin on `n` synthetic items. */
export type Calibrate = (ctx: GpuContext, n: number) => Promise<{ gpuMs: number; cpuMs: number }>;

async function threshold(op: string, ctx: GpuContext, calibrate: Calibrate): Promise<number> {
  const cached = thresholds.get(op);
  if (cached && cached.generation === ctx.generation) return cached.items;
  const small = 1024;
  const large = 16384;
  await calibrate(ctx, small); // warm-up: pipeline compilation, buffer pool
  const a = await calibrate(ctx, small);
  const b = await calibrate(ctx, large);
  const gpuPer = (b.gpuMs - a.gpuMs) / (large - small);
  const gpuFixed = Math.max(0, a.gpuMs - gpuPer * small);
  const cpuPer = b.cpuMs / large;
  const items =
    cpuPer > gpuPer && gpuPer >= 0
      ? Math.ceil(gpuFixed / (cpuPer - gpuPer))
      : Number.POSITIVE_INFINITY;
  thresholds.set(op, { generation: ctx.generation, items });
  return items;
}

/** The GPU batch-size threshold measured for `op` (undefined before first auto use). */
export function measuredThreshold(op: string): number | undefined {
  return thresholds.get(op)?.items;
}

/** Decides where `items` items of `op` run; returns the GPU context when it is the GPU. */
export async function chooseBackend(
  op: string,
  items: number,
  requested: BackendRequest,
  calibrate: Calibrate,
): Promise<{ ctx: GpuContext | null; report: BackendReport }> {
  if (requested === 'wasm')
    return { ctx: null, report: { backend: 'wasm', reason: 'requested wasm' } };
  if (requested !== 'gpu' && requested !== 'auto') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `backend must be 'auto', 'gpu' or 'wasm', got ${String(requested)}.`,
    );
  }
  const ctx = await getGpu();
  if (!ctx) {
    const { reason } = await getGpuStatus();
    if (requested === 'gpu') {
      throw new EdgewiseError(
        'GPU_UNAVAILABLE',
        `backend 'gpu' was required but WebGPU is unavailable: ${reason}`,
      );
    }
    return { ctx: null, report: { backend: 'wasm', reason: `auto: no WebGPU (${reason})` } };
  }
  if (requested === 'gpu') return { ctx, report: { backend: 'webgpu', reason: 'requested gpu' } };
  const t = await threshold(op, ctx, calibrate);
  if (items >= t) {
    return {
      ctx,
      report: { backend: 'webgpu', reason: `auto: batch ${items} >= GPU threshold ${t}` },
    };
  }
  return {
    ctx: null,
    report: {
      backend: 'wasm',
      reason: Number.isFinite(t)
        ? `auto: batch ${items} below GPU threshold ${t}`
        : 'auto: the GPU is not faster than WASM per item on this adapter',
    },
  };
}
