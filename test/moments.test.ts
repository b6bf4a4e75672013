import { describe, expect, it } from 'vitest';
import { EdgewiseError, Moments, SlidingWindow } from '../src/kernels/index';
import { heapF64 } from '../src/kernels/runtime';
import fixture from './fixtures/moments.json';
import { expectCode } from './helpers/errors';
import { decodeF64, type MomentsCase, relErr } from './helpers/fixtures';
import { fsum, normals } from './helpers/fsum';
import { expectMomentsCase } from './helpers/moments-case';

const cases = fixture.cases as MomentsCase[];

function expectCase(m: Moments, c: MomentsCase): void {
  if (!expectMomentsCase(m, c)) {
    expect(m.mean).toBeNaN();
    expect(m.variance).toBeNaN();
    return;
  }
  if (c.sampleVariance != null) {
    expect(relErr(m.sampleVariance, c.sampleVariance)).toBeLessThanOrEqual(1e-12);
  }
  if (c.skewness === undefined) {
    expect(m.skewness).toBeNaN();
    expect(m.kurtosis).toBeNaN();
  }
  // The fsum references agree with scipy itself wherever scipy is well conditioned.
  if (c.wellConditioned) {
    expect(Math.abs(c.skewness! - c.scipySkewness!)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(c.skewness!)),
    );
    expect(Math.abs(c.kurtosis! - c.scipyKurtosis!)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(c.kurtosis!)),
    );
  }
}

describe('Moments against numpy/scipy fixtures', () => {
  for (const c of cases) {
    it(c.name, () => {
      const x = decodeF64(c.data);
      const m = Moments.of(x);
      expectCase(m, c);
      // Plain arrays, and one value at a time, give the same state.
      const a = Moments.of(Array.from(x));
      expect(a.serialize()).toEqual(m.serialize());
      if (x.length <= 1000) {
        const one = new Moments();
        for (const v of x) one.push(v);
        expectCase(one, c);
        one.dispose();
      }
      m.dispose();
      a.dispose();
    });
  }
});

describe('Moments numerical stability', () => {
  it('10 million lognormal values around 1e9: mean and variance within 1e-12 of an exact two-pass reference', () => {
    const n = 10_000_000;
    const z = normals(n, 7);
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = 1e9 + Math.exp(0.5 * z[i]);
    const mean = fsum(x) / n;
    const dev = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = x[i] - mean;
      dev[i] = d * d;
    }
    const variance = fsum(dev) / n;
    const m = Moments.of(x);
    expect(m.count).toBe(n);
    expect(relErr(m.mean, mean)).toBeLessThanOrEqual(1e-12);
    expect(relErr(m.variance, variance)).toBeLessThanOrEqual(1e-12);
    // Naive sum-of-squares would lose everything here; show we are far from that.
    expect(relErr(m.variance, variance)).toBeLessThan(1e-13);
    m.dispose();
  });

  it('a series drifting far from its first value keeps the variance exact', () => {
    const n = 200_000;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = i * 1e3 + (i % 7);
    const mean = fsum(x) / n;
    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) sq[i] = (x[i] - mean) ** 2;
    const m = Moments.of(x);
    expect(relErr(m.mean, mean)).toBeLessThanOrEqual(1e-12);
    expect(relErr(m.variance, fsum(sq) / n)).toBeLessThanOrEqual(1e-12);
    m.dispose();
  });
});

describe('Moments non-finite values and bad input', () => {
  it('counts NaN and ±Infinity in rejected and skips them', () => {
    const m = Moments.of([Number.NaN, 1, Number.POSITIVE_INFINITY, 3, Number.NEGATIVE_INFINITY]);
    expect(m.count).toBe(2);
    expect(m.rejected).toBe(3);
    expect(m.mean).toBe(2);
    expect(m.min).toBe(1);
    expect(m.max).toBe(3);
    const big = new Float64Array(50_000).fill(1.5);
    big[12_345] = Number.NaN;
    big[40_000] = Number.POSITIVE_INFINITY;
    m.push(big);
    expect(m.rejected).toBe(5);
    expect(m.count).toBe(2 + 49_998);
    expect(Number.isFinite(m.variance)).toBe(true);
  });

  it('rejects non-numeric input with a typed error and leaves the state unchanged', () => {
    const m = Moments.of([1, 2, 3]);
    const before = m.serialize();
    const bad: unknown[] = ['1', { a: 1 }, null, undefined, [1, '2', 3], new BigInt64Array(2)];
    for (const b of bad) {
      expectCode(() => m.push(b as never), 'INVALID_ARGUMENT', /Float64Array|numbers/);
    }
    // Even a long array with one bad element at the very end changes nothing.
    const long: unknown[] = Array.from({ length: 20_000 }, (_, i) => i);
    long.push('oops');
    expect(() => m.push(long as number[])).toThrow(/element 20000/);
    expect(m.serialize()).toEqual(before);
    expect(() => m.merge({} as Moments)).toThrow(EdgewiseError);
  });

  it('a disposed object throws DISPOSED, dispose is idempotent', () => {
    const m = Moments.of([1, 2]);
    m.dispose();
    m.dispose();
    expect(m.disposed).toBe(true);
    expect(() => m.mean).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    expect(() => m.push([1])).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('empty and tiny states report NaN where undefined', () => {
    const m = new Moments();
    expect(m.count).toBe(0);
    expect(m.sum).toBe(0);
    expect(m.mean).toBeNaN();
    expect(m.min).toBeNaN();
    m.push([]);
    m.push(new Float64Array(0));
    expect(m.count).toBe(0);
    m.push(5);
    expect(m.variance).toBe(0);
    expect(m.sampleVariance).toBeNaN();
    expect(m.skewness).toBeNaN();
  });
});

describe('Moments merge, reset, clone, serialize', () => {
  it('merging parts equals one pass over the whole', () => {
    const x = normals(100_003, 11).map((v) => 50 + 3 * v);
    const whole = Moments.of(x);
    const a = Moments.of(x.subarray(0, 33_333));
    const b = Moments.of(x.subarray(33_333, 70_000));
    const c = Moments.of(x.subarray(70_000));
    a.merge(b).merge(c);
    expect(a.count).toBe(whole.count);
    expect(relErr(a.mean, whole.mean)).toBeLessThan(1e-14);
    expect(relErr(a.variance, whole.variance)).toBeLessThan(1e-12);
    expect(relErr(a.skewness, whole.skewness)).toBeLessThan(1e-9);
    expect(relErr(a.kurtosis, whole.kurtosis)).toBeLessThan(1e-9);
    expect(a.min).toBe(whole.min);
    expect(a.max).toBe(whole.max);
    // merging into an empty one copies; merging an empty one changes nothing
    const e = new Moments().merge(whole);
    expect(e.serialize()).toEqual(whole.serialize());
    whole.merge(new Moments());
    expect(e.serialize()).toEqual(whole.serialize());
  });

  it('clone is independent; reset forgets', () => {
    const m = Moments.of([1, 2, 3]);
    const c = m.clone();
    m.push([100]);
    expect(c.count).toBe(3);
    m.reset();
    expect(m.count).toBe(0);
    expect(m.rejected).toBe(0);
  });

  it('serialize / deserialize round-trips and refuses damaged bytes', () => {
    const m = Moments.of(normals(1000, 3));
    m.push([Number.NaN]);
    const bytes = m.serialize();
    const r = Moments.deserialize(bytes);
    expect(r.summary()).toEqual(m.summary());
    expect(Moments.deserialize(bytes.slice().buffer).count).toBe(1000);
    const badMagic = bytes.slice();
    badMagic[0] ^= 0xff;
    expect(() => Moments.deserialize(badMagic)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_STATE' }),
    );
    const badVersion = bytes.slice();
    badVersion[4] = 99;
    expect(() => Moments.deserialize(badVersion)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_VERSION' }),
    );
    expect(() => Moments.deserialize(bytes.slice(0, 40))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_STATE' }),
    );
    const negCount = bytes.slice();
    new DataView(negCount.buffer).setFloat64(8, -5, true);
    expect(() => Moments.deserialize(negCount)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_STATE' }),
    );
    expect(() => Moments.deserialize('x' as never)).toThrow(EdgewiseError);
  });
});

describe('kernel runtime memory', () => {
  it('keeps working after WebAssembly memory grows (views are re-created)', () => {
    const before = heapF64().buffer.byteLength;
    const keep = Moments.of([1, 2, 3, 4]);
    const many: Moments[] = [];
    // Each Moments is a small block; allocate until memory has grown.
    while (heapF64().buffer.byteLength === before && many.length < 200_000)
      many.push(new Moments());
    expect(heapF64().buffer.byteLength).toBeGreaterThan(before);
    keep.push(new Float64Array([5]));
    expect(keep.mean).toBe(3);
    for (const m of many) m.dispose();
  });
});

describe('input already in WebAssembly memory', () => {
  it('a view of kernel memory (SlidingWindow.pushEach rows) is read in place, with the same result as a copy', () => {
    const x = normals(50_000, 3).map((v) => 1e6 + v);
    const w = new SlidingWindow({ size: 64, stats: ['mean', 'max'] });
    const inPlace = new Moments();
    const copied = new Moments();
    let views = 0;
    w.pushEach(x, (rows) => {
      const col = rows.mean!;
      if (col.buffer === heapF64().buffer) views++;
      inPlace.push(col);
      copied.push(col.slice());
    });
    expect(views).toBeGreaterThan(0);
    expect(inPlace.count).toBe(50_000);
    expect(inPlace.serialize()).toEqual(copied.serialize());
    for (const o of [w, inPlace, copied]) o.dispose();
  });
});
