import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KnnKernel } from '../src/kernels/knn';
import { rng } from './helpers/fsum';

/** Squared distance summed as assembly/knn.ts does (columns in order). */
function sq(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const x = b[bo + c] - a[ao + c];
    s += x * x;
  }
  return s;
}

/**
 * Brute-force reference: the k smallest (distance, index) pairs; for self
 * queries k + 1 of them, dropping the row itself (or the first one when more
 * than k duplicates with lower indices push it out), as scikit-learn.
 */
function brute(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  Q?: Float64Array,
): { dist: number[]; idx: number[] } {
  const m = Q ? Q.length / d : n;
  const dist: number[] = [];
  const idx: number[] = [];
  const order = Array.from({ length: n }, (_, j) => j);
  for (let i = 0; i < m; i++) {
    const s = order.map((j) => (Q ? sq(Q, i * d, X, j * d, d) : sq(X, i * d, X, j * d, d)));
    const sorted = order.slice().sort((a, b) => s[a] - s[b] || a - b);
    let nb = sorted.slice(0, Q ? k : k + 1);
    if (!Q) {
      const at = nb.indexOf(i);
      nb.splice(Math.max(at, 0), 1);
    }
    nb = nb.slice(0, k);
    for (const j of nb) {
      dist.push(Math.sqrt(s[j]));
      idx.push(j);
    }
  }
  return { dist, idx };
}

function check(X: Float64Array, n: number, d: number, k: number, Q?: Float64Array): void {
  const kernel = new KnnKernel(X, n, d);
  try {
    const got = kernel.query(k, Q);
    const want = brute(X, n, d, k, Q);
    expect(Array.from(got.idx)).toEqual(want.idx);
    expect(Array.from(got.dist)).toEqual(want.dist);
    expect(kernel.reference()).toEqual(X.subarray(0, n * d));
  } finally {
    kernel.dispose();
  }
}

function grid(len: number, levels: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: len }, () => Math.floor(r() * levels));
}

describe('KnnKernel (kd-tree) equals brute force exactly', () => {
  it('property: integer grids with many tied distances and duplicated rows', () => {
    fc.assert(
      fc.property(
        // up to 700 rows: past one leaf (128), so splits, pruning and ties across nodes count
        fc.integer({ min: 2, max: 700 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, d, kRaw, levels, seed) => {
          const k = 1 + (kRaw % (n - 1));
          const X = grid(n * d, levels, seed);
          check(X, n, d, k);
          check(X, n, d, Math.min(k, n), grid(7 * d, levels + 1, seed + 1));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rows repeated more than k times (the row itself falls outside its k + 1 nearest)', () => {
    const d = 3;
    const sites = grid(40 * d, 6, 11);
    const X = new Float64Array(400 * d);
    for (let i = 0; i < 400; i++) X.set(sites.subarray((i % 40) * d, (i % 40) * d + d), i * d);
    check(X, 400, d, 4);
    check(X, 400, d, 12, grid(30 * d, 7, 12));
    // every row the same
    check(new Float64Array(500 * d).fill(2.5), 500, d, 9, grid(5 * d, 4, 13));
  });

  it('continuous data, several sizes: n below one leaf, d = 1, large d', () => {
    for (const [n, d, k, seed] of [
      [5, 2, 4, 1],
      [17, 1, 3, 2],
      [600, 1, 20, 3],
      [1500, 8, 20, 4],
      [1100, 8, 1, 5],
      [300, 37, 9, 6],
      [257, 64, 15, 7],
      [2000, 3, 30, 8],
    ] as const) {
      const r = rng(seed);
      const X = Float64Array.from({ length: n * d }, () => r() + r() + r());
      for (let i = 0; i < 3; i++) X[i * d] += 25;
      check(X, n, d, k);
      check(
        X,
        n,
        d,
        k,
        Float64Array.from({ length: 13 * d }, () => (r() - 0.3) * 4),
      );
    }
  });

  it('more queries than one chunk (1,024 rows), k = n', () => {
    const r = rng(9);
    const X = Float64Array.from({ length: 300 * 2 }, () => Math.round(r() * 20));
    check(
      X,
      300,
      2,
      7,
      Float64Array.from({ length: 1100 * 2 }, () => Math.round(r() * 24 - 2)),
    );
    check(
      X.subarray(0, 40),
      20,
      2,
      20,
      Float64Array.from({ length: 30 }, () => r() * 20),
    );
  });
});
