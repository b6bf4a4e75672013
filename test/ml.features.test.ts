import { describe, expect, it } from 'vitest';
import { EdgewiseError } from '../src/errors';
import { fft, fftMagnitudes } from '../src/kernels/fft';
import { compileFeatures, type FeatureSpec, specHash } from '../src/ml/features';
import { lcg as rng } from './helpers/random';

function naiveDft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++)
    for (let t = 0; t < n; t++) {
      re[k] += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
      im[k] += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
    }
  return { re, im };
}

const spec: FeatureSpec = {
  version: 1,
  features: [
    { kind: 'value', column: 'a' },
    { kind: 'lag', column: 'a', lags: [1, 3] },
    { kind: 'diff', column: 'b', lag: 2 },
    { kind: 'ratio', numerator: 'a', denominator: 'b' },
    { kind: 'rolling', column: 'a', window: 5, stats: ['mean', 'std', 'min', 'max', 'sum'] },
    { kind: 'time', encodings: ['hourOfDay', 'dayOfWeek'] },
    { kind: 'spectral', column: 'b', window: 8, bins: 3 },
    { kind: 'shingle', column: 'b', size: 3 },
  ],
};

function table(n: number, seed: number) {
  const r = rng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = r() * 10 - 5;
    b[i] = Math.sin(i / 3) + r();
    ts[i] = Date.UTC(2026, 10, 26) + i * 37 * 60_000;
  }
  b[10] = 0; // ratio fill
  return { columns: { a, b }, ts };
}

describe('FFT kernel (WASM)', () => {
  it('matches a naive DFT for n = 2..256', () => {
    const r = rng(1);
    for (let n = 2; n <= 256; n *= 2) {
      const x = Float64Array.from({ length: n }, () => r() - 0.5);
      const got = fft(x);
      const ref = naiveDft(x);
      for (let k = 0; k < n; k++) {
        expect(got.re[k]).toBeCloseTo(ref.re[k], 9);
        expect(got.im[k]).toBeCloseTo(ref.im[k], 9);
      }
    }
  });
  it('batched magnitudes equal per-window FFTs; bad sizes rejected', () => {
    const r = rng(2);
    const w = Float64Array.from({ length: 16 * 700 }, () => r());
    const m = fftMagnitudes(w, { n: 16, bins: 9 });
    for (const row of [0, 511, 699]) {
      const f = fft(w.slice(row * 16, row * 16 + 16));
      for (let k = 0; k < 9; k++)
        expect(m[row * 9 + k]).toBeCloseTo(Math.hypot(f.re[k], f.im[k]) / 16, 12);
    }
    expect(() => fft(new Float64Array(12))).toThrow(EdgewiseError);
    expect(() => fftMagnitudes(new Float64Array(17), { n: 16, bins: 2 })).toThrow(/multiple/);
    expect(() => fftMagnitudes(w, { n: 16, bins: 10 })).toThrow(/bins/);
  });
});

describe('FeatureSpec extractor', () => {
  const ex = compileFeatures(spec);
  const t = table(200, 3);
  const out = ex.transform(t);

  it('columns, dims and warm-up', () => {
    expect(ex.dims).toBe(1 + 2 + 1 + 1 + 5 + 4 + 3 + 3);
    expect(out.columns.slice(0, 4)).toEqual(['a', 'a_lag1', 'a_lag3', 'b_diff2']);
    expect(ex.span).toBe(8);
    expect(out.n).toBe(200 - 7);
    expect(out.rows[0]).toBe(7);
  });

  it('every feature equals its direct formula', () => {
    const { a, b } = t.columns;
    const d = ex.dims;
    for (let i = 0; i < out.n; i++) {
      const g = out.rows[i];
      const row = out.data.subarray(i * d, (i + 1) * d);
      expect(row[0]).toBe(a[g]);
      expect(row[1]).toBe(a[g - 1]);
      expect(row[2]).toBe(a[g - 3]);
      expect(row[3]).toBe(b[g] - b[g - 2]);
      expect(row[4]).toBe(b[g] === 0 ? 0 : a[g] / b[g]);
      const win = Array.from(a.subarray(g - 4, g + 1));
      const mean = win.reduce((s, v) => s + v, 0) / 5;
      expect(row[5]).toBeCloseTo(mean, 12);
      expect(row[6]).toBeCloseTo(Math.sqrt(win.reduce((s, v) => s + (v - mean) ** 2, 0) / 4), 12);
      expect(row[7]).toBe(Math.min(...win));
      expect(row[8]).toBe(Math.max(...win));
      const date = new Date(t.ts[g]);
      const hour = (date.getUTCHours() + date.getUTCMinutes() / 60) / 24;
      expect(row[10]).toBeCloseTo(Math.sin(2 * Math.PI * hour), 9);
      expect(row[11]).toBeCloseTo(Math.cos(2 * Math.PI * hour), 9);
      expect(row[12]).toBeCloseTo(Math.sin((2 * Math.PI * date.getUTCDay()) / 7), 12);
      const bw = b.slice(g - 7, g + 1);
      const bm = bw.reduce((s, v) => s + v, 0) / 8;
      const dft = naiveDft(bw.map((v) => v - bm));
      for (let k = 1; k <= 3; k++)
        expect(row[13 + k]).toBeCloseTo(Math.hypot(dft.re[k], dft.im[k]) / 8, 10);
      expect(Array.from(row.subarray(17, 20))).toEqual([b[g - 2], b[g - 1], b[g]]);
    }
  });

  it('streaming in random batches gives exactly the table rows', () => {
    const r = rng(9);
    const s = ex.stream();
    const parts: Float64Array[] = [];
    let off = 0;
    while (off < 200) {
      const len = Math.min(200 - off, Math.floor(r() * 9));
      const m = s.push({
        columns: { a: t.columns.a.slice(off, off + len), b: t.columns.b.slice(off, off + len) },
        ts: t.ts.slice(off, off + len),
      });
      parts.push(m.data);
      off += len;
    }
    const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    expect(all).toEqual(out.data);
  });

  it('rolling over a span with a non-finite value: NaN in exactly the windows that hold it', () => {
    const e = compileFeatures({
      version: 1,
      features: [{ kind: 'rolling', column: 'a', window: 3, stats: ['mean', 'max'] }],
    });
    const a = Float64Array.from({ length: 12 }, (_, i) => i);
    a[6] = Number.NaN;
    const m = e.transform({ columns: { a } });
    expect(m.n).toBe(10);
    for (let i = 0; i < m.n; i++) {
      const g = m.rows[i];
      if (g >= 6 && g <= 8) expect(m.data[2 * i]).toBeNaN();
      else expect(m.data[2 * i]).toBeCloseTo(g - 1, 12);
    }
  });

  it('spec hash is stable under key order and changes with the spec', async () => {
    const h = await specHash(spec);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reordered: FeatureSpec = {
      features: [{ column: 'a', kind: 'value' } as const, ...spec.features.slice(1)],
      version: 1,
    };
    expect(await specHash(reordered)).toBe(h);
    const changed: FeatureSpec = {
      version: 1,
      features: [...spec.features.slice(0, -1), { kind: 'shingle', column: 'b', size: 4 }],
    };
    expect(await specHash(changed)).not.toBe(h);
  });

  it('rejects bad specs and batches with clear errors, state unchanged', () => {
    expect(() => compileFeatures({ version: 1, features: [] })).toThrow(/empty/);
    expect(() =>
      compileFeatures({ version: 1, features: [{ kind: 'lag', column: 'a', lags: [0] }] }),
    ).toThrow(/lags/);
    expect(() =>
      compileFeatures({
        version: 1,
        features: [{ kind: 'spectral', column: 'a', window: 12, bins: 2 }],
      }),
    ).toThrow(/power of two/);
    expect(() => compileFeatures({ version: 1, features: [{ kind: 'nope' } as never] })).toThrow(
      /unknown/,
    );
    const s = ex.stream();
    expect(() => s.push({ columns: { a: [1, 2] }, ts: [1, 2] })).toThrow(/'b' is missing/);
    expect(() => s.push({ columns: { a: [1, 2], b: [1] }, ts: [1, 2] })).toThrow(/rows/);
    expect(s.seen).toBe(0);
  });
});
