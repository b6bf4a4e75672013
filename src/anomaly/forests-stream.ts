import { describeValue, EdgewiseError } from '../errors';
import { Rng } from './matrix';
import { BaseDetector, type BaseOptions } from './streaming';

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
  set(s: { buf: number[]; filled: number; m: number | null; v: number }): void {
    if (s.buf.length !== this.size)
      throw new EdgewiseError('CORRUPT_STATE', 'restore: shingle size differs from the snapshot.');
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
  protected setState(s: {
    sh: Parameters<Shingler['set']>[0];
    ref: number[];
    lat: number[];
    inWindow: number;
    hasRef: boolean;
  }): void {
    if (s.ref.length !== this._ref.length)
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'HalfSpaceTreesDetector.restore: the snapshot was taken with other options.',
      );
    this._sh.set(s.sh);
    this._ref.set(s.ref);
    this._lat.set(s.lat);
    this._inWindow = s.inWindow;
    this._hasRef = s.hasRef;
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
      node = x <= this._cutVal[node] ? this._left[node] : this._right[node];
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
      arrays: [
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
      ].map((a) => Array.from(a)),
    };
  }
  protected setState(s: {
    sh: Parameters<Shingler['set']>[0];
    rng: number;
    count: number;
    arrays: number[][];
  }): void {
    const mine = [
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
    if (
      !Array.isArray(s.arrays) ||
      s.arrays.length !== mine.length ||
      s.arrays.some((a, i) => a.length !== mine[i].length)
    ) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'RandomCutForestDetector.restore: the snapshot was taken with other options.',
      );
    }
    for (let i = 0; i < mine.length; i++) mine[i].set(s.arrays[i]);
    this._sh.set(s.sh);
    this._rng.state = s.rng;
    this._count = s.count;
  }
}
