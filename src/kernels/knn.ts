/**
 * WebAssembly side of exact k-nearest-neighbour search (a kd-tree, see
 * assembly/knn.ts): builds the tree of a reference matrix in WASM memory once
 * and answers kNN queries in chunks. Used by `LocalOutlierFactor` in
 * `edgewise/anomaly`.
 */
import { allocBytes, freeBytes, heapF64, WasmObject } from './runtime';
import { wasm } from './wasm';

interface KnnExports {
  knn_build(tree: number, src: number): void;
  knn_query(
    tree: number,
    q: number,
    m: number,
    k: number,
    selfPos: number,
    outD: number,
    outI: number,
    buf: number,
  ): void;
}
const kx = wasm as unknown as KnnExports;
const CHUNK = 1024;
/** Leaves hold LEAF to 2 * LEAF rows (fewer only when n < LEAF). */
const LEAF = 64;

export interface KnnResult {
  /** m x k distances, ascending per row. */
  dist: Float64Array;
  /** m x k reference row indices. */
  idx: Int32Array;
}

/** Tree block layout: byte offsets of the arrays (see assembly/knn.ts). */
function layout(n: number, d: number): { nodes: number; offsets: number[]; bytes: number } {
  // as scikit-learn's BinaryTree: 1 + floor(log2((n - 1) / LEAF)) levels
  const levels = 1 + Math.floor(Math.log2(Math.max(1, (n - 1) / LEAF)));
  const nodes = 2 ** levels - 1;
  const pts = 32;
  const lo = pts + (n + 7) * d * 8;
  const hi = lo + nodes * d * 8;
  const perm = hi + nodes * d * 8;
  const range = perm + n * 4;
  return { nodes, offsets: [pts, lo, hi, perm, range], bytes: range + nodes * 8 };
}

export class KnnKernel extends WasmObject {
  readonly n: number;
  readonly d: number;
  readonly #permOffset: number;
  readonly #ptsOffset: number;

  constructor(reference: Float64Array, n: number, d: number) {
    const { nodes, offsets, bytes } = layout(n, d);
    super('LocalOutlierFactor', bytes);
    this.n = n;
    this.d = d;
    this.#ptsOffset = offsets[0];
    this.#permOffset = offsets[3];
    const t = this.ptr;
    new Int32Array(wasm.memory.buffer, t, 8).set([n, d, nodes, ...offsets]);
    const src = allocBytes(Math.max(16, n * d * 8));
    try {
      heapF64().set(reference.subarray(0, n * d), src >>> 3);
      kx.knn_build(t, src);
    } finally {
      freeBytes(src);
    }
  }

  /** Original row index of each tree position (a copy). */
  #perm(): Int32Array {
    return new Int32Array(wasm.memory.buffer, this.ptr + this.#permOffset, this.n).slice();
  }

  /** The reference rows back, in their original order (a copy). */
  reference(): Float64Array {
    const { n, d } = this;
    const perm = this.#perm();
    const p = (this.ptr + this.#ptsOffset) >>> 3;
    const h = heapF64();
    const out = new Float64Array(n * d);
    // stored by column, n + 7 entries each
    for (let c = 0; c < d; c++) {
      for (let i = 0; i < n; i++) out[perm[i] * d + c] = h[p + c * (n + 7) + i];
    }
    return out;
  }

  /**
   * k nearest reference rows of each query row; with `queries` omitted, of
   * each reference row excluding itself (scikit-learn's kneighbors()).
   */
  query(k: number, queries?: Float64Array): KnnResult {
    const d = this.d;
    const m = queries ? queries.length / d : this.n;
    const dist = new Float64Array(m * k);
    const idx = new Int32Array(m * k);
    const rows = Math.min(CHUNK, Math.max(1, m));
    // sections rounded to 16 bytes, so the scratch is 16-aligned as the kernel asks
    const qBytes = queries ? (rows * d * 8 + 15) & ~15 : 0;
    const outBytes = (rows * k * 8 + 15) & ~15;
    const iBytes = (rows * k * 4 + 15) & ~15;
    const buf = allocBytes(qBytes + outBytes + iBytes + d * 16 + (k + 1) * 12 + 64 * 12);
    // self queries run in tree order (neighbouring queries share nodes); rows
    // go back to their original position
    const perm = queries ? undefined : this.#perm();
    try {
      const outD = buf + qBytes;
      const outI = outD + outBytes;
      const scratch = outI + iBytes;
      for (let off = 0; off < m; off += rows) {
        const len = Math.min(rows, m - off);
        if (queries) heapF64().set(queries.subarray(off * d, (off + len) * d), buf >>> 3);
        kx.knn_query(this.ptr, buf, len, k, perm ? off : -1, outD, outI, scratch);
        const hd = heapF64().subarray(outD >>> 3, (outD >>> 3) + len * k);
        const hi = new Int32Array(wasm.memory.buffer, outI, len * k);
        if (!perm) {
          dist.set(hd, off * k);
          idx.set(hi, off * k);
        } else {
          for (let u = 0; u < len; u++) {
            const at = perm[off + u] * k;
            dist.set(hd.subarray(u * k, u * k + k), at);
            idx.set(hi.subarray(u * k, u * k + k), at);
          }
        }
      }
    } finally {
      freeBytes(buf);
    }
    return { dist, idx };
  }
}
