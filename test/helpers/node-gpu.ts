/**
 * A real WebGPU implementation in Node for the GPU parity tests: Dawn from the
 * `webgpu` package on Chromium's SwiftShader Vulkan driver (CPU, no GPU needed).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { setGpuProvider } from '../../src/gpu/device';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export async function nodeGpu(): Promise<GPU> {
  if (!process.env.VK_ICD_FILENAMES) {
    if (!existsSync(ICD))
      throw new Error(`${ICD} missing: apt-get install -y chromium (it ships SwiftShader)`);
    process.env.VK_ICD_FILENAMES = ICD;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  return create([]) as GPU;
}

/** A fresh seed per run, printed so a failure can be replayed with GPU_TEST_SEED. */
export function testSeed(name: string): number {
  const env = process.env.GPU_TEST_SEED;
  const seed = env ? Number(env) : (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
  console.log(`[${name}] seed ${seed} (replay with GPU_TEST_SEED=${seed})`);
  return seed;
}

/** For this test file: the Node WebGPU (`nodeGpu`) as Edgewise's GPU provider, removed after. */
export function useNodeGpu(): void {
  beforeAll(async () => {
    setGpuProvider(await nodeGpu());
  });
  afterAll(() => setGpuProvider(null));
}
