import { describe, expect, it } from 'vitest';
import { batchStats, batchStatsCpu } from '../src/gpu/batch-stats';
import { getGpu, getGpuStatus, setGpuProvider } from '../src/gpu/device';
import { pipeline } from '../src/gpu/resources';
import { rng } from './helpers/fsum';
import { nodeGpu, testSeed, useNodeGpu } from './helpers/node-gpu';

useNodeGpu();

function data(series: number, length: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(series * length);
  for (let s = 0; s < series; s++) {
    const offset = (r() - 0.5) * 200;
    const scale = 0.1 + r() * 10;
    for (let i = 0; i < length; i++) x[s * length + i] = offset + scale * (r() + r() + r() - 1.5);
  }
  return x;
}

function expectClose(
  gpu: Float32Array,
  cpu: Float32Array,
  rel: number,
  scale: Float32Array | number,
  what: string,
  seed: number,
): void {
  for (let i = 0; i < gpu.length; i++) {
    const s = typeof scale === 'number' ? scale : Math.max(Math.abs(scale[i]), 1e-6);
    const err = Math.abs(gpu[i] - cpu[i]) / s;
    if (!(err <= rel)) throw new Error(`${what}[${i}]: gpu ${gpu[i]} cpu ${cpu[i]} (seed ${seed})`);
  }
}

describe('WebGPU batched statistics (Dawn + SwiftShader) vs the WASM twin', () => {
  it('reports the adapter', async () => {
    const status = await getGpuStatus();
    expect(status.available).toBe(true);
    expect(status.limits!.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  for (const [series, length] of [
    [1, 1],
    [3, 7],
    [257, 1000],
    [1000, 1024],
  ] as const) {
    it(`${series} series x ${length} points (odd sizes, random data)`, async () => {
      const seed = testSeed(`batch-stats ${series}x${length}`);
      const x = data(series, length, seed);
      const gpu = await batchStats(x, { series, length, backend: 'gpu' });
      expect(gpu.backend).toBe('webgpu');
      const cpu = batchStatsCpu(x, { series, length });
      // f32 precision: a mean is good to a few ulp of the values' magnitude.
      const magnitude = new Float32Array(series).map(
        (_, i) => Math.abs(cpu.mean[i]) + Math.sqrt(cpu.variance[i]),
      );
      expectClose(gpu.mean, cpu.mean, 2e-6, magnitude, 'mean', seed);
      expectClose(gpu.variance, cpu.variance, 1e-4, cpu.variance, 'variance', seed);
      expect(gpu.min).toEqual(cpu.min);
      expect(gpu.max).toEqual(cpu.max);
      // z = (last - mean) / std inherits the mean's f32 error divided by std:
      // bound it by that conditioning instead of a flat tolerance.
      for (let i = 0; i < series; i++) {
        const std = Math.sqrt(cpu.variance[i]);
        const tol = 1e-5 + (4e-6 * (Math.abs(cpu.mean[i]) + std)) / std;
        if (!(Math.abs(gpu.zLast[i] - cpu.zLast[i]) <= tol)) {
          throw new Error(
            `zLast[${i}]: gpu ${gpu.zLast[i]} cpu ${cpu.zLast[i]} tol ${tol} (seed ${seed})`,
          );
        }
      }
    });
  }

  it('chunks batches larger than the storage-binding limit', async () => {
    const seed = testSeed('batch-stats chunked');
    const series = 301;
    const length = 513;
    const x = data(series, length, seed);
    // 7 series per chunk -> 43 chunks, the last one partial
    const gpu = await batchStats(x, {
      series,
      length,
      backend: 'gpu',
      maxChunkBytes: 7 * length * 4,
    });
    const cpu = batchStatsCpu(x, { series, length });
    expect(gpu.min).toEqual(cpu.min);
    expect(gpu.max).toEqual(cpu.max);
    expectClose(gpu.variance, cpu.variance, 1e-4, cpu.variance, 'variance', seed);
  });

  it('re-runs a job on a new device when the device is lost mid-job', async () => {
    const seed = testSeed('batch-stats device lost');
    const x = data(64, 4096, seed);
    const ctx = (await getGpu())!;
    const pending = batchStats(x, { series: 64, length: 4096, backend: 'gpu' });
    ctx.device.destroy(); // forced device.lost while the job is in flight
    const gpu = await pending;
    const cpu = batchStatsCpu(x, { series: 64, length: 4096 });
    expect(gpu.max).toEqual(cpu.max);
    const next = (await getGpu())!;
    expect(next.generation).toBeGreaterThan(ctx.generation);
  });

  it('a WGSL compile error rejects with GPU_SHADER and the compiler message', async () => {
    const ctx = (await getGpu())!;
    await expect(
      pipeline(ctx, 'broken', '@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }'),
    ).rejects.toMatchObject({
      code: 'GPU_SHADER',
    });
  });

  it('rejects bad input with a typed error', async () => {
    await expect(batchStats(new Float32Array(10), { series: 3, length: 3 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(batchStats([1, 2] as never, { series: 1, length: 2 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      batchStats(new Float32Array(4), { series: 2, length: 2, backend: 'cuda' as never }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it("falls back to WASM with 'auto' and says why when no adapter exists; 'gpu' then fails", async () => {
    const saved = await nodeGpu();
    setGpuProvider(null);
    try {
      const x = data(5, 10, 1);
      const r = await batchStats(x, { series: 5, length: 10, backend: 'auto' });
      expect(r.backend).toBe('wasm');
      expect(r.reason).toMatch(/no WebGPU/);
      expect(r.max).toEqual(batchStatsCpu(x, { series: 5, length: 10 }).max);
      await expect(batchStats(x, { series: 5, length: 10, backend: 'gpu' })).rejects.toMatchObject({
        code: 'GPU_UNAVAILABLE',
      });
    } finally {
      setGpuProvider(saved);
    }
  });
});
