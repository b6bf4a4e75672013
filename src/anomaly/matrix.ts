/** Shared helpers of the anomaly family: matrix validation, seeded RNG. */
import { toFloat64 } from '../core/arrays';
import { describeValue, EdgewiseError } from '../errors';

/** A row-major `n x dims` matrix. */
export interface MatrixOptions {
  /** Number of columns (features) per row. */
  dims: number;
}

/**
 * Validates a row-major matrix and returns it as a Float64Array plus its row
 * count. Throws INVALID_ARGUMENT (naming `where`) on a bad shape or a
 * non-finite value.
 */
export function asMatrix(
  x: unknown,
  options: MatrixOptions | undefined,
  where: string,
  expectDims?: number,
): { data: Float64Array; n: number; d: number } {
  const d = options?.dims;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: pass { dims } = the number of columns of the row-major matrix (a positive integer), got ${describeValue(d)}.`,
    );
  }
  if (expectDims !== undefined && d !== expectDims) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: the model was fitted with dims = ${expectDims}; got dims = ${d}.`,
    );
  }
  const data = toFloat64(x, where, 'x');
  if (data.length % d !== 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: length ${data.length} is not a multiple of dims = ${d}; pass n * dims values, row-major.`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v - v === 0)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: value ${i} (row ${Math.floor(i / d)}, column ${i % d}) is ${v}; matrices must be finite (impute or drop such rows first).`,
      );
    }
  }
  return { data, n: data.length / d, d };
}

/** Small deterministic PRNG (mulberry32); `next()` in [0, 1). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** Internal state (for snapshots). */
  get state(): number {
    return this.#s;
  }
  set state(s: number) {
    this.#s = s >>> 0;
  }
  nextU32(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return (this.nextU32() * 2 ** 21 + (this.nextU32() >>> 11)) / 2 ** 53;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function checkPositiveInt(v: unknown, name: string, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be a positive integer, got ${describeValue(v)}.`,
    );
  }
  return v;
}
