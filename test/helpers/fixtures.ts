/** Reads committed fixtures (works in Node and, via Vite, in the browser). */
export function decodeF64(b64: string): Float64Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

export interface MomentsCase {
  name: string;
  data: string;
  count: number;
  rejected: number;
  mean?: number;
  variance?: number;
  sampleVariance?: number | null;
  min?: number;
  max?: number;
  skewness?: number;
  kurtosis?: number;
  scipySkewness?: number;
  scipyKurtosis?: number;
  wellConditioned?: boolean;
}

/** |a - b| <= rel * |b| (or both NaN). */
export function relErr(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.abs(b);
}
