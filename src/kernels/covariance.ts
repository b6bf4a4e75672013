import { toFloat64 } from '../core/arrays';
import { openState, stateFormat, writeF64State } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import { forEachChunk, heapF64, type NumericInput, STAGING_VALUES, WasmObject } from './runtime';
import { wasm } from './wasm';

interface CovExports {
  cov_slots(d: number): number;
  cov_init(s: number, d: number): void;
  cov_push(s: number, ptr: number, rows: number): void;
  cov_merge(dst: number, src: number): void;
}
const k = wasm as unknown as CovExports;

// shorter than the header is a wrong argument, not a damaged state (as before the codec)
const FORMAT = stateFormat('Covariance', 'EWCV', 1, { inputCode: 'INVALID_ARGUMENT' });

/** Options of `Covariance`. */
export interface CovarianceOptions {
  /** Number of columns of each row (1..512). */
  dims: number;
}

/**
 * Streaming covariance and correlation of `dims`-dimensional rows
 * (row-major `Float64Array`, `rows x dims`), computed in WebAssembly.
 *
 * Each batch chunk is reduced to its mean and centred co-moments, merged with
 * Chan's pairwise formula (numerically stable, exact merge), with values kept
 * relative to the first row so offsets do not cost precision. Rows holding
 * NaN/±Infinity are skipped and counted in `rejected`.
 *
 * ```ts
 * const c = new Covariance({ dims: 3 });
 * c.push(rows);            // Float64Array of n * 3 values
 * c.mean; c.covariance; c.correlation; // Float64Array (3) and 3 x 3 row-major
 * ```
 */
export class Covariance extends WasmObject {
  readonly dims: number;

  constructor(options: CovarianceOptions) {
    const d = options?.dims;
    if (!Number.isInteger(d) || d < 1 || d > 512) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Covariance: dims must be an integer in [1, 512], got ${describeValue(d)}; pass { dims: columns }.`,
      );
    }
    super('Covariance', k.cov_slots(d) * 8);
    this.dims = d;
    k.cov_init(this.ptr, d);
  }

  /** A Covariance over `rows` in one call. */
  static of(rows: NumericInput, options: CovarianceOptions): Covariance {
    return new Covariance(options).push(rows);
  }

  /** Adds rows (row-major, length a multiple of dims). */
  push(rows: NumericInput): this {
    const d = this.dims;
    const len = (rows as ArrayLike<number>)?.length;
    if (typeof len !== 'number' || typeof rows === 'number' || len % d !== 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Covariance.push: pass a row-major Float64Array whose length is a multiple of dims (${d}), ` +
          `got ${describeValue(rows)}.`,
      );
    }
    const src = toFloat64(rows, 'Covariance.push', 'rows');
    const perChunk = Math.max(1, Math.floor(STAGING_VALUES / d)) * d;
    const s = this.ptr;
    for (let off = 0; off < src.length; off += perChunk) {
      forEachChunk(
        src.subarray(off, Math.min(src.length, off + perChunk)),
        'Covariance.push',
        (ptr, n) => k.cov_push(s, ptr, n / d),
      );
    }
    return this;
  }

  merge(other: Covariance): this {
    if (!(other instanceof Covariance) || other.dims !== this.dims) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Covariance.merge: pass another Covariance with dims ${this.dims}, got ${describeValue(other)}.`,
      );
    }
    if (other === this) {
      const c = this.clone();
      k.cov_merge(this.ptr, c.ptr);
      c.dispose();
    } else k.cov_merge(this.ptr, other.ptr);
    return this;
  }

  clone(): Covariance {
    const c = new Covariance({ dims: this.dims });
    k.cov_merge(c.ptr, this.ptr);
    return c;
  }

  reset(): this {
    k.cov_init(this.ptr, this.dims);
    return this;
  }

  /** Rows accepted. */
  get count(): number {
    return this.slot(0 + 1);
  }
  /** Rows skipped because they held NaN or ±Infinity. */
  get rejected(): number {
    return this.slot(2);
  }
  /** Column means (NaN when empty). */
  get mean(): Float64Array {
    const d = this.dims;
    const h = heapF64();
    const b = (this.ptr >>> 3) + 8;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = this.count === 0 ? Number.NaN : h[b + j] + h[b + d + j];
    return out;
  }
  #co(ddof: number): Float64Array {
    const d = this.dims;
    const n = this.count;
    const b = (this.ptr >>> 3) + 8 + 2 * d;
    const out = heapF64().slice(b, b + d * d);
    const div = n - ddof;
    for (let i = 0; i < out.length; i++) out[i] = div > 0 ? out[i] / div : Number.NaN;
    return out;
  }
  /** Population covariance matrix (divides by n; numpy.cov(bias=True)), row-major d x d. */
  get covariance(): Float64Array {
    return this.#co(0);
  }
  /** Sample covariance matrix (divides by n - 1; numpy.cov default). */
  get sampleCovariance(): Float64Array {
    return this.#co(1);
  }
  /** Pearson correlation matrix (numpy.corrcoef); NaN where a column is constant. */
  get correlation(): Float64Array {
    const d = this.dims;
    const c = this.#co(0);
    const out = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const den = Math.sqrt(c[i * d + i]) * Math.sqrt(c[j * d + j]);
        let r = den > 0 ? c[i * d + j] / den : Number.NaN;
        if (r > 1) r = 1;
        else if (r < -1) r = -1;
        out[i * d + j] = i === j && den > 0 ? 1 : r;
      }
    }
    return out;
  }

  /** Versioned little-endian state: 'EWCV', u16 version, u16 dims, then n, rejected, shift flag, K, mean, C. */
  serialize(): Uint8Array {
    const d = this.dims;
    const h = heapF64();
    const b = this.ptr >>> 3;
    const f = [h[b + 1], h[b + 2], h[b + 3], ...h.subarray(b + 8, b + 8 + 2 * d + d * d)];
    return writeF64State(FORMAT, f, d);
  }

  static deserialize(bytes: Uint8Array | ArrayBuffer): Covariance {
    const { bytes: u8, tag: d, reader } = openState(bytes, FORMAT);
    const nf = 3 + 2 * d + d * d;
    if (d < 1 || d > 512 || u8.byteLength !== 8 + nf * 8) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'Covariance.deserialize: wrong length for its dims.',
      );
    }
    const f = reader.f64s(nf);
    const [n, rej, flag] = f;
    let ok =
      Number.isInteger(n) &&
      n >= 0 &&
      Number.isInteger(rej) &&
      rej >= 0 &&
      (flag === 0 || flag === 1);
    for (let i = 0; i < d && ok; i++) ok = f[3 + 2 * d + i * d + i] >= 0;
    for (let i = 3; i < nf && ok; i++) ok = Number.isFinite(f[i]);
    if (!ok) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'Covariance.deserialize: inconsistent state (negative count or variance, non-finite values).',
      );
    }
    const c = new Covariance({ dims: d });
    const h = heapF64();
    const b = c.ptr >>> 3;
    h[b + 1] = n;
    h[b + 2] = rej;
    h[b + 3] = flag;
    h.set(f.subarray(3), b + 8);
    return c;
  }
}
