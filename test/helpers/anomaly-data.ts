/**
 * Shared test / bench data for the anomaly part. `synthetic` reproduces
 * test/fixtures/generate_anomaly.py's generator (mulberry32 + Box-Muller):
 * n x d, every 100th row uniform in [-6, 6]^d (label 1), others N(0, 1).
 */
import { Rng } from '../../src/anomaly/matrix';

export function synthetic(n = 100_000, d = 8, seed = 7): { X: Float64Array; y: Uint8Array } {
  const r = new Rng(seed);
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) {
      y[i] = 1;
      for (let j = 0; j < d; j++) X[i * d + j] = r.next() * 12 - 6;
    } else {
      for (let j = 0; j < d; j++) {
        const u1 = r.next();
        const u2 = r.next();
        X[i * d + j] = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
      }
    }
  }
  return { X, y };
}

/** ROC AUC (Mann-Whitney, ties averaged); higher score = positive. */
export function rocAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = score.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[idx[j + 1]] === score[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (y[idx[t]]) {
        rankSum += r;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
