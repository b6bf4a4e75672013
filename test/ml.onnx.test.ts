import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import { exportIsolationForestOnnx } from '../src/ml/export-onnx';
import { hexToBase64, sha256Hex } from '../src/ml/hash';
import { loadOnnx, type OnnxModel } from '../src/ml/onnx';
import { encodeModel } from '../src/ml/onnx-proto';

const dir = join(import.meta.dirname, 'fixtures');
const fx = JSON.parse(readFileSync(join(dir, 'ml.json'), 'utf8'));
const ae = new Uint8Array(readFileSync(join(dir, 'ml', 'autoencoder.onnx')));
const trees = new Uint8Array(readFileSync(join(dir, 'ml', 'trees.onnx')));
const open: OnnxModel[] = [];
afterAll(async () => {
  for (const m of open) await m.dispose();
});

describe('ONNX inference in Node (onnxruntime-web, wasm)', () => {
  it('autoencoder (MatMul/Add/Relu) output and reconstruction error match numpy; webgpu falls back to wasm', async () => {
    const m = await loadOnnx(ae, {
      executionProviders: ['webgpu', 'wasm'],
      score: 'reconstruction',
      batchSize: 5,
    });
    open.push(m);
    expect(m.provider).toBe('wasm');
    expect(m.info.fallbacks.map((f) => f.provider)).toEqual(['webgpu']);
    expect(m.info.dims).toBe(4);
    expect(m.info.inputType).toBe('float32');
    const x = new Float64Array(fx.autoencoder.input);
    const r = await m.run(x, { dims: 4 });
    expect(r.dims).toBe(4);
    for (let i = 0; i < r.data.length; i++)
      expect(r.data[i]).toBeCloseTo(fx.autoencoder.output[i], 5);
    const s = await m.score(x, { dims: 4 });
    for (let i = 0; i < s.length; i++) expect(s[i]).toBeCloseTo(fx.autoencoder.reconError[i], 5);
  });

  it('tree ensemble (ai.onnx.ml, float64 input) matches numpy exactly', async () => {
    const m = await loadOnnx(trees, { sha256: await sha256Hex(trees) });
    open.push(m);
    expect(m.info.inputType).toBe('float64');
    const s = await m.score(new Float64Array(fx.trees.input), { dims: 3 });
    expect(Array.from(s)).toEqual(fx.trees.output);
  });

  it('SHA-256 (hex and SRI forms) is enforced: a mismatch or a tampered byte is refused', async () => {
    const hex = await sha256Hex(trees);
    const m = await loadOnnx(trees, { sha256: `sha256-${hexToBase64(hex)}`, warmup: false });
    open.push(m);
    const bad = trees.slice();
    bad[bad.length - 3] ^= 1;
    await expect(loadOnnx(bad, { sha256: hex })).rejects.toMatchObject({ code: 'CORRUPT_STATE' });
    await expect(loadOnnx(trees, { sha256: '00'.repeat(32) })).rejects.toThrow(/SHA-256 mismatch/);
  });

  it('bad inputs are rejected with clear errors', async () => {
    const m = await loadOnnx(trees);
    open.push(m);
    await expect(m.run(new Float64Array(7), { dims: 3 })).rejects.toThrow(/multiple of dims/);
    await expect(m.run(new Float64Array(8), { dims: 4 })).rejects.toThrow(/takes 3 features/);
    await expect(loadOnnx(trees, { executionProviders: [] })).rejects.toThrow(/non-empty/);
    await expect(loadOnnx(trees, { output: 'nope' })).rejects.toThrow(/not among them/);
    await expect(loadOnnx(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });

  it('an IsolationForest exported to ONNX scores like the WASM scorer to 1e-6', async () => {
    const d = 6;
    const n = 4000;
    let s = 7;
    const X = new Float64Array(n * d);
    for (let i = 0; i < X.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      X[i] = (s / 2 ** 32) * 4 - 2 + (i % d === 0 && i > n * d * 0.95 ? 6 : 0);
    }
    const f = new IsolationForest({ trees: 64, seed: 5 }).fit(X.subarray(0, 3000 * d), { dims: d });
    const m = await loadOnnx(exportIsolationForestOnnx(f), { batchSize: 1000 });
    open.push(m);
    const got = await m.score(X, { dims: d });
    const want = f.score(X, { dims: d });
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
    expect(max).toBeLessThan(1e-6);
    // scores are not degenerate: they spread over a range
    expect(Math.max(...got) - Math.min(...got)).toBeGreaterThan(0.1);
    f.dispose();
    expect(() => exportIsolationForestOnnx(new IsolationForest())).toThrow(/fit/);
  });
});

describe('ONNX models whose output does not fit (#18.12)', () => {
  const model = (op: 'ReduceMean' | 'Transpose') =>
    encodeModel({
      graphName: 'bad-shape',
      nodes: [
        {
          op,
          inputs: ['x'],
          outputs: ['y'],
          attributes: op === 'ReduceMean' ? { keepdims: { int: 0 } } : { perm: { ints: [1, 0] } },
        },
      ],
      inputs: [{ name: 'x', type: 'float', shape: ['n', 3] }],
      outputs: [{ name: 'y', type: 'float', shape: op === 'ReduceMean' ? [] : [3, 'n'] }],
      opsets: [{ domain: '', version: 13 }],
    });

  for (const op of ['ReduceMean', 'Transpose'] as const) {
    it(`${op}: refused at load with a typed error naming the shape, never NaN scores`, async () => {
      // loadOnnx probes the model with one row, so the misfit shows before any scoring.
      const err = await loadOnnx(model(op)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_STATE' });
      expect((err as Error).message).toMatch(/shape \[.*one row per input row/);
    });
  }
});
