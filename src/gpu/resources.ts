/**
 * Per-device caches: compiled pipelines and a pool of reusable buffers, so a
 * stream of batches does not allocate GPU memory per call.
 */
import { EdgewiseError } from '../errors';
import type { GpuContext } from './device';

const pipelines = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** The compiled pipeline for `code` (cached per device); shader errors reject with GPU_SHADER. */
export function pipeline(
  ctx: GpuContext,
  key: string,
  code: string,
  entryPoint = 'main',
): Promise<GPUComputePipeline> {
  let map = pipelines.get(ctx.device);
  if (!map) {
    map = new Map();
    pipelines.set(ctx.device, map);
  }
  const cache = map;
  let p = cache.get(key);
  if (!p) {
    const module = ctx.device.createShaderModule({ code, label: key });
    // Promise.resolve: Node's Dawn binding returns promises of another realm.
    p = Promise.resolve(
      ctx.device.createComputePipelineAsync({
        layout: 'auto',
        compute: { module, entryPoint },
        label: key,
      }),
    ).catch(async (e: unknown) => {
      cache.delete(key);
      const info = await module.getCompilationInfo?.();
      const msgs = info?.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
      throw new EdgewiseError(
        'GPU_SHADER',
        `WGSL pipeline '${key}' failed: ${msgs || (e as Error).message}`,
      );
    });
    cache.set(key, p);
  }
  return p;
}

const pools = new WeakMap<GPUDevice, Map<string, GPUBuffer[]>>();

const roundUp = (bytes: number): number => {
  let s = 256;
  while (s < bytes) s *= 2;
  return s;
};

/** A buffer of at least `bytes` with `usage`, from the pool when one is free. */
export function acquireBuffer(ctx: GpuContext, bytes: number, usage: number): GPUBuffer {
  const size = roundUp(bytes);
  let pool = pools.get(ctx.device);
  if (!pool) {
    pool = new Map();
    pools.set(ctx.device, pool);
  }
  const free = pool.get(`${usage}:${size}`);
  const b = free?.pop();
  return b ?? ctx.device.createBuffer({ size, usage });
}

/** Returns buffers to the pool (at most 4 kept per size and usage). */
export function releaseBuffers(ctx: GpuContext, ...buffers: GPUBuffer[]): void {
  const pool = pools.get(ctx.device);
  if (!pool) return;
  for (const b of buffers) {
    const key = `${b.usage}:${b.size}`;
    let list = pool.get(key);
    if (!list) {
      list = [];
      pool.set(key, list);
    }
    if (list.length < 4) list.push(b);
    else b.destroy();
  }
}

export const STORAGE_IN = 0x0080 | 0x0008; // STORAGE | COPY_DST
export const STORAGE_OUT = 0x0080 | 0x0004; // STORAGE | COPY_SRC
export const UNIFORM = 0x0040 | 0x0008; // UNIFORM | COPY_DST
export const READBACK = 0x0001 | 0x0008; // MAP_READ | COPY_DST

/** Copies `src` (already written by a pass in `encoder`) to a mappable buffer; returns a reader. */
export function readback(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  src: GPUBuffer,
  bytes: number,
): { buffer: GPUBuffer; read: () => Promise<ArrayBuffer> } {
  const rb = acquireBuffer(ctx, bytes, READBACK);
  encoder.copyBufferToBuffer(src, 0, rb, 0, bytes);
  return {
    buffer: rb,
    read: async () => {
      await rb.mapAsync(0x0001);
      const copy = rb.getMappedRange(0, bytes).slice(0);
      rb.unmap();
      return copy;
    },
  };
}

/** Largest storage binding usable for one chunk (optionally lowered for tests). */
export function maxBindingBytes(ctx: GpuContext, override?: number): number {
  const l = ctx.status.limits!;
  const hw = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
  return override ? Math.min(override, hw) : hw;
}
