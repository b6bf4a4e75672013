/**
 * The built library (dist/kernels.js) in a real Chromium Web Worker: a
 * QuantileSketch and a SlidingWindow run inside the worker and must give the
 * same bits as in Node, and the numpy reference within the sketch's accuracy.
 */
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuantileSketch, SlidingWindow } from '../../src/kernels/index';
import fixture from '../fixtures/kernels.json';
import { decodeF64 } from '../helpers/fixtures';
import { routeSuite, watchPage } from './suite';

const root = join(import.meta.dirname, '..', '..');
const QS = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999];

// The listener is set before the library loads (its WASM instantiates with a
// top-level await): a message that arrived first would otherwise be lost.
const WORKER = `
const lib = import('/dist/kernels.js');
self.onmessage = async (e) => {
  try {
    const { QuantileSketch, SlidingWindow } = await lib;
    const values = e.data;
    const q = QuantileSketch.of(values, { exactLimit: 0 });
    const w = new SlidingWindow({ size: 100, quantiles: [0.5], slide: 50 });
    const o = w.push(values);
    const out = { qs: Array.from(q.quantiles(${JSON.stringify(QS)})), bytes: q.serialize(),
      mean: o.mean, variance: o.variance, min: o.min, max: o.max, p50: o.quantiles[0] };
    q.dispose(); w.dispose();
    // Rows live in reused memory: a kept result is detached by the next push.
    const w2 = new SlidingWindow({ size: 3, stats: ['max'] });
    const a = w2.push([1, 5, 2, 4]);
    const held = a.max;
    const heldBefore = Array.from(held);
    const b = w2.push([9, 0]);
    let code = null;
    try { a.max; } catch (err) { code = err.code; }
    out.reuse = { hasTransfer: typeof ArrayBuffer.prototype.transfer === 'function', heldBefore,
      heldAfter: held.length, code, next: Array.from(b.max) };
    w2.dispose();
    self.postMessage(out);
  } catch (err) { self.postMessage({ error: String(err && err.stack || err) }); }
};`;

// The library keeps comlink external; its bare specifier points at a served copy.
const suite = routeSuite((path) => {
  if (path === '/' || path === '/index.html')
    return { body: '<!doctype html><title>t</title>', type: 'text/html' };
  if (path === '/worker.js') return { body: WORKER };
  if (path === '/comlink.mjs') {
    return { body: readFileSync(join(root, 'node_modules/comlink/dist/esm/comlink.mjs')) };
  }
  const file = normalize(join(root, path));
  // the kernel module, beside the library code that fetches it
  if (path === '/dist/edgewise.wasm') return { body: readFileSync(file), type: 'application/wasm' };
  if (path.startsWith('/dist/') && file.startsWith(join(root, 'dist')) && file.endsWith('.js')) {
    return { body: readFileSync(file, 'utf8').replaceAll('from "comlink"', 'from "/comlink.mjs"') };
  }
  return undefined;
});

describe('streaming kernels in a Chromium Web Worker (built library)', () => {
  it('QuantileSketch and SlidingWindow give the same bits as Node', async () => {
    const c = fixture.quantile.find((x) => x.name === 'lognormal')!;
    const { page, problems: errors } = await watchPage(suite.browser);
    await page.goto(suite.url());
    const result = (await page.evaluate(async (b64: string) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const values = new Float64Array(bytes.buffer);
      const worker = new Worker('/worker.js', { type: 'module' });
      const r = await new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage(values);
      });
      worker.terminate();
      const plain = (v: unknown): unknown =>
        ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));
    }, c.data)) as Record<string, number[]> & { error?: string };
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    const x = decodeF64(c.data);
    const q = QuantileSketch.of(x, { exactLimit: 0 });
    expect(result.qs).toEqual(Array.from(q.quantiles(QS)));
    expect(result.bytes).toEqual(Array.from(q.serialize()));
    QS.forEach((p, i) => {
      const exact = c.lower[c.qs.indexOf(p)];
      expect(Math.abs(result.qs[i] - exact) / exact).toBeLessThanOrEqual(0.01);
    });
    const w = new SlidingWindow({ size: 100, quantiles: [0.5], slide: 50 });
    const o = w.push(x);
    expect(result.mean).toEqual(Array.from(o.mean!));
    expect(result.variance).toEqual(Array.from(o.variance!));
    expect(result.min).toEqual(Array.from(o.min!));
    expect(result.max).toEqual(Array.from(o.max!));
    expect(result.p50).toEqual(Array.from(o.quantiles![0]));
    expect(result.mean.length).toBe(x.length / 50);
    // The reuse rule on Chromium's ArrayBuffer.prototype.transfer path (Node 20 takes structuredClone).
    expect(result.reuse).toEqual({
      hasTransfer: true,
      heldBefore: [1, 5, 5, 5],
      heldAfter: 0,
      code: 'INVALID_STATE',
      next: [9, 9],
    });
    q.dispose();
    w.dispose();
    await page.close();
  });
});
