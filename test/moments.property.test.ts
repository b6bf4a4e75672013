import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Moments } from '../src/kernels/index';

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  },
  { weight: 1, arbitrary: fc.double({ min: 1e9 - 10, max: 1e9 + 10, noNaN: true }) },
);
const batch = fc.array(value, { maxLength: 300 });

function close(a: number, b: number, rel: number, abs: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));
}

function sameMoments(a: Moments, b: Moments): void {
  expect(a.count).toBe(b.count);
  expect(a.rejected).toBe(b.rejected);
  // -0 and +0 are the same minimum (which one is kept depends on the order).
  const same = (x: number, y: number): boolean => x === y || (Number.isNaN(x) && Number.isNaN(y));
  expect(same(a.min, b.min)).toBe(true);
  expect(same(a.max, b.max)).toBe(true);
  // Rounding of a mean is bounded relative to the magnitude of the data, not to
  // the mean itself (values of ±1e6 can average to -90).
  const scale = Math.max(1, Math.abs(b.min), Math.abs(b.max));
  expect(close(a.mean, b.mean, 1e-12, 1e-13 * scale)).toBe(true);
  // Variance scale: absolute tolerance relative to the data's spread and offset.
  // Below ~1e-290 the squares are subnormal (or 0), where float64 itself has
  // no relative precision left: the floor is IEEE 754's, not the kernel's.
  const spread = (b.max - b.min) ** 2 || 1;
  expect(close(a.variance, b.variance, 1e-9, Math.max(1e-12 * spread, 1e-290))).toBe(true);
}

describe('Moments properties (fast-check)', () => {
  it('merge is associative and equals one pass over the concatenation', () => {
    fc.assert(
      fc.property(batch, batch, batch, (x, y, z) => {
        const [a, b, c] = [Moments.of(x), Moments.of(y), Moments.of(z)];
        const left = a.clone().merge(b).merge(c); // (a+b)+c
        const right = a.clone().merge(b.clone().merge(c)); // a+(b+c)
        const whole = Moments.of([...x, ...y, ...z]);
        sameMoments(left, whole);
        sameMoments(right, whole);
        for (const m of [a, b, c, left, right, whole]) m.dispose();
      }),
      { numRuns: 300 },
    );
  });

  it('chunking does not change the result', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 20_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (x, step) => {
          const whole = Moments.of(Float64Array.from(x));
          const parts = new Moments();
          for (let i = 0; i < x.length; i += step) parts.push(x.slice(i, i + step));
          sameMoments(parts, whole);
          whole.dispose();
          parts.dispose();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('serialize / deserialize round-trips bit for bit', () => {
    fc.assert(
      fc.property(batch, (x) => {
        const m = Moments.of(x);
        const bytes = m.serialize();
        const r = Moments.deserialize(bytes);
        expect(r.serialize()).toEqual(bytes);
        expect(r.summary()).toEqual(m.summary());
        m.dispose();
        r.dispose();
      }),
      { numRuns: 300 },
    );
  });

  it('order of values does not matter (to rounding)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
          minLength: 2,
          maxLength: 2000,
        }),
        (x) => {
          const a = Moments.of(x);
          const b = Moments.of([...x].reverse());
          sameMoments(a, b);
          a.dispose();
          b.dispose();
        },
      ),
    );
  });
});
