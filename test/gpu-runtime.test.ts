import { afterAll, describe, expect, it } from 'vitest';
import { setGpuProvider } from '../src/gpu/device';
import { createRuntime } from '../src/index';
import { nodeGpu } from './helpers/node-gpu';

afterAll(() => setGpuProvider(null));

describe('createRuntime({ gpu })', () => {
  it("'auto' and 'require' report the adapter when WebGPU exists", async () => {
    setGpuProvider(await nodeGpu());
    const rt = await createRuntime({ gpu: 'require' });
    expect(rt.backends.gpu.available).toBe(true);
    expect(rt.backends.gpu.mode).toBe('require');
    expect(rt.backends.gpu.limits?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    await rt.dispose();
  });

  it("without WebGPU: 'auto' reports why, 'require' rejects, 'off' never asks", async () => {
    setGpuProvider(null);
    const rt = await createRuntime({ gpu: 'auto' });
    expect(rt.backends.gpu.available).toBe(false);
    expect(rt.backends.gpu.reason).toMatch(/turned off|not defined/);
    await rt.dispose();
    await expect(createRuntime({ gpu: 'require' })).rejects.toMatchObject({
      code: 'GPU_UNAVAILABLE',
    });
    const off = await createRuntime({ gpu: 'off' });
    expect(off.backends.gpu).toMatchObject({ available: false, mode: 'off' });
    await off.dispose();
    await expect(createRuntime({ gpu: 'yes' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
