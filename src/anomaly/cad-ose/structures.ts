// ---------------------------------------------------------------------------
// 64-bit arithmetic on (hi, lo) uint32 pairs, for the semi-context keys. The
// reference keys semi-contexts by the CPython 2 (64-bit) hash of the fact tuple
// and orders active contexts by those hashes, so they are reproduced exactly.

export let hHi = 0;
export let hLo = 0;

/** Hash of the tuple facts[start .. start+len) (CPython 2.7 tuplehash, 64-bit `long`). */
export function tupleHash(facts: ArrayLike<number>, start: number, len: number): void {
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
export function cmp64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return (ah | 0) < (bh | 0) ? -1 : 1;
  if (al !== bl) return al < bl ? -1 : 1;
  return 0;
}

/** Open-addressing map from 64-bit keys to non-negative ints. */
export class Map64 {
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
export class IntDict {
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

export const EMPTY = new Int32Array(0);

/** A set of 128-bit keys (two 64-bit hashes), cleared in O(1). */
export class Set128 {
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

export function growU32(a: Uint32Array<ArrayBuffer>, need: number): Uint32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
export function growI32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
export function growF64(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** The semi-contexts of one side: sorted fact lists keyed by their tuple hash. */
export class Side {
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

/**
 * The reference's order of contexts: by times fully active, then by the hash
 * of the left semi-context, then of the right one.
 */
export function contextLess(
  a: number,
  b: number,
  act: Float64Array,
  ctxLeft: Int32Array,
  ctxRight: Int32Array,
  L: Side,
  R: Side,
): boolean {
  const d = act[a] - act[b];
  if (d !== 0) return d < 0;
  const la = ctxLeft[a];
  const lb = ctxLeft[b];
  const c = cmp64(L.hi[la], L.lo[la], L.hi[lb], L.lo[lb]);
  if (c !== 0) return c < 0;
  const ra = ctxRight[a];
  const rb = ctxRight[b];
  return cmp64(R.hi[ra], R.lo[ra], R.hi[rb], R.lo[rb]) < 0;
}

/** Keeps in `top` the k largest of active[0..n) by `contextLess` (any order); returns how many. */
export function selectTop(
  active: Int32Array,
  n: number,
  k: number,
  top: Int32Array,
  act: Float64Array,
  ctxLeft: Int32Array,
  ctxRight: Int32Array,
  L: Side,
  R: Side,
): number {
  if (n <= k) {
    top.set(active.subarray(0, n));
    return n;
  }
  // top[] kept ascending; top[0] is the smallest kept
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = active[i];
    if (m === k) {
      if (!contextLess(top[0], c, act, ctxLeft, ctxRight, L, R)) continue;
      let j = 1;
      while (j < k && contextLess(top[j], c, act, ctxLeft, ctxRight, L, R)) {
        top[j - 1] = top[j];
        j++;
      }
      top[j - 1] = c;
    } else {
      let j = m++;
      while (j > 0 && contextLess(c, top[j - 1], act, ctxLeft, ctxRight, L, R)) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = c;
    }
  }
  return k;
}
