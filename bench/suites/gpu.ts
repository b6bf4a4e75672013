/**
 * GPU ops vs their CPU twins on whatever WebGPU adapter this machine has. Here
 * that is SwiftShader (Vulkan on the CPU) through the `webgpu` npm package
 * (Dawn), so these figures measure correctness plumbing, not GPU speed; on a
 * machine with a GPU the same suite shows the real ratio.
 */
import { existsSync } from 'node:fs';
import {
  batchStats,
  batchStatsCpu,
  type DenseLayer,
  denseForward,
  denseForwardCpu,
  getGpuStatus,
  knn,
  knnCpu,
  setGpuProvider,
} from 'edgewise/gpu';
import { mulberry32 } from '../data';
import { consume, type Workload } from '../harness';

export default async function suite(): Promise<Workload[]> {
  const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!process.env.VK_ICD_FILENAMES && existsSync(icd)) process.env.VK_ICD_FILENAMES = icd;
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    setGpuProvider(create([]) as GPU);
  } catch {
    setGpuProvider(null);
  }
  const status = await getGpuStatus();
  if (!status.available) {
    console.log(`gpu suite skipped: ${status.reason}`);
    return [];
  }
  const adapter =
    `${status.adapter?.vendor} ${status.adapter?.architecture} ${status.adapter?.description}`.trim();
  const label = `adapter: ${adapter || 'unknown'} (SwiftShader = CPU emulation)`;
  const r = mulberry32(9);
  const series = 2_000;
  const length = 1024;
  const values = Float32Array.from({ length: series * length }, () => r() * 10);
  const d = 16;
  const rows = 20_000;
  const X = Float32Array.from({ length: rows * d }, () => r() * 2 - 1);
  const layer = (i: number, o: number, activation: DenseLayer['activation']): DenseLayer => ({
    inputs: i,
    outputs: o,
    weights: Float32Array.from({ length: i * o }, () => (r() * 2 - 1) / Math.sqrt(i)),
    bias: new Float32Array(o),
    activation,
  });
  const layers = [layer(d, 8, 'relu'), layer(8, d, 'linear')];
  const kn = 2000;
  const K = Float32Array.from({ length: kn * 8 }, () => r());
  return [
    {
      suite: 'gpu',
      name: `batched statistics, 2,000 series x 1,024 points (${label})`,
      items: series,
      unit: 'series',
      ours: 'webgpu',
      rounds: 5,
      impls: [
        {
          name: 'webgpu',
          run: async () => consume(await batchStats(values, { series, length, backend: 'gpu' })),
        },
        {
          name: 'wasm twin (Moments per series)',
          run: () => consume(batchStatsCpu(values, { series, length })),
        },
      ],
    },
    {
      suite: 'gpu',
      name: `autoencoder 16-8-16 reconstruction error, 20,000 rows (${label})`,
      items: rows,
      unit: 'rows',
      ours: 'webgpu',
      rounds: 5,
      impls: [
        {
          name: 'webgpu',
          run: async () => consume(await denseForward(X, { layers, backend: 'gpu' })),
        },
        { name: 'cpu reference (f64 JS)', run: () => consume(denseForwardCpu(X, { layers })) },
      ],
    },
    {
      suite: 'gpu',
      name: `k-NN k=20, 2,000 x 8 (${label})`,
      items: kn,
      unit: 'points',
      ours: 'webgpu',
      rounds: 3,
      impls: [
        {
          name: 'webgpu',
          run: async () => consume(await knn(K, { k: 20, dims: 8, backend: 'gpu' })),
        },
        { name: 'cpu brute force (f64 JS)', run: () => consume(knnCpu(K, { k: 20, dims: 8 })) },
      ],
    },
  ];
}
