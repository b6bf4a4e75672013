import { describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import { EventBus } from '../src/events/bus';
import { MetricsRegistry } from '../src/metrics/registry';
import { exportIsolationForestOnnx } from '../src/ml/export-onnx';
import { compileFeatures, type FeatureSpec, specHash } from '../src/ml/features';
import { loadOnnx } from '../src/ml/onnx';
import { pipeline } from '../src/ml/pipeline';
import { ModelRegistry } from '../src/ml/registry';
import { trainInline } from '../src/ml/train';

const spec: FeatureSpec = {
  version: 1,
  features: [
    { kind: 'value', column: 'v' },
    { kind: 'rolling', column: 'v', window: 8, stats: ['mean', 'std'] },
  ],
};

function series(n: number, seed: number, shift = 0): Float64Array {
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10) + 0.2 * (r() - 0.5) + shift);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('pipeline: stream -> features -> registry model -> scores -> bus', () => {
  it('scores every row once, hot-swaps on promote and rollback without dropping a batch', async () => {
    const reg = await ModelRegistry.open({ storage: 'memory' });
    const train = series(1000, 1);
    const a = await trainInline(
      spec,
      { columns: { v: train } },
      { model: 'isolation-forest', params: { trees: 20, seed: 1 } },
    );
    const b = await trainInline(spec, { columns: { v: train } }, { model: 'robust-gaussian' });
    await reg.register('sensor', a.bytes);
    await reg.register('sensor', b.bytes);
    await reg.promote('sensor', 1);
    const bus = new EventBus();
    const metrics = new MetricsRegistry();
    const seen: { version: number; rows: Float64Array; scores: Float64Array }[] = [];
    const models: unknown[] = [];
    bus.on<{ version: number; rows: Float64Array; scores: Float64Array }>('ml.score', (e) => {
      seen.push(e);
    });
    bus.on('ml.model', (e) => {
      models.push(e);
    });
    const p = await pipeline({
      spec,
      model: { registry: reg, name: 'sensor' },
      bus,
      metrics,
      shadow: { version: 2, threshold: 1 },
    });
    expect(p.version).toBe(1);
    const data = series(2000, 2);
    const pending: Promise<{ version: number; scores: Float64Array; rows: Float64Array }>[] = [];
    for (let off = 0; off < 2000; off += 100) {
      pending.push(p.push({ columns: { v: data.subarray(off, off + 100) } }));
      if (off === 700) void reg.promote('sensor', 2);
      if (off === 1400) void reg.rollback('sensor');
      if (off % 300 === 0) await tick();
    }
    const results = await Promise.all(pending);
    await p.drain();
    await tick();
    // every row after the warm-up scored exactly once, in order
    const rows = results.flatMap((r) => Array.from(r.rows));
    expect(rows).toEqual(Array.from({ length: 2000 - 7 }, (_, i) => i + 7));
    const versions = results.map((r) => r.version);
    expect(versions[0]).toBe(1);
    expect(versions).toContain(2);
    expect(versions.at(-1)).toBe(1);
    // versions change only at batch boundaries and in order 1 -> 2 -> 1
    const runs = versions.filter((v, i) => i === 0 || v !== versions[i - 1]);
    expect(runs).toEqual([1, 2, 1]);
    // each batch's scores equal the model of its version on the same features
    const fm = compileFeatures(spec).transform({ columns: { v: data } });
    const byVersion = { 1: a.model, 2: b.model } as const;
    let at = 0;
    for (const r of results) {
      const x = fm.data.subarray(at * fm.dims, (at + r.scores.length) * fm.dims);
      expect(r.scores).toEqual(byVersion[r.version as 1 | 2].score(x, { dims: fm.dims }));
      at += r.scores.length;
    }
    expect(seen.length).toBe(20);
    expect(models).toMatchObject([
      { type: 'promote', version: 2, previous: 1 },
      { type: 'rollback', version: 1, previous: 2 },
    ]);
    const text = metrics.expositionSync();
    expect(text).toContain('ml_rows_scored_total 1993');
    expect(text).toContain('ml_inference_seconds_count 20');
    expect(text).toContain('ml_model_swaps_total 2');
    // shadow: candidate v2 scored the same rows while v1 was production
    const sh = await reg.shadowReport('sensor', 2);
    expect(sh?.n).toBe(1993);
    await p.close();
  });

  it('a registry model stored as ONNX (exported forest) runs through onnxruntime-web with the WASM scores', async () => {
    const reg = await ModelRegistry.open({ storage: 'memory' });
    const train = series(1000, 8);
    const fm = compileFeatures(spec).transform({ columns: { v: train } });
    const forest = new IsolationForest({ trees: 30, seed: 4 }).fit(fm.data, { dims: fm.dims });
    await reg.register('onnx', exportIsolationForestOnnx(forest), {
      format: 'onnx',
      specHash: await specHash(spec),
    });
    await reg.promote('onnx', 1);
    // Without a loader the ONNX model is refused with a typed error that says what to pass.
    await expect(pipeline({ spec, model: { registry: reg, name: 'onnx' } })).rejects.toMatchObject({
      code: 'MISSING_DEPENDENCY',
      message: expect.stringMatching(/loadOnnx.*edgewise\/onnx/),
    });
    const p = await pipeline({ spec, model: { registry: reg, name: 'onnx' }, loadOnnx });
    const data = series(600, 9);
    const r = await p.push({ columns: { v: data } });
    const want = forest.score(compileFeatures(spec).transform({ columns: { v: data } }).data, {
      dims: fm.dims,
    });
    expect(r.scores.length).toBe(want.length);
    for (let i = 0; i < want.length; i++)
      expect(Math.abs(r.scores[i] - want[i])).toBeLessThan(1e-6);
    await p.close();
    // a model registered without the pipeline's spec hash is refused
    await reg.register('nohash', exportIsolationForestOnnx(forest), { format: 'onnx' });
    await reg.promote('nohash', 1);
    await expect(
      pipeline({ spec, model: { registry: reg, name: 'nohash' }, loadOnnx }),
    ).rejects.toThrow(/feature spec/);
    forest.dispose();
  });

  it('emits ml.drift on a distribution shift (PSI / KS) and on the score stream (ADWIN); ml.error on a bad batch', async () => {
    const train = series(2000, 3);
    const m = await trainInline(spec, { columns: { v: train } }, { model: 'robust-gaussian' });
    const ref = compileFeatures(spec).transform({ columns: { v: train } });
    const bus = new EventBus();
    const drift: { kind: string }[] = [];
    const errs: unknown[] = [];
    bus.on<{ kind: string }>('ml.drift', (e) => {
      drift.push(e);
    });
    bus.on('ml.error', (e) => {
      errs.push(e);
    });
    const p = await pipeline({
      spec,
      model: m.model,
      bus,
      monitor: {
        reference: { rows: ref.data, scores: m.model.score(ref.data, { dims: ref.dims }) },
        checkEvery: 500,
      },
    });
    await p.push({ columns: { v: series(1000, 4) } });
    await tick();
    expect(drift).toEqual([]);
    expect(p.lastDrift?.drifted).toBe(false);
    await p.push({ columns: { v: series(1500, 5, 2) } });
    await tick();
    expect(drift.map((d) => d.kind)).toContain('distribution');
    expect(drift.map((d) => d.kind)).toContain('score-stream');
    expect(p.lastDrift?.features[0].drifted).toBe(true);
    await expect(p.push({ columns: { w: [1] } })).rejects.toThrow(/'v' is missing/);
    await tick();
    expect(errs).toHaveLength(1);
    await p.close();
  });
});
