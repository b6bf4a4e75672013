import { openState, StateWriter, stateFormat } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import { averagePathLength, ForestKernel } from '../kernels/iforest';
import { asMatrix, checkPositiveInt, type MatrixOptions, Rng } from './matrix';

/** Options of `IsolationForest` (scikit-learn's parameters and defaults). */
export interface IsolationForestOptions {
  /** Number of trees (default 100). */
  trees?: number;
  /** Rows drawn (without replacement) per tree; 'auto' = min(256, n) (default). */
  sampleSize?: number | 'auto';
  /** Features per tree: an integer count or a fraction in (0, 1] (default 1.0 = all). */
  maxFeatures?: number;
  /** Seed of the deterministic generator (default 0). */
  seed?: number;
  /**
   * Expected fraction of outliers, used by `predict`: 'auto' (default) flags
   * score > 0.5 (the paper's rule, scikit-learn's offset -0.5); a number in
   * (0, 0.5] flags the top fraction of the training scores.
   */
  contamination?: number | 'auto';
}

const HEADER = 48;
const FORMAT = stateFormat('IsolationForest', 'EWIF', 1, {
  versionWidth: 4,
  minLength: HEADER,
  inputCode: 'CORRUPT_STATE',
});
/** The widest rows a saved forest may declare (features are i32 indices; real data is far narrower). */
const MAX_DIMS = 1 << 20;

/** @internal The header fields of a saved IsolationForest (after magic and version). */
export interface ForestStateHeader {
  trees: number;
  maxNodes: number;
  dims: number;
  sampleSize: number;
  threshold: number;
  seed: number;
  /** Always 0 in a valid state. */
  pad: number;
  /** -1 for 'auto'. */
  contamination: number;
}

/**
 * @internal Checks a saved IsolationForest's magic and version and reads its
 * header; `nodes` are the bytes after it (the flat trees). Does not validate
 * the fields: `IsolationForest.deserialize` does.
 */
export function openForestState(input: unknown): {
  bytes: Uint8Array;
  header: ForestStateHeader;
  nodes: Uint8Array;
} {
  const { bytes, reader: r } = openState(input, FORMAT);
  const header: ForestStateHeader = {
    trees: r.u32(),
    maxNodes: r.u32(),
    dims: r.u32(),
    sampleSize: r.u32(),
    threshold: r.f64(),
    seed: r.i32(),
    pad: r.u32(),
    contamination: r.f64(),
  };
  return { bytes, header, nodes: bytes.subarray(HEADER) };
}

/**
 * Isolation Forest (Liu, Ting & Zhou 2008) on WebAssembly. Trees are flat
 * arrays of 16-byte nodes; scoring walks blocks of rows tree-major.
 *
 * `score` returns s(x, n) = 2^(-E[h(x)] / c(n)) in (0, 1], higher = more
 * anomalous (scikit-learn's `score_samples` with the sign flipped).
 *
 * ```ts
 * const f = new IsolationForest({ trees: 100, sampleSize: 256, seed: 1 });
 * f.fit(X, { dims: 8 });
 * const s = f.score(Y, { dims: 8 }); // Float64Array in (0, 1]
 * const flags = f.predict(Y, { dims: 8 }); // Uint8Array, 1 = outlier
 * ```
 */
export class IsolationForest {
  readonly options: Required<IsolationForestOptions>;
  #kernel: ForestKernel | undefined;
  #dims = 0;
  #sampleSize = 0;
  #threshold = 0.5;

  constructor(options: IsolationForestOptions = {}) {
    const where = 'IsolationForest';
    const o: Required<IsolationForestOptions> = {
      trees: options.trees ?? 100,
      sampleSize: options.sampleSize ?? 'auto',
      maxFeatures: options.maxFeatures ?? 1.0,
      seed: options.seed ?? 0,
      contamination: options.contamination ?? 'auto',
    };
    checkPositiveInt(o.trees, 'trees', where);
    if (o.sampleSize !== 'auto') checkPositiveInt(o.sampleSize, 'sampleSize', where);
    if (
      !(
        typeof o.maxFeatures === 'number' &&
        o.maxFeatures > 0 &&
        (o.maxFeatures <= 1 || Number.isInteger(o.maxFeatures))
      )
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: maxFeatures must be a fraction in (0, 1] or a positive integer, got ${describeValue(o.maxFeatures)}.`,
      );
    }
    if (!Number.isInteger(o.seed)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: seed must be an integer, got ${describeValue(o.seed)}.`,
      );
    }
    if (
      o.contamination !== 'auto' &&
      !(typeof o.contamination === 'number' && o.contamination > 0 && o.contamination <= 0.5)
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: contamination must be 'auto' or a number in (0, 0.5], got ${describeValue(o.contamination)}.`,
      );
    }
    this.options = o;
  }

  get fitted(): boolean {
    return this.#kernel !== undefined;
  }
  get dims(): number {
    return this.#dims;
  }
  /** Score at or above which `predict` flags a row. */
  get threshold(): number {
    return this.#threshold;
  }
  /** Rows per tree actually used (after 'auto' / clipping to n). */
  get sampleSize(): number {
    return this.#sampleSize;
  }

  /** Fits on a row-major `n x dims` matrix. Deterministic for a seed. */
  fit(x: Float64Array | ArrayLike<number>, options: MatrixOptions): this {
    const { data, n, d } = asMatrix(x, options, 'IsolationForest.fit');
    if (n < 2) {
      throw new EdgewiseError('INVALID_ARGUMENT', 'IsolationForest.fit: pass at least 2 rows.');
    }
    const o = this.options;
    const m = o.sampleSize === 'auto' ? Math.min(256, n) : Math.min(o.sampleSize, n);
    // <= 1 is a fraction (1 = all features), > 1 a count
    const nf =
      o.maxFeatures <= 1 ? Math.max(1, Math.floor(o.maxFeatures * d)) : Math.min(d, o.maxFeatures);
    const maxDepth = Math.ceil(Math.log2(Math.max(m, 2)));
    const maxNodes = 2 * m - 1;
    const kernel = new ForestKernel(o.trees, maxNodes, maxDepth);
    try {
      const rng = new Rng(o.seed);
      const perm = new Int32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
      const fperm = new Int32Array(d);
      for (let j = 0; j < d; j++) fperm[j] = j;
      const samples = new Float64Array(m * d);
      for (let t = 0; t < o.trees; t++) {
        // partial Fisher-Yates: perm[0..m) is a uniform sample without replacement
        for (let i = 0; i < m; i++) {
          const j = i + rng.int(n - i);
          const tmp = perm[i];
          perm[i] = perm[j];
          perm[j] = tmp;
          const r = perm[i];
          samples.set(data.subarray(r * d, r * d + d), i * d);
        }
        for (let i = 0; i < nf; i++) {
          const j = i + rng.int(d - i);
          const tmp = fperm[i];
          fperm[i] = fperm[j];
          fperm[j] = tmp;
        }
        kernel.buildTree(t, samples, m, d, fperm.subarray(0, nf), maxDepth, rng.nextU32());
      }
    } catch (e) {
      kernel.dispose();
      throw e;
    }
    this.#kernel?.dispose();
    this.#kernel = kernel;
    this.#dims = d;
    this.#sampleSize = m;
    if (o.contamination === 'auto') this.#threshold = 0.5;
    else {
      const s = this.#scoreData(data, n).sort();
      // scikit-learn: offset = percentile(score_samples, 100 * contamination), linear interpolation
      const q = 1 - o.contamination;
      const pos = q * (n - 1);
      const lo = Math.floor(pos);
      const hi = Math.min(n - 1, lo + 1);
      this.#threshold = s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }
    return this;
  }

  #need(): ForestKernel {
    if (!this.#kernel) {
      throw new EdgewiseError(
        'INVALID_STATE',
        'IsolationForest: call fit() (or deserialize()) before scoring.',
      );
    }
    return this.#kernel;
  }

  #scoreData(data: Float64Array, n: number): Float64Array {
    const kernel = this.#need();
    const out = kernel.pathSums(data, n, this.#dims);
    const denom = kernel.trees * averagePathLength(this.#sampleSize);
    for (let i = 0; i < n; i++) out[i] = 2 ** (-out[i] / denom);
    return out;
  }

  /** Anomaly scores s(x, n) in (0, 1] for each row (higher = more anomalous). */
  score(x: Float64Array | ArrayLike<number>, options: MatrixOptions): Float64Array {
    this.#need();
    const { data, n } = asMatrix(x, options, 'IsolationForest.score', this.#dims);
    return this.#scoreData(data, n);
  }

  /** 1 for rows whose score is above the contamination threshold, else 0. */
  predict(x: Float64Array | ArrayLike<number>, options: MatrixOptions): Uint8Array {
    const s = this.score(x, options);
    const out = new Uint8Array(s.length);
    const t = this.#threshold;
    for (let i = 0; i < s.length; i++) out[i] = s[i] > t ? 1 : 0;
    return out;
  }

  /** Versioned binary state (options, threshold, flat trees). */
  serialize(): Uint8Array {
    const kernel = this.#need();
    const nodes = kernel.nodeBytes();
    return new StateWriter(FORMAT, HEADER + nodes.length)
      .u32(kernel.trees)
      .u32(kernel.maxNodes)
      .u32(this.#dims)
      .u32(this.#sampleSize)
      .f64(this.#threshold)
      .i32(this.options.seed | 0)
      .u32(0)
      .f64(this.options.contamination === 'auto' ? -1 : this.options.contamination)
      .raw(nodes)
      .finish();
  }

  static deserialize(input: Uint8Array): IsolationForest {
    const { bytes, header, nodes } = openForestState(input);
    const { trees, maxNodes, dims, sampleSize, threshold, seed, pad, contamination } = header;
    if (
      trees < 1 ||
      dims < 1 ||
      dims > MAX_DIMS ||
      sampleSize < 1 ||
      !Number.isFinite(threshold) ||
      !(contamination === -1 || (contamination > 0 && contamination <= 0.5)) ||
      pad !== 0 ||
      maxNodes !== 2 * sampleSize - 1 ||
      bytes.length !== HEADER + trees * maxNodes * 24
    ) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'IsolationForest.deserialize: inconsistent sizes (truncated or corrupt state).',
      );
    }
    const nv = new DataView(nodes.buffer, nodes.byteOffset, nodes.byteLength);
    for (let t = 0; t < trees; t++) {
      // validate the reachable structure: features < dims, children forward and in range
      const stack = [0];
      let visited = 0;
      while (stack.length) {
        const i = stack.pop() as number;
        const off = t * maxNodes * 24 + i * 16;
        const f = nv.getInt32(off + 8, true);
        const r = nv.getInt32(off + 12, true);
        const leaf = r === i;
        // split thresholds and leaf path lengths are finite (depth + c(size) <= sampleSize)
        const value = leaf
          ? nv.getFloat64(t * maxNodes * 24 + maxNodes * 16 + i * 8, true)
          : nv.getFloat64(off, true);
        if (
          ++visited > maxNodes ||
          f >= dims ||
          f < 0 ||
          !Number.isFinite(value) ||
          (leaf && !(value >= 0 && value <= 2 * sampleSize)) ||
          (!leaf && (r <= i + 1 || r >= maxNodes))
        ) {
          throw new EdgewiseError(
            'CORRUPT_STATE',
            `IsolationForest.deserialize: tree ${t} node ${i} is invalid.`,
          );
        }
        if (!leaf) stack.push(i + 1, r);
      }
    }
    const f = new IsolationForest({
      trees,
      sampleSize,
      seed,
      contamination: contamination < 0 ? 'auto' : contamination,
    });
    const kernel = new ForestKernel(trees, maxNodes, Math.ceil(Math.log2(Math.max(sampleSize, 2))));
    kernel.setNodeBytes(nodes);
    f.#kernel = kernel;
    f.#dims = dims;
    f.#sampleSize = sampleSize;
    f.#threshold = threshold;
    return f;
  }

  dispose(): void {
    this.#kernel?.dispose();
    this.#kernel = undefined;
  }
}
