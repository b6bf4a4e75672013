import { describe, expect, it } from 'vitest';
import { LocalOutlierFactor } from '../src/anomaly/lof';
import { knn, knnCpu, lofFromKnn } from '../src/gpu/knn-wgsl';
import { rng } from './helpers/fsum';
import { testSeed, useNodeGpu } from './helpers/node-gpu';

useNodeGpu();

function points(n: number, d: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = (r() + r() + r()) * 3 + (i % d);
  // a few far outliers
  for (let i = 0; i < Math.min(5, n); i++) x[i * d] += 40;
  return x;
}

describe('WebGPU k-NN and LOF vs the float64 CPU twin', () => {
  for (const [n, d, k] of [
    [70, 3, 5],
    [1031, 8, 20],
    [333, 17, 7],
  ] as const) {
    it(`n=${n} d=${d} k=${k}: distances, neighbours, and LOF to 1e-5`, async () => {
      const seed = testSeed(`knn ${n}x${d} k${k}`);
      const X = points(n, d, seed);
      const gpu = await knn(X, { k, dims: d, backend: 'gpu' });
      const cpu = knnCpu(X, { k, dims: d });
      expect(gpu.backend).toBe('webgpu');
      let sameIndex = 0;
      for (let i = 0; i < n * k; i++) {
        const rel =
          Math.abs(gpu.distances[i] - cpu.distances[i]) / Math.max(1e-6, cpu.distances[i]);
        if (!(rel < 1e-5))
          throw new Error(
            `distance ${i}: gpu ${gpu.distances[i]} cpu ${cpu.distances[i]} (seed ${seed})`,
          );
        if (gpu.indices[i] === cpu.indices[i]) sameIndex++;
      }
      // Neighbour order can only differ where two distances tie to f32 precision.
      expect(sameIndex / (n * k)).toBeGreaterThan(0.99);
      const lg = lofFromKnn(gpu).lof;
      const lc = lofFromKnn(cpu).lof;
      // LOF(i) reads the neighbour sets of i and of each of its neighbours (their
      // lrd); a set can differ only where a k-th distance ties at f32 precision.
      // Points whose two-hop neighbourhood differs are excused, the rest must
      // agree to 1e-5, and excused points must stay rare.
      const sameSet = (p: number): boolean => {
        const a = new Set(gpu.indices.subarray(p * k, p * k + k));
        return cpu.indices.subarray(p * k, p * k + k).every((j) => a.has(j));
      };
      let excused = 0;
      for (let i = 0; i < n; i++) {
        const hood = [i, ...cpu.indices.subarray(i * k, i * k + k)];
        if (!hood.every(sameSet)) {
          excused++;
          continue;
        }
        if (!(Math.abs(lg[i] - lc[i]) / lc[i] < 1e-5))
          throw new Error(`lof ${i}: gpu ${lg[i]} cpu ${lc[i]} (seed ${seed})`);
      }
      expect(excused / n, `seed ${seed}`).toBeLessThan(0.05);
      // the planted outliers have the largest LOF
      const top = [...lc]
        .map((v, i) => [v, i])
        .sort((a, b) => b[0] - a[0])
        .slice(0, 5)
        .map((x) => x[1]);
      expect(top.every((i) => i < 5)).toBe(true);
    });
  }

  it('novelty scoring against a reference set, chunked', async () => {
    const seed = testSeed('knn novelty');
    const train = points(400, 4, seed);
    const test = points(130, 4, seed + 1);
    const fit = lofFromKnn(knnCpu(train, { k: 10, dims: 4 }));
    const gpu = await knn(test, {
      k: 10,
      dims: 4,
      reference: train,
      backend: 'gpu',
      maxChunkBytes: 4 * 10 * 17,
    });
    const cpu = knnCpu(test, { k: 10, dims: 4, reference: train });
    const lg = lofFromKnn(gpu, fit).lof;
    const lc = lofFromKnn(cpu, fit).lof;
    let agree = 0;
    for (let i = 0; i < 130; i++) if (Math.abs(lg[i] - lc[i]) / lc[i] < 1e-5) agree++;
    expect(agree).toBeGreaterThanOrEqual(128);
  });

  it('LOF from GPU neighbours matches the exact WASM LocalOutlierFactor (sklearn parity) to 1e-5', async () => {
    const seed = testSeed('knn vs LocalOutlierFactor');
    const n = 800;
    const d = 8;
    const X = points(n, d, seed);
    const cpuLof = new LocalOutlierFactor({ k: 20 }).fit(Float64Array.from(X), { dims: d });
    const gpu = await knn(X, { k: 20, dims: d, backend: 'gpu' });
    const lg = lofFromKnn(gpu).lof;
    const ref = cpuLof.scores;
    let agree = 0;
    for (let i = 0; i < n; i++) if (Math.abs(lg[i] - ref[i]) / ref[i] < 1e-5) agree++;
    // only points with an f32-ambiguous k-th neighbour may differ
    expect(agree / n).toBeGreaterThan(0.99);
    cpuLof.dispose();
  });

  it('refuses bad k and dims', async () => {
    await expect(knn(new Float32Array(12), { k: 4, dims: 3 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(knn(new Float32Array(12), { k: 1, dims: 5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      knn(new Float32Array(200 * 70), { k: 2, dims: 70, backend: 'gpu' }),
    ).rejects.toThrow(/dims <= 64/);
  });
});
