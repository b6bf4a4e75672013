import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Covariance, Ewma } from '../src/kernels/index';
import fixture from './fixtures/kernels.json';
import { expectCode } from './helpers/errors';
import { decodeF64 } from './helpers/fixtures';

/** |a_ij - b_ij| <= tol * sqrt(b_ii b_jj): relative to the scale of the entry's row/column. */
function expectMatrix(a: Float64Array, b: number[], d: number, tol: number, diag = b): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const scale = Math.sqrt(Math.abs(diag[i * d + i] * diag[j * d + j]));
      expect(Math.abs(a[i * d + j] - b[i * d + j]), `(${i},${j})`).toBeLessThanOrEqual(tol * scale);
    }
  }
}

describe('Covariance against numpy', () => {
  for (const c of fixture.covariance) {
    it(`${c.name}: mean, cov (bias and ddof=1), corrcoef to 1e-12`, () => {
      const x = decodeF64(c.data);
      const d = c.dims;
      const cov = Covariance.of(x, { dims: d });
      expect(cov.count).toBe(x.length / d);
      const m = cov.mean;
      c.mean.forEach((v, j) => {
        expect(Math.abs(m[j] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
      });
      expectMatrix(cov.covariance, c.cov, d, 1e-12);
      expectMatrix(cov.sampleCovariance, c.sampleCov, d, 1e-12);
      expectMatrix(cov.correlation, c.corr, d, 1e-12);
      // Split, merged in another order, and restored: same answers.
      const half = (Math.floor(x.length / d / 3) | 0) * d;
      const a = Covariance.of(x.subarray(half), { dims: d });
      const b = Covariance.of(Array.from(x.subarray(0, half)), { dims: d });
      a.merge(b);
      expectMatrix(a.covariance, c.cov, d, 1e-12);
      const r = Covariance.deserialize(a.serialize());
      expect(r.serialize()).toEqual(a.serialize());
      expectMatrix(r.correlation, c.corr, d, 1e-12);
      for (const o of [cov, a, b, r]) o.dispose();
    });
  }

  it('merging any split equals one pass (property); NaN rows are skipped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 6, maxLength: 300 }),
        fc.nat(),
        (vals, cut) => {
          const d = 3;
          const x = Float64Array.from(vals.slice(0, vals.length - (vals.length % d)));
          const rows = x.length / d;
          const at = (cut % (rows + 1)) * d;
          const whole = Covariance.of(x, { dims: d });
          const p = Covariance.of(x.subarray(at), { dims: d }).merge(
            Covariance.of(x.subarray(0, at), { dims: d }),
          );
          expect(p.count).toBe(whole.count);
          const cw = whole.covariance;
          const cp = p.covariance;
          const scale = Math.max(1, ...Array.from(cw).map(Math.abs));
          cw.forEach((v, i) => {
            expect(Math.abs(cp[i] - v)).toBeLessThanOrEqual(1e-9 * scale);
          });
          whole.dispose();
          p.dispose();
        },
      ),
      { numRuns: 100 },
    );
    const c = Covariance.of([1, 2, Number.NaN, 4, 3, 5, 5, 7], { dims: 2 });
    expect(c.count).toBe(3);
    expect(c.rejected).toBe(1);
    expect(c.mean[0]).toBe(3);
    expect(c.mean[1]).toBeCloseTo(14 / 3, 14);
    c.dispose();
  });

  it('rejects misuse', () => {
    expectCode(() => new Covariance({ dims: 0 }), 'INVALID_ARGUMENT');
    const c = new Covariance({ dims: 2 });
    expectCode(() => c.push([1, 2, 3]), 'INVALID_ARGUMENT');
    expectCode(() => c.push([1, 'a' as unknown as number]), 'INVALID_ARGUMENT');
    expectCode(() => c.merge(new Covariance({ dims: 3 })), 'INVALID_ARGUMENT');
    expect(c.count).toBe(0);
    expect(Number.isNaN(c.mean[0])).toBe(true);
    const bytes = c.push([1, 2, 3, 5]).serialize();
    const bad = bytes.slice();
    bad[6] = 3;
    expectCode(() => Covariance.deserialize(bad), 'CORRUPT_STATE');
    bad[6] = 2;
    bad[4] = 7;
    expectCode(() => Covariance.deserialize(bad), 'UNSUPPORTED_VERSION');
    c.merge(c);
    expect(c.count).toBe(4);
    c.dispose();
  });
});

describe('Ewma against an explicit weighted reference', () => {
  for (const c of fixture.ewma) {
    it(`alpha=${c.alpha}: per-step mean and variance`, () => {
      const x = decodeF64(c.data);
      const mean = decodeF64(c.mean);
      const variance = decodeF64(c.variance);
      const e = new Ewma({ alpha: c.alpha });
      const a = e.push(x.subarray(0, 333));
      const b = e.push(Array.from(x.subarray(333)));
      const m = [...a.mean, ...b.mean];
      const v = [...a.variance, ...b.variance];
      expect(m.length).toBe(x.length);
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(m[i] - mean[i])).toBeLessThanOrEqual(1e-12 * Math.abs(mean[i]) + 1e-13);
        expect(Math.abs(v[i] - variance[i])).toBeLessThanOrEqual(1e-9 * variance[i] + 1e-12);
      }
      expect(e.mean).toBe(m[m.length - 1]);
      expect(e.variance).toBe(v[v.length - 1]);
      const r = Ewma.deserialize(e.serialize());
      expect(r.push([1]).mean[0]).toBe(e.push([1]).mean[0]);
      e.dispose();
      r.dispose();
    });
  }

  it('halfLife, bias correction, NaN skipping and misuse', () => {
    const e = new Ewma({ halfLife: 10 });
    expect(e.alpha).toBeCloseTo(1 - 2 ** -0.1, 15);
    const s = e.push([5, Number.NaN, 7]);
    expect(s.length).toBe(2);
    expect(s.mean[0]).toBe(5); // bias-corrected: the first output is the first value
    expect(s.variance[0]).toBe(0);
    const w = 1 - e.alpha;
    expect(s.mean[1]).toBeCloseTo((5 * w + 7) / (w + 1), 14);
    expect(e.rejected).toBe(1);
    expectCode(() => new Ewma({}), 'INVALID_ARGUMENT');
    expectCode(() => new Ewma({ alpha: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => new Ewma({ alpha: 0.5, halfLife: 2 }), 'INVALID_ARGUMENT');
    expectCode(() => e.push(['x'] as unknown as number[]), 'INVALID_ARGUMENT');
    expectCode(() => Ewma.deserialize(new Uint8Array(64)), 'CORRUPT_STATE');
    e.reset();
    expect(e.count).toBe(0);
    expect(e.mean).toBeNaN();
    e.dispose();
  });
});
