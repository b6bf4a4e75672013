/**
 * A real WebGPU implementation in Node for the GPU parity tests: Dawn from the
 * `webgpu` package on Chromium's SwiftShader Vulkan driver (CPU, no GPU needed).
 */
import { existsSync } from 'node:fs';

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
