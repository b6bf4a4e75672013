import { toFloat64 } from '../core/arrays';
import { describeValue, EdgewiseError } from '../errors';
import {
  allocBytes,
  forEachChunk,
  forEachPairChunk,
  freeBytes,
  heapF64,
  WasmObject,
} from './runtime';
import { wasm } from './wasm';

interface BivariateExports {
  univar_init(s: number): void;
  univar_push(s: number, p: number, len: number): number;
  bivar_init(s: number): void;
  bivar_rss(px: number, py: number, len: number, mx: number, my: number, b: number): number;
  bivar_push(s: number, px: number, py: number, len: number): number;
  bivar_merge(dst: number, src: number): void;
}
const k = wasm as unknown as BivariateExports;

/**
 * Streaming co-moments of paired values (count, means, variances, covariance)
 * computed by a WebAssembly SIMD kernel: the single pass behind Pearson r and
 * simple regression. Pairs with a NaN or ±Infinity are skipped and counted in
 * `rejected`. Exactly mergeable.
 *
 * ```ts
 * const c = CoMoments.of(x, y);
 * c.covariance / Math.sqrt(c.varianceX * c.varianceY); // Pearson r
 * c.dispose();
 * ```
 */
export class CoMoments extends WasmObject {
  constructor() {
    super('CoMoments', 10 * 8);
    k.bivar_init(this.ptr);
  }

  static of(x: ArrayLike<number>, y: ArrayLike<number>): CoMoments {
    return new CoMoments().push(x, y);
  }

  /** Adds paired batches (same length). Throws `INVALID_ARGUMENT`, changing nothing, on bad input. */
  push(x: ArrayLike<number>, y: ArrayLike<number>): this {
    // Float32Array is staged as it is (the copy into WASM memory widens it).
    const xs = x instanceof Float32Array ? x : toFloat64(x, 'CoMoments.push', 'x');
    const ys = y instanceof Float32Array ? y : toFloat64(y, 'CoMoments.push', 'y');
    if (xs.length !== ys.length) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `CoMoments.push: x and y must have the same length (got ${xs.length} and ${ys.length}).`,
      );
    }
    const s = this.ptr;
    forEachPairChunk(xs, ys, (px, py, len) => {
      k.bivar_push(s, px, py, len);
    });
    return this;
  }

  merge(other: CoMoments): this {
    if (!(other instanceof CoMoments)) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'CoMoments.merge: pass another CoMoments.');
    }
    k.bivar_merge(this.ptr, other.ptr);
    return this;
  }

  reset(): this {
    k.bivar_init(this.ptr);
    return this;
  }

  get count(): number {
    return this.slot(0);
  }
  get rejected(): number {
    return this.slot(8);
  }
  get meanX(): number {
    return this.count === 0 ? Number.NaN : this.slot(1) + this.slot(3);
  }
  get meanY(): number {
    return this.count === 0 ? Number.NaN : this.slot(2) + this.slot(4);
  }
  /** Sum of squared deviations of x (Sxx). */
  get sxx(): number {
    return this.slot(5);
  }
  get syy(): number {
    return this.slot(6);
  }
  get sxy(): number {
    return this.slot(7);
  }
  /** Sample variances and covariance (divide by n - 1). */
  get varianceX(): number {
    return this.count < 2 ? Number.NaN : this.sxx / (this.count - 1);
  }
  get varianceY(): number {
    return this.count < 2 ? Number.NaN : this.syy / (this.count - 1);
  }
  get covariance(): number {
    return this.count < 2 ? Number.NaN : this.sxy / (this.count - 1);
  }
}

/** Mean and sum of squared deviations of one batch, as returned by `meanAndM2`. */
export interface MeanM2 {
  /** Finite values used. */
  n: number;
  /** The origin (first finite value); mean = origin + meanOffset. */
  origin: number;
  /** mean - origin, computed from x - origin (keeps digits when means nearly agree). */
  meanOffset: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
  /** NaN / ±Infinity values skipped. */
  rejected: number;
}

let univarState = 0;

/**
 * One-shot mean and M2 of a batch by a light WASM SIMD kernel (no M3/M4,
 * min, max): the pass behind the t tests. Non-finite values are skipped and
 * counted in `rejected`.
 */
export function meanAndM2(values: Float64Array): MeanM2 {
  if (!(values instanceof Float64Array)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `meanAndM2: pass a Float64Array, got ${describeValue(values)}.`,
    );
  }
  if (univarState === 0) univarState = allocBytes(8 * 8);
  const s = univarState;
  k.univar_init(s);
  forEachChunk(values, 'meanAndM2', (ptr, len) => {
    k.univar_push(s, ptr, len);
  });
  const h = heapF64();
  const b = s >>> 3;
  return { n: h[b], origin: h[b + 1], meanOffset: h[b + 2], m2: h[b + 3], rejected: h[b + 4] };
}

/**
 * Residual sum of squares Σ ((y - my) - b (x - mx))² in one WASM SIMD pass
 * (the accurate second pass of simple regression when R² ≈ 1).
 */
export function residualSumOfSquares(
  x: Float64Array,
  y: Float64Array,
  mx: number,
  my: number,
  b: number,
): number {
  let s = 0;
  forEachPairChunk(x, y, (px, py, len) => {
    s += k.bivar_rss(px, py, len, mx, my, b);
  });
  return s;
}

interface SortExports {
  argsort_f64(
    vals: number,
    n: number,
    keys: number,
    keys2: number,
    idx: number,
    idx2: number,
    counts: number,
  ): void;
}
const ks = wasm as unknown as SortExports;

/**
 * Stable ascending argsort of NaN-free f64 values by a WebAssembly radix sort
 * (4 passes of 16-bit digits; -0 and +0 tie). Equal values keep their input
 * order, as numpy's stable argsort.
 */
export function argsortF64(values: Float64Array): Uint32Array {
  const n = values.length;
  const bytes = n * 8 * 3 + n * 4 * 2 + 65536 * 4 + 64;
  const base = allocBytes(bytes);
  try {
    const vals = base;
    const keys = vals + n * 8;
    const keys2 = keys + n * 8;
    const idx = keys2 + n * 8;
    const idx2 = idx + n * 4;
    const counts = (idx2 + n * 4 + 15) & ~15;
    heapF64().set(values, vals >>> 3);
    ks.argsort_f64(vals, n, keys, keys2, idx, idx2, counts);
    return new Uint32Array(wasm.memory.buffer, idx, n).slice();
  } finally {
    freeBytes(base);
  }
}
