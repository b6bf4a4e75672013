import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram } from '../src/kernels/index';
import fixture from './fixtures/kernels.json';
import { expectCode } from './helpers/errors';
import { decodeF64 } from './helpers/fixtures';
import { permute, sample } from './helpers/random';

/** Expected exponential buckets at `scale`, from the (fixture-checked) index mapping. */
function expectedBuckets(x: ArrayLike<number>, scale: number, sign: 1 | -1): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v) || v === 0 || Math.sign(v) !== sign) continue;
    const idx = Histogram.exponentialIndex(v, scale);
    m.set(idx, (m.get(idx) ?? 0) + 1);
  }
  return m;
}

function asMap(b: { offset: number; bucketCounts: Float64Array }): Map<number, number> {
  const m = new Map<number, number>();
  b.bucketCounts.forEach((c, j) => {
    if (c !== 0) m.set(b.offset + j, c);
  });
  return m;
}

function range(m: Map<number, number>): number {
  if (m.size === 0) return 0;
  const keys = [...m.keys()];
  return Math.max(...keys) - Math.min(...keys) + 1;
}

describe('Histogram (explicit, Prometheus le buckets)', () => {
  const c = fixture.histogram.explicit;
  it('cumulative le counts match numpy, values equal to a bound fall in that bucket', () => {
    const x = decodeF64(c.data);
    const h = new Histogram({ bounds: c.bounds });
    h.push(x);
    expect(h.kind).toBe('explicit');
    expect(Array.from(h.cumulativeCounts())).toEqual(c.cumulative);
    expect(h.count).toBe(x.length);
    expect(Math.abs(h.sum - c.sum)).toBeLessThan(1e-9 * Math.abs(c.sum));
    // Split pushes and merges give the same counts.
    const a = new Histogram({ bounds: c.bounds }).push(x.subarray(0, 1000));
    const b = new Histogram({ bounds: c.bounds }).push(Array.from(x.subarray(1000)));
    b.merge(a);
    expect(Array.from(b.bucketCounts)).toEqual(Array.from(h.bucketCounts));
    const r = Histogram.deserialize(h.serialize());
    expect(r.serialize()).toEqual(h.serialize());
    expect(Array.from(r.cumulativeCounts())).toEqual(c.cumulative);
    for (const o of [h, a, b, r]) o.dispose();
  });

  it('handles no bounds, many bounds, NaN and Infinity', () => {
    const h = new Histogram({ bounds: [] }).push([1, 2, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(Array.from(h.cumulativeCounts())).toEqual([2]);
    expect(h.rejected).toBe(2);
    const bounds = Array.from({ length: 1000 }, (_, i) => i);
    const g = new Histogram({ bounds });
    const x = sample('uniform', 10000, 3);
    g.push(x);
    const cum = g.cumulativeCounts();
    for (const i of [0, 1, 17, 500, 999]) {
      expect(cum[i]).toBe(x.filter((v) => v <= bounds[i]).length);
    }
    expect(cum[1000]).toBe(10000);
    h.dispose();
    g.dispose();
  });
});

describe('Histogram (exponential, OpenTelemetry)', () => {
  const c = fixture.histogram.exponential;
  it('index mapping matches exact rational arithmetic at several scales', () => {
    const vals = decodeF64(c.values);
    for (const [scale, idx] of Object.entries(c.indexes)) {
      vals.forEach((v, i) => {
        expect(Histogram.exponentialIndex(v, Number(scale)), `v=${v} scale=${scale}`).toBe(idx[i]);
      });
    }
  });

  it('rescales to the largest scale that fits in maxBuckets and counts every value in its bucket', () => {
    const x = sample('mixed', 200_000, 5);
    x[5] = 0;
    const h = new Histogram({ kind: 'exponential' });
    h.push(x);
    const s = h.scale;
    expect(s).toBeLessThan(20);
    const pos = expectedBuckets(x, s, 1);
    const neg = expectedBuckets(x, s, -1);
    expect(asMap(h.positive)).toEqual(pos);
    expect(asMap(h.negative)).toEqual(neg);
    expect(h.zeroCount).toBe(1);
    expect(Math.max(range(pos), range(neg))).toBeLessThanOrEqual(160);
    // One scale finer would not fit.
    expect(
      Math.max(range(expectedBuckets(x, s + 1, 1)), range(expectedBuckets(x, s + 1, -1))),
    ).toBeGreaterThan(160);
    const p = h.toExponentialPoint();
    expect(p.count).toBe(x.length);
    expect(p.zeroThreshold).toBe(0);
    h.dispose();
  });

  it('narrow data stays at maxScale', () => {
    const h = new Histogram({ kind: 'exponential', maxScale: 5 }).push([1.5, 1.51, 1.52]);
    expect(h.scale).toBe(5);
    expect(asMap(h.positive)).toEqual(expectedBuckets([1.5, 1.51, 1.52], 5, 1));
    h.dispose();
  });

  const value = fc.oneof(
    fc.double({ min: -1e8, max: 1e8, noNaN: true }),
    fc.constantFrom(0, 1, 2, 0.5, 1e-300, -1e300, Number.NaN),
  );
  it('merging parts in any order gives the histogram of the whole stream (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { maxLength: 100 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 2, max: 40 }),
        fc.func(fc.integer()),
        (parts, maxBuckets, order) => {
          const opts = { kind: 'exponential' as const, maxBuckets };
          const whole = new Histogram(opts).push(parts.flat());
          const hs = parts.map((p) => new Histogram(opts).push(p));
          const perm = permute(hs, order);
          const merged = new Histogram(opts);
          for (const s of perm) merged.merge(s);
          expect(merged.scale).toBe(whole.scale);
          expect(merged.count).toBe(whole.count);
          expect(merged.rejected).toBe(whole.rejected);
          expect(merged.zeroCount).toBe(whole.zeroCount);
          expect(asMap(merged.positive)).toEqual(asMap(whole.positive));
          expect(asMap(merged.negative)).toEqual(asMap(whole.negative));
          for (const s of [whole, merged, ...hs]) s.dispose();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('serializes, clones and rejects misuse', () => {
    const h = new Histogram({ kind: 'exponential', maxBuckets: 20 }).push(sample('mixed', 1000, 1));
    const bytes = h.serialize();
    const r = Histogram.deserialize(bytes);
    expect(r.serialize()).toEqual(bytes);
    const c = h.clone();
    expect(c.serialize()).toEqual(bytes);
    expectCode(() => new Histogram({ bounds: [1, 1] }), 'INVALID_ARGUMENT');
    expectCode(() => new Histogram({ bounds: [1, Number.NaN] }), 'INVALID_ARGUMENT');
    expectCode(() => new Histogram({ kind: 'exponential', maxScale: 21 }), 'INVALID_ARGUMENT');
    expectCode(() => new Histogram({ kind: 'exponential', maxBuckets: 1 }), 'INVALID_ARGUMENT');
    expectCode(() => h.merge(new Histogram({ bounds: [1] })), 'INVALID_ARGUMENT');
    expectCode(
      () => new Histogram({ bounds: [1] }).merge(new Histogram({ bounds: [2] })),
      'INVALID_ARGUMENT',
    );
    expectCode(() => h.cumulativeCounts(), 'INVALID_STATE');
    expectCode(() => h.push([1, {} as number]), 'INVALID_ARGUMENT');
    expect(h.serialize()).toEqual(bytes);
    expectCode(() => Histogram.deserialize(bytes.subarray(0, bytes.length - 8)), 'CORRUPT_STATE');
    const bad = bytes.slice();
    new DataView(bad.buffer).setFloat64(8, 5, true);
    expectCode(() => Histogram.deserialize(bad), 'CORRUPT_STATE');
    h.merge(h);
    expect(h.count).toBe(2000);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.scale).toBe(20);
    for (const o of [h, r, c]) o.dispose();
  });
});
