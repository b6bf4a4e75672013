/** Seeded data shared by the benchmark suites (same data for every implementation). */
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

export function normal(n: number, seed: number): Float64Array {
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

export function lognormal(n: number, seed: number, sigma = 1, offset = 0): Float64Array {
  const z = normal(n, seed);
  for (let i = 0; i < n; i++) z[i] = offset + Math.exp(sigma * z[i]);
  return z;
}
