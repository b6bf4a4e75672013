import { describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import { LocalOutlierFactor } from '../src/anomaly/lof';
import fixture from './fixtures/anomaly.json';
import { rocAuc, synthetic } from './helpers/anomaly-data';
import { expectCode } from './helpers/errors';

interface Task {
  name: string;
  dims: number;
  X: number[];
  y: number[];
  aucs: number[];
  aucs1000: number[];
}
interface LofCase {
  name: string;
  k: number;
  dims: number;
  X: number[];
  lof: number[];
  queries: number[];
  novelty: number[];
}
const fx = fixture as unknown as {
  synthetic: { checksum: number; aucs: number[] };
  tasks: Task[];
  lof: LofCase[];
};
const mean = (a: number[]): number => a.reduce((p, c) => p + c, 0) / a.length;
const std = (a: number[]): number => {
  const m = mean(a);
  return Math.sqrt(a.reduce((p, c) => p + (c - m) ** 2, 0) / (a.length - 1));
};
const maxRelErr = (a: ArrayLike<number>, b: number[]): number => {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return e;
};

/** Our ROC AUC for seeds 0..seeds-1 with `trees` trees of 256 samples (scikit-learn's parameters). */
function forestAucs(
  X: Float64Array,
  y: ArrayLike<number>,
  dims: number,
  trees: number,
  seeds: number,
): number[] {
  return Array.from({ length: seeds }, (_, seed) => {
    const f = new IsolationForest({ trees, sampleSize: 256, seed }).fit(X, { dims });
    const s = f.score(X, { dims });
    f.dispose();
    return rocAuc(s, y);
  });
}

describe('IsolationForest vs scikit-learn', () => {
  it('synthetic 100,000 x 8, 1% uniform outliers: mean AUC over 5 seeds within 0.005', () => {
    const { X, y } = synthetic();
    let sum = 0;
    for (const v of X) sum += v;
    expect(Math.abs(sum - fx.synthetic.checksum)).toBeLessThan(1e-6); // same data as Python
    const aucs = forestAucs(X, y, 8, 100, 5);
    expect(Math.abs(mean(aucs) - mean(fx.synthetic.aucs))).toBeLessThan(0.005);
  });

  for (const t of fx.tasks) {
    it(`${t.name}: mean AUC over 20 seeds matches scikit-learn (within 0.005 or 2.5 standard errors)`, () => {
      const X = Float64Array.from(t.X);
      const aucs = forestAucs(X, t.y, t.dims, 100, t.aucs.length);
      const se = Math.sqrt((std(aucs) ** 2 + std(t.aucs) ** 2) / t.aucs.length);
      expect(Math.abs(mean(aucs) - mean(t.aucs))).toBeLessThan(Math.max(0.005, 2.5 * se));
    });
  }

  // The check as written, 5 seeds within 0.005, on every task whose
  // seed-to-seed spread allows it: with 1000 trees (both sides) the spread is
  // about a third of that with 100. digits 1-9 vs 0 still moves by ~0.02 with
  // the seed, so it keeps only the 20-seed comparison above.
  for (const t of fx.tasks.filter((x) => x.name !== 'digits')) {
    it(`${t.name}: 1000 trees, mean AUC over 5 seeds within 0.005 of scikit-learn`, () => {
      const X = Float64Array.from(t.X);
      expect(t.aucs1000).toHaveLength(5);
      const aucs = forestAucs(X, t.y, t.dims, 1000, 5);
      const diff = mean(aucs) - mean(t.aucs1000);
      console.log(
        `[iforest] ${t.name} 1000 trees, 5 seeds: ours ${mean(aucs).toFixed(4)} sklearn ${mean(t.aucs1000).toFixed(4)} (diff ${diff.toFixed(4)})`,
      );
      expect(Math.abs(diff)).toBeLessThan(0.005);
    });
  }

  it('is deterministic for a seed, differs across seeds, and round-trips serialize()', () => {
    const { X } = synthetic(2000, 3, 11);
    const a = new IsolationForest({ seed: 5 }).fit(X, { dims: 3 });
    const b = new IsolationForest({ seed: 5 }).fit(X, { dims: 3 });
    const c = new IsolationForest({ seed: 6 }).fit(X, { dims: 3 });
    const sa = a.score(X, { dims: 3 });
    expect(b.score(X, { dims: 3 })).toEqual(sa);
    expect(c.score(X, { dims: 3 })).not.toEqual(sa);
    const r = IsolationForest.deserialize(a.serialize());
    expect(r.score(X, { dims: 3 })).toEqual(sa);
    expect(r.threshold).toBe(a.threshold);
    const bad = a.serialize();
    bad[0] ^= 1;
    expect(() => IsolationForest.deserialize(bad)).toThrow(/magic/);
    const corrupt = a.serialize();
    new DataView(corrupt.buffer).setInt32(48 + 12, 9999, true); // root's right child out of range
    expect(() => IsolationForest.deserialize(corrupt)).toThrowError(/invalid/);
    expect(() => IsolationForest.deserialize(a.serialize().subarray(0, 100))).toThrowError(
      /truncated/,
    );
    for (const f of [a, b, c, r]) f.dispose();
  });

  it('score is 2^(-E[h]/c(n)): a lone far point scores near 1, the centre below 0.5', () => {
    const { X } = synthetic(3000, 2, 3);
    const f = new IsolationForest({ seed: 1 }).fit(X, { dims: 2 });
    const s = f.score([50, 50, 0, 0], { dims: 2 });
    expect(s[0]).toBeGreaterThan(0.75);
    expect(s[1]).toBeLessThan(0.5);
    for (const v of f.score(X, { dims: 2 })) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    f.dispose();
  });

  it('predict with contamination flags about that fraction of the training rows', () => {
    const { X } = synthetic(5000, 4, 9);
    const f = new IsolationForest({ seed: 2, contamination: 0.05 }).fit(X, { dims: 4 });
    const p = f.predict(X, { dims: 4 });
    const frac = p.reduce((a, b) => a + b, 0) / p.length;
    expect(Math.abs(frac - 0.05)).toBeLessThan(0.002);
    const auto = new IsolationForest({ seed: 2 }).fit(X, { dims: 4 });
    expect(auto.threshold).toBe(0.5);
    f.dispose();
    auto.dispose();
  });

  it('maxFeatures restricts each tree to a feature subset (features not drawn are ignored)', () => {
    const { X } = synthetic(2000, 6, 4);
    const f = new IsolationForest({ seed: 3, maxFeatures: 0.5 }).fit(X, { dims: 6 });
    expect(f.score(X, { dims: 6 }).length).toBe(2000);
    f.dispose();
  });

  it('rejects bad input with clear errors and leaves a fitted model unchanged', () => {
    expect(() => new IsolationForest({ trees: 0 })).toThrowError(/trees/);
    expect(() => new IsolationForest({ contamination: 0.9 })).toThrowError(/contamination/);
    expect(() => new IsolationForest({ maxFeatures: 1.5 })).toThrowError(/maxFeatures/);
    const f = new IsolationForest({ seed: 1 });
    expect(() => f.score([1, 2], { dims: 2 })).toThrowError(/fit\(\)/);
    const { X } = synthetic(500, 2, 1);
    f.fit(X, { dims: 2 });
    const before = f.score(X, { dims: 2 });
    expectCode(() => f.fit([1, 2, 3], { dims: 2 }), 'INVALID_ARGUMENT', /multiple of dims/);
    expect(() => f.fit([1, Number.NaN, 3, 4], { dims: 2 })).toThrowError(/finite/);
    expect(() => f.score([1, 2, 3], { dims: 3 })).toThrowError(/dims = 2/);
    expect(f.score(X, { dims: 2 })).toEqual(before);
    f.dispose();
  });
});

describe('LocalOutlierFactor vs scikit-learn (exact)', () => {
  for (const c of fx.lof) {
    it(`${c.name} (k=${c.k}): LOF of training rows and novelty scores to 1e-9`, () => {
      const X = Float64Array.from(c.X);
      const lof = new LocalOutlierFactor({ k: c.k }).fit(X, { dims: c.dims });
      expect(maxRelErr(lof.scores, c.lof)).toBeLessThan(1e-9);
      const nov = new LocalOutlierFactor({ k: c.k, novelty: true }).fit(X, { dims: c.dims });
      expect(
        maxRelErr(nov.score(Float64Array.from(c.queries), { dims: c.dims }), c.novelty),
      ).toBeLessThan(1e-9);
      lof.dispose();
      nov.dispose();
    });
  }

  it('odd dims and query counts not multiple of 4 take the scalar paths and agree', () => {
    const { X } = synthetic(203, 3, 8);
    const a = new LocalOutlierFactor({ k: 6, novelty: true }).fit(X, { dims: 3 });
    // brute-force reference in JS (ties by lower index)
    const n = 203;
    const dist = (i: number, q: ArrayLike<number>, qo: number): number => {
      let s = 0;
      for (let t = 0; t < 3; t++) s += (X[i * 3 + t] - q[qo + t]) ** 2;
      return Math.sqrt(s);
    };
    const knn = (q: ArrayLike<number>, qo: number, self: number): number[] =>
      Array.from({ length: n }, (_, i) => i)
        .filter((i) => i !== self)
        .sort((u, v) => dist(u, q, qo) - dist(v, q, qo) || u - v)
        .slice(0, 6);
    const kd = Array.from({ length: n }, (_, i) => dist(knn(X, i * 3, i)[5], X, i * 3));
    const lrd = (q: ArrayLike<number>, qo: number, self: number): number => {
      const nb = knn(q, qo, self);
      return 1 / (nb.reduce((s, j) => s + Math.max(dist(j, q, qo), kd[j]), 0) / 6 + 1e-10);
    };
    const lrds = Array.from({ length: n }, (_, i) => lrd(X, i * 3, i));
    const Q = [0.1, 0.2, 0.3, 5, 5, 5, -1, 0, 2];
    const got = a.score(Q, { dims: 3 });
    for (let qi = 0; qi < 3; qi++) {
      const nb = knn(Q, qi * 3, -1);
      const want = nb.reduce((s, j) => s + lrds[j], 0) / 6 / lrd(Q, qi * 3, -1);
      expect(Math.abs(got[qi] - want) / want).toBeLessThan(1e-12);
    }
    a.dispose();
  });

  it('errors: novelty off, bad k, wrong dims', () => {
    expect(() => new LocalOutlierFactor({ k: 0 })).toThrowError(/k must be/);
    const l = new LocalOutlierFactor({ k: 3 }).fit([0, 0, 1, 1, 2, 2, 3, 3, 9, 9], { dims: 2 });
    expect(() => l.score([1, 1], { dims: 2 })).toThrowError(/novelty: true/);
    const n = new LocalOutlierFactor({ k: 3, novelty: true }).fit([0, 0, 1, 1, 2, 2, 3, 3, 9, 9], {
      dims: 2,
    });
    expect(() => n.score([1, 1, 1], { dims: 3 })).toThrowError(/dims = 2/);
    expect(new LocalOutlierFactor({ k: 50 }).fit([0, 1, 2, 10], { dims: 1 }).k).toBe(3);
    l.dispose();
    n.dispose();
  });
});
