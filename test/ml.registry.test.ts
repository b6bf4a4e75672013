import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { compileFeatures, type FeatureSpec } from '../src/ml/features';
import { sha256Hex } from '../src/ml/hash';
import { ModelRegistry } from '../src/ml/registry';
import { trainInline } from '../src/ml/train';
import type { IndexedDbModelStore } from '../src/storage/models';

const spec: FeatureSpec = {
  version: 1,
  features: [
    { kind: 'value', column: 'x' },
    { kind: 'diff', column: 'x' },
  ],
};
const x = Float64Array.from({ length: 400 }, (_, i) => Math.sin(i / 5) + (i % 97 === 0 ? 5 : 0));

let cached: Awaited<ReturnType<typeof train3>> | undefined;
async function models() {
  cached ??= await train3();
  return cached;
}
async function train3() {
  const a = await trainInline(spec, { columns: { x } }, { model: 'robust-gaussian' });
  const b = await trainInline(
    spec,
    { columns: { x } },
    { model: 'isolation-forest', params: { trees: 20, seed: 1 } },
  );
  const c = await trainInline(
    spec,
    { columns: { x } },
    { model: 'isolation-forest', params: { trees: 20, seed: 2 } },
  );
  return [a, b, c];
}

describe('ModelRegistry (IndexedDB via fake-indexeddb, and memory)', () => {
  for (const storage of ['indexeddb', 'memory'] as const) {
    it(`${storage}: register, list, promote, rollback, delete, hashes`, async () => {
      const factory = new IDBFactory();
      const reg = await ModelRegistry.open({ storage, factory });
      const [a, b, c] = await models();
      const r1 = await reg.register('cpu', a.bytes, { metrics: { auc: 0.5 } });
      const r2 = await reg.register('cpu', b.bytes);
      const r3 = await reg.register('cpu', c.bytes);
      expect([r1.version, r2.version, r3.version]).toEqual([1, 2, 3]);
      expect(r1.sha256).toBe(await sha256Hex(a.bytes));
      expect(r1.specHash).toBe(a.specHash);
      expect(r1.size).toBe(a.bytes.length);
      expect(r1.stage).toBe('candidate');
      expect(r1.metrics).toEqual({ auc: 0.5 });
      await expect(reg.get('cpu')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const events: string[] = [];
      reg.on((e) => events.push(`${e.type}:${e.version}`));
      await reg.promote('cpu', 1);
      await reg.promote('cpu', 2);
      await reg.promote('cpu', 3);
      expect((await reg.list('cpu')).map((r) => r.stage)).toEqual([
        'archived',
        'archived',
        'production',
      ]);
      const { model, record } = await reg.loadModel('cpu');
      expect(record.version).toBe(3);
      const fm = compileFeatures(spec).transform({ columns: { x } });
      expect(model.score(fm.data, { dims: fm.dims })).toEqual(
        c.model.score(fm.data, { dims: fm.dims }),
      );
      expect((await reg.rollback('cpu')).version).toBe(2);
      expect((await reg.rollback('cpu')).version).toBe(1);
      await expect(reg.rollback('cpu')).rejects.toThrow(/nothing to roll back/);
      expect(events).toEqual(['promote:1', 'promote:2', 'promote:3', 'rollback:2', 'rollback:1']);
      await expect(reg.delete('cpu', 1)).rejects.toThrow(/in production/);
      await reg.delete('cpu', 3);
      expect((await reg.list('cpu')).map((r) => r.version)).toEqual([1, 2]);
      expect((await reg.register('cpu', a.bytes)).version).toBe(3);
      await expect(reg.register('bad name!', a.bytes)).rejects.toMatchObject({
        code: 'INVALID_NAME',
      });
      await expect(reg.register('cpu', new Uint8Array(12))).rejects.toThrow(/bad magic/);
      reg.close();
    });
  }

  it('persists across re-open; tampered bytes are refused', async () => {
    const factory = new IDBFactory();
    const reg = await ModelRegistry.open({ factory, name: 'm1' });
    const [a] = await models();
    await reg.register('temp', a.bytes);
    await reg.promote('temp', 1);
    reg.close();
    const again = await ModelRegistry.open({ factory, name: 'm1' });
    expect((await again.get('temp')).stage).toBe('production');
    expect((await again.load('temp')).bytes).toEqual(a.bytes);
    // flip one byte behind the registry's back
    const store = again.backend as IndexedDbModelStore;
    const bytes = (await store.blob('temp', 1)) as Uint8Array;
    bytes[bytes.length - 1] ^= 0xff;
    await store.write({ blobs: [{ name: 'temp', version: 1, bytes }] });
    await expect(again.load('temp')).rejects.toMatchObject({ code: 'CORRUPT_STATE' });
    await expect(again.loadModel('temp')).rejects.toThrow(/integrity check/);
    again.close();
  });

  it('export / import as one file, tampering detected, conflicts refused', async () => {
    const src = await ModelRegistry.open({ storage: 'memory' });
    const [a, b] = await models();
    await src.register('m', a.bytes);
    await src.register('m', b.bytes, { metrics: { auc: 0.9 } });
    await src.promote('m', 2);
    const file = await src.export();
    const dst = await ModelRegistry.open({ storage: 'memory' });
    const imported = await dst.import(file);
    expect(imported.map((r) => [r.version, r.stage])).toEqual([
      [1, 'candidate'],
      [2, 'production'],
    ]);
    expect((await dst.load('m')).bytes).toEqual(b.bytes);
    await expect(dst.import(file)).rejects.toMatchObject({ code: 'ALREADY_REGISTERED' });
    const doc = JSON.parse(new TextDecoder().decode(file));
    doc.models[0].bytes = btoa('tampered');
    await expect(
      (await ModelRegistry.open({ storage: 'memory' })).import(
        new TextEncoder().encode(JSON.stringify(doc)),
      ),
    ).rejects.toThrow(/altered/);
    await expect(dst.import(new Uint8Array([1, 2]))).rejects.toMatchObject({
      code: 'CORRUPT_STATE',
    });
  });

  it('shadow mode accumulates the comparison of candidate and production scores', async () => {
    const reg = await ModelRegistry.open({ storage: 'memory' });
    const [, b, c] = await models();
    await reg.register('s', b.bytes);
    await reg.register('s', c.bytes);
    await reg.promote('s', 1);
    const fm = compileFeatures(spec).transform({ columns: { x } });
    const p = b.model.score(fm.data, { dims: fm.dims });
    const q = c.model.score(fm.data, { dims: fm.dims });
    await reg.recordShadow('s', 2, p.subarray(0, 100), q.subarray(0, 100), {
      productionVersion: 1,
    });
    const rep = await reg.recordShadow('s', 2, p.subarray(100), q.subarray(100));
    let mad = 0;
    let agree = 0;
    for (let i = 0; i < p.length; i++) {
      mad += Math.abs(p[i] - q[i]);
      if (p[i] > 0.5 === q[i] > 0.5) agree++;
    }
    expect(rep.n).toBe(p.length);
    expect(rep.meanAbsDiff).toBeCloseTo(mad / p.length, 12);
    expect(rep.agreement).toBeCloseTo(agree / p.length, 12);
    expect(rep.correlation).toBeGreaterThan(0.5);
    expect(rep.productionVersion).toBe(1);
    expect(await reg.shadowReport('s', 2)).toEqual(rep);
    await expect(reg.recordShadow('s', 2, p, q.subarray(1))).rejects.toThrow(/equal length/);
  });
});
