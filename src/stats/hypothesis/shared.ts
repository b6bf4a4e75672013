/** What the hypothesis tests share: their options, the NaN result, log binomial coefficients. */

import type { Alternative, NanOptions, TestResult } from '../common';
import { lgamma } from '../special';

/** Options every hypothesis test takes: the alternative and the NaN policy. */
export interface TestOptions extends NanOptions {
  alternative?: Alternative;
}

/** The result of a test whose input propagates NaN (`nan: 'propagate'`). */
export const nanResult = (alternative: Alternative): TestResult => ({
  statistic: Number.NaN,
  pValue: Number.NaN,
  alternative,
});

/** log C(n, k) through lgamma. */
export function logChoose(n: number, k: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}
