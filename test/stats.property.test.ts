import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as S from '../src/stats/index';

/** Samples with spread (so statistics are defined), moderate magnitudes. */
const sample = (min = 5, max = 40) =>
  fc
    // multiples of 1e-3 (no subnormals: scaling must not create ties by underflow)
    .array(
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map((v) => v / 1000),
      {
        minLength: min,
        maxLength: max,
      },
    )
    .filter((a) => {
      const s = [...a].sort((p, q) => p - q);
      return s[s.length - 1] - s[0] > 1e-3 * (Math.abs(s[0]) + Math.abs(s[s.length - 1]) + 1);
    });
const shift = fc.double({ min: -1e4, max: 1e4, noNaN: true });
const scale = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
const near = (a: number, b: number, rel: number, abs = 0): boolean =>
  (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));
const RUNS = { numRuns: 60 };

describe('invariances (fast-check)', () => {
  it('t statistics are invariant to a common shift and positive scale', () => {
    fc.assert(
      fc.property(sample(), sample(), shift, scale, (x, y, c, k) => {
        const tx = (v: number) => v * k + c;
        const w0 = S.welchTTest(x, y);
        const w1 = S.welchTTest(x.map(tx), y.map(tx));
        const s0 = S.studentTTest(x, y);
        const s1 = S.studentTTest(x.map(tx), y.map(tx));
        return (
          near(w0.statistic, w1.statistic, 1e-7, 1e-9) &&
          near(w0.df!, w1.df!, 1e-7) &&
          near(s0.statistic, s1.statistic, 1e-7, 1e-9)
        );
      }),
      RUNS,
    );
  });
  it('one-sample t: shifting data and mu together changes nothing', () => {
    fc.assert(
      fc.property(sample(), shift, (x, c) => {
        const a = S.tTest(x, { mu: 1 });
        const b = S.tTest(
          x.map((v) => v + c),
          { mu: 1 + c },
        );
        return near(a.statistic, b.statistic, 1e-6, 1e-8);
      }),
      RUNS,
    );
  });
  it('correlations are invariant to shift and positive scale, flip sign under negation', () => {
    fc.assert(
      fc.property(sample(), sample(), shift, scale, (x0, y0, c, k) => {
        const n = Math.min(x0.length, y0.length);
        const x = x0.slice(0, n);
        const y = y0.slice(0, n);
        const xt = x.map((v) => v * k + c);
        const r0 = S.pearson(x, y).statistic;
        const ok1 = near(S.pearson(xt, y).statistic, r0, 1e-7, 1e-9);
        const ok2 = near(
          S.pearson(
            x.map((v) => -v),
            y,
          ).statistic,
          -r0,
          1e-12,
          1e-14,
        );
        const ok3 = near(S.spearman(xt, y).statistic, S.spearman(x, y).statistic, 1e-12, 1e-14);
        const ok4 = near(S.kendall(xt, y).statistic, S.kendall(x, y).statistic, 1e-12, 1e-14);
        return ok1 && ok2 && ok3 && ok4;
      }),
      RUNS,
    );
  });
  it('two-sided tests are symmetric in their samples; one-sided p-values are complementary', () => {
    fc.assert(
      fc.property(sample(), sample(), (x, y) => {
        const a = S.welchTTest(x, y);
        const b = S.welchTTest(y, x);
        const m1 = S.mannWhitneyU(x, y);
        const m2 = S.mannWhitneyU(y, x);
        const k1 = S.ksTwoSample(x, y);
        const k2 = S.ksTwoSample(y, x);
        const less = S.welchTTest(x, y, { alternative: 'less' }).pValue;
        const greater = S.welchTTest(x, y, { alternative: 'greater' }).pValue;
        return (
          near(a.pValue, b.pValue, 1e-12, 1e-300) &&
          near(a.statistic, -b.statistic, 1e-12) &&
          near(m1.pValue, m2.pValue, 1e-12, 1e-300) &&
          near(k1.pValue, k2.pValue, 1e-9, 1e-300) &&
          near(less + greater, 1, 1e-12)
        );
      }),
      RUNS,
    );
  });
  it('regression: shifting y moves only the intercept; scaling x scales the slope', () => {
    fc.assert(
      fc.property(sample(8, 30), shift, scale, (x, c, k) => {
        const y = x.map((v, i) => 0.5 * v + Math.sin(i) * 10);
        const a = S.ols(x, y, { dims: 1 });
        const b = S.ols(
          x.map((v) => v * k),
          y.map((v) => v + c),
          { dims: 1 },
        );
        return (
          near(b.coefficients[1] * k, a.coefficients[1], 1e-7, 1e-9) &&
          near(b.coefficients[0], a.coefficients[0] + c, 1e-7, 1e-7 * (Math.abs(c) + 1)) &&
          near(b.statistics[1], a.statistics[1], 1e-6, 1e-8)
        );
      }),
      RUNS,
    );
  });
  it('quantiles are monotone in q for every method', () => {
    const methods: S.QuantileMethod[] = [
      'inverted_cdf',
      'averaged_inverted_cdf',
      'closest_observation',
      'interpolated_inverted_cdf',
      'hazen',
      'weibull',
      'linear',
      'median_unbiased',
      'normal_unbiased',
    ];
    fc.assert(
      fc.property(
        sample(1, 30),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }),
        (x, qs) => {
          const q = [...qs].sort((a, b) => a - b);
          return methods.every((method) => {
            const v = S.quantile(x, q, { method });
            return v.every((e, i) => i === 0 || e >= v[i - 1]);
          });
        },
      ),
      RUNS,
    );
  });
});

describe('sequential mSPRT', () => {
  it('the always-valid p-value never increases and its interval never widens', () => {
    const ab = new S.SequentialABTest({ tau: 0.5 });
    let seed = 1;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const gauss = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    let lastP = 1;
    let lastWidth = Number.POSITIVE_INFINITY;
    for (let look = 0; look < 50; look++) {
      const s = ab.update(
        Float64Array.from({ length: 20 }, () => 0.3 + gauss()),
        Float64Array.from({ length: 20 }, () => gauss()),
      );
      expect(s.pValue).toBeLessThanOrEqual(lastP);
      const width = s.confidenceInterval[1] - s.confidenceInterval[0];
      expect(width).toBeLessThanOrEqual(lastWidth);
      lastP = s.pValue;
      lastWidth = width;
    }
    expect(ab.status().decision).toBe('reject'); // a real 0.3 difference is found
    ab.dispose();
  });
  it('under the null, continuous monitoring keeps the false-positive rate at most alpha', () => {
    // 200 A/A experiments, 40 looks each: a naive t test checked at every look
    // rejects far more often than 5%; the mSPRT stays below alpha.
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const gauss = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    let rejects = 0;
    const runs = 200;
    for (let r = 0; r < runs; r++) {
      const ab = new S.SequentialABTest({ alpha: 0.05, tau: 0.3 });
      let rejected = false;
      for (let look = 0; look < 40 && !rejected; look++) {
        const s = ab.update(
          Float64Array.from({ length: 10 }, gauss),
          Float64Array.from({ length: 10 }, gauss),
        );
        rejected = s.decision === 'reject';
      }
      if (rejected) rejects++;
      ab.dispose();
    }
    expect(rejects / runs).toBeLessThanOrEqual(0.05 + 0.03); // binomial slack for 200 runs
  });
  it('rejects bad options', () => {
    expect(() => new S.SequentialABTest({ alpha: 1.5 })).toThrow(/alpha/);
    expect(() => new S.SequentialABTest({ tau: -1 })).toThrow(/tau/);
    const ab = new S.SequentialABTest();
    expect(() => ab.push('c' as 'a', [1])).toThrow(/arm/);
    ab.dispose();
  });
});
