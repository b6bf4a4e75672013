/**
 * `edgewise/stats`: descriptive statistics, hypothesis tests, correlation, regression.
 *
 * @module edgewise/stats
 */
export type { Alternative, NanOptions, NanPolicy, NumArray, TestResult } from './common';
export * from './correlation';
export * from './descriptive';
export * from './distributions';
export * from './hypothesis/contingency';
export * from './hypothesis/k-sample';
export * from './hypothesis/kolmogorov-smirnov';
export * from './hypothesis/multiple-testing';
export * from './hypothesis/rank-tests';
export { shapiroWilk } from './hypothesis/shapiro-wilk';
export type { TestOptions } from './hypothesis/shared';
export * from './hypothesis/t-tests';
export { kolmogorovSfN, smirnovSf } from './ks';
export type { RegressionOptions, RegressionReport } from './regression/design';
export * from './regression/linear';
export * from './regression/logistic';
export * from './regression/ridge';
export * from './regression/simple';
export * from './sequential';
/**
 * Special functions under the distributions (Cephes algorithms, as scipy): log-gamma, erf/erfc
 * and their inverses, the regularised incomplete beta and gamma functions and their inverses.
 */
export * as special from './special';
