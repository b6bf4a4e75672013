import { describeValue, EdgewiseError } from '../errors';
import { allocBytes, heapF64, STAGING_VALUES, WasmObject, wasm } from './runtime';

interface BivariateExports {
  bivar_init(s: number): void;
  bivar_push(s: number, px: number, py: number, len: number): number;
  bivar_merge(dst: number, src: number): void;
}
const k = wasm as unknown as BivariateExports;

let stagingX = 0;
let stagingY = 0;

function toTyped(v: unknown, where: string, name: string): Float64Array | Float32Array | number[] {
  if (v instanceof Float64Array || v instanceof Float32Array) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `${where}: ${name}[${i}] is ${describeValue(v[i])}; pass numbers only.`,
        );
      }
    }
    return v as number[];
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return Float64Array.from(v as unknown as ArrayLike<number>);
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: ${name} must be a Float64Array or an array of numbers, got ${describeValue(v)}.`,
  );
}

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
    const xs = toTyped(x, 'CoMoments.push', 'x');
    const ys = toTyped(y, 'CoMoments.push', 'y');
    if (xs.length !== ys.length) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `CoMoments.push: x and y must have the same length (got ${xs.length} and ${ys.length}).`,
      );
    }
    if (stagingX === 0) {
      stagingX = allocBytes(STAGING_VALUES * 8);
      stagingY = allocBytes(STAGING_VALUES * 8);
    }
    const s = this.ptr;
    const n = xs.length;
    const typed = !Array.isArray(xs) && !Array.isArray(ys);
    for (let off = 0; off < n; off += STAGING_VALUES) {
      const len = Math.min(STAGING_VALUES, n - off);
      const h = heapF64();
      if (typed) {
        const tx = xs as Float64Array;
        const ty = ys as Float64Array;
        h.set(len === n ? tx : tx.subarray(off, off + len), stagingX >>> 3);
        h.set(len === n ? ty : ty.subarray(off, off + len), stagingY >>> 3);
      } else {
        const bx = stagingX >>> 3;
        const by = stagingY >>> 3;
        for (let i = 0; i < len; i++) {
          h[bx + i] = xs[off + i];
          h[by + i] = ys[off + i];
        }
      }
      k.bivar_push(s, stagingX, stagingY, len);
    }
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

  #slot(i: number): number {
    return heapF64()[(this.ptr >>> 3) + i];
  }
  get count(): number {
    return this.#slot(0);
  }
  get rejected(): number {
    return this.#slot(8);
  }
  get meanX(): number {
    return this.count === 0 ? Number.NaN : this.#slot(1) + this.#slot(3);
  }
  get meanY(): number {
    return this.count === 0 ? Number.NaN : this.#slot(2) + this.#slot(4);
  }
  /** Sum of squared deviations of x (Sxx). */
  get sxx(): number {
    return this.#slot(5);
  }
  get syy(): number {
    return this.#slot(6);
  }
  get sxy(): number {
    return this.#slot(7);
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
