/** `edgewise/stats`: descriptive statistics, hypothesis tests, correlation, regression. */
export type { Alternative, NanOptions, NanPolicy, NumArray, TestResult } from './common';
export * from './correlation';
export * from './descriptive';
export * from './distributions';
export { kolmogorovSfN, smirnovSf } from './ks';
export * from './regression';
export * from './sequential';
export { shapiroWilk } from './shapiro';
export * as special from './special';
export * from './tests';
