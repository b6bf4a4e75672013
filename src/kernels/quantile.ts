import { isCount, openState, stateFormat, writeF64State } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import { forEachChunk, heapF64, type NumericInput, SummaryWasmObject } from './runtime';
import { ensureRoundTrip, setSummarySlots } from './state';
import { wasm } from './wasm';

interface QsExports {
  qs_init(s: number, m: number, maxBuckets: number, exactLimit: number): void;
  qs_push(s: number, ptr: number, len: number): void;
  qs_merge(dst: number, src: number): void;
  qs_reset(s: number): void;
  qs_release(s: number): void;
  qs_store_ensure(s: number, b: number, lo: number, hi: number): void;
  qs_flush_exact(s: number): void;
}
const k = wasm as unknown as QsExports;

/** Options of `QuantileSketch`. */
export interface QuantileSketchOptions {
  /**
   * Guaranteed relative error of every quantile (bucketed mode), in (0, 0.5].
   * Default 0.01 (1%). Must be at least 1e-5.
   */
  relativeAccuracy?: number;
  /**
   * Bucket limit per sign (memory bound: 8 bytes per bucket). When values span
   * more buckets, the smallest magnitudes collapse into one bucket; see the
   * class documentation. Default 2048 (at 1% that spans a factor ~4e17).
   */
  maxBuckets?: number;
  /**
   * While the count is at most this, the sketch keeps the values themselves
   * and answers exactly. Default 128; 0 disables the exact mode.
   */
  exactLimit?: number;
}

/** A structured-clone-safe summary. */
export interface QuantileSketchSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
  rejected: number;
  exact: boolean;
}

const SLOTS = 24;
const POS = 11;
const NEG = 17;
const NO_FLOOR = -2147483648;
const FORMAT = stateFormat('QuantileSketch', 'EWQS', 1);
const CA = 6 / 35;
const CB = -3 / 5;
const CC = 10 / 7;

function multiplierFor(relativeAccuracy: number): number {
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
  // 7 / (10 ln gamma), with a 1e-6 safety margin against rounding.
  return (0.7 / Math.log(gamma)) * (1 + 1e-6);
}

/** Inverse of the interpolated log2 f (see assembly/quantile.ts). */
function fInv(y: number): number {
  const e = Math.floor(y);
  const t = y - e;
  let s = t / CC;
  for (let i = 0; i < 8; i++) {
    const p = ((CA * s + CB) * s + CC) * s - t;
    const dp = (3 * CA * s + 2 * CB) * s + CC;
    s -= p / dp;
    if (s < 0) s = 0;
    else if (s > 1) s = 1;
  }
  return 2 ** e * (1 + s);
}

function checkProbability(q: unknown, where: string): number {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: q must be a number in [0, 1], got ${describeValue(q)}; pass e.g. 0.99 for p99.`,
    );
  }
  return q;
}

function intOption(v: unknown, name: string, lo: number, hi: number, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `QuantileSketch: ${name} must be an integer in [${lo}, ${hi}], got ${describeValue(v)}.`,
    );
  }
  return v;
}

/**
 * Mergeable quantile sketch with a guaranteed relative-value error
 * (DDSketch-style logarithmic buckets, computed by a WebAssembly SIMD kernel).
 *
 * - `quantile(q)` estimates the numpy `method='lower'` quantile, i.e. the
 *   sorted value at 0-based rank `floor(q (n - 1))`; the estimate is within
 *   `relativeAccuracy` (relative) of it, for positive, negative and zero values
 *   (values with |x| < 2^-1022, i.e. zero and subnormals, count as 0).
 * - Exact mode: while `count <= exactLimit` the values themselves are kept and
 *   answers are exact.
 * - Bounded memory: at most `maxBuckets` buckets per sign. If the values span
 *   more, the smallest-magnitude buckets collapse into one: quantiles whose
 *   value has a magnitude below the collapse point are then over-estimated in
 *   magnitude (reported as the collapse bucket); all others keep the guarantee.
 * - Merging is exact: sketches over disjoint parts of a stream merged in any
 *   order hold the same buckets as one sketch over the whole stream.
 *
 * ```ts
 * const q = new QuantileSketch({ relativeAccuracy: 0.01 });
 * q.push(latenciesMs);
 * q.quantiles([0.5, 0.9, 0.99]);
 * q.dispose();
 * ```
 */
export class QuantileSketch extends SummaryWasmObject {
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  readonly exactLimit: number;
  readonly #m: number;

  constructor(options: QuantileSketchOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `QuantileSketch: options must be an object, got ${describeValue(options)}.`,
      );
    }
    const a = options.relativeAccuracy ?? 0.01;
    if (typeof a !== 'number' || !(a >= 1e-5 && a <= 0.5)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `QuantileSketch: relativeAccuracy must be a number in [1e-5, 0.5], got ${describeValue(a)}; ` +
          'pass e.g. 0.01 for 1%.',
      );
    }
    const maxBuckets = intOption(options.maxBuckets, 'maxBuckets', 16, 1 << 20, 2048);
    const exactLimit = intOption(options.exactLimit, 'exactLimit', 0, 1 << 24, 128);
    super('QuantileSketch', SLOTS * 8, (p) => k.qs_release(p));
    this.relativeAccuracy = a;
    this.maxBuckets = maxBuckets;
    this.exactLimit = exactLimit;
    this.#m = multiplierFor(a);
    k.qs_init(this.ptr, this.#m, maxBuckets, exactLimit);
  }

  /** A sketch over `values` in one call. */
  static of(values: NumericInput, options?: QuantileSketchOptions): QuantileSketch {
    return new QuantileSketch(options).push(values);
  }

  /** Adds a batch (or one number). NaN and ±Infinity are counted in `rejected` and skipped. */
  push(values: NumericInput | number): this {
    const s = this.ptr;
    forEachChunk(values, 'QuantileSketch.push', (ptr, len) => k.qs_push(s, ptr, len));
    return this;
  }

  /** Merges `other` (same `relativeAccuracy`) into this one; `other` is unchanged. */
  merge(other: QuantileSketch): this {
    if (!(other instanceof QuantileSketch)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `QuantileSketch.merge: pass another QuantileSketch, got ${describeValue(other)}.`,
      );
    }
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `QuantileSketch.merge: relativeAccuracy differs (${this.relativeAccuracy} vs ${other.relativeAccuracy}); ` +
          'only sketches built with the same relativeAccuracy can merge.',
      );
    }
    if (other === this) {
      const c = this.clone();
      k.qs_merge(this.ptr, c.ptr);
      c.dispose();
      return this;
    }
    k.qs_merge(this.ptr, other.ptr);
    return this;
  }

  /** A copy with the same state and options. */
  clone(): QuantileSketch {
    const c = new QuantileSketch({
      relativeAccuracy: this.relativeAccuracy,
      maxBuckets: this.maxBuckets,
      exactLimit: this.exactLimit,
    });
    k.qs_merge(c.ptr, this.ptr);
    return c;
  }

  /** Forgets everything (keeps the options). */
  reset(): this {
    k.qs_reset(this.ptr);
    return this;
  }

  /** True while the sketch holds the values themselves (count <= exactLimit). */
  get exact(): boolean {
    return this.slot(9) >= 0;
  }
  /** Bytes of WebAssembly memory this sketch holds now. */
  get byteSize(): number {
    const xp = this.slot(10);
    return (
      SLOTS * 8 + this.slot(POS + 2) * 8 + this.slot(NEG + 2) * 8 + (xp ? this.exactLimit * 8 : 0)
    );
  }
  /** Number of non-empty buckets (both signs, plus the zero bucket). */
  get bucketCount(): number {
    return this.#buckets().values.length;
  }

  #exactSorted(): Float64Array {
    const len = this.slot(9);
    const p = this.slot(10) / 8;
    const out = len > 0 ? heapF64().slice(p, p + len) : new Float64Array(0);
    return out.sort();
  }

  /** Buckets in ascending value order: representative value and count. */
  #buckets(): { values: Float64Array; counts: Float64Array } {
    const h = heapF64();
    const base = this.ptr >>> 3;
    const vals: number[] = [];
    const cnts: number[] = [];
    const m = this.#m;
    const rep = (key: number): number => {
      const lo = fInv(key / m);
      const hi = fInv((key + 1) / m);
      return 2 / (1 / lo + 1 / hi);
    };
    const store = (b: number, sign: number): void => {
      const ptr = h[base + b];
      const mn = h[base + b + 3];
      const mx = h[base + b + 4];
      if (ptr === 0 || mn > mx) return;
      const p0 = (ptr >>> 3) - h[base + b + 1];
      const keys = sign < 0 ? descending(mn, mx) : ascending(mn, mx);
      for (const key of keys) {
        const c = h[p0 + key];
        if (c !== 0) {
          vals.push(sign * rep(key));
          cnts.push(c);
        }
      }
    };
    store(NEG, -1);
    const z = h[base + 5];
    if (z > 0) {
      vals.push(0);
      cnts.push(z);
    }
    store(POS, 1);
    return { values: Float64Array.from(vals), counts: Float64Array.from(cnts) };
  }

  /**
   * The q-quantile (numpy `method='lower'`: sorted value at rank floor(q (n-1))),
   * within `relativeAccuracy` of it; exact in exact mode. NaN when empty.
   */
  quantile(q: number): number {
    return this.quantiles([q])[0];
  }

  /** Several quantiles in one pass (any order of `qs`). */
  quantiles(qs: ArrayLike<number>): Float64Array {
    if (qs === null || typeof qs !== 'object' || typeof qs.length !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `QuantileSketch.quantiles: pass an array of probabilities in [0, 1], got ${describeValue(qs)}.`,
      );
    }
    for (let i = 0; i < qs.length; i++) checkProbability(qs[i], 'QuantileSketch.quantiles');
    const out = new Float64Array(qs.length);
    const n = this.count;
    if (n === 0) return out.fill(Number.NaN);
    if (this.exact) {
      const sorted = this.#exactSorted();
      for (let i = 0; i < qs.length; i++) out[i] = sorted[Math.floor(qs[i] * (n - 1))];
      return out;
    }
    const { values, counts } = this.#buckets();
    const mn = this.min;
    const mx = this.max;
    const order = Array.from({ length: qs.length }, (_, i) => i).sort((a, b) => qs[a] - qs[b]);
    let j = 0;
    let cum = counts.length ? counts[0] : 0;
    for (const i of order) {
      const rank = Math.floor(qs[i] * (n - 1));
      while (cum <= rank && j < counts.length - 1) cum += counts[++j];
      // The extreme ranks are known exactly.
      out[i] = rank === 0 ? mn : rank === n - 1 ? mx : Math.min(mx, Math.max(mn, values[j]));
    }
    return out;
  }

  /**
   * Fraction of values <= x. Exact in exact mode; otherwise whole buckets are
   * counted by their representative value (error at most x's bucket). NaN when empty.
   */
  cdf(x: number): number {
    if (typeof x !== 'number' || Number.isNaN(x)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `QuantileSketch.cdf: x must be a number, got ${describeValue(x)}.`,
      );
    }
    const n = this.count;
    if (n === 0) return Number.NaN;
    if (x < this.min) return 0;
    if (x >= this.max) return 1;
    if (this.exact) {
      const sorted = this.#exactSorted();
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      return lo / n;
    }
    const { values, counts } = this.#buckets();
    let c = 0;
    for (let i = 0; i < values.length && values[i] <= x; i++) c += counts[i];
    return c / n;
  }

  summary(): QuantileSketchSummary {
    return {
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      rejected: this.rejected,
      exact: this.exact,
    };
  }

  /**
   * Versioned little-endian binary state: 'EWQS', u16 version, u16 flags
   * (bit 0: exact mode), then f64 fields: relativeAccuracy, maxBuckets,
   * exactLimit, count, sum, min, max, rejected, zeroCount; then either the
   * exact values (count of them) or, per store (positive, negative),
   * floorKey, minKey, maxKey and the counts of keys minKey..maxKey.
   */
  serialize(): Uint8Array {
    const h = heapF64();
    const base = this.ptr >>> 3;
    const fields: number[] = [
      this.relativeAccuracy,
      this.maxBuckets,
      this.exactLimit,
      h[base],
      h[base + 1],
      h[base + 2],
      h[base + 3],
      h[base + 4],
      h[base + 5],
    ];
    const exact = this.exact;
    if (exact) {
      const len = h[base + 9];
      const p = h[base + 10] >>> 3;
      for (let i = 0; i < len; i++) fields.push(h[p + i]);
    } else {
      for (const b of [POS, NEG]) {
        const ptr = h[base + b];
        let mn = h[base + b + 3];
        let mx = h[base + b + 4];
        const p0 = (ptr >>> 3) - h[base + b + 1];
        // Trim empty ends.
        while (ptr !== 0 && mn <= mx && h[p0 + mn] === 0) mn++;
        while (ptr !== 0 && mx >= mn && h[p0 + mx] === 0) mx--;
        if (ptr === 0 || mn > mx) {
          fields.push(h[base + b + 5], 1, 0);
          continue;
        }
        fields.push(h[base + b + 5], mn, mx);
        for (let key = mn; key <= mx; key++) fields.push(h[p0 + key]);
      }
    }
    return writeF64State(FORMAT, fields, exact ? 1 : 0);
  }

  /** Restores a state written by `serialize()`. Throws `CORRUPT_STATE` on damaged bytes. */
  static deserialize(bytes: Uint8Array | ArrayBuffer): QuantileSketch {
    const { bytes: u8, tag: flags, reader } = openState(bytes, FORMAT);
    const corrupt = (why: string): EdgewiseError => reader.corrupt(why);
    if (u8.byteLength < 8 + 9 * 8 || flags > 1) throw corrupt('bad length or flags');
    const f = reader.f64Rest('bad length or flags');
    const [a, maxBuckets, exactLimit, n, sum, mn, mx, rejected, zeros] = f;
    if (
      !isCount(n) ||
      !isCount(rejected) ||
      !isCount(zeros) ||
      (n > 0 && !(Number.isFinite(sum) && Number.isFinite(mn) && Number.isFinite(mx) && mn <= mx))
    ) {
      throw corrupt('negative or fractional counts, or min > max');
    }
    let sk: QuantileSketch;
    try {
      sk = new QuantileSketch({ relativeAccuracy: a, maxBuckets, exactLimit });
    } catch (cause) {
      throw new EdgewiseError('CORRUPT_STATE', 'QuantileSketch.deserialize: invalid options.', {
        cause,
      });
    }
    try {
      if (flags === 1) {
        const vals = f.subarray(9);
        if (vals.length !== n || n > exactLimit || !vals.every(Number.isFinite)) {
          throw corrupt('exact values do not match the count');
        }
        sk.push(vals);
        const h = heapF64();
        h[(sk.ptr >>> 3) + 1] = sum;
        h[(sk.ptr >>> 3) + 4] = rejected;
        return ensureRoundTrip(sk, u8, 'QuantileSketch.deserialize');
      }
      k.qs_flush_exact(sk.ptr);
      let at = 9;
      let total = zeros;
      for (const b of [POS, NEG]) {
        if (at + 3 > f.length) throw corrupt('truncated store');
        const [floor, lo, hi] = [f[at], f[at + 1], f[at + 2]];
        at += 3;
        if (!Number.isInteger(floor) || !Number.isInteger(lo) || !Number.isInteger(hi)) {
          throw corrupt('non-integer keys');
        }
        if (lo > hi) {
          if (floor !== NO_FLOOR) throw corrupt('floor without buckets');
          continue;
        }
        if (hi - lo + 1 > maxBuckets || lo < floor || at + (hi - lo + 1) > f.length) {
          throw corrupt('store range');
        }
        for (let i = at; i <= at + hi - lo; i++) {
          if (!isCount(f[i])) throw corrupt('bad bucket count');
          total += f[i];
        }
        const s = sk.ptr;
        heapF64()[(s >>> 3) + b + 5] = floor;
        k.qs_store_ensure(s, b, lo, hi);
        const h = heapF64();
        const p0 = (h[(s >>> 3) + b] >>> 3) - h[(s >>> 3) + b + 1];
        for (let key = lo; key <= hi; key++) h[p0 + key] = f[at + key - lo];
        at += hi - lo + 1;
      }
      if (at !== f.length || total !== n) throw corrupt('bucket counts do not add up to count');
      setSummarySlots(sk.ptr, n, sum, mn, mx, rejected);
      heapF64()[(sk.ptr >>> 3) + 5] = zeros;
    } catch (e) {
      sk.dispose();
      throw e;
    }
    return ensureRoundTrip(sk, u8, 'QuantileSketch.deserialize');
  }
}

function ascending(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) out.push(i);
  return out;
}
function descending(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = hi; i >= lo; i--) out.push(i);
  return out;
}
