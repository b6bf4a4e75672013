import { pearson, simpleRegression, spearman, welchTTest } from 'edgewise/stats';
import jStat from 'jstat';
import * as ss from 'simple-statistics';
import { normal } from '../data';
import { consume, type Workload } from '../harness';

/** Welch t, df and two-sided p from a peer's mean / sample-variance primitives. */
function welchFrom(m1: number, v1: number, n1: number, m2: number, v2: number, n2: number) {
  const s1 = v1 / n1;
  const s2 = v2 / n2;
  const t = (m1 - m2) / Math.sqrt(s1 + s2);
  const df = ((s1 + s2) * (s1 + s2)) / ((s1 * s1) / (n1 - 1) + (s2 * s2) / (n2 - 1));
  return { t, df };
}

const studentt = jStat.studentt as { cdf(x: number, df: number): number };
const ols = (
  jStat as unknown as { models: { ols(y: number[], X: number[][]): { coef: number[] } } }
).models;

const spearmancoeff = (
  jStat as unknown as { spearmancoeff(a: ArrayLike<number>, b: ArrayLike<number>): number }
).spearmancoeff;

const relErr = (a: number, b: number): string => (Math.abs(a - b) / Math.abs(b)).toExponential(1);

export default async function suite(): Promise<Workload[]> {
  const n = 1_000_000;
  const x = normal(n, 7);
  const noise = normal(n, 8);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = 3 + 0.5 * x[i] + noise[i];
  const xs = x as unknown as number[];
  const ys = y as unknown as number[];
  const pairs: number[][] = Array.from({ length: n }, (_, i) => [x[i], y[i]]);

  const ours = pearson(x, y).statistic;
  const rSS = ss.sampleCorrelation(xs, ys);
  const rJ = jStat.corrcoeff(x, y);

  const reg = simpleRegression(x, y);
  const lrSS = ss.linearRegression(pairs);

  const m = 100_000;
  const a = normal(m, 11);
  const b = normal(m, 12);
  for (let i = 0; i < m; i++) b[i] = 0.02 + 1.3 * b[i];
  const as = a as unknown as number[];
  const bs = b as unknown as number[];
  const w = welchTTest(a, b);
  const wJ = welchFrom(
    jStat.mean(a),
    jStat.variance(a, true),
    m,
    jStat.mean(b),
    jStat.variance(b, true),
    m,
  );
  const wS = welchFrom(
    ss.mean(as),
    ss.sampleVariance(as),
    m,
    ss.mean(bs),
    ss.sampleVariance(bs),
    m,
  );
  void ols;

  const nr = 100_000;
  const rx = x.subarray(0, nr);
  const ry = y.subarray(0, nr);
  const rho = spearman(rx, ry).statistic;
  const rhoJ = spearmancoeff(rx, ry);

  return [
    {
      suite: 'stats',
      name: 'Pearson r on 1M pairs (edgewise: r + exact p-value + Fisher-z CI)',
      items: n,
      unit: 'pairs',
      ours: 'edgewise pearson (wasm simd co-moments)',
      impls: [
        {
          name: 'edgewise pearson (wasm simd co-moments)',
          run: () => consume(pearson(x, y).statistic),
        },
        {
          name: 'simple-statistics sampleCorrelation',
          run: () => consume(ss.sampleCorrelation(xs, ys)),
        },
        { name: 'jstat corrcoeff', run: () => consume(jStat.corrcoeff(x, y)) },
      ],
      notes: {
        'simple-statistics sampleCorrelation': `r agrees to ${relErr(ours, rSS)}`,
        'jstat corrcoeff': `r agrees to ${relErr(ours, rJ)}`,
      },
    },
    {
      suite: 'stats',
      name: 'Simple regression on 1M pairs (edgewise: slope, intercept, SEs, t, p, R²)',
      items: n,
      unit: 'pairs',
      ours: 'edgewise simpleRegression (wasm simd)',
      impls: [
        {
          name: 'edgewise simpleRegression (wasm simd)',
          run: () => consume(simpleRegression(x, y).slope),
        },
        {
          name: 'simple-statistics linearRegression',
          run: () => consume(ss.linearRegression(pairs).m),
        },
      ],
      notes: {
        'simple-statistics linearRegression': `slope agrees to ${relErr(reg.slope, lrSS.m)}, intercept to ${relErr(reg.intercept, lrSS.b)} (jstat has no simple regression; its models.ols is a dense-matrix OLS)`,
      },
    },
    {
      suite: 'stats',
      name: 'Welch t test on 2 x 100k (edgewise: t, Welch df, p, CI, effect size)',
      items: 2 * m,
      unit: 'values',
      ours: 'edgewise welchTTest (wasm simd mean/M2)',
      impls: [
        {
          name: 'edgewise welchTTest (wasm simd mean/M2)',
          run: () => consume(welchTTest(a, b).pValue),
        },
        {
          name: 'jstat mean+variance + studentt.cdf',
          run: () => {
            const r = welchFrom(
              jStat.mean(a),
              jStat.variance(a, true),
              m,
              jStat.mean(b),
              jStat.variance(b, true),
              m,
            );
            consume(2 * studentt.cdf(-Math.abs(r.t), r.df));
          },
        },
        {
          name: 'simple-statistics mean+sampleVariance (t, df only)',
          run: () =>
            consume(
              welchFrom(
                ss.mean(as),
                ss.sampleVariance(as),
                m,
                ss.mean(bs),
                ss.sampleVariance(bs),
                m,
              ).t,
            ),
        },
      ],
      notes: {
        'jstat mean+variance + studentt.cdf': `t agrees to ${relErr(w.statistic, wJ.t)}, p to ${relErr(w.pValue, 2 * studentt.cdf(-Math.abs(wJ.t), wJ.df))}`,
        'simple-statistics mean+sampleVariance (t, df only)': `t agrees to ${relErr(w.statistic, wS.t)} (no t distribution in simple-statistics)`,
      },
    },
    // (simple-statistics' sampleRankCorrelation is left out: it returns NaN on Float64Array
    // input, and feeding it number[] makes its shared helpers polymorphic for the peers above)
    {
      suite: 'stats',
      name: 'Spearman rho on 100k pairs (edgewise: WASM radix argsort ranks + p-value)',
      items: nr,
      unit: 'pairs',
      ours: 'edgewise spearman',
      rounds: 3,
      warmup: 1,
      impls: [
        { name: 'edgewise spearman', run: () => consume(spearman(rx, ry).statistic) },
        { name: 'jstat spearmancoeff', run: () => consume(spearmancoeff(rx, ry)) },
      ],
      notes: {
        'jstat spearmancoeff': `rho agrees to ${relErr(rho, rhoJ)}`,
      },
    },
  ];
}
