import { describeValue, EdgewiseError } from '../errors';
import { type CalibratorSnapshot, ScoreCalibrator } from './calibration';
import { checkBatch, type DetectorSnapshot, type StreamingDetectorApi } from './streaming';

/**
 * CAD OSE: Contextual Anomaly Detector, open source edition (M. Smirnov, 2016;
 * NAB's `context_ose` detector, the version whose scores NAB's results hold),
 * written here from the published algorithm.
 *
 * Each value is bucketed into `2^valueBits` levels and written as a set of
 * "facts" (one per bit: position and value). A context is a pair (left facts,
 * right facts): what was active at the previous step (the sensor facts and the
 * ids of the contexts active then, as "neuron" facts) and the sensor facts that
 * followed. Contexts are stored as pairs of shared semi-contexts. Every step
 * reviews the left semi-contexts recognised at the previous step: the contexts
 * of a fully recognised one are "selected", those whose right side also
 * matches completely are activated (their count grows), and on steps that
 * brought a new zero-level context the partial overlaps of zero-level contexts
 * become new contexts. The score is `(1 - active / selected + new / potential
 * new) / 2`. The `maxActiveNeurons` most activated contexts (ties broken by
 * the hashes of their fact tuples) become the neuron facts of the next step.
 * After a score of at least `threshold`, scores are held at 0 for `restPeriod`
 * steps (also at the start).
 *
 * Exactness: the reference orders contexts by CPython 2's 64-bit tuple hash and
 * numbers new contexts in the slot order of CPython 2.7 dicts; both are
 * reproduced (`tupleHash`, `IntDict`), as is its skipping of context 0 when no
 * new context was made (`False == 0`).
 *
 * Two ways to give the value range:
 * - **NAB mode** (`min` and `max`): the fixed range of the series, as NAB's
 *   harness does (min and max over the whole file; `length` gives NAB's rest
 *   period of floor(min(floor(0.15 n), 750) / 5)). Fed the values NAB fed it,
 *   the scores equal NAB's reference scores record by record.
 * - **Streaming mode** (no `min`/`max`, the default): the range is the running
 *   minimum and maximum of the values seen so far (including the current one;
 *   `rangeMargin` adds headroom when it widens), so no knowledge of the future
 *   is needed. Every widening shifts the buckets.
 *
 * Values outside a given range are clamped to its end buckets. Deterministic.
 * Memory grows with the number of contexts (a few per novel step; about
 * 200-550 bytes each), up to `maxContexts`. Cost per record grows with the
 * number of left semi-contexts that share facts with the current ones.
 */
export interface CadOseOptions {
  /** Lower end of the value range (give with `max`; NAB mode). */
  min?: number;
  /** Upper end of the value range (give with `min`). */
  max?: number;
  /** Records during which scores stay 0 after a score >= threshold, and at the start (default 150). */
  restPeriod?: number;
  /** Length of the series when known: rest period as NAB's harness sets it. Not with `restPeriod`. */
  length?: number;
  /** Score at or above which the rest period starts (default 0.75). */
  threshold?: number;
  /** Longest left semi-context grown from overlaps (default 7). */
  maxLeftSemiContexts?: number;
  /** Active contexts fed back as neuron facts (default 15). */
  maxActiveNeurons?: number;
  /** Bits of the bucketed value: 2^bits levels (default 3, at most 15). */
  valueBits?: number;
  /**
   * Streaming mode only: when a value leaves the running range, the range is
   * widened to it plus this fraction of its previous width (default 0: the
   * plain running minimum and maximum). A margin makes later widenings, which
   * shift every bucket, rarer.
   */
  rangeMargin?: number;
  /**
   * Most contexts kept (default 200,000, roughly 20 MB): once reached, no new
   * contexts are learned (known ones still count and activate), so memory
   * stays bounded on endless noisy streams. NAB's files stay far below it.
   */
  maxContexts?: number;
}

interface Config {
  min: number;
  max: number;
  restPeriod: number;
  threshold: number;
  maxLeftSemiContexts: number;
  maxActiveNeurons: number;
  valueBits: number;
  maxContexts: number;
  rangeMargin: number;
}

const KIND = 'CadOseDetector';
const VERSION = 1;
const SENSOR_BASE = 0;
const NEURON_BASE = 2 ** 31;
const DEFAULT_REST = 150;

function checkInt(v: unknown, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: ${name} must be an integer in [${lo}, ${hi}], got ${describeValue(v)}.`,
    );
  }
  return v;
}

function resolve(o: CadOseOptions): Config {
  if (o === null || typeof o !== 'object') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: options must be an object, got ${describeValue(o)}.`,
    );
  }
  const hasMin = o.min !== undefined;
  if (hasMin !== (o.max !== undefined)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'CadOseDetector: give both min and max (the value range), or neither to learn the range.',
    );
  }
  if (
    hasMin &&
    !(
      typeof o.min === 'number' &&
      typeof o.max === 'number' &&
      Number.isFinite(o.min) &&
      Number.isFinite(o.max) &&
      o.max >= o.min
    )
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: min and max must be finite numbers with min <= max, got ${describeValue(o.min)} and ${describeValue(o.max)}.`,
    );
  }
  if (o.length !== undefined && o.restPeriod !== undefined) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'CadOseDetector: give the series length or the rest period, not both.',
    );
  }
  let rest = DEFAULT_REST;
  if (o.length !== undefined) {
    const n = checkInt(o.length, 'length', 34, 1e12);
    rest = Math.floor(Math.min(Math.floor(0.15 * n), 750) / 5);
  } else if (o.restPeriod !== undefined) rest = checkInt(o.restPeriod, 'restPeriod', 1, 1e6);
  const threshold = o.threshold ?? 0.75;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: threshold must be a finite number > 0, got ${describeValue(threshold)}.`,
    );
  }
  const margin = o.rangeMargin ?? 0;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0 || margin > 1e3) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `CadOseDetector: rangeMargin must be a number in [0, 1000], got ${describeValue(margin)}.`,
    );
  }
  if (hasMin && o.rangeMargin !== undefined) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'CadOseDetector: rangeMargin is for the streaming mode; omit it when giving min and max.',
    );
  }
  return {
    min: hasMin ? (o.min as number) : Number.NaN,
    max: hasMin ? (o.max as number) : Number.NaN,
    restPeriod: rest,
    threshold,
    maxLeftSemiContexts: checkInt(o.maxLeftSemiContexts ?? 7, 'maxLeftSemiContexts', 1, 1e6),
    maxActiveNeurons: checkInt(o.maxActiveNeurons ?? 15, 'maxActiveNeurons', 1, 1e4),
    valueBits: checkInt(o.valueBits ?? 3, 'valueBits', 1, 15),
    maxContexts: checkInt(o.maxContexts ?? 200_000, 'maxContexts', 1, 1e8),
    rangeMargin: margin,
  };
}

// ---------------------------------------------------------------------------
// 64-bit arithmetic on (hi, lo) uint32 pairs, for the semi-context keys. The
// reference keys semi-contexts by the CPython 2 (64-bit) hash of the fact tuple
// and orders active contexts by those hashes, so they are reproduced exactly.

let hHi = 0;
let hLo = 0;

/** Hash of the tuple facts[start .. start+len) (CPython 2.7 tuplehash, 64-bit `long`). */
function tupleHash(facts: ArrayLike<number>, start: number, len: number): void {
  let hi = 0;
  let lo = 0x345678;
  let mult = 1000003;
  for (let k = 0; k < len; k++) {
    const y = facts[start + k]; // hash(int) == int for 0 <= y < 2^32
    lo = (lo ^ y) >>> 0;
    // (hi, lo) *= mult (mod 2^64), mult < 2^32
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const b0 = mult & 0xffff;
    const b1 = mult >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const nlo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
    const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    hi = (carry + Math.imul(hi, mult)) >>> 0;
    lo = nlo;
    mult += 82520 + 2 * (len - 1 - k);
  }
  const s = lo + 97531;
  lo = s >>> 0;
  hi = (hi + (s > 0xffffffff ? 1 : 0)) >>> 0;
  if (hi === 0xffffffff && lo === 0xffffffff) lo = 0xfffffffe; // -1 is reserved: -2
  hHi = hi;
  hLo = lo;
}

/** Signed 64-bit comparison of two (hi, lo) pairs. */
function cmp64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return (ah | 0) < (bh | 0) ? -1 : 1;
  if (al !== bl) return al < bl ? -1 : 1;
  return 0;
}

/** Open-addressing map from 64-bit keys to non-negative ints. */
class Map64 {
  hi = new Uint32Array(64);
  lo = new Uint32Array(64);
  val = new Int32Array(64).fill(-1);
  size = 0;
  #slot(h: number, l: number): number {
    const mask = this.val.length - 1;
    let i = (Math.imul(l ^ Math.imul(h, 0x9e3779b1), 0x85ebca6b) >>> 7) & mask;
    while (this.val[i] !== -1 && (this.hi[i] !== h || this.lo[i] !== l)) i = (i + 1) & mask;
    return i;
  }
  get(h: number, l: number): number {
    return this.val[this.#slot(h, l)];
  }
  set(h: number, l: number, v: number): void {
    if ((this.size + 1) * 2 > this.val.length) this.#grow();
    const i = this.#slot(h, l);
    if (this.val[i] === -1) this.size++;
    this.hi[i] = h;
    this.lo[i] = l;
    this.val[i] = v;
  }
  #grow(): void {
    const { hi, lo, val } = this;
    const cap = val.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.val = new Int32Array(cap).fill(-1);
    for (let i = 0; i < val.length; i++) {
      if (val[i] !== -1) {
        const j = this.#slot(hi[i], lo[i]);
        this.hi[j] = hi[i];
        this.lo[j] = lo[i];
        this.val[j] = val[i];
      }
    }
  }
}

/**
 * The contexts of one left semi-context: right semi-context id -> context id,
 * iterated in the slot order of a CPython 2.7 dict with the same insertions
 * (the order decides the ids of the contexts created from overlaps). The
 * entries are also kept densely in that order (all, and the zero-level ones),
 * rebuilt after a change.
 */
class IntDict {
  keys = new Int32Array(8).fill(-1);
  vals = new Int32Array(8);
  used = 0;
  /** The dense lists below are stale. */
  dirty = true;
  /** Right semi-context and context ids in iteration order. */
  dk = EMPTY;
  dv = EMPTY;
  /** The same for the zero-level contexts only. */
  zk = EMPTY;
  zv = EMPTY;
  #slot(key: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = key & mask;
    if (keys[i] === -1 || keys[i] === key) return i;
    let perturb = key;
    for (;;) {
      i = (Math.imul(i, 5) + perturb + 1) >>> 0;
      const k = keys[i & mask];
      if (k === -1 || k === key) return i & mask;
      perturb >>>= 5;
    }
  }
  /** Value of `key`, or -1. */
  get(key: number): number {
    const i = this.#slot(key);
    return this.keys[i] === key ? this.vals[i] : -1;
  }
  /** Value of `key`, inserting `v` when absent. */
  setdefault(key: number, v: number): number {
    const i = this.#slot(key);
    if (this.keys[i] === key) return this.vals[i];
    this.keys[i] = key;
    this.vals[i] = v;
    this.used++;
    this.dirty = true;
    if (this.used * 3 >= this.keys.length * 2) {
      const minUsed = (this.used > 50000 ? 2 : 4) * this.used;
      let size = 8;
      while (size <= minUsed) size *= 2;
      const { keys, vals } = this;
      this.keys = new Int32Array(size).fill(-1);
      this.vals = new Int32Array(size);
      for (let j = 0; j < keys.length; j++) {
        if (keys[j] !== -1) {
          const s = this.#slot(keys[j]);
          this.keys[s] = keys[j];
          this.vals[s] = vals[j];
        }
      }
    }
    return v;
  }
  /** Rebuilds the dense lists when stale. */
  dense(zero: Uint8Array): void {
    if (!this.dirty) return;
    const { keys, vals } = this;
    let nz = 0;
    for (let j = 0; j < keys.length; j++) if (keys[j] !== -1 && zero[vals[j]] === 1) nz++;
    const dk = new Int32Array(this.used);
    const dv = new Int32Array(this.used);
    const zk = new Int32Array(nz);
    const zv = new Int32Array(nz);
    let n = 0;
    nz = 0;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === -1) continue;
      dk[n] = k;
      dv[n++] = vals[j];
      if (zero[vals[j]] === 1) {
        zk[nz] = k;
        zv[nz++] = vals[j];
      }
    }
    this.dk = dk;
    this.dv = dv;
    this.zk = zk;
    this.zv = zv;
    this.dirty = false;
  }
}

const EMPTY = new Int32Array(0);

/** A set of 128-bit keys (two 64-bit hashes), cleared in O(1). */
class Set128 {
  #k = new Uint32Array(4 * 256);
  #stamp = new Uint32Array(256);
  #gen = 1;
  size = 0;
  clear(): void {
    this.size = 0;
    this.#gen++;
    if (this.#gen === 0xffffffff) {
      this.#stamp.fill(0);
      this.#gen = 1;
    }
  }
  add(a: number, b: number, c: number, d: number): void {
    if ((this.size + 1) * 2 > this.#stamp.length) this.#grow();
    const st = this.#stamp;
    const k = this.#k;
    const mask = st.length - 1;
    let i =
      (Math.imul(b ^ Math.imul(a, 0x9e3779b1) ^ Math.imul(d, 0x85ebca6b) ^ c, 0xc2b2ae35) >>> 9) &
      mask;
    const g = this.#gen;
    while (st[i] === g) {
      const o = 4 * i;
      if (k[o] === a && k[o + 1] === b && k[o + 2] === c && k[o + 3] === d) return;
      i = (i + 1) & mask;
    }
    st[i] = g;
    const o = 4 * i;
    k[o] = a;
    k[o + 1] = b;
    k[o + 2] = c;
    k[o + 3] = d;
    this.size++;
  }
  #grow(): void {
    const old = this.#k;
    const oldSt = this.#stamp;
    const g = this.#gen;
    this.#k = new Uint32Array(old.length * 2);
    this.#stamp = new Uint32Array(oldSt.length * 2);
    this.#gen = 1;
    this.size = 0;
    for (let i = 0; i < oldSt.length; i++) {
      if (oldSt[i] === g) this.add(old[4 * i], old[4 * i + 1], old[4 * i + 2], old[4 * i + 3]);
    }
  }
}

function growU32(a: Uint32Array<ArrayBuffer>, need: number): Uint32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
function growI32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
function growF64(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** The semi-contexts of one side: sorted fact lists keyed by their tuple hash. */
class Side {
  n = 0;
  facts = new Uint32Array(1024);
  factsUsed = 0;
  start = new Int32Array(256);
  len = new Int32Array(256);
  hi = new Uint32Array(256);
  lo = new Uint32Array(256);
  /** Facts of the semi-context present in the last crossing. */
  count = new Int32Array(256);
  byHash = new Map64();
  byFact = new Map<number, number[]>();
  /** Semi-contexts by their largest fact. */
  byMax = new Map<number, number[]>();
  /** Semi-contexts with count > 0, ascending. */
  crossed: Int32Array<ArrayBuffer> = new Int32Array(0);
  #touched = new Int32Array(256);

  /** Id of the semi-context with facts src[s .. s+len) (hash in hHi/hLo), created if absent. */
  find(src: ArrayLike<number>, s: number, len: number, h: number, l: number): number {
    const got = this.byHash.get(h, l);
    if (got !== -1) return got;
    return this.add(src, s, len, h, l);
  }
  add(src: ArrayLike<number>, s: number, len: number, h: number, l: number): number {
    const id = this.n++;
    if (id >= this.start.length) {
      const cap = this.start.length * 2;
      this.start = growI32(this.start, cap);
      this.len = growI32(this.len, cap);
      this.hi = growU32(this.hi, cap);
      this.lo = growU32(this.lo, cap);
      this.count = growI32(this.count, cap);
    }
    this.facts = growU32(this.facts, this.factsUsed + len);
    this.start[id] = this.factsUsed;
    this.len[id] = len;
    for (let k = 0; k < len; k++) {
      const f = src[s + k];
      this.facts[this.factsUsed++] = f;
      const list = this.byFact.get(f);
      if (list === undefined) this.byFact.set(f, [id]);
      else list.push(id);
    }
    if (len > 0) {
      const f = src[s + len - 1];
      const list = this.byMax.get(f);
      if (list === undefined) this.byMax.set(f, [id]);
      else list.push(id);
    }
    this.hi[id] = h;
    this.lo[id] = l;
    this.byHash.set(h, l, id);
    return id;
  }
  /**
   * Counts, for every semi-context with id < limit, its facts among `facts`
   * (sorted, distinct); `crossed` lists those with a count > 0.
   */
  cross(facts: ArrayLike<number>, nFacts: number, sortCrossed: boolean, limit: number): void {
    const count = this.count;
    const prev = this.crossed;
    for (let i = 0; i < prev.length; i++) count[prev[i]] = 0;
    let touched = this.#touched;
    let nt = 0;
    for (let k = 0; k < nFacts; k++) {
      const list = this.byFact.get(facts[k]);
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const s = list[j];
        if (s >= limit) continue;
        if (count[s]++ === 0) {
          if (nt === touched.length) touched = this.#touched = growI32(touched, nt * 2);
          touched[nt++] = s;
        }
      }
    }
    let out: Int32Array<ArrayBuffer>;
    if (sortCrossed && nt * 8 > limit) {
      // most are crossed: a scan is cheaper than a sort
      out = new Int32Array(nt);
      let k = 0;
      for (let s = 0; s < limit; s++) if (count[s] > 0) out[k++] = s;
    } else {
      out = touched.slice(0, nt);
      if (sortCrossed) out.sort();
    }
    this.crossed = out;
  }
}

/** Streaming CAD OSE detector (see the module comment above for the algorithm and the two range modes). */
export class CadOseDetector implements StreamingDetectorApi {
  readonly kind = KIND;
  readonly #cfg: Config;
  #n = 0;
  #rejected = 0;
  #lastRaw = 0;
  #lo = Number.POSITIVE_INFINITY;
  #hi = Number.NEGATIVE_INFINITY;
  // semi-contexts (0: left, 1: right) and contexts
  #left = new Side();
  #right = new Side();
  #dicts: IntDict[] = [];
  #nCtx = 0;
  #ctxLeft = new Int32Array(256);
  #ctxRight = new Int32Array(256);
  #ctxZero = new Uint8Array(256);
  /** Left semi-contexts with at least one zero-level context. */
  #hasZero = new Uint8Array(256);
  #ctxAct = new Float64Array(256); // times fully active
  /** Sensor facts of a right semi-context as a bit mask over 65536 + j. */
  #rightMask = new Int32Array(256);
  // facts of the previous step (sorted): sensor facts then neuron facts
  #leftGroup = new Uint32Array(0);
  // recent scores for the rest period (ring), and how many are >= threshold
  #hist: Float64Array;
  #histHead = 0;
  #histLen = 0;
  #hot = 0;
  // scratch
  #active = new Int32Array(64);
  #top: Int32Array;
  #potFacts: number[][] = [];
  #potHash: number[] = [];
  #potLeft = new Int32Array(64);
  #potRight = new Int32Array(64);
  #seen = new Set128();
  #contained = new Int32Array(64);
  /** Right tuples by sensor-fact mask: index, facts and hash. */
  #rtIndex = new Map<number, number>();
  #rtFacts: number[][] = [];
  #rtHash: number[] = [];
  #newCtx = 0;

  constructor(options: CadOseOptions = {}) {
    this.#cfg = resolve(options);
    this.#hist = new Float64Array(this.#cfg.restPeriod);
    this.#top = new Int32Array(this.#cfg.maxActiveNeurons);
    this.#pushScore(1);
  }

  /** The options in force (a copy). */
  get options(): Readonly<Required<Omit<CadOseOptions, 'length' | 'min' | 'max'>>> & {
    min?: number;
    max?: number;
  } {
    const c = this.#cfg;
    return {
      ...(Number.isNaN(c.min) ? {} : { min: c.min, max: c.max }),
      restPeriod: c.restPeriod,
      threshold: c.threshold,
      maxLeftSemiContexts: c.maxLeftSemiContexts,
      maxActiveNeurons: c.maxActiveNeurons,
      valueBits: c.valueBits,
      maxContexts: c.maxContexts,
      rangeMargin: c.rangeMargin,
    };
  }
  get count(): number {
    return this.#n;
  }
  get rejected(): number {
    return this.#rejected;
  }
  /** The score of the last update before the rest period is applied. */
  get lastRaw(): number {
    return this.#lastRaw;
  }
  /** Contexts learned so far (memory grows with it). */
  get contexts(): number {
    return this.#nCtx;
  }

  #pushScore(s: number): void {
    const cap = this.#hist.length;
    const t = this.#cfg.threshold;
    if (this.#histLen === cap) {
      if (this.#hist[this.#histHead] >= t) this.#hot--;
    } else this.#histLen++;
    this.#hist[this.#histHead] = s;
    if (s >= t) this.#hot++;
    this.#histHead = (this.#histHead + 1) % cap;
  }

  /** Bucket index of x in [0, 2^bits - 1]. */
  #bucket(x: number): number {
    const c = this.#cfg;
    const maxBin = 2 ** c.valueBits - 1;
    let lo = c.min;
    let hi = c.max;
    if (Number.isNaN(lo)) {
      if (x < this.#lo || x > this.#hi) {
        // widen to x, plus a margin of the width so far
        const pad = Number.isFinite(this.#lo) ? c.rangeMargin * (this.#hi - this.#lo) : 0;
        if (x < this.#lo) this.#lo = x - pad;
        if (x > this.#hi) this.#hi = x + pad;
      }
      lo = this.#lo;
      hi = this.#hi;
    }
    let range = hi - lo;
    if (range === 0) range = maxBin;
    const step = range / maxBin;
    const b = Math.trunc((x - lo) / step);
    return b <= 0 ? 0 : Math.min(b, maxBin);
  }

  update(value: number, _timestamp?: number): number {
    if (typeof value !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${KIND}.update: value must be a number, got ${describeValue(value)}.`,
      );
    }
    if (!Number.isFinite(value)) {
      this.#rejected++;
      return Number.NaN;
    }
    const bits = this.#cfg.valueBits;
    const b = this.#bucket(value);
    // sensor facts: 2k + (bit k of b), ascending
    let sensMask = 0;
    for (let k = 0; k < bits; k++) sensMask |= 1 << (2 * k + ((b >>> k) & 1));
    const [a1, a2] = this.#step(sensMask);
    const score = (1.0 - a1 + a2) / 2.0;
    const out = this.#hot === 0 ? score : 0.0;
    this.#pushScore(score);
    this.#lastRaw = score;
    this.#n++;
    return out;
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, `${KIND}.updateBatch`);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.update(values[i]);
    return out;
  }

  #sensFacts(mask: number, out: number[]): number[] {
    out.length = 0;
    for (let j = 0; mask !== 0; j++, mask >>>= 1) if (mask & 1) out.push(SENSOR_BASE + j);
    return out;
  }

  #addContext(l: number, r: number, zero: number): void {
    const id = this.#nCtx++;
    if (id >= this.#ctxLeft.length) {
      const cap = this.#ctxLeft.length * 2;
      this.#ctxLeft = growI32(this.#ctxLeft, cap);
      this.#ctxRight = growI32(this.#ctxRight, cap);
      const z = new Uint8Array(cap);
      z.set(this.#ctxZero);
      this.#ctxZero = z;
      this.#ctxAct = growF64(this.#ctxAct, cap);
    }
    this.#ctxLeft[id] = l;
    this.#ctxRight[id] = r;
    this.#ctxZero[id] = zero;
    if (zero === 1) this.#markZero(l);
  }

  /** Left semi-context s has a zero-level context. */
  #markZero(s: number): void {
    if (s >= this.#hasZero.length) {
      const z = new Uint8Array(Math.max(s + 1, this.#hasZero.length * 2));
      z.set(this.#hasZero);
      this.#hasZero = z;
    }
    this.#hasZero[s] = 1;
  }

  #rightSemi(facts: number[], h: number, l: number): number {
    const R = this.#right;
    const before = R.n;
    const r = R.find(facts, 0, facts.length, h, l);
    if (r === before) {
      this.#rightMask = growI32(this.#rightMask, R.n);
      let m = 0;
      for (const f of facts) m |= 1 << (f - SENSOR_BASE);
      this.#rightMask[r] = m;
    }
    return r;
  }

  #leftSemi(facts: ArrayLike<number>, len: number, h: number, l: number): number {
    const L = this.#left;
    const before = L.n;
    const s = L.find(facts, 0, len, h, l);
    if (s === before) this.#dicts.push(new IntDict());
    return s;
  }

  /** One step of the context machinery; returns [share active, share new]. */
  #step(sensMask: number): [number, number] {
    const cfg = this.#cfg;
    const L = this.#left;
    const R = this.#right;
    const sens = this.#sensFacts(sensMask, []);
    const prev = this.#leftGroup;
    // the left semi-contexts that existed when `prev` was formed (the reference crosses them then)
    const limit = L.n;
    let newFlag = false;
    let zlh = 0;
    let zll = 0;
    let zrh = 0;
    let zrl = 0;
    if (prev.length > 0) {
      // the zero-level context (previous facts -> current sensor facts)
      tupleHash(prev, 0, prev.length);
      zlh = hHi;
      zll = hLo;
      tupleHash(sens, 0, sens.length);
      zrh = hHi;
      zrl = hLo;
      let s: number;
      let r: number;
      let c: number;
      if (this.#nCtx < cfg.maxContexts) {
        s = this.#leftSemi(prev, prev.length, zlh, zll);
        r = this.#rightSemi(sens, zrh, zrl);
        const next = this.#nCtx;
        c = this.#dicts[s].setdefault(r, next);
        if (c === next) {
          this.#addContext(s, r, 1);
          this.#newCtx = c;
          newFlag = true;
        }
      } else {
        // memory is full: only existing contexts are recognised
        s = L.byHash.get(zlh, zll);
        r = R.byHash.get(zrh, zrl);
        c = s >= 0 && r >= 0 ? this.#dicts[s].get(r) : -1;
      }
      if (c >= 0 && !newFlag && this.#ctxZero[c] === 0) {
        this.#ctxZero[c] = 1;
        this.#dicts[s].dirty = true;
        this.#markZero(s);
      }
    }
    R.cross(sens, sens.length, false, R.n);

    // review the left semi-contexts crossed at the previous step
    const skip = this.#newCtx; // 0 when no new context: the reference never reviews context 0 then
    const maxLeft = cfg.maxLeftSemiContexts;
    const ctxAct = this.#ctxAct;
    const ctxZero = this.#ctxZero;
    const rCount = R.count;
    const rLen = R.len;
    let active = this.#active;
    let nActive = 0;
    let nSel = 0;
    // potential new contexts: left tuple (index into potFacts/potHash) and right facts (mask)
    const potFacts = this.#potFacts;
    const potHash = this.#potHash;
    potFacts.length = 0;
    potHash.length = 0;
    let potLeft = this.#potLeft;
    let potRight = this.#potRight;
    let nPot = 0;
    const dicts = this.#dicts;
    const rightMask = this.#rightMask;
    // Only steps that made a new zero-level context propose new contexts, and
    // only those need the partial overlaps; other steps need the left
    // semi-contexts contained in `prev`, found from their largest fact.
    const hasZero = this.#hasZero;
    let crossedL: Int32Array;
    if (newFlag) {
      L.cross(prev, prev.length, true, limit);
      crossedL = L.crossed;
    } else crossedL = this.#containedIn(prev, limit);
    for (let i = 0; i < crossedL.length; i++) {
      const s = crossedL[i];
      const cnt = newFlag ? L.count[s] : L.len[s];
      const full = cnt === L.len[s];
      const grow = newFlag && cnt <= maxLeft; // may propose new contexts
      if (!full && !(grow && hasZero[s] === 1)) continue;
      const d = dicts[s];
      d.dense(ctxZero);
      let lt = -1;
      if (full) {
        const dk = d.dk;
        const dv = d.dv;
        for (let j = 0; j < dk.length; j++) {
          const c = dv[j];
          if (c === skip) continue;
          const r = dk[j];
          const rc = rCount[r];
          nSel++;
          if (rc === 0) continue;
          if (rc === rLen[r]) {
            ctxAct[c]++;
            if (nActive === active.length) active = this.#active = growI32(active, nActive * 2);
            active[nActive++] = c;
          } else if (grow && ctxZero[c] === 1) {
            if (lt < 0) lt = this.#leftTuple(s, prev);
            if (nPot === potLeft.length) {
              potLeft = this.#potLeft = growI32(potLeft, nPot * 2);
              potRight = this.#potRight = growI32(potRight, nPot * 2);
            }
            potLeft[nPot] = lt;
            potRight[nPot++] = rightMask[r] & sensMask;
          }
        }
      } else {
        const zk = d.zk;
        const zv = d.zv;
        for (let j = 0; j < zk.length; j++) {
          const c = zv[j];
          const r = zk[j];
          if (c === skip || rCount[r] === 0) continue;
          if (lt < 0) lt = this.#leftTuple(s, prev);
          if (nPot === potLeft.length) {
            potLeft = this.#potLeft = growI32(potLeft, nPot * 2);
            potRight = this.#potRight = growI32(potRight, nPot * 2);
          }
          potLeft[nPot] = lt;
          potRight[nPot++] = rightMask[r] & sensMask;
        }
      }
    }
    this.#newCtx = 0;

    let shareNew = 0;
    if (newFlag) {
      // distinct potential new contexts, the zero-level one included
      const seen = this.#seen;
      seen.clear();
      seen.add(zlh, zll, zrh, zrl);
      for (let i = 0; i < nPot; i++) {
        const lt = potLeft[i];
        const rt = this.#rightTuple(potRight[i]);
        seen.add(
          potHash[2 * lt],
          potHash[2 * lt + 1],
          this.#rtHash[2 * rt],
          this.#rtHash[2 * rt + 1],
        );
      }
      const nUniq = seen.size;
      // create the potential new contexts, in order
      let added = 0;
      for (let i = 0; i < nPot; i++) {
        if (this.#nCtx >= cfg.maxContexts) break; // memory is full
        const lt = potLeft[i];
        const lf = potFacts[lt];
        const sl = this.#leftSemi(lf, lf.length, potHash[2 * lt], potHash[2 * lt + 1]);
        const rt = this.#rightTuple(potRight[i]);
        const r = this.#rightSemi(
          this.#rtFacts[rt],
          this.#rtHash[2 * rt],
          this.#rtHash[2 * rt + 1],
        );
        const next = this.#nCtx;
        if (dicts[sl].setdefault(r, next) === next) {
          this.#addContext(sl, r, 0);
          added++;
        }
      }
      added += 1;
      if (nUniq > 0) shareNew = added / nUniq;
    }
    const shareActive = nSel > 0 ? nActive / nSel : 0.0;

    // the maxActiveNeurons most active contexts (by activations, then hashes)
    const nTop = this.#selectTop(active, nActive);
    const top = this.#top.subarray(0, nTop).sort();
    const group = new Uint32Array(sens.length + nTop);
    for (let k = 0; k < sens.length; k++) group[k] = sens[k];
    for (let k = 0; k < nTop; k++) group[sens.length + k] = NEURON_BASE + top[k];
    this.#leftGroup = group;

    return [shareActive, shareNew];
  }

  /** Left semi-contexts with id < limit whose facts are all in `group` (sorted). */
  #containedIn(group: Uint32Array, limit: number): Int32Array {
    const L = this.#left;
    let out = this.#contained;
    let n = 0;
    for (let k = 0; k < group.length; k++) {
      const list = L.byMax.get(group[k]);
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const s = list[j];
        if (s >= limit) continue;
        // facts of s (sorted, the last one is group[k]) all in group[0..k]?
        let a = L.start[s];
        const end = a + L.len[s] - 1;
        let b = 0;
        while (a < end && b < k) {
          const x = L.facts[a];
          const y = group[b];
          if (x === y) {
            a++;
            b++;
          } else if (x > y) b++;
          else break;
        }
        if (a < end) continue;
        if (n === out.length) out = this.#contained = growI32(out, n * 2);
        out[n++] = s;
      }
    }
    return out.subarray(0, n);
  }

  /** Index (into #potFacts / #potHash) of the facts of left semi-context s found in `group`. */
  #leftTuple(s: number, group: Uint32Array): number {
    const f = this.#intersect(s, group);
    tupleHash(f, 0, f.length);
    this.#potFacts.push(f);
    this.#potHash.push(hHi, hLo);
    return this.#potFacts.length - 1;
  }

  /** Index (into #rtFacts / #rtHash) of the sensor facts of `mask`. */
  #rightTuple(mask: number): number {
    let t = this.#rtIndex.get(mask);
    if (t === undefined) {
      const f = this.#sensFacts(mask, []);
      tupleHash(f, 0, f.length);
      t = this.#rtFacts.length;
      this.#rtFacts.push(f);
      this.#rtHash.push(hHi, hLo);
      this.#rtIndex.set(mask, t);
    }
    return t;
  }

  /** Facts of left semi-context s that are in the sorted list `group`. */
  #intersect(s: number, group: Uint32Array): number[] {
    const L = this.#left;
    const out: number[] = [];
    let a = L.start[s];
    const end = a + L.len[s];
    let b = 0;
    while (a < end && b < group.length) {
      const x = L.facts[a];
      const y = group[b];
      if (x === y) {
        out.push(x);
        a++;
        b++;
      } else if (x < y) a++;
      else b++;
    }
    return out;
  }

  #less(a: number, b: number): boolean {
    const d = this.#ctxAct[a] - this.#ctxAct[b];
    if (d !== 0) return d < 0;
    const L = this.#left;
    const la = this.#ctxLeft[a];
    const lb = this.#ctxLeft[b];
    const c = cmp64(L.hi[la], L.lo[la], L.hi[lb], L.lo[lb]);
    if (c !== 0) return c < 0;
    const R = this.#right;
    const ra = this.#ctxRight[a];
    const rb = this.#ctxRight[b];
    return cmp64(R.hi[ra], R.lo[ra], R.hi[rb], R.lo[rb]) < 0;
  }

  /** Keeps in #top the k largest of active[0..n) (any order); returns how many. */
  #selectTop(active: Int32Array, n: number): number {
    const k = this.#cfg.maxActiveNeurons;
    const top = this.#top;
    if (n <= k) {
      top.set(active.subarray(0, n));
      return n;
    }
    // top[] kept ascending; top[0] is the smallest kept
    let m = 0;
    for (let i = 0; i < n; i++) {
      const c = active[i];
      if (m === k) {
        if (!this.#less(top[0], c)) continue;
        let j = 1;
        while (j < k && this.#less(top[j], c)) {
          top[j - 1] = top[j];
          j++;
        }
        top[j - 1] = c;
      } else {
        let j = m++;
        while (j > 0 && this.#less(c, top[j - 1])) {
          top[j] = top[j - 1];
          j--;
        }
        top[j] = c;
      }
    }
    return k;
  }

  /** The options as saved in snapshots (JSON has no NaN: an unset range is null). */
  #configJson() {
    const o = this.options;
    return { ...o, min: o.min ?? null, max: o.max ?? null };
  }

  /**
   * The whole state, versioned and JSON-safe (the learned contexts, so its size
   * grows with `contexts`). The `calibrator` field is empty: CAD OSE's score is
   * not calibrated.
   */
  snapshot(): DetectorSnapshot {
    const L = this.#left;
    const R = this.#right;
    const hist: number[] = [];
    const cap = this.#hist.length;
    for (let i = 0; i < this.#histLen; i++) {
      hist.push(this.#hist[(this.#histHead - this.#histLen + i + cap) % cap]);
    }
    return {
      kind: KIND,
      version: VERSION,
      n: this.#n,
      rejected: this.#rejected,
      calibrator: emptyCalibrator(),
      state: {
        config: this.#configJson(),
        lastRaw: this.#lastRaw,
        lo: Number.isFinite(this.#lo) ? this.#lo : null,
        hi: Number.isFinite(this.#hi) ? this.#hi : null,
        leftLen: Array.from(L.len.subarray(0, L.n)),
        leftFacts: Array.from(L.facts.subarray(0, L.factsUsed)),
        rightLen: Array.from(R.len.subarray(0, R.n)),
        rightFacts: Array.from(R.facts.subarray(0, R.factsUsed)),
        ctxLeft: Array.from(this.#ctxLeft.subarray(0, this.#nCtx)),
        ctxRight: Array.from(this.#ctxRight.subarray(0, this.#nCtx)),
        ctxZero: Array.from(this.#ctxZero.subarray(0, this.#nCtx)),
        ctxAct: Array.from(this.#ctxAct.subarray(0, this.#nCtx)),
        leftGroup: Array.from(this.#leftGroup),
        hist,
      },
    };
  }

  restore(snapshot: DetectorSnapshot): this {
    const bad = (what: string): never => {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `${KIND}.restore: the snapshot is damaged (${what}); pass an unmodified snapshot() of a ${KIND}.`,
      );
    };
    const s = snapshot as DetectorSnapshot | null | undefined;
    if (!s || typeof s !== 'object' || s.kind !== KIND) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `${KIND}.restore: pass a snapshot() of a ${KIND} (got kind ${describeValue(s?.kind)}).`,
      );
    }
    if (s.version !== VERSION) {
      throw new EdgewiseError(
        'UNSUPPORTED_VERSION',
        `${KIND}.restore: snapshot version ${describeValue(s.version)} is not supported (expected ${VERSION}).`,
      );
    }
    const isCount = (v: unknown): v is number =>
      typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (!isCount(s.n) || !isCount(s.rejected)) bad('record counts');
    const st = s.state as Record<string, unknown> | null;
    if (!st || typeof st !== 'object') bad('no state');
    const S = st as Record<string, unknown>;
    const cfg = S.config as Record<string, unknown> | null;
    const c = this.#cfg;
    const want = this.#configJson();
    if (
      !cfg ||
      typeof cfg !== 'object' ||
      (Object.keys(want) as (keyof typeof want)[]).some((k) => cfg[k] !== want[k])
    ) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        `${KIND}.restore: the snapshot was taken with other options (${JSON.stringify(cfg)}); build the detector with the same options as the one that took it.`,
      );
    }
    const intArray = (v: unknown, what: string, lo: number, hi: number): number[] => {
      if (!Array.isArray(v)) return bad(`${what} is not an array`);
      for (const x of v) {
        if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) {
          bad(`${what} holds ${describeValue(x)}`);
        }
      }
      return v as number[];
    };
    const numArray = (v: unknown, what: string): number[] => {
      if (!Array.isArray(v)) return bad(`${what} is not an array`);
      for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${what}`);
      return v as number[];
    };
    const nSens = 2 * c.valueBits;
    const leftLen = intArray(S.leftLen, 'leftLen', 1, 1e6);
    const leftFacts = intArray(S.leftFacts, 'leftFacts', SENSOR_BASE, 2 ** 32 - 1);
    const rightLen = intArray(S.rightLen, 'rightLen', 1, nSens);
    const rightFacts = intArray(S.rightFacts, 'rightFacts', SENSOR_BASE, SENSOR_BASE + nSens - 1);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    if (sum(leftLen) !== leftFacts.length || sum(rightLen) !== rightFacts.length) {
      bad('fact list lengths');
    }
    const nCtx = (S.ctxLeft as unknown[] | undefined)?.length ?? -1;
    const ctxLeft = intArray(S.ctxLeft, 'ctxLeft', 0, leftLen.length - 1);
    const ctxRight = intArray(S.ctxRight, 'ctxRight', 0, rightLen.length - 1);
    const ctxZero = intArray(S.ctxZero, 'ctxZero', 0, 1);
    const ctxAct = intArray(S.ctxAct, 'ctxAct', 0, Number.MAX_SAFE_INTEGER);
    for (const a of [ctxRight, ctxZero, ctxAct]) {
      if (a.length !== nCtx) bad('context arrays of different lengths');
    }
    const leftGroup = intArray(S.leftGroup, 'leftGroup', SENSOR_BASE, NEURON_BASE + nCtx - 1);
    for (let i = 1; i < leftGroup.length; i++) {
      if (leftGroup[i] <= leftGroup[i - 1]) bad('leftGroup is not sorted');
    }
    const hist = numArray(S.hist, 'hist');
    if (hist.length < 1 || hist.length > c.restPeriod) bad('score history length');
    const lastRaw = S.lastRaw;
    if (typeof lastRaw !== 'number' || !Number.isFinite(lastRaw)) bad('lastRaw');
    const lo = S.lo ?? Number.POSITIVE_INFINITY;
    const hi = S.hi ?? Number.NEGATIVE_INFINITY;
    if (typeof lo !== 'number' || typeof hi !== 'number' || (S.lo === null) !== (S.hi === null)) {
      bad('range');
    }

    // rebuild into fresh structures, then swap in (a refused snapshot changes nothing)
    const left = new Side();
    const right = new Side();
    const dicts: IntDict[] = [];
    let rightMask = new Int32Array(Math.max(256, rightLen.length));
    let off = 0;
    for (const len of leftLen) {
      for (let k = 1; k < len; k++) if (leftFacts[off + k] <= leftFacts[off + k - 1]) bad('order');
      tupleHash(leftFacts, off, len);
      if (left.byHash.get(hHi, hLo) !== -1) bad('duplicate left semi-context');
      left.add(leftFacts, off, len, hHi, hLo);
      dicts.push(new IntDict());
      off += len;
    }
    off = 0;
    for (let r = 0; r < rightLen.length; r++) {
      const len = rightLen[r];
      let m = 0;
      for (let k = 0; k < len; k++) {
        if (k > 0 && rightFacts[off + k] <= rightFacts[off + k - 1]) bad('order');
        m |= 1 << (rightFacts[off + k] - SENSOR_BASE);
      }
      tupleHash(rightFacts, off, len);
      if (right.byHash.get(hHi, hLo) !== -1) bad('duplicate right semi-context');
      right.add(rightFacts, off, len, hHi, hLo);
      rightMask = growI32(rightMask, r + 1);
      rightMask[r] = m;
      off += len;
    }
    for (let i = 0; i < nCtx; i++) {
      if (dicts[ctxLeft[i]].setdefault(ctxRight[i], i) !== i) bad('duplicate context');
    }
    const cap = Math.max(256, nCtx);
    const i32 = (a: number[]) => {
      const t = new Int32Array(cap);
      t.set(a);
      return t;
    };
    const f64 = (a: number[]) => {
      const t = new Float64Array(cap);
      t.set(a);
      return t;
    };
    const zero = new Uint8Array(cap);
    zero.set(ctxZero);

    this.#left = left;
    this.#right = right;
    this.#dicts = dicts;
    this.#rightMask = rightMask;
    this.#nCtx = nCtx;
    this.#ctxLeft = i32(ctxLeft);
    this.#ctxRight = i32(ctxRight);
    this.#ctxZero = zero;
    this.#hasZero = new Uint8Array(Math.max(256, leftLen.length));
    for (let i = 0; i < nCtx; i++) if (ctxZero[i] === 1) this.#hasZero[ctxLeft[i]] = 1;
    this.#ctxAct = f64(ctxAct);
    this.#leftGroup = Uint32Array.from(leftGroup);
    this.#hist = new Float64Array(c.restPeriod);
    this.#histHead = 0;
    this.#histLen = 0;
    this.#hot = 0;
    for (const x of hist) this.#pushScore(x);
    this.#lastRaw = lastRaw as number;
    this.#lo = lo as number;
    this.#hi = hi as number;
    this.#n = s.n;
    this.#rejected = s.rejected;
    this.#newCtx = 0;
    return this;
  }
}

let emptyCal: CalibratorSnapshot | undefined;
function emptyCalibrator(): CalibratorSnapshot {
  emptyCal ??= new ScoreCalibrator().snapshot();
  return structuredClone(emptyCal);
}
