import { openState, stateFormat, writeF64State } from '../core/state-codec';
import { EdgewiseError } from '../errors';
import { forEachChunk, heapF64, type NumericInput, WasmObject } from './runtime';
import { allFinite, ensureRoundTrip } from './state';
import { wasm } from './wasm';

/** Everything `Moments` knows, as plain numbers (structured-clone safe). */
export interface MomentsSummary {
  count: number;
  sum: number;
  mean: number;
  /** Population variance (divides by n). */
  variance: number;
  /** Sample variance (divides by n - 1). */
  sampleVariance: number;
  std: number;
  sampleStd: number;
  /** Population skewness g1 (scipy.stats.skew default, bias=True). */
  skewness: number;
  /** Population excess kurtosis g2 (scipy.stats.kurtosis default, fisher=True, bias=True). */
  kurtosis: number;
  min: number;
  max: number;
  /** NaN and ±Infinity values skipped. */
  rejected: number;
}

const SLOTS = 10;
const FORMAT = stateFormat('Moments', 'EWMO', 1);
const SERIALIZED_BYTES = 8 + 9 * 8;

/**
 * Streaming moments over batches: count, mean, variance, skewness, kurtosis,
 * min and max, computed by a WebAssembly SIMD kernel.
 *
 * Numerically stable (power sums about the running mean per 8192-value chunk,
 * merged with the Chan/Pébay pairwise formulas, moments kept relative to a fixed
 * origin) and exactly mergeable. NaN and ±Infinity are counted in `rejected`.
 *
 * ```ts
 * const m = new Moments();
 * m.push(new Float64Array([1, 2, 3, 4]));
 * m.mean; // 2.5
 * m.dispose();
 * ```
 */
export class Moments extends WasmObject {
  constructor() {
    super('Moments', SLOTS * 8);
    wasm.moments_init(this.ptr);
  }

  /** A Moments over `values` in one call. */
  static of(values: NumericInput): Moments {
    return new Moments().push(values);
  }

  /**
   * Adds a batch (or one number). Throws `INVALID_ARGUMENT`, changing nothing, on bad input.
   * A Float64Array that is a view of the kernels' WebAssembly memory (e.g. rows from
   * `SlidingWindow.pushEach`) is read where it is, without a staging copy.
   */
  push(values: NumericInput | number): this {
    const s = this.ptr;
    forEachChunk(
      values,
      'Moments.push',
      (ptr, len) => {
        wasm.moments_push(s, ptr, len);
      },
      true,
    );
    return this;
  }

  /** Merges `other` into this one (exact: same result as one pass over both). */
  merge(other: Moments): this {
    if (!(other instanceof Moments)) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'Moments.merge: pass another Moments instance.');
    }
    wasm.moments_merge(this.ptr, other.ptr);
    return this;
  }

  /** Address of the state block (for `MomentsPool`, same module family). @internal */
  get address(): number {
    return this.ptr;
  }

  /** A copy with the same state. */
  clone(): Moments {
    const c = new Moments();
    wasm.moments_merge(c.ptr, this.ptr);
    return c;
  }

  /** Forgets everything. */
  reset(): this {
    wasm.moments_init(this.ptr);
    return this;
  }

  get count(): number {
    return this.slot(0);
  }
  get rejected(): number {
    return this.slot(8);
  }
  get mean(): number {
    return this.count === 0 ? Number.NaN : this.slot(1) + this.slot(2);
  }
  /**
   * The fixed origin (first finite value) the moments are kept relative to;
   * `mean = origin + meanOffset`, and `meanOffset` carries the digits that
   * rounding `mean` loses (e.g. for differences of nearly equal means).
   */
  get origin(): number {
    return this.count === 0 ? Number.NaN : this.slot(1);
  }
  get meanOffset(): number {
    return this.count === 0 ? Number.NaN : this.slot(2);
  }
  get sum(): number {
    const n = this.count;
    return n === 0 ? 0 : n * this.slot(1) + n * this.slot(2);
  }
  get variance(): number {
    const n = this.count;
    return n === 0 ? Number.NaN : this.slot(3) / n;
  }
  get sampleVariance(): number {
    const n = this.count;
    return n < 2 ? Number.NaN : this.slot(3) / (n - 1);
  }
  get std(): number {
    return Math.sqrt(this.variance);
  }
  get sampleStd(): number {
    return Math.sqrt(this.sampleVariance);
  }
  /** Population skewness; NaN when there are no values or the variance is 0. */
  get skewness(): number {
    const n = this.count;
    const m2 = this.slot(3);
    if (n === 0 || m2 === 0) return Number.NaN;
    return (Math.sqrt(n) * this.slot(4)) / (m2 * Math.sqrt(m2));
  }
  /** Population excess kurtosis; NaN when there are no values or the variance is 0. */
  get kurtosis(): number {
    const n = this.count;
    const m2 = this.slot(3);
    if (n === 0 || m2 === 0) return Number.NaN;
    return (n * this.slot(5)) / (m2 * m2) - 3;
  }
  get min(): number {
    return this.count === 0 ? Number.NaN : this.slot(6);
  }
  get max(): number {
    return this.count === 0 ? Number.NaN : this.slot(7);
  }

  summary(): MomentsSummary {
    return {
      count: this.count,
      sum: this.sum,
      mean: this.mean,
      variance: this.variance,
      sampleVariance: this.sampleVariance,
      std: this.std,
      sampleStd: this.sampleStd,
      skewness: this.skewness,
      kurtosis: this.kurtosis,
      min: this.min,
      max: this.max,
      rejected: this.rejected,
    };
  }

  toJSON(): MomentsSummary {
    return this.summary();
  }

  /** Versioned little-endian binary state ('EWMO', version, 9 x f64). */
  serialize(): Uint8Array {
    const base = this.ptr >>> 3;
    return writeF64State(FORMAT, heapF64().subarray(base, base + 9));
  }

  /** Restores a state written by `serialize()`. Throws `CORRUPT_STATE` on damaged bytes. */
  static deserialize(bytes: Uint8Array | ArrayBuffer): Moments {
    const { bytes: u8, reader } = openState(bytes, FORMAT);
    if (u8.byteLength !== SERIALIZED_BYTES) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `Moments.deserialize: expected ${SERIALIZED_BYTES} bytes, got ${u8.byteLength}.`,
      );
    }
    const v = reader.f64s(9);
    const [n, shift, meanD, m2, m3, m4, mn, mx, rejected] = v;
    const ok =
      Number.isInteger(n) &&
      n >= 0 &&
      Number.isInteger(rejected) &&
      rejected >= 0 &&
      (n === 0 ||
        (allFinite(shift, meanD, m2, m3, m4, mn, mx) &&
          m2 >= 0 &&
          m4 >= 0 &&
          mn <= mx &&
          // the mean lies within [min, max] (one ulp-scale tolerance for rounding)
          shift + meanD >= mn - 1e-9 * Math.max(1, Math.abs(mn)) &&
          shift + meanD <= mx + 1e-9 * Math.max(1, Math.abs(mx))));
    if (!ok) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'Moments.deserialize: the state is inconsistent (negative count or variance, min > max); ' +
          'the bytes were damaged.',
      );
    }
    const m = new Moments();
    const h = heapF64();
    const base = m.ptr >>> 3;
    // An empty state keeps the fresh state's fields (only `rejected` is read):
    // the round-trip check then refuses garbage in the unused fields.
    if (n === 0) h[base + 8] = rejected;
    else for (let i = 0; i < 9; i++) h[base + i] = v[i];
    return ensureRoundTrip(m, u8, 'Moments.deserialize');
  }
}
