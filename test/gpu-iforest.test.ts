import { describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import { scoreIsolationForest } from '../src/anomaly/iforest-gpu';
import { forestPathSums, orderKeys } from '../src/gpu/forest-wgsl';
import { rng } from './helpers/fsum';
import { testSeed, useNodeGpu } from './helpers/node-gpu';

useNodeGpu();

function data(n: number, d: number, seed: number): Float64Array {
  const r = rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++)
    x[i] = (r() + r() + r() - 1.5) * (1 + (i % d)) + (r() < 0.01 ? 8 : 0);
  return x;
}

/** Independent float64 walker over the same flat bytes: the leaf each row reaches. */
function leafChecksums(bytes: Uint8Array, x: Float64Array, d: number): Uint32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trees = v.getUint32(8, true);
  const maxNodes = v.getUint32(12, true);
  const n = x.length / d;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let chk = 0;
    for (let t = 0; t < trees; t++) {
      const base = 48 + t * maxNodes * 24;
      let node = 0;
      for (;;) {
        const thr = v.getFloat64(base + node * 16, true);
        const f = v.getInt32(base + node * 16 + 8, true);
        const right = v.getInt32(base + node * 16 + 12, true);
        if (right === node) break;
        node = x[i * d + f] <= thr ? node + 1 : right;
      }
      chk += node;
    }
    out[i] = chk >>> 0;
  }
  return out;
}

describe('WebGPU Isolation Forest scoring vs the WASM scorer', () => {
  it('order keys sort exactly like float64', () => {
    const vals = Float64Array.from([
      -Infinity,
      -1e300,
      -2.5,
      -1e-300,
      -0,
      0,
      1e-300,
      1,
      1 + 2 ** -52,
      1e300,
      Infinity,
    ]);
    const k = orderKeys(vals);
    for (let i = 0; i + 1 < vals.length; i++) {
      const a = [k[2 * i + 1], k[2 * i]];
      const b = [k[2 * i + 3], k[2 * i + 2]];
      const le = a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
      expect(le).toBe(vals[i] <= vals[i + 1]);
    }
    const z = orderKeys(Float64Array.from([-0, 0]));
    expect([z[0], z[1]]).toEqual([z[2], z[3]]);
  });

  for (const [n, d, trees] of [
    [1, 3, 7],
    [1003, 8, 100],
    [5000, 5, 37],
  ] as const) {
    it(`n=${n} d=${d} trees=${trees}: identical paths, scores to 1e-6`, async () => {
      const seed = testSeed(`iforest ${n}x${d}`);
      const train = data(2000, d, seed);
      const forest = new IsolationForest({ trees, sampleSize: 256, seed }).fit(train, { dims: d });
      const x = data(n, d, seed + 1);
      const gpu = await scoreIsolationForest(forest, x, { dims: d, backend: 'gpu' });
      expect(gpu.backend).toBe('webgpu');
      const cpu = forest.score(x, { dims: d });
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(gpu.scores[i] - cpu[i]) <= 1e-6))
          throw new Error(`score ${i}: gpu ${gpu.scores[i]} wasm ${cpu[i]} (seed ${seed})`);
      }
      const bytes = forest.serialize();
      const v = new DataView(bytes.buffer);
      const raw = await forestPathSums(
        { trees: v.getUint32(8, true), maxNodes: v.getUint32(12, true), nodes: bytes.subarray(48) },
        x,
        { dims: d, maxChunkBytes: 8 * d * 333 },
      );
      expect(raw.leafChecksums).toEqual(leafChecksums(bytes, x, d));
      forest.dispose();
    });
  }

  it('values equal to a threshold take the same branch as float64 (no f32 rounding)', async () => {
    const seed = testSeed('iforest ties');
    const d = 2;
    const train = data(600, d, seed);
    const forest = new IsolationForest({ trees: 20, sampleSize: 64, seed }).fit(train, { dims: d });
    // Probe rows exactly at, and one ulp around, every threshold of the first tree.
    const bytes = forest.serialize();
    const v = new DataView(bytes.buffer);
    const maxNodes = v.getUint32(12, true);
    const probes: number[] = [];
    for (let i = 0; i < maxNodes; i++) {
      const thr = v.getFloat64(48 + i * 16, true);
      if (thr === Number.NEGATIVE_INFINITY || Number.isNaN(thr)) continue;
      const f = v.getInt32(48 + i * 16 + 8, true);
      for (const t of [thr, thr * (1 + 2 ** -52), thr * (1 - 2 ** -52)]) {
        const row = [0.1, 0.1];
        row[f] = t;
        probes.push(...row);
      }
    }
    const x = Float64Array.from(probes);
    const raw = await forestPathSums(
      { trees: v.getUint32(8, true), maxNodes, nodes: bytes.subarray(48) },
      x,
      { dims: d },
    );
    expect(raw.leafChecksums).toEqual(leafChecksums(bytes, x, d));
    forest.dispose();
  });

  it("'wasm' and a model fitted elsewhere: same API, backend reported", async () => {
    const forest = new IsolationForest({ trees: 10, seed: 3 }).fit(data(300, 4, 3), { dims: 4 });
    const r = await scoreIsolationForest(forest, data(10, 4, 4), { dims: 4, backend: 'wasm' });
    expect(r.backend).toBe('wasm');
    await expect(
      scoreIsolationForest(forest, new Float64Array(10), { dims: 3 }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    forest.dispose();
  });
});
