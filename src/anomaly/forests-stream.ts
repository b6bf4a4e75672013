import { describeValue, EdgewiseError } from '../errors';
import { fin, level } from './detector-base';
import { Rng } from './matrix';
import { BaseDetector, type BaseOptions } from './streaming';

/** A snapshot field of unknown shape (restore checks every one). */
type Loose = Record<string, unknown> | null | undefined;

/**
 * Shingles learnt after `n` records: `Shingler.vector` is true from the record
 * after the first (the level is known) once the buffer holds `size - 1`
 * values, and each streaming forest learns one vector per such record.
 */
const vectorsAfter = (n: number, shingle: number): number =>
  Math.max(0, n - Math.max(1, shingle - 1));

/**
 * Shingling and scaling shared by the streaming forests: the input vector at
 * time t is the last `shingle` values, each standardised by a slow EWMA mean
 * and standard deviation (learned after scoring), clipped to [-4, 4] and
 * mapped to [0, 1].
 */
class Shingler {
  readonly size: number;
  buf: Float64Array;
  filled = 0;
  m = Number.NaN;
  v = 0;
  constructor(size: number) {
    this.size = size;
    this.buf = new Float64Array(size);
  }
  /** The shingle that ends with x (does not learn). Returns false until full. */
  vector(x: number, out: Float64Array): boolean {
    if (this.filled + 1 < this.size || Number.isNaN(this.m)) return false;
    const sd = Math.max(Math.sqrt(this.v), 1e-3 * Math.abs(this.m) + 1e-12);
    for (let i = 0; i < this.size - 1; i++) out[i] = this.buf[i + 1];
    out[this.size - 1] = x;
    for (let i = 0; i < this.size; i++) {
      const z = Math.max(-4, Math.min(4, (out[i] - this.m) / sd));
      out[i] = (z + 4) / 8;
    }
    return true;
  }
  learn(x: number): void {
    this.buf.copyWithin(0, 1);
    this.buf[this.size - 1] = x;
    if (this.filled < this.size) this.filled++;
    if (Number.isNaN(this.m)) {
      this.m = x;
      return;
    }
    const a = 0.01;
    const d = x - this.m;
    this.m += a * d;
    this.v = (1 - a) * (this.v + a * d * d);
  }
  toJSON(): unknown {
    return { buf: Array.from(this.buf), filled: this.filled, m: this.m, v: this.v };
  }
  /**
   * Why `s` is not the `toJSON()` of a shingler of `size` after `n` learnt
   * records (undefined when it is one): `filled` is min(n, size), the values
   * not yet filled are the initial zeros, the EWMA level is null exactly
   * before the first record and the variance is finite, >= 0 and 0 until a
   * second record.
   */
  static invalid(s: unknown, size: number, n: number): string | undefined {
    const o = s as Loose;
    if (!o || typeof o !== 'object') return 'no shingle state';
    const buf = o.buf;
    if (!Array.isArray(buf) || buf.length !== size) return 'bad shingle buffer length';
    if (!buf.every(fin)) return 'non-finite value in the shingle buffer';
    if (o.filled !== Math.min(n, size)) return 'shingle fill does not match the record count';
    for (let i = 0; i < size - Math.min(n, size); i++) {
      if (buf[i] !== 0) return 'unfilled shingle entries are not zero';
    }
    if (!level(o.m, n)) return 'bad shingle level';
    if (!(fin(o.v) && o.v >= 0 && (n > 1 || o.v === 0))) return 'bad shingle variance';
    return undefined;
  }
  /** Sets a state `invalid` accepted. */
  set(s: { buf: number[]; filled: number; m: number | null; v: number }): void {
    this.buf.set(s.buf);
    this.filled = s.filled;
    this.m = s.m ?? Number.NaN;
    this.v = s.v;
  }
}

const posInt = (v: unknown, name: string, where: string, min = 1): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be an integer >= ${min}, got ${describeValue(v)}.`,
    );
  }
  return v;
};

/** Options of `HalfSpaceTreesDetector`. */
export interface HalfSpaceTreesOptions extends BaseOptions {
  /** Trees (default 25). */
  trees?: number;
  /** Depth of each tree (default 10). */
  depth?: number;
  /** Records per mass window (default 250). */
  window?: number;
  /** Shingle length (default 4). */
  shingle?: number;
  /** Seed (default 1). */
  seed?: number;
}

/**
 * Half-Space Trees (Tan, Ting & Liu 2011) over shingled, standardised
 * values. Each tree is a complete binary tree (flat arrays) of random
 * half-space splits of a randomly perturbed unit work space; masses are
 * counted in a latest window and become the reference every `window`
 * records. Raw score: 1 / (1 + sum of reference mass x 2^depth at the
 * deepest node with enough mass), so sparse regions score high.
 */
export class HalfSpaceTreesDetector extends BaseDetector {
  readonly kind = 'HalfSpaceTreesDetector';
  readonly opts: Required<Omit<HalfSpaceTreesOptions, keyof BaseOptions>>;
  private readonly _sh: Shingler;
  private readonly _nodes: number;
  private readonly _dim: Int32Array;
  private readonly _split: Float64Array;
  private _ref: Float64Array;
  private _lat: Float64Array;
  private _inWindow = 0;
  private _hasRef = false;
  private readonly _x: Float64Array;

  constructor(options: HalfSpaceTreesOptions = {}) {
    const where = 'HalfSpaceTreesDetector';
    const o = {
      trees: posInt(options.trees ?? 25, 'trees', where),
      depth: posInt(options.depth ?? 10, 'depth', where),
      window: posInt(options.window ?? 250, 'window', where),
      shingle: posInt(options.shingle ?? 4, 'shingle', where),
      seed: options.seed ?? 1,
    };
    if (o.depth > 20) throw new EdgewiseError('INVALID_ARGUMENT', `${where}: depth must be <= 20.`);
    super(options.warmup ?? o.window + o.shingle, options);
    this.opts = o;
    this._sh = new Shingler(o.shingle);
    this._x = new Float64Array(o.shingle);
    this._nodes = (1 << (o.depth + 1)) - 1;
    const total = o.trees * this._nodes;
    this._dim = new Int32Array(total);
    this._split = new Float64Array(total);
    this._ref = new Float64Array(total);
    this._lat = new Float64Array(total);
    const rng = new Rng(o.seed);
    const d = o.shingle;
    const lo = new Float64Array(d);
    const hi = new Float64Array(d);
    for (let t = 0; t < o.trees; t++) {
      for (let j = 0; j < d; j++) {
        const s = rng.next();
        const r = 2 * Math.max(s, 1 - s);
        lo[j] = s - r;
        hi[j] = s + r;
      }
      this._build(t * this._nodes, 0, 0, lo, hi, rng);
    }
  }

  private _build(
    base: number,
    node: number,
    level: number,
    lo: Float64Array,
    hi: Float64Array,
    rng: Rng,
  ): void {
    if (level >= this.opts.depth) return;
    const j = rng.int(this.opts.shingle);
    const mid = (lo[j] + hi[j]) / 2;
    this._dim[base + node] = j;
    this._split[base + node] = mid;
    const h = hi[j];
    hi[j] = mid;
    this._build(base, 2 * node + 1, level + 1, lo, hi, rng);
    hi[j] = h;
    const l = lo[j];
    lo[j] = mid;
    this._build(base, 2 * node + 2, level + 1, lo, hi, rng);
    lo[j] = l;
  }

  protected raw(x: number): number {
    if (!this._hasRef || !this._sh.vector(x, this._x)) return 0;
    const v = this._x;
    const depth = this.opts.depth;
    const sizeLimit = 0.1 * this.opts.window;
    let score = 0;
    for (let t = 0; t < this.opts.trees; t++) {
      const base = t * this._nodes;
      let node = 0;
      let level = 0;
      while (level < depth && this._ref[base + node] > sizeLimit) {
        node = v[this._dim[base + node]] < this._split[base + node] ? 2 * node + 1 : 2 * node + 2;
        level++;
      }
      score += this._ref[base + node] * 2 ** level;
    }
    return 1 / (1 + score / this.opts.trees);
  }

  protected learn(x: number): void {
    if (this._sh.vector(x, this._x)) {
      const v = this._x;
      const depth = this.opts.depth;
      for (let t = 0; t < this.opts.trees; t++) {
        const base = t * this._nodes;
        let node = 0;
        for (let level = 0; ; level++) {
          this._lat[base + node]++;
          if (level === depth) break;
          node = v[this._dim[base + node]] < this._split[base + node] ? 2 * node + 1 : 2 * node + 2;
        }
      }
      if (++this._inWindow >= this.opts.window) {
        const r = this._ref;
        this._ref = this._lat;
        this._lat = r;
        this._lat.fill(0);
        this._inWindow = 0;
        this._hasRef = true;
      }
    }
    this._sh.learn(x);
  }

  protected state(): unknown {
    return {
      sh: this._sh.toJSON(),
      ref: Array.from(this._ref),
      lat: Array.from(this._lat),
      inWindow: this._inWindow,
      hasRef: this._hasRef,
    };
  }
  /**
   * Checks every field before changing anything: the shingle (see
   * `Shingler.invalid`); the window position, which the record count fixes
   * (one vector per record once the shingle is full: `inWindow` = vectors mod
   * window, `hasRef` = vectors >= window); both mass arrays one per node of
   * `trees` complete trees of `depth`, each mass a non-negative integer, each
   * internal node's mass the sum of its two children's (every vector counts
   * on the whole root-to-leaf path), each root's mass `inWindow` (latest) and
   * `window` or 0 (reference, before the first swap all zero). The splits
   * are not in the snapshot: the seed rebuilds them.
   */
  protected setState(
    s: {
      sh: Parameters<Shingler['set']>[0];
      ref: number[];
      lat: number[];
      inWindow: number;
      hasRef: boolean;
    },
    n: number,
  ): void {
    const o = s as unknown as Loose;
    if (!o || typeof o !== 'object') throw this.corrupt('no state');
    const bad = Shingler.invalid(o.sh, this.opts.shingle, n);
    if (bad) throw this.corrupt(bad);
    const { window } = this.opts;
    const vectors = vectorsAfter(n, this.opts.shingle);
    const inWindow = vectors % window;
    const hasRef = vectors >= window;
    if (o.inWindow !== inWindow) {
      throw this.corrupt(`inWindow ${describeValue(o.inWindow)} does not match the record count`);
    }
    if (o.hasRef !== hasRef) throw this.corrupt('hasRef does not match the record count');
    const ref = this._masses(o.ref, hasRef ? window : 0, 'reference');
    const lat = this._masses(o.lat, inWindow, 'latest');
    this._sh.set(s.sh);
    this._ref.set(ref);
    this._lat.set(lat);
    this._inWindow = inWindow;
    this._hasRef = hasRef;
  }

  /** The masses of one window, checked (see `setState`). */
  private _masses(a: unknown, rootMass: number, which: string): Float64Array {
    const total = this._ref.length;
    if (!Array.isArray(a) || a.length !== total) {
      throw this.corrupt(`the ${which} masses are not one per node (other options?)`);
    }
    const m = Float64Array.from(a, (x) => (Number.isSafeInteger(x) && x >= 0 ? x : -1));
    if (m.includes(-1)) throw this.corrupt(`a ${which} mass is not a non-negative integer`);
    const nodes = this._nodes;
    for (let base = 0; base < total; base += nodes) {
      if (m[base] !== rootMass) {
        throw this.corrupt(`a ${which} root mass is not ${rootMass} (the window position)`);
      }
      for (let i = 0; 2 * i + 2 < nodes; i++) {
        if (m[base + i] !== m[base + 2 * i + 1] + m[base + 2 * i + 2]) {
          throw this.corrupt(`a ${which} mass is not the sum of its children's`);
        }
      }
    }
    return m;
  }
}

/** Options of `RandomCutForestDetector`. */
export interface RandomCutForestOptions extends BaseOptions {
  /** Trees (default 40). */
  trees?: number;
  /** Points kept per tree: a sliding sample of the most recent ones (default 256). */
  sampleSize?: number;
  /** Shingle length (default 4). */
  shingle?: number;
  /** Seed (default 1). */
  seed?: number;
}

/**
 * Robust Random Cut Forest (Guha et al. 2016), RRCF-style: each tree holds the
 * last `sampleSize` shingles (insert the newest, delete the oldest), cuts are
 * drawn with probability proportional to the bounding box's extent per
 * dimension. Raw score: the collusive displacement (CoDisp) of the new point,
 * averaged over trees (computed by inserting it, then it stays as the newest
 * sample point).
 *
 * Nodes live in flat typed arrays (parent/left/right/leaf point/size and
 * bounding boxes), recycled through a free list.
 */
export class RandomCutForestDetector extends BaseDetector {
  readonly kind = 'RandomCutForestDetector';
  readonly opts: Required<Omit<RandomCutForestOptions, keyof BaseOptions>>;
  private readonly _sh: Shingler;
  private readonly _x: Float64Array;
  private _rng: Rng;
  private _rngState = 0;
  // per tree: node pools
  private readonly _cap: number;
  private _parent: Int32Array;
  private _left: Int32Array;
  private _right: Int32Array;
  private _size: Int32Array;
  private _point: Int32Array; // leaf: point slot; internal: -1
  private _cutDim: Int32Array;
  private _cutVal: Float64Array;
  private _lo: Float64Array;
  private _hi: Float64Array;
  private _root: Int32Array;
  private _free: Int32Array; // free-list heads per tree
  // points: ring of the last sampleSize shingles (shared by trees)
  private _pts: Float64Array;
  private _leafOf: Int32Array; // tree * sampleSize + slot -> leaf node
  private _count = 0; // points inserted

  constructor(options: RandomCutForestOptions = {}) {
    const where = 'RandomCutForestDetector';
    const o = {
      trees: posInt(options.trees ?? 40, 'trees', where),
      sampleSize: posInt(options.sampleSize ?? 256, 'sampleSize', where, 4),
      shingle: posInt(options.shingle ?? 4, 'shingle', where),
      seed: options.seed ?? 1,
    };
    super(options.warmup ?? Math.min(o.sampleSize, 64) + o.shingle, options);
    this.opts = o;
    this._sh = new Shingler(o.shingle);
    this._x = new Float64Array(o.shingle);
    this._rng = new Rng(o.seed);
    // the seeded state is an int32 until the first draw: keep it a uint32 (the same sequence)
    this._rng.state = this._rng.state;
    this._cap = 2 * (o.sampleSize + 1);
    const nodes = o.trees * this._cap;
    this._parent = new Int32Array(nodes);
    this._left = new Int32Array(nodes);
    this._right = new Int32Array(nodes);
    this._size = new Int32Array(nodes);
    this._point = new Int32Array(nodes);
    this._cutDim = new Int32Array(nodes);
    this._cutVal = new Float64Array(nodes);
    this._lo = new Float64Array(nodes * o.shingle);
    this._hi = new Float64Array(nodes * o.shingle);
    this._root = new Int32Array(o.trees).fill(-1);
    this._free = new Int32Array(o.trees);
    for (let t = 0; t < o.trees; t++) {
      const b = t * this._cap;
      for (let i = 0; i < this._cap; i++) this._left[b + i] = i + 1 < this._cap ? b + i + 1 : -1;
      this._free[t] = b;
    }
    this._pts = new Float64Array((o.sampleSize + 1) * o.shingle);
    this._leafOf = new Int32Array(o.trees * (o.sampleSize + 1)).fill(-1);
  }

  private _alloc(t: number): number {
    const n = this._free[t];
    this._free[t] = this._left[n];
    return n;
  }
  private _release(t: number, n: number): void {
    this._left[n] = this._free[t];
    this._free[t] = n;
  }

  private _insert(t: number, slot: number): void {
    const d = this.opts.shingle;
    const p = slot * d;
    const pts = this._pts;
    const leaf = this._alloc(t);
    this._point[leaf] = slot;
    this._size[leaf] = 1;
    for (let j = 0; j < d; j++) {
      this._lo[leaf * d + j] = pts[p + j];
      this._hi[leaf * d + j] = pts[p + j];
    }
    this._leafOf[t * (this.opts.sampleSize + 1) + slot] = leaf;
    if (this._root[t] < 0) {
      this._root[t] = leaf;
      this._parent[leaf] = -1;
      return;
    }
    let node = this._root[t];
    for (;;) {
      // extent of node's box with the point
      let total = 0;
      for (let j = 0; j < d; j++) {
        const lo = Math.min(this._lo[node * d + j], pts[p + j]);
        const hi = Math.max(this._hi[node * d + j], pts[p + j]);
        total += hi - lo;
      }
      let r = this._rng.next() * total;
      let cd = 0;
      let cv = 0;
      for (let j = 0; j < d; j++) {
        const lo = Math.min(this._lo[node * d + j], pts[p + j]);
        const hi = Math.max(this._hi[node * d + j], pts[p + j]);
        const span = hi - lo;
        if (r < span || j === d - 1) {
          cd = j;
          cv = lo + Math.min(r, span);
          break;
        }
        r -= span;
      }
      const x = pts[p + cd];
      const nlo = this._lo[node * d + cd];
      const nhi = this._hi[node * d + cd];
      const separates = (x <= cv && cv < nlo) || (x > cv && cv >= nhi);
      if (separates || this._point[node] >= 0) {
        // new internal node replacing `node`, children: leaf and node
        const inner = this._alloc(t);
        const par = this._parent[node];
        this._point[inner] = -1;
        this._cutDim[inner] = cd;
        if (!separates) {
          // node is a leaf equal to or not separable from the point: split between them
          cv = Math.min(x, nlo);
        }
        this._cutVal[inner] = cv;
        const pointLeft = x <= cv;
        this._left[inner] = pointLeft ? leaf : node;
        this._right[inner] = pointLeft ? node : leaf;
        this._parent[leaf] = inner;
        this._parent[node] = inner;
        this._parent[inner] = par;
        this._size[inner] = this._size[node] + 1;
        for (let j = 0; j < d; j++) {
          this._lo[inner * d + j] = Math.min(this._lo[node * d + j], pts[p + j]);
          this._hi[inner * d + j] = Math.max(this._hi[node * d + j], pts[p + j]);
        }
        if (par < 0) this._root[t] = inner;
        else if (this._left[par] === node) this._left[par] = inner;
        else this._right[par] = inner;
        // grow ancestors
        for (let a = par; a >= 0; a = this._parent[a]) {
          this._size[a]++;
          for (let j = 0; j < d; j++) {
            if (pts[p + j] < this._lo[a * d + j]) this._lo[a * d + j] = pts[p + j];
            if (pts[p + j] > this._hi[a * d + j]) this._hi[a * d + j] = pts[p + j];
          }
        }
        return;
      }
      // Descend by the node's own cut (not the dimension just drawn for the new cut).
      node =
        pts[p + this._cutDim[node]] <= this._cutVal[node] ? this._left[node] : this._right[node];
    }
  }

  private _remove(t: number, slot: number): void {
    const d = this.opts.shingle;
    const key = t * (this.opts.sampleSize + 1) + slot;
    const leaf = this._leafOf[key];
    if (leaf < 0) return;
    this._leafOf[key] = -1;
    const par = this._parent[leaf];
    this._release(t, leaf);
    if (par < 0) {
      this._root[t] = -1;
      return;
    }
    const sib = this._left[par] === leaf ? this._right[par] : this._left[par];
    const gp = this._parent[par];
    this._parent[sib] = gp;
    if (gp < 0) this._root[t] = sib;
    else if (this._left[gp] === par) this._left[gp] = sib;
    else this._right[gp] = sib;
    this._release(t, par);
    for (let a = gp; a >= 0; a = this._parent[a]) {
      this._size[a]--;
      const l = this._left[a];
      const r = this._right[a];
      for (let j = 0; j < d; j++) {
        this._lo[a * d + j] = Math.min(this._lo[l * d + j], this._lo[r * d + j]);
        this._hi[a * d + j] = Math.max(this._hi[l * d + j], this._hi[r * d + j]);
      }
    }
  }

  private _codisp(t: number, slot: number): number {
    let node = this._leafOf[t * (this.opts.sampleSize + 1) + slot];
    let best = 0;
    for (let par = this._parent[node]; par >= 0; node = par, par = this._parent[par]) {
      const sib = this._left[par] === node ? this._right[par] : this._left[par];
      const r = this._size[sib] / this._size[node];
      if (r > best) best = r;
    }
    return best;
  }

  protected raw(x: number): number {
    if (!this._sh.vector(x, this._x)) return 0;
    // insert now (scored against the past sample), learn() keeps it
    const slot = this._count % (this.opts.sampleSize + 1);
    const old =
      this._count >= this.opts.sampleSize
        ? (this._count - this.opts.sampleSize) % (this.opts.sampleSize + 1)
        : -1;
    const d = this.opts.shingle;
    for (let t = 0; t < this.opts.trees; t++) if (old >= 0) this._remove(t, old);
    this._pts.set(this._x, slot * d);
    let s = 0;
    for (let t = 0; t < this.opts.trees; t++) {
      this._insert(t, slot);
      s += this._codisp(t, slot);
    }
    this._count++;
    this._pendingInserted = true;
    return s / this.opts.trees;
  }
  private _pendingInserted = false;

  protected learn(x: number): void {
    if (!this._pendingInserted && this._sh.vector(x, this._x)) {
      // during warm-up raw() is not called: insert here
      const slot = this._count % (this.opts.sampleSize + 1);
      const old =
        this._count >= this.opts.sampleSize
          ? (this._count - this.opts.sampleSize) % (this.opts.sampleSize + 1)
          : -1;
      for (let t = 0; t < this.opts.trees; t++) if (old >= 0) this._remove(t, old);
      this._pts.set(this._x, slot * this.opts.shingle);
      for (let t = 0; t < this.opts.trees; t++) this._insert(t, slot);
      this._count++;
    }
    this._pendingInserted = false;
    this._sh.learn(x);
  }

  protected state(): unknown {
    this._rngState = this._rng.state;
    return {
      sh: this._sh.toJSON(),
      rng: this._rngState,
      count: this._count,
      arrays: this._arrays().map((a) => Array.from(a)),
    };
  }
  /** The node and point arrays of `state()`, in its order. */
  private _arrays(): (Int32Array | Float64Array)[] {
    return [
      this._parent,
      this._left,
      this._right,
      this._size,
      this._point,
      this._cutDim,
      this._cutVal,
      this._lo,
      this._hi,
      this._root,
      this._free,
      this._pts,
      this._leafOf,
    ];
  }

  /**
   * Checks every field before changing anything:
   * - the shingle (see `Shingler.invalid`); `count` is fixed by the record
   *   count (one point per record once the shingle is full); the rng state
   *   is a uint32;
   * - the 13 arrays have the lengths of these options; every entry is an
   *   integer of its range (node ids in [-1, nodes), sizes in [0, sampleSize],
   *   leaf slots in [-1, sampleSize], cut dimensions in [0, shingle)) or a
   *   finite number (cut values; boxes and points in [0, 1], the range of a
   *   scaled shingle), the spare entries of unused nodes and slots included;
   * - the live points are the last min(count, sampleSize) slots of the ring;
   *   `leafOf` maps exactly them, in each tree, to that tree's leaf holding
   *   them and every other slot to -1;
   * - each tree, from its root (-1 exactly when empty), is a binary tree of
   *   that tree's own nodes, acyclic and without shared nodes, whose parent
   *   links match; a leaf holds one live point (size 1, box = the point); an
   *   internal node has size = the sum of its children's and box = the union
   *   of theirs; it has as many leaves as live points (2k - 1 nodes). (Cuts
   *   are only range-checked: `_insert` descends by the drawn dimension's
   *   coordinate, not the node's, so valid trees do not always have
   *   hi(left) <= cut <= lo(right).)
   * - the free list of each tree is acyclic, stays in the tree, and holds
   *   exactly the tree's other nodes.
   */
  protected setState(
    s: {
      sh: Parameters<Shingler['set']>[0];
      rng: number;
      count: number;
      arrays: number[][];
    },
    n: number,
  ): void {
    const o = s as unknown as Loose;
    if (!o || typeof o !== 'object') throw this.corrupt('no state');
    const { shingle: d, sampleSize: S, trees } = this.opts;
    const bad = Shingler.invalid(o.sh, d, n);
    if (bad) throw this.corrupt(bad);
    const count = vectorsAfter(n, d);
    if (o.count !== count) {
      throw this.corrupt(`count ${describeValue(o.count)} does not match the record count`);
    }
    // a uint32; snapshots of earlier versions taken before the first cut (count <= 1) hold the
    // seeded state as an int32 (the same generator)
    const rng = o.rng;
    const min = count <= 1 ? -(2 ** 31) : 0;
    if (!(Number.isInteger(rng) && (rng as number) >= min && (rng as number) < 2 ** 32)) {
      throw this.corrupt('the rng state is not a uint32');
    }
    const mine = this._arrays();
    const arrays = o.arrays;
    if (
      !Array.isArray(arrays) ||
      arrays.length !== mine.length ||
      !arrays.every((a, i) => Array.isArray(a) && a.length === mine[i].length)
    ) {
      throw this.corrupt('the node arrays do not have the sizes of these options');
    }
    const cap = this._cap;
    const nodes = trees * cap;
    // [min, max] of the entries of each array (integers for the Int32Arrays)
    const ranges: [number, number][] = [
      [-1, nodes - 1], // parent
      [-1, nodes - 1], // left (free list: next)
      [-1, nodes - 1], // right
      [0, S], // size
      [-1, S], // point slot
      [0, d - 1], // cut dimension
      [0, 1 + Number.EPSILON], // cut value (drawn in a box, lo + (hi - lo) may round up)
      [0, 1], // box lo
      [0, 1], // box hi
      [-1, nodes - 1], // root
      [-1, nodes - 1], // free-list head
      [0, 1], // points
      [-1, nodes - 1], // leafOf
    ];
    const names = 'parent,left,right,size,point,cutDim,cutVal,lo,hi,root,free,pts,leafOf'.split(
      ',',
    );
    const next = mine.map((a, i) => {
      const src = arrays[i] as unknown[];
      const [lo, hi] = ranges[i];
      const int = a instanceof Int32Array;
      for (const x of src) {
        if (typeof x !== 'number' || !(x >= lo && x <= hi) || (int && !Number.isInteger(x))) {
          throw this.corrupt(
            `${names[i]} holds ${describeValue(x)}, not ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]`,
          );
        }
      }
      return int ? Int32Array.from(src as number[]) : Float64Array.from(src as number[]);
    });
    const [parent, left, right, size, point, , , lo, hi, root, free, pts, leafOf] = next;
    const S1 = S + 1;
    const live = Math.min(count, S);
    const isLive = new Uint8Array(S1);
    for (let i = 0; i < live; i++) isLive[(count - 1 - i) % S1] = 1;
    const seen = new Uint8Array(cap);
    const stack: number[] = [];
    for (let t = 0; t < trees; t++) {
      const base = t * cap;
      const inTree = (x: number) => x >= base && x < base + cap;
      for (let slot = 0; slot < S1; slot++) {
        const leaf = leafOf[t * S1 + slot];
        if (isLive[slot] ? !inTree(leaf) : leaf !== -1) {
          throw this.corrupt('leafOf does not map exactly the live points to their tree');
        }
      }
      seen.fill(0);
      let used = 0;
      let leaves = 0;
      const r = root[t];
      if (live === 0 ? r !== -1 : !inTree(r) || parent[r] !== -1) {
        throw this.corrupt('a tree root does not match the live points');
      }
      if (r >= 0) stack.push(r);
      while (stack.length > 0) {
        const v = stack.pop() as number;
        if (seen[v - base]) throw this.corrupt('a tree has a cycle or a shared node');
        seen[v - base] = 1;
        used++;
        const slot = point[v];
        if (slot >= 0) {
          if (!isLive[slot] || leafOf[t * S1 + slot] !== v || size[v] !== 1) {
            throw this.corrupt('a leaf does not hold a live point');
          }
          for (let j = 0; j < d; j++) {
            const x = pts[slot * d + j];
            if (lo[v * d + j] !== x || hi[v * d + j] !== x) {
              throw this.corrupt("a leaf's box is not its point");
            }
          }
          leaves++;
          continue;
        }
        const l = left[v];
        const rr = right[v];
        if (!inTree(l) || !inTree(rr) || l === rr || parent[l] !== v || parent[rr] !== v) {
          throw this.corrupt('an internal node has bad children or parent links');
        }
        if (size[v] !== size[l] + size[rr]) {
          throw this.corrupt("an internal node's size is not the sum of its children's");
        }
        for (let j = 0; j < d; j++) {
          const a = v * d + j;
          if (
            lo[a] !== Math.min(lo[l * d + j], lo[rr * d + j]) ||
            hi[a] !== Math.max(hi[l * d + j], hi[rr * d + j])
          ) {
            throw this.corrupt("an internal node's box is not the union of its children's");
          }
        }
        stack.push(l, rr);
      }
      if (leaves !== live) throw this.corrupt('a tree does not hold every live point');
      let f = free[t];
      while (f !== -1) {
        if (!inTree(f) || seen[f - base]) {
          throw this.corrupt('a free list leaves its tree, loops, or holds a live node');
        }
        seen[f - base] = 1;
        used++;
        f = left[f];
      }
      if (used !== cap) throw this.corrupt('a tree loses nodes (neither live nor free)');
    }
    for (let i = 0; i < mine.length; i++) mine[i].set(next[i]);
    this._sh.set(s.sh);
    this._rng.state = rng as number;
    this._rngState = this._rng.state;
    this._count = count;
  }
}
