import { describe, expect, it } from 'vitest';
import { Ensemble } from '../src/anomaly/ensemble';
import { IsolationForest } from '../src/anomaly/iforest';
import { LocalOutlierFactor } from '../src/anomaly/lof';
import {
  chi2Quantile,
  RobustMahalanobis,
  robustLocationScale,
  robustZScores,
} from '../src/anomaly/robust';
import fixture from './fixtures/anomaly.json';
import { rocAuc, synthetic } from './helpers/anomaly-data';
import { expectCode } from './helpers/errors';

const fx = (
  fixture as unknown as {
    robust: {
      dims: number;
      X: number[];
      median: number[];
      madNormal: number[];
      mcdLocation: number[];
      mcdMahalanobis2: number[];
      empiricalMahalanobis2: number[];
    };
  }
).robust;
const rel = (a: ArrayLike<number>, b: number[]): number =>
  b.reduce((e, v, i) => Math.max(e, Math.abs(a[i] - v) / Math.max(1e-300, Math.abs(v))), 0);

describe('robust statistics vs scipy / scikit-learn', () => {
  const X = Float64Array.from(fx.X);
  it('median and MAD (scale normal) per column', () => {
    const { median, mad } = robustLocationScale(X, { dims: 3 });
    expect(rel(median, fx.median)).toBeLessThan(1e-14);
    expect(rel(mad, fx.madNormal)).toBeLessThan(1e-12);
    const z = robustZScores(X, { dims: 3 });
    expect(z[0]).toBeCloseTo((X[0] - fx.median[0]) / fx.madNormal[0], 12);
  });

  it('MCD location and squared Mahalanobis distances equal MinCovDet (1e-9)', () => {
    const m = new RobustMahalanobis().fit(X, { dims: 3 });
    expect(rel(m.location, fx.mcdLocation)).toBeLessThan(1e-9);
    expect(rel(m.score(X, { dims: 3 }), fx.mcdMahalanobis2)).toBeLessThan(1e-9);
    const e = new RobustMahalanobis({ method: 'empirical' }).fit(X, { dims: 3 });
    expect(rel(e.score(X, { dims: 3 }), fx.empiricalMahalanobis2)).toBeLessThan(1e-9);
    const p = m.pValue(X, { dims: 3 });
    for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('chi-square quantiles match scipy.stats.chi2.ppf', () => {
    expect(chi2Quantile(0.5, 3)).toBeCloseTo(2.365973884375338, 10);
    expect(chi2Quantile(0.975, 3)).toBeCloseTo(9.348403604496148, 10);
    expect(chi2Quantile(0.975, 1)).toBeCloseTo(5.023886187314888, 10);
  });

  it('errors: degenerate data, wrong dims, unfitted', () => {
    expect(() => new RobustMahalanobis().score([1, 2], { dims: 2 })).toThrowError(/fit\(\)/);
    expect(() => new RobustMahalanobis().fit([1, 2, 3, 4], { dims: 2 })).toThrowError(/more rows/);
    const flat = new Float64Array(40).fill(1);
    expectCode(
      () => new RobustMahalanobis({ method: 'empirical' }).fit(flat, { dims: 2 }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('Ensemble', () => {
  const { X, y } = synthetic(3000, 4, 21);
  const forest = new IsolationForest({ seed: 1 }).fit(X, { dims: 4 });
  const lof = new LocalOutlierFactor({ k: 20 }).fit(X, { dims: 4 });
  const mah = new RobustMahalanobis().fit(X, { dims: 4 });
  const ref = [forest.score(X, { dims: 4 }), lof.scores, mah.score(X, { dims: 4 })];

  for (const normalize of ['rank', 'robust-z', 'min-max'] as const) {
    for (const combine of ['mean', 'max', 'weighted', 'average-of-maximum'] as const) {
      it(`${normalize} + ${combine}: scores in [0, 1], detects the planted outliers`, () => {
        const e = new Ensemble({ normalize, combine, weights: [2, 1, 1] }).fit(ref);
        const c = e.score(ref);
        for (const v of c) expect(v >= 0 && v <= 1).toBe(true);
        expect(rocAuc(c, y)).toBeGreaterThan(0.95);
      });
    }
  }

  it('rank normalisation is the mid-rank ECDF; max of ranks is monotone in each input', () => {
    const e = new Ensemble({ combine: 'max' }).fit([
      [1, 2, 3, 4],
      [10, 20, 30, 40],
    ]);
    expect(
      Array.from(
        e.score([
          [2.5, 0],
          [0, 40],
        ]),
      ),
    ).toEqual([0.5, 0.875]);
  });

  it('threshold { fraction } flags that fraction; { tailProbability } flags calibrated tails', () => {
    const e = new Ensemble({ threshold: { fraction: 0.02 } }).fit(ref);
    const p = e.predict(ref);
    const flagged = p.reduce((a, b) => a + b, 0);
    expect(flagged).toBeGreaterThanOrEqual(60); // ties at the threshold are all flagged
    expect(flagged).toBeLessThanOrEqual(63);
    const t = new Ensemble({ threshold: { tailProbability: 0.01 } }).fit(ref);
    const f = t.predict(ref).reduce((a, b) => a + b, 0) / 3000;
    expect(f).toBeGreaterThan(0.005);
    expect(f).toBeLessThan(0.02);
  });

  it('errors: mismatched lengths, weights, unfitted, NaN', () => {
    expect(() => new Ensemble({ combine: 'weighted' })).toThrowError(/weights/);
    expect(() => new Ensemble().score([[1]])).toThrowError(/fit\(\)/);
    expect(() => new Ensemble().fit([[1, 2], [1]])).toThrowError(/equally long/);
    expect(() => new Ensemble().fit([[1, Number.NaN]])).toThrowError(/NaN/);
    expect(() => new Ensemble({ normalize: 'x' as 'rank' })).toThrowError(/normalize/);
  });
});
