import { describe, expect, it } from 'vitest';
import { type DenseLayer, denseForward, denseForwardCpu } from '../src/gpu/dense';
import { rng } from './helpers/fsum';
import { testSeed, useNodeGpu } from './helpers/node-gpu';

useNodeGpu();

function layer(
  inputs: number,
  outputs: number,
  r: () => number,
  activation: DenseLayer['activation'],
): DenseLayer {
  const s = 1 / Math.sqrt(inputs);
  return {
    inputs,
    outputs,
    weights: Float32Array.from({ length: inputs * outputs }, () => (r() * 2 - 1) * s),
    bias: Float32Array.from({ length: outputs }, () => (r() - 0.5) * 0.1),
    activation,
  };
}

describe('WebGPU dense layers / autoencoder reconstruction error vs the CPU reference', () => {
  for (const [n, d, h] of [
    [1, 3, 2],
    [37, 8, 5],
    [1003, 19, 7],
  ] as const) {
    it(`autoencoder ${d}-${h}-${d}, ${n} rows`, async () => {
      const seed = testSeed(`dense ${n}x${d}`);
      const r = rng(seed);
      const layers = [
        layer(d, h, r, 'relu'),
        layer(h, h + 3, r, 'tanh'),
        layer(h + 3, d, r, 'linear'),
      ];
      const X = Float32Array.from({ length: n * d }, () => r() * 4 - 2);
      const gpu = await denseForward(X, { layers, backend: 'gpu' });
      const cpu = denseForwardCpu(X, { layers });
      expect(gpu.backend).toBe('webgpu');
      expect(gpu.outDims).toBe(d);
      for (let i = 0; i < cpu.output.length; i++) {
        const tol = 1e-5 * (1 + Math.abs(cpu.output[i]));
        if (!(Math.abs(gpu.output[i] - cpu.output[i]) <= tol)) {
          throw new Error(`output[${i}] gpu ${gpu.output[i]} cpu ${cpu.output[i]} (seed ${seed})`);
        }
      }
      for (let i = 0; i < n; i++) {
        const e = cpu.reconstructionError![i];
        if (!(Math.abs(gpu.reconstructionError![i] - e) <= 1e-5 * (1 + e))) {
          throw new Error(`recon[${i}] gpu ${gpu.reconstructionError![i]} cpu ${e} (seed ${seed})`);
        }
      }
    });
  }

  it('chunks rows under a small binding limit and still matches', async () => {
    const seed = testSeed('dense chunked');
    const r = rng(seed);
    const layers = [layer(6, 4, r, 'sigmoid'), layer(4, 6, r, 'linear')];
    const X = Float32Array.from({ length: 500 * 6 }, () => r());
    const gpu = await denseForward(X, { layers, backend: 'gpu', maxChunkBytes: 6 * 4 * 33 });
    const cpu = denseForwardCpu(X, { layers });
    for (let i = 0; i < 500; i++) {
      expect(Math.abs(gpu.reconstructionError![i] - cpu.reconstructionError![i])).toBeLessThan(
        1e-6,
      );
    }
  });

  it('non-square models return outputs without a reconstruction error; bad shapes are refused', async () => {
    const r = rng(3);
    const layers = [layer(4, 2, r, 'linear')];
    const res = await denseForward(new Float32Array(8), { layers, backend: 'gpu' });
    expect(res.outDims).toBe(2);
    expect(res.reconstructionError).toBeNull();
    await expect(denseForward(new Float32Array(7), { layers })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      denseForward(new Float32Array(8), {
        layers: [layer(4, 2, r, 'relu'), layer(3, 4, r, 'relu')],
      }),
    ).rejects.toThrow(/layer 1 expects 3 inputs but receives 2/);
  });
});
