import { openState, stateFormat, writeF64State } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import {
  allocBytes,
  forEachChunk,
  heapF64,
  type NumericInput,
  STAGING_VALUES,
  WasmObject,
} from './runtime';
import { allFinite, ensureRoundTrip } from './state';
import { wasm } from './wasm';

interface EwExports {
  ew_init(s: number, alpha: number): void;
  ew_push(s: number, ptr: number, len: number, outMean: number, outVar: number): number;
}
const k = wasm as unknown as EwExports;

const FORMAT = stateFormat('Ewma', 'EWEM', 1);

/** Options of `Ewma`: `alpha` or `halfLife`. */
export interface EwmaOptions {
  /** Smoothing factor in (0, 1]: weight of the newest value. Give this or `halfLife`. */
  alpha?: number;
  /** Number of steps after which a value's weight halves: alpha = 1 - 2^(-1/halfLife). */
  halfLife?: number;
}

/** Per-step series returned by `Ewma.push`. */
export interface EwmaSeries {
  length: number;
  mean: Float64Array;
  /** Weighted population variance. */
  variance: Float64Array;
}

let outPtr = 0;

/**
 * Exponentially weighted mean and variance.
 *
 * Bias-corrected from the start: each output is the weighted average with
 * weights (1 - alpha)^age normalised by their sum (pandas `ewm(adjust=True)`),
 * so the first output is the first value, not alpha times it. The variance is
 * the weighted population variance (pandas `ewm(adjust=True).var(bias=True)`),
 * updated with West's weighted Welford step relative to the first value.
 *
 * ```ts
 * const e = new Ewma({ halfLife: 30 });
 * const { mean, variance } = e.push(samples); // one row per finite value
 * e.mean; e.variance; // latest
 * ```
 */
export class Ewma extends WasmObject {
  readonly alpha: number;

  constructor(options: EwmaOptions) {
    if (options === null || typeof options !== 'object') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ewma: pass { alpha } or { halfLife }, got ${describeValue(options)}.`,
      );
    }
    const { alpha, halfLife } = options;
    if ((alpha === undefined) === (halfLife === undefined)) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'Ewma: pass exactly one of alpha or halfLife.');
    }
    let a: number;
    if (alpha !== undefined) {
      if (typeof alpha !== 'number' || !(alpha > 0 && alpha <= 1)) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `Ewma: alpha must be in (0, 1], got ${describeValue(alpha)}.`,
        );
      }
      a = alpha;
    } else {
      if (typeof halfLife !== 'number' || !(halfLife > 0) || !Number.isFinite(halfLife)) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `Ewma: halfLife must be a positive number of steps, got ${describeValue(halfLife)}.`,
        );
      }
      a = 1 - 2 ** (-1 / halfLife);
    }
    super('Ewma', 8 * 8);
    this.alpha = a;
    k.ew_init(this.ptr, a);
  }

  /** Adds a batch; returns the mean and variance after each finite value. */
  push(values: NumericInput | number): EwmaSeries {
    const n = typeof values === 'number' ? 1 : (values as ArrayLike<number>)?.length;
    if (typeof n !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ewma.push: expected a Float64Array or an array of numbers, got ${describeValue(values)}.`,
      );
    }
    if (outPtr === 0) outPtr = allocBytes(2 * STAGING_VALUES * 8);
    const mean = new Float64Array(n);
    const variance = new Float64Array(n);
    let rows = 0;
    const s = this.ptr;
    forEachChunk(values, 'Ewma.push', (ptr, len) => {
      const r = k.ew_push(s, ptr, len, outPtr, outPtr + STAGING_VALUES * 8);
      const h = heapF64();
      const b = outPtr >>> 3;
      mean.set(h.subarray(b, b + r), rows);
      variance.set(h.subarray(b + STAGING_VALUES, b + STAGING_VALUES + r), rows);
      rows += r;
    });
    return rows === n
      ? { length: rows, mean, variance }
      : { length: rows, mean: mean.slice(0, rows), variance: variance.slice(0, rows) };
  }

  reset(): this {
    k.ew_init(this.ptr, this.alpha);
    return this;
  }

  get count(): number {
    return this.slot(5);
  }
  get rejected(): number {
    return this.slot(6);
  }
  /** Latest weighted mean (NaN before any value). */
  get mean(): number {
    return this.count === 0 ? Number.NaN : this.slot(4) + this.slot(2);
  }
  /** Latest weighted population variance (NaN before any value). */
  get variance(): number {
    if (this.count === 0) return Number.NaN;
    const S = this.slot(3);
    return S > 0 ? S / this.slot(1) : 0;
  }

  /** Versioned little-endian state: 'EWEM', u16 version, then alpha, W, mean, S, K, n, rejected. */
  serialize(): Uint8Array {
    const f: number[] = [];
    for (let i = 0; i < 7; i++) f.push(this.slot(i));
    return writeF64State(FORMAT, f);
  }

  static deserialize(bytes: Uint8Array | ArrayBuffer): Ewma {
    const { bytes: u8, reader } = openState(bytes, FORMAT);
    if (u8.byteLength !== 64)
      throw new EdgewiseError('CORRUPT_STATE', 'Ewma.deserialize: expected 64 bytes.');
    const f = reader.f64s(7);
    const [alpha, W, m, S, K, n, rej] = f;
    const ok =
      allFinite(alpha, W, m, S, K) &&
      alpha > 0 &&
      alpha <= 1 &&
      W >= 0 &&
      S >= 0 &&
      (n === 0 ? W === 0 && S === 0 : W > 0 && Number.isFinite(S / W) && Number.isFinite(K + m)) &&
      Number.isInteger(n) &&
      n >= 0 &&
      Number.isInteger(rej) &&
      rej >= 0;
    if (!ok)
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'Ewma.deserialize: inconsistent state; the bytes were damaged.',
      );
    const e = new Ewma({ alpha });
    heapF64().set(f, e.ptr >>> 3);
    return ensureRoundTrip(e, u8, 'Ewma.deserialize');
  }
}
