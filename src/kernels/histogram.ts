import { isCount, openState, stateFormat, writeF64State } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import { forEachChunk, heapF64, type NumericInput, SummaryWasmObject } from './runtime';
import { allFinite, ensureRoundTrip, setSummarySlots } from './state';
import { wasm } from './wasm';

interface HistExports {
  hx_init(s: number, nb: number, P: number): void;
  hx_reset(s: number): void;
  hx_push(s: number, ptr: number, len: number): void;
  hx_merge(dst: number, src: number): void;
  he_init(s: number, scale: number, maxSize: number): void;
  he_reset(s: number, scale: number): void;
  he_push(s: number, ptr: number, len: number): void;
  he_merge(dst: number, src: number): void;
  he_index(x: number, scale: number): number;
}
const k = wasm as unknown as HistExports;

/** Prometheus client default buckets. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Options of `Histogram`: explicit bounds, or OpenTelemetry exponential buckets. */
export interface HistogramOptions {
  /**
   * 'explicit' (Prometheus `le` buckets, the default when `bounds` is given)
   * or 'exponential' (OpenTelemetry base-2 exponential buckets, the default otherwise).
   */
  kind?: 'explicit' | 'exponential';
  /** Explicit: ascending finite upper bounds (`le`); +Inf is implicit. Default: Prometheus defaults. */
  bounds?: ArrayLike<number>;
  /** Exponential: maximum number of buckets per sign (default 160, as OpenTelemetry SDKs). */
  maxBuckets?: number;
  /** Exponential: starting (and maximum) scale, in [-10, 20] (default 20). */
  maxScale?: number;
}

/** One sign's buckets of an exponential histogram (OpenTelemetry `Buckets`). */
export interface ExponentialBuckets {
  /** Index of the first bucket: bucket j covers (base^(offset+j), base^(offset+j+1)]. */
  offset: number;
  bucketCounts: Float64Array;
}

/** OpenTelemetry `ExponentialHistogramDataPoint` fields (without time and attributes). */
export interface ExponentialHistogramPoint {
  count: number;
  sum: number;
  min: number;
  max: number;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

const FORMAT = stateFormat('Histogram', 'EWHI', 1);
const HDR = 16;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function parseOptions(o: HistogramOptions): {
  kind: 'explicit' | 'exponential';
  bounds: Float64Array;
  maxBuckets: number;
  maxScale: number;
} {
  if (o === null || typeof o !== 'object') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `Histogram: options must be an object, got ${describeValue(o)}.`,
    );
  }
  const kind = o.kind ?? (o.bounds !== undefined ? 'explicit' : 'exponential');
  if (kind !== 'explicit' && kind !== 'exponential') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `Histogram: kind must be 'explicit' or 'exponential', got ${describeValue(kind)}.`,
    );
  }
  let bounds = new Float64Array(0);
  if (kind === 'explicit') {
    const b = o.bounds ?? DEFAULT_BUCKETS;
    if (b === null || typeof b !== 'object' || typeof b.length !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Histogram: bounds must be an array of ascending finite numbers, got ${describeValue(b)}.`,
      );
    }
    bounds = Float64Array.from(b);
    for (let i = 0; i < bounds.length; i++) {
      if (!Number.isFinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `Histogram: bounds must be finite and strictly ascending (bound ${i} is ${bounds[i]}); ` +
            '+Inf is implicit.',
        );
      }
    }
    if (bounds.length > 1 << 16) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'Histogram: at most 65536 bounds.');
    }
  }
  const maxBuckets = o.maxBuckets ?? 160;
  if (!Number.isInteger(maxBuckets) || maxBuckets < 2 || maxBuckets > 1 << 16) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `Histogram: maxBuckets must be an integer in [2, 65536], got ${describeValue(maxBuckets)}.`,
    );
  }
  const maxScale = o.maxScale ?? 20;
  if (!Number.isInteger(maxScale) || maxScale < -10 || maxScale > 20) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `Histogram: maxScale must be an integer in [-10, 20], got ${describeValue(maxScale)}.`,
    );
  }
  return { kind, bounds, maxBuckets, maxScale };
}

/**
 * Histograms over batches, mergeable and serializable:
 *
 * - explicit: Prometheus-style buckets; bucket i counts `bounds[i-1] < x <= bounds[i]`,
 *   the last bucket is `+Inf`; `cumulativeCounts()` gives the `le` series.
 * - exponential: OpenTelemetry base-2 exponential histogram (scale, offset,
 *   positive/negative bucket counts, zero count). It starts at `maxScale` and
 *   halves its resolution (scale - 1, merging bucket pairs) whenever a sign
 *   would need more than `maxBuckets` buckets. Merging two histograms gives
 *   the same buckets as one histogram over both streams.
 *
 * ```ts
 * const h = new Histogram({ bounds: [0.1, 0.5, 1, 5] });
 * h.push(latencies).cumulativeCounts(); // le=0.1, le=0.5, le=1, le=5, le=+Inf
 * const e = new Histogram({ kind: 'exponential' }); // 160 buckets, scale <= 20
 * e.push(latencies).toExponentialPoint();
 * ```
 */
export class Histogram extends SummaryWasmObject {
  readonly kind: 'explicit' | 'exponential';
  readonly maxBuckets: number;
  readonly maxScale: number;
  readonly #bounds: Float64Array;
  readonly #P: number;

  constructor(options: HistogramOptions = {}) {
    const o = parseOptions(options);
    const P = o.kind === 'explicit' ? nextPow2(o.bounds.length + 1) : 0;
    const slots = o.kind === 'explicit' ? 8 + P + o.bounds.length + 1 : HDR + 2 * o.maxBuckets;
    super('Histogram', slots * 8);
    this.kind = o.kind;
    this.maxBuckets = o.maxBuckets;
    this.maxScale = o.maxScale;
    this.#bounds = o.bounds;
    this.#P = P;
    if (o.kind === 'explicit') {
      heapF64().set(o.bounds, (this.ptr >>> 3) + 8);
      k.hx_init(this.ptr, o.bounds.length, P);
    } else {
      k.he_init(this.ptr, o.maxScale, o.maxBuckets);
    }
  }

  /** Adds a batch (or one number). NaN and ±Infinity are counted in `rejected`. */
  push(values: NumericInput | number): this {
    const s = this.ptr;
    const f = this.kind === 'explicit' ? k.hx_push : k.he_push;
    forEachChunk(values, 'Histogram.push', (ptr, len) => f(s, ptr, len));
    return this;
  }

  /** Merges `other` (same kind; same bounds if explicit) into this one. */
  merge(other: Histogram): this {
    if (!(other instanceof Histogram) || other.kind !== this.kind) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Histogram.merge: pass another ${this.kind} Histogram, got ${describeValue(other)}.`,
      );
    }
    if (this.kind === 'explicit') {
      const a = this.#bounds;
      const b = other.#bounds;
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          'Histogram.merge: explicit histograms must have identical bounds to merge.',
        );
      }
    }
    const src = other === this ? this.clone() : other;
    if (this.kind === 'explicit') k.hx_merge(this.ptr, src.ptr);
    else k.he_merge(this.ptr, src.ptr);
    if (src !== other) src.dispose();
    return this;
  }

  clone(): Histogram {
    const c = new Histogram({
      kind: this.kind,
      bounds: this.#bounds,
      maxBuckets: this.maxBuckets,
      maxScale: this.maxScale,
    });
    if (this.kind === 'explicit') k.hx_merge(c.ptr, this.ptr);
    else {
      // Copy verbatim (a merge into an empty histogram would keep maxScale).
      const n = HDR + 2 * this.maxBuckets;
      const h = heapF64();
      h.copyWithin(c.ptr >>> 3, this.ptr >>> 3, (this.ptr >>> 3) + n);
    }
    return c;
  }

  reset(): this {
    if (this.kind === 'explicit') k.hx_reset(this.ptr);
    else k.he_reset(this.ptr, this.maxScale);
    return this;
  }

  /** Explicit: the upper bounds (without +Inf). */
  get bounds(): Float64Array {
    return this.#bounds.slice();
  }

  /** Explicit: per-bucket (non-cumulative) counts, length bounds.length + 1 (last: +Inf). */
  get bucketCounts(): Float64Array {
    this.#need('explicit', 'bucketCounts');
    const base = (this.ptr >>> 3) + 8 + this.#P;
    return heapF64().slice(base, base + this.#bounds.length + 1);
  }

  /** Explicit: Prometheus cumulative `le` counts (last one, le=+Inf, equals count). */
  cumulativeCounts(): Float64Array {
    const c = this.bucketCounts;
    for (let i = 1; i < c.length; i++) c[i] += c[i - 1];
    return c;
  }

  /** Exponential: current scale (base = 2^(2^-scale)). */
  get scale(): number {
    this.#need('exponential', 'scale');
    return this.slot(6);
  }
  get zeroCount(): number {
    this.#need('exponential', 'zeroCount');
    return this.slot(5);
  }
  #store(minSlot: number, countsSlot: number): ExponentialBuckets {
    const mn = this.slot(minSlot);
    const mx = this.slot(minSlot + 1);
    if (mn > mx) return { offset: 0, bucketCounts: new Float64Array(0) };
    const base = (this.ptr >>> 3) + countsSlot;
    return { offset: mn, bucketCounts: heapF64().slice(base, base + mx - mn + 1) };
  }
  get positive(): ExponentialBuckets {
    this.#need('exponential', 'positive');
    return this.#store(8, HDR);
  }
  get negative(): ExponentialBuckets {
    this.#need('exponential', 'negative');
    return this.#store(10, HDR + this.maxBuckets);
  }

  /** Exponential: the OpenTelemetry data point fields. */
  toExponentialPoint(): ExponentialHistogramPoint {
    return {
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      scale: this.scale,
      zeroCount: this.zeroCount,
      zeroThreshold: 0,
      positive: this.positive,
      negative: this.negative,
    };
  }

  /** Exponential: the bucket index of |x| at `scale` (OpenTelemetry mapping). */
  static exponentialIndex(x: number, scale: number): number {
    if (!(Number.isFinite(x) && x !== 0) || !Number.isInteger(scale) || scale < -10 || scale > 20) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'Histogram.exponentialIndex: pass a finite non-zero x and an integer scale in [-10, 20].',
      );
    }
    return k.he_index(Math.abs(x), scale);
  }

  #need(kind: 'explicit' | 'exponential', what: string): void {
    if (this.kind !== kind) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `Histogram.${what} exists on ${kind} histograms only; this one is ${this.kind}.`,
      );
    }
  }

  /**
   * Versioned little-endian state: 'EWHI', u16 version, u16 kind (0 explicit,
   * 1 exponential), then f64 fields. Explicit: n, sum, min, max, rejected, nb,
   * bounds, counts (nb + 1). Exponential: n, sum, min, max, rejected,
   * zeroCount, scale, maxBuckets, maxScale, posMin, posMax, negMin, negMax,
   * positive counts, negative counts (posMax-posMin+1 and negMax-negMin+1).
   */
  serialize(): Uint8Array {
    const h = heapF64();
    const b = this.ptr >>> 3;
    const f: number[] = [h[b], h[b + 1], h[b + 2], h[b + 3], h[b + 4]];
    if (this.kind === 'explicit') {
      f.push(this.#bounds.length, ...this.#bounds, ...this.bucketCounts);
    } else {
      const p = this.positive;
      const n = this.negative;
      f.push(h[b + 5], h[b + 6], this.maxBuckets, this.maxScale);
      f.push(p.offset, p.offset + p.bucketCounts.length - 1);
      f.push(n.offset, n.offset + n.bucketCounts.length - 1);
      f.push(...p.bucketCounts, ...n.bucketCounts);
    }
    return writeF64State(FORMAT, f, this.kind === 'explicit' ? 0 : 1);
  }

  static deserialize(bytes: Uint8Array | ArrayBuffer): Histogram {
    const { bytes: u8, tag: kind, reader } = openState(bytes, FORMAT);
    const corrupt = (why: string): EdgewiseError => reader.corrupt(why);
    if (kind > 1) throw corrupt('bad kind or length');
    const f = reader.f64Rest('bad kind or length');
    if (f.length < 6 || !isCount(f[0]) || !isCount(f[4])) throw corrupt('bad counts');
    const [n, sum, mn, mx, rej] = f;
    let hist: Histogram;
    let counts: Float64Array;
    let total = 0;
    if (kind === 0) {
      const nb = f[5];
      if (!isCount(nb) || f.length !== 6 + nb + nb + 1) throw corrupt('bad length');
      try {
        hist = new Histogram({ kind: 'explicit', bounds: f.subarray(6, 6 + nb) });
      } catch (cause) {
        throw new EdgewiseError('CORRUPT_STATE', 'Histogram.deserialize: invalid bounds.', {
          cause,
        });
      }
      counts = f.subarray(6 + nb);
      for (const c of counts) {
        if (!isCount(c)) {
          hist.dispose();
          throw corrupt('bad bucket count');
        }
        total += c;
      }
      heapF64().set(counts, (hist.ptr >>> 3) + 8 + hist.#P);
    } else {
      if (f.length < 13) throw corrupt('truncated');
      const [zero, scale, maxBuckets, maxScale, pMin, pMax, nMin, nMax] = f.subarray(5, 13);
      const pLen = pMax >= pMin ? pMax - pMin + 1 : 0;
      const nLen = nMax >= nMin ? nMax - nMin + 1 : 0;
      if (
        !isCount(zero) ||
        !Number.isInteger(scale) ||
        scale > maxScale ||
        pLen > maxBuckets ||
        nLen > maxBuckets ||
        f.length !== 13 + pLen + nLen
      ) {
        throw corrupt('inconsistent exponential layout');
      }
      try {
        hist = new Histogram({ kind: 'exponential', maxBuckets, maxScale });
      } catch (cause) {
        throw new EdgewiseError('CORRUPT_STATE', 'Histogram.deserialize: invalid options.', {
          cause,
        });
      }
      counts = f.subarray(13);
      total = zero;
      for (const c of counts) {
        if (!isCount(c)) {
          hist.dispose();
          throw corrupt('bad bucket count');
        }
        total += c;
      }
      const h = heapF64();
      const b = hist.ptr >>> 3;
      h[b + 5] = zero;
      h[b + 6] = scale;
      if (pLen > 0) {
        h[b + 8] = pMin;
        h[b + 9] = pMax;
        h.set(counts.subarray(0, pLen), b + HDR);
      }
      if (nLen > 0) {
        h[b + 10] = nMin;
        h[b + 11] = nMax;
        h.set(counts.subarray(pLen), b + HDR + maxBuckets);
      }
    }
    if (total !== n || (n > 0 && !(allFinite(sum, mn, mx) && mn <= mx))) {
      hist.dispose();
      throw corrupt('bucket counts do not add up to count');
    }
    setSummarySlots(hist.ptr, n, sum, mn, mx, rej);
    return ensureRoundTrip(hist, u8, 'Histogram.deserialize');
  }
}
