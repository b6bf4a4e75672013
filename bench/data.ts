/** Seeded data shared by the benchmark suites (same data for every implementation). */
import { normals } from '../test/helpers/random';

export { mulberry32 } from '../test/helpers/random';

/** Standard normal deviates (Box-Muller), seeded. */
export const normal = normals;

export function lognormal(n: number, seed: number, sigma = 1, offset = 0): Float64Array {
  const z = normal(n, seed);
  for (let i = 0; i < n; i++) z[i] = offset + Math.exp(sigma * z[i]);
  return z;
}
