import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import { compileFeatures, type FeatureSpec } from '../src/ml/features';
import { deserializeModel } from '../src/ml/models';
import { auc, type TrainProgress, trainInline } from '../src/ml/train';
import { ols } from '../src/stats/regression/linear';
import { mlRemote, train } from '../src/threads/ml/client';
import { loadOnnxInWorker } from '../src/threads/onnx/client';
import { lcg as rng } from './helpers/random';

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const spec: FeatureSpec = {
  version: 1,
  features: [
    { kind: 'value', column: 'x' },
    { kind: 'value', column: 'y' },
    { kind: 'diff', column: 'x' },
    { kind: 'rolling', column: 'y', window: 4, stats: ['mean', 'std'] },
  ],
};

function data(n: number, seed = 1) {
  const r = rng(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = gauss(r);
    y[i] = gauss(r);
    if (i % 50 === 25) {
      x[i] += 7;
      y[i] -= 6;
      labels[i] = 1;
    }
  }
  return { columns: { x, y }, labels };
}

describe('training (inline)', () => {
  const d = data(2000);
  it('isolation-forest: same scores as a direct IsolationForest on the features; AUC high; progress monotone', async () => {
    const progress: TrainProgress[] = [];
    const r = await trainInline(spec, d, {
      model: 'isolation-forest',
      params: { trees: 50, seed: 3 },
      onProgress: (p) => progress.push(p),
    });
    const fm = compileFeatures(spec).transform(d);
    const f = new IsolationForest({ trees: 50, seed: 3 }).fit(fm.data, { dims: fm.dims });
    expect(r.model.score(fm.data, { dims: fm.dims })).toEqual(f.score(fm.data, { dims: fm.dims }));
    expect(r.evaluation.n).toBe(fm.n);
    expect(r.evaluation.auc).toBeGreaterThan(0.95);
    expect(r.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.model.header.specHash).toBe(r.specHash);
    expect(progress[0]).toEqual({ fraction: 0, phase: 'features' });
    expect(progress.at(-1)).toEqual({ fraction: 1, phase: 'done' });
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].fraction).toBeGreaterThanOrEqual(progress[i - 1].fraction);
    // round trip through bytes
    const back = deserializeModel(r.bytes);
    expect(back.score(fm.data, { dims: fm.dims })).toEqual(f.score(fm.data, { dims: fm.dims }));
    f.dispose();
  });

  it('AUC equals the pairwise definition', () => {
    const r = rng(5);
    const s = Float64Array.from({ length: 200 }, () => Math.round(r() * 20));
    const l = Float64Array.from({ length: 200 }, () => (r() < 0.3 ? 1 : 0));
    let num = 0;
    let den = 0;
    for (let i = 0; i < 200; i++)
      for (let j = 0; j < 200; j++)
        if (l[i] === 1 && l[j] === 0) {
          den++;
          num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
    expect(auc(s, l)).toBeCloseTo(num / den, 12);
  });

  it('robust-gaussian, lof, logistic and ols train and separate / fit', async () => {
    for (const model of ['robust-gaussian', 'lof'] as const) {
      // k above the 40 clustered outliers, so they do not form their own dense neighbourhood
      const r = await trainInline(spec, d, { model, params: { k: 60 } });
      expect(r.evaluation.auc, model).toBeGreaterThan(0.9);
      const back = deserializeModel(r.bytes);
      const fm = compileFeatures(spec).transform({
        columns: { x: d.columns.x.slice(0, 300), y: d.columns.y.slice(0, 300) },
      });
      expect(back.score(fm.data, { dims: fm.dims })).toEqual(
        r.model.score(fm.data, { dims: fm.dims }),
      );
    }
    // logistic: labels drawn with P(1) = sigmoid(2x - y); AUC well above chance, probabilities in (0, 1)
    const r0 = rng(11);
    const noisy = d.columns.x.map((v, i) =>
      r0() < 1 / (1 + Math.exp(-(2 * v - d.columns.y[i]))) ? 1 : 0,
    );
    const lg = await trainInline(
      spec,
      { columns: d.columns, labels: noisy },
      { model: 'logistic' },
    );
    expect(lg.evaluation.auc).toBeGreaterThan(0.75);
    expect(lg.evaluation.scores.min).toBeGreaterThan(0);
    expect(lg.evaluation.scores.max).toBeLessThan(1);
    // ols: target = 2x - y + 1 + noise; coefficients equal edgewise/stats ols on the feature matrix
    const t = d.columns.x.map((v, i) => 2 * v - d.columns.y[i] + 1 + 0.01 * Math.sin(i));
    const r = await trainInline(spec, { ...d, labels: t }, { model: 'ols' });
    const fm = compileFeatures(spec).transform(d);
    const ref = ols(fm.data, t.subarray(3), { dims: fm.dims });
    const pred = r.model.score(fm.data, { dims: fm.dims });
    const refPred = ref.predict(fm.data).fit;
    for (let i = 0; i < 20; i++) expect(pred[i]).toBeCloseTo(refPred[i], 9);
    expect(r.evaluation.rSquared).toBeGreaterThan(0.99);
  });

  it('bad options and cancellation', async () => {
    await expect(trainInline(spec, d, { model: 'svm' as never })).rejects.toThrow(
      /model must be one of/,
    );
    await expect(trainInline(spec, { columns: d.columns }, { model: 'ols' })).rejects.toThrow(
      /needs labels/,
    );
    await expect(
      trainInline(spec, { ...d, labels: [1, 0] }, { model: 'logistic' }),
    ).rejects.toThrow(/labels has 2/);
    const ac = new AbortController();
    ac.abort();
    await expect(train(spec, d, { model: 'lof', signal: ac.signal })).rejects.toThrow(/cancelled/);
    const ac2 = new AbortController();
    const p = trainInline(spec, d, {
      model: 'robust-gaussian',
      signal: ac2.signal,
      onProgress: (q) => q.phase === 'fit' && ac2.abort(),
    });
    await expect(p).rejects.toThrow(/cancelled/);
  });
});

const workerPath = join(import.meta.dirname, '..', 'dist', 'workers', 'ml.node-worker.js');
const onnxWorkerPath = join(import.meta.dirname, '..', 'dist', 'workers', 'onnx.node-worker.js');
describe('training and ONNX in a Node worker thread (Comlink)', () => {
  let worker: Worker;
  beforeAll(() => {
    if (!existsSync(workerPath))
      throw new Error(`${workerPath} missing: run npm run build:lib first`);
    worker = new Worker(workerPath);
  });
  afterAll(async () => {
    await worker?.terminate();
  });

  it('trains in the worker with progress; the model equals the inline one', async () => {
    const d = data(1500, 2);
    const progress: TrainProgress[] = [];
    const r = await train(spec, d, {
      model: 'isolation-forest',
      params: { trees: 40, seed: 9 },
      worker: nodeEndpoint(worker),
      onProgress: (p) => progress.push(p),
    });
    const local = await trainInline(spec, d, {
      model: 'isolation-forest',
      params: { trees: 40, seed: 9 },
    });
    expect(r.bytes).toEqual(local.bytes);
    expect(r.evaluation.auc).toBe(local.evaluation.auc);
    expect(progress.at(-1)?.phase).toBe('done');
  });

  it('cancellation through the AbortSignal reaches the worker', async () => {
    const d = data(1500, 3);
    const ac = new AbortController();
    const p = train(spec, d, {
      model: 'robust-gaussian',
      worker: nodeEndpoint(worker),
      signal: ac.signal,
      onProgress: (q) => {
        if (q.phase === 'features') ac.abort();
      },
    });
    await expect(p).rejects.toThrow(/cancelled/);
  });

  it('the worker computes the same features as this thread', async () => {
    const d = data(300, 4);
    const remote = mlRemote(nodeEndpoint(worker));
    const w = await remote.features(spec, { columns: d.columns });
    expect(w.data).toEqual(compileFeatures(spec).transform({ columns: d.columns }).data);
  });

  it('runs an ONNX model in the ONNX worker (wasm) with numpy-matching output', async () => {
    const onnxWorker = new Worker(onnxWorkerPath);
    const fx = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'ml.json'), 'utf8'));
    const bytes = new Uint8Array(
      readFileSync(join(import.meta.dirname, 'fixtures', 'ml', 'trees.onnx')),
    );
    const m = await loadOnnxInWorker(nodeEndpoint(onnxWorker), bytes, {
      executionProviders: ['webgpu', 'wasm'],
    });
    expect(m.provider).toBe('wasm');
    const s = await m.score(new Float64Array(fx.trees.input), { dims: 3 });
    expect(Array.from(s)).toEqual(fx.trees.output);
    await m.dispose();
    await onnxWorker.terminate();
  });
});
