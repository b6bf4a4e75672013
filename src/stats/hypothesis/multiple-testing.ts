/** Multiple-testing correction of p-values (as statsmodels' multipletests). */

import { fail, finiteF64, type NumArray } from '../common';

/**
 * Adjusted p-values for many tests: 'bh' (Benjamini-Hochberg FDR) or 'holm'
 * (Holm-Bonferroni FWER), as statsmodels' multipletests. Same order as input.
 */
export function adjustPValues(pValues: NumArray, method: 'bh' | 'holm' = 'bh'): Float64Array {
  const where = 'adjustPValues';
  const p = finiteF64(pValues, where, 'pValues');
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) fail(where, `pValues[${i}] = ${p[i]} is not in [0, 1].`);
  }
  if (method !== 'bh' && method !== 'holm')
    fail(where, `method must be 'bh' or 'holm', got ${String(method)}.`);
  const m = p.length;
  const idx = Array.from({ length: m }, (_, i) => i).sort((i, j) => p[i] - p[j] || i - j);
  const out = new Float64Array(m);
  if (method === 'bh') {
    let run = 1;
    for (let r = m - 1; r >= 0; r--) {
      const v = Math.min(1, (p[idx[r]] * m) / (r + 1));
      if (v < run) run = v;
      out[idx[r]] = run;
    }
  } else {
    let run = 0;
    for (let r = 0; r < m; r++) {
      const v = Math.min(1, p[idx[r]] * (m - r));
      if (v > run) run = v;
      out[idx[r]] = run;
    }
  }
  return out;
}
