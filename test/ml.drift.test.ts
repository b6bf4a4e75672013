import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuantileSketch } from '../src/kernels/quantile';
import {
  Adwin,
  BinnedCounts,
  DriftMonitor,
  ksFromSketches,
  PageHinkley,
  psi,
} from '../src/ml/drift';

const fx = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'ml.json'), 'utf8'));
type Case = {
  name: string;
  reference: number[];
  current: number[];
  edges: number[];
  psi: number;
  ks: number;
  ksP: number;
  ksPKolmogorov: number;
};
const cases: Case[] = fx.drift;

function gauss(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Float64Array.from(
    { length: n },
    () => mean + sd * Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r()),
  );
}

describe('PSI and KS against numpy / scipy fixtures', () => {
  for (const c of cases) {
    it(`${c.name}: PSI exact, merged halves equal the whole; KS exact and from bucketed sketches`, () => {
      const ref = new BinnedCounts(c.edges).push(c.reference);
      const cur = new BinnedCounts(c.edges).push(c.current.slice(0, 700));
      cur.merge(new BinnedCounts(c.edges).push(c.current.slice(700)));
      expect(psi(ref, cur)).toBeCloseTo(c.psi, 12);
      // exact sketches: the exact two-sample statistic
      const a = new QuantileSketch({ exactLimit: 5000 }).push(c.reference);
      const b = new QuantileSketch({ exactLimit: 5000 }).push(c.current);
      const k = ksFromSketches(a, b);
      expect(k.exact).toBe(true);
      expect(k.statistic).toBeCloseTo(c.ks, 12);
      expect(k.pValue / c.ksPKolmogorov).toBeCloseTo(1, 8);
      // scipy's own asymptotic p (kstwo at round(en)) is close to the limiting form
      expect(Math.abs(Math.log(k.pValue / c.ksP))).toBeLessThan(
        0.1 * Math.max(1, -Math.log10(c.ksP)),
      );
      // bucketed (1%) sketches merged from parts: statistic within 0.01
      const a2 = new QuantileSketch({ exactLimit: 0 }).push(c.reference.slice(0, 1000));
      a2.merge(new QuantileSketch({ exactLimit: 0 }).push(c.reference.slice(1000)));
      const b2 = new QuantileSketch({ exactLimit: 0 }).push(c.current);
      const k2 = ksFromSketches(a2, b2);
      expect(k2.exact).toBe(false);
      expect(Math.abs(k2.statistic - c.ks)).toBeLessThan(0.01);
      for (const s of [a, b, a2, b2]) s.dispose();
    });
  }

  it('bad inputs', () => {
    expect(() => new BinnedCounts([1, 1])).toThrow(/increasing/);
    expect(() => new BinnedCounts([0]).merge(new BinnedCounts([1]))).toThrow(/edges differ/);
    const b = new BinnedCounts([0]).push([Number.NaN, 1, -1]);
    expect(b.rejected).toBe(1);
    expect(b.total).toBe(2);
  });
});

describe('ADWIN and Page-Hinkley on score streams with known change points', () => {
  it('ADWIN: no alarm on a stationary stream; detects a mean shift at 2000 soon after', () => {
    const still = new Adwin();
    expect(still.update(gauss(1, 6000, 0.5, 0.1))).toEqual([]);
    expect(still.width).toBe(6000);
    const a = new Adwin();
    const x = new Float64Array(4000);
    x.set(gauss(2, 2000, 0.3, 0.1));
    x.set(gauss(3, 2000, 0.6, 0.1), 2000);
    const at = a.update(x);
    expect(at.length).toBeGreaterThan(0);
    expect(at[0]).toBeGreaterThanOrEqual(2000);
    expect(at[0]).toBeLessThan(2100);
    // the window shrank to (mostly) the new regime
    expect(a.mean).toBeGreaterThan(0.55);
    expect(a.width).toBeLessThan(2100);
  });

  it('Page-Hinkley: alarm after an upward shift, none before, none on a downward shift with direction up', () => {
    const ph = new PageHinkley({ threshold: 5, delta: 0.01 });
    const x = new Float64Array(3000);
    x.set(gauss(4, 1500, 0.3, 0.05));
    x.set(gauss(5, 1500, 0.5, 0.05), 1500);
    const at = ph.update(x);
    expect(at[0]).toBeGreaterThanOrEqual(1500);
    expect(at[0]).toBeLessThan(1560);
    const down = new PageHinkley({ threshold: 5, delta: 0.01 });
    const y = new Float64Array(3000);
    y.set(gauss(6, 1500, 0.5, 0.05));
    y.set(gauss(7, 1500, 0.3, 0.05), 1500);
    expect(down.update(y)).toEqual([]);
    expect(
      new PageHinkley({ threshold: 5, delta: 0.01, direction: 'both' }).update(y)[0],
    ).toBeGreaterThanOrEqual(1500);
  });
});

describe('DriftMonitor', () => {
  it('flags the shifted feature and the score, not the stable one', () => {
    const n = 3000;
    const ref = new Float64Array(2 * n);
    const a = gauss(10, n);
    const b = gauss(11, n);
    for (let i = 0; i < n; i++) {
      ref[2 * i] = a[i];
      ref[2 * i + 1] = b[i];
    }
    const mon = new DriftMonitor(ref, { columns: ['a', 'b'], scores: gauss(12, n, 0.4, 0.05) });
    const cur = new Float64Array(2 * 1000);
    const a2 = gauss(13, 1000);
    const b2 = gauss(14, 1000, 1);
    for (let i = 0; i < 1000; i++) {
      cur[2 * i] = a2[i];
      cur[2 * i + 1] = b2[i];
    }
    mon.push(cur, gauss(15, 1000, 0.5, 0.05));
    const r = mon.check();
    expect(r.features.map((f) => f.drifted)).toEqual([false, true]);
    expect(r.features[1].psi).toBeGreaterThan(0.5);
    expect(r.score?.drifted).toBe(true);
    expect(r.drifted).toBe(true);
    expect(r.n).toBe(1000);
    mon.resetWindow();
    mon.push(ref.subarray(0, 2000), gauss(16, 1000, 0.4, 0.05));
    expect(mon.check().drifted).toBe(false);
    expect(() => mon.push(cur)).toThrow(/one score per row/);
    mon.dispose();
  });
});
