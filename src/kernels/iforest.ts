/**
 * WebAssembly side of the Isolation Forest: a block of WASM memory holding
 * `trees` flat trees of `maxNodes` nodes (24 bytes each) (see assembly/iforest.ts),
 * a tree builder and a tree-major block scorer. `edgewise/anomaly`'s
 * `IsolationForest` is the public class; this is the only part that touches
 * WASM memory.
 */
import { allocBytes, freeBytes, heapF64, heapU8, WasmObject } from './runtime';
import { wasm } from './wasm';

interface ForestExports {
  iforest_build(
    x: number,
    m: number,
    d: number,
    feats: number,
    nf: number,
    maxDepth: number,
    nodes: number,
    work: number,
    seed: number,
    maxNodes: number,
  ): number;
  iforest_pathsum(
    nodes: number,
    trees: number,
    maxNodes: number,
    depth: number,
    x: number,
    n: number,
    d: number,
    out: number,
  ): void;
  iforest_c(n: number): number;
  iforest_compile(nodes: number, trees: number, maxNodes: number, dst: number): void;
}
const k = wasm as unknown as ForestExports;

/** c(n): average path length of an unsuccessful BST search among n points. */
export function averagePathLength(n: number): number {
  return k.iforest_c(n);
}

/** Rows staged per scoring call. */
const SCORE_ROWS = 4096;

/**
 * The block holds the trees twice: as built (the layout serialize, workers,
 * WebGPU and the ONNX export read) and, right after it, the scoring form
 * (byte offsets instead of indexes, see iforest_compile), rebuilt before the
 * first score after the trees changed.
 */
export class ForestKernel extends WasmObject {
  readonly trees: number;
  readonly maxNodes: number;

  readonly depth: number;
  #compiled = false;

  constructor(trees: number, maxNodes: number, depth: number) {
    super('IsolationForest', 2 * trees * maxNodes * 24);
    this.trees = trees;
    this.maxNodes = maxNodes;
    this.depth = depth;
  }

  /** Address of the scoring form, (re)built if the trees changed. */
  #scoringNodes(): number {
    const dst = this.ptr + this.trees * this.maxNodes * 24;
    if (!this.#compiled) {
      k.iforest_compile(this.ptr, this.trees, this.maxNodes, dst);
      this.#compiled = true;
    }
    return dst;
  }

  /** Builds tree `t` from `m` sample rows (row-major, `d` columns) over `feats`. */
  buildTree(
    t: number,
    samples: Float64Array,
    m: number,
    d: number,
    feats: Int32Array,
    maxDepth: number,
    seed: number,
  ): number {
    const xBytes = m * d * 8;
    this.#compiled = false;
    const buf = allocBytes(xBytes + feats.length * 4 + 8 * (m + d) + 16);
    try {
      heapF64().set(samples.subarray(0, m * d), buf >>> 3);
      const fPtr = buf + xBytes;
      new Int32Array(wasm.memory.buffer, fPtr, feats.length).set(feats);
      const work = fPtr + feats.length * 4 + ((16 - ((fPtr + feats.length * 4) % 16)) % 16);
      return k.iforest_build(
        buf,
        m,
        d,
        fPtr,
        feats.length,
        maxDepth,
        this.ptr + t * this.maxNodes * 24,
        work,
        seed >>> 0,
        this.maxNodes,
      );
    } finally {
      freeBytes(buf);
    }
  }

  /** Summed path lengths over all trees for `n` rows of `x` (row-major, `d` columns). */
  pathSums(
    x: Float64Array,
    n: number,
    d: number,
    out: Float64Array = new Float64Array(n),
  ): Float64Array {
    const nodes = this.#scoringNodes();
    const rows = Math.min(SCORE_ROWS, Math.max(1, n));
    const buf = allocBytes(rows * d * 8 + rows * 8);
    const outPtr = buf + rows * d * 8;
    try {
      for (let off = 0; off < n; off += rows) {
        const len = Math.min(rows, n - off);
        const h = heapF64();
        h.set(x.subarray(off * d, (off + len) * d), buf >>> 3);
        k.iforest_pathsum(nodes, this.trees, this.maxNodes, this.depth, buf, len, d, outPtr);
        out.set(heapF64().subarray(outPtr >>> 3, (outPtr >>> 3) + len), off);
      }
    } finally {
      freeBytes(buf);
    }
    return out;
  }

  /** A copy of the node bytes (for serialisation and transfer to workers). */
  nodeBytes(): Uint8Array {
    const p = this.ptr;
    return heapU8().slice(p, p + this.trees * this.maxNodes * 24);
  }

  /** Overwrites the node bytes (length must match). */
  setNodeBytes(bytes: Uint8Array): void {
    this.#compiled = false;
    heapU8().set(bytes, this.ptr);
  }
}
