/**
 * WebAssembly side of exact k-nearest-neighbour search (brute force, see
 * assembly/knn.ts): holds a reference matrix in WASM memory and answers kNN
 * queries in chunks. Used by `LocalOutlierFactor` in `edgewise/anomaly`.
 */
import { allocBytes, freeBytes, heapF64, WasmObject, wasm } from './runtime';

interface KnnExports {
  knn_query(
    r: number,
    n: number,
    d: number,
    q: number,
    m: number,
    k: number,
    selfOffset: number,
    outD: number,
    outI: number,
    bufD: number,
    bufI: number,
  ): void;
}
const kx = wasm as unknown as KnnExports;
const CHUNK = 1024;

export interface KnnResult {
  /** m x k distances, ascending per row. */
  dist: Float64Array;
  /** m x k reference row indices. */
  idx: Int32Array;
}

export class KnnKernel extends WasmObject {
  readonly n: number;
  readonly d: number;

  constructor(reference: Float64Array, n: number, d: number) {
    super('LocalOutlierFactor', Math.max(16, n * d * 8));
    this.n = n;
    this.d = d;
    heapF64().set(reference.subarray(0, n * d), this.ptr >>> 3);
  }

  /** The reference rows back (a copy). */
  reference(): Float64Array {
    const p = this.ptr >>> 3;
    return heapF64().slice(p, p + this.n * this.d);
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
    const qBytes = queries ? rows * d * 8 : 0;
    const buf = allocBytes(qBytes + rows * k * 12 + 4 * (k + 1) * 12 + 32);
    try {
      const outD = buf + qBytes;
      const outI = outD + rows * k * 8;
      const bufD = outI + rows * k * 4 + ((8 - ((outI + rows * k * 4) % 8)) % 8);
      const bufI = bufD + 4 * (k + 1) * 8;
      for (let off = 0; off < m; off += rows) {
        const len = Math.min(rows, m - off);
        const ref = this.ptr;
        let q: number;
        if (queries) {
          heapF64().set(queries.subarray(off * d, (off + len) * d), buf >>> 3);
          q = buf;
        } else q = ref + off * d * 8;
        kx.knn_query(ref, this.n, d, q, len, k, queries ? -1 : off, outD, outI, bufD, bufI);
        const h = heapF64();
        dist.set(h.subarray(outD >>> 3, (outD >>> 3) + len * k), off * k);
        idx.set(new Int32Array(wasm.memory.buffer, outI, len * k), off * k);
      }
    } finally {
      freeBytes(buf);
    }
    return { dist, idx };
  }
}
