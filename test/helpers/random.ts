/** Seeded generators for in-test data (independent of the code under test). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The Numerical Recipes linear congruential generator (x -> 1664525 x + 1013904223
 * mod 2^32), values x / 2^32 in [0, 1). Weaker than mulberry32; kept because
 * suites' data were drawn from it.
 */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Standard normal deviates (Box-Muller). */
export function normals(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const m = Math.sqrt(-2 * Math.log(1 - r()));
    const v = 2 * Math.PI * r();
    out[i] = m * Math.cos(v);
    if (i + 1 < n) out[i + 1] = m * Math.sin(v);
  }
  return out;
}

export type Distribution = 'lognormal' | 'pareto' | 'uniform' | 'bimodal' | 'mixed';

/** n values of a named distribution (used by the accuracy tests). */
export function sample(dist: Distribution, n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  switch (dist) {
    case 'lognormal': {
      const z = normals(n, seed);
      for (let i = 0; i < n; i++) z[i] = Math.exp(1.5 * z[i]);
      return z;
    }
    case 'pareto': {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = (1 - r()) ** (-1 / 1.2);
      return x;
    }
    case 'uniform': {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = 1e-3 + 1000 * r();
      return x;
    }
    case 'bimodal': {
      const z = normals(n, seed);
      for (let i = 0; i < n; i++) z[i] = r() < 0.5 ? 10 + z[i] : 1e4 + 50 * z[i];
      return z;
    }
    case 'mixed': {
      const z = normals(n, seed);
      for (let i = 0; i < n; i++) z[i] = (r() < 0.4 ? -1 : 1) * Math.exp(2 * z[i]);
      return z;
    }
  }
}

/** `xs` in the order of their sort keys `key(i)` (a permutation drawn by a property test). */
export function permute<T>(xs: readonly T[], key: (i: number) => number): T[] {
  return xs
    .map((x, i) => ({ x, k: key(i) }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.x);
}
