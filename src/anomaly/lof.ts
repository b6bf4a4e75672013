import { describeValue, EdgewiseError } from '../errors';
import { KnnKernel } from '../kernels/knn';
import { asMatrix, type MatrixOptions } from './matrix';

/** Options of `LocalOutlierFactor` (scikit-learn's parameters and defaults). */
export interface LocalOutlierFactorOptions {
  /** Neighbours (scikit-learn's n_neighbors; default 20, clipped to n - 1). */
  k?: number;
  /**
   * false (default): `fit` computes the LOF of the training rows
   * (`scores`); true: `score` may be called on new rows (novelty detection).
   */
  novelty?: boolean;
}

/**
 * Exact Local Outlier Factor (Breunig et al. 2000) as scikit-learn computes
 * it: exactly k neighbours (ties broken by the lower row index), the k-distance,
 * reachability distance max(d(p, o), k-dist(o)), lrd = 1 / (mean reach + 1e-10),
 * LOF = mean(lrd of neighbours) / lrd. A training row's neighbours exclude
 * itself (not its duplicates). Neighbour search is an exact kd-tree in
 * WebAssembly SIMD (the same neighbours and distances as a brute-force scan,
 * ties included).
 *
 * ```ts
 * const lof = new LocalOutlierFactor({ k: 20 }).fit(X, { dims: 8 });
 * lof.scores; // LOF of each training row (> ~1.5: outlying)
 * const nov = new LocalOutlierFactor({ k: 20, novelty: true }).fit(X, { dims: 8 });
 * nov.score(Y, { dims: 8 }); // LOF of new rows
 * ```
 */
export class LocalOutlierFactor {
  readonly options: Required<LocalOutlierFactorOptions>;
  #kernel: KnnKernel | undefined;
  #k = 0;
  #kdist = new Float64Array(0);
  #lrd = new Float64Array(0);
  #scores = new Float64Array(0);

  constructor(options: LocalOutlierFactorOptions = {}) {
    const k = options.k ?? 20;
    if (!Number.isInteger(k) || k < 1) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `LocalOutlierFactor: k must be a positive integer, got ${describeValue(k)}.`,
      );
    }
    this.options = { k, novelty: options.novelty ?? false };
  }

  /** Neighbours actually used (k clipped to n - 1). */
  get k(): number {
    return this.#k;
  }

  /**
   * LOF of each training row (scikit-learn's -negative_outlier_factor_): the
   * training rows' scores, as `score` gives them for new rows.
   */
  get scores(): Float64Array {
    this.#need();
    return this.#scores;
  }

  #need(): KnnKernel {
    if (!this.#kernel)
      throw new EdgewiseError('INVALID_STATE', 'LocalOutlierFactor: call fit() first.');
    return this.#kernel;
  }

  fit(x: Float64Array | ArrayLike<number>, options: MatrixOptions): this {
    const { data, n, d } = asMatrix(x, options, 'LocalOutlierFactor.fit');
    if (n < 2)
      throw new EdgewiseError('INVALID_ARGUMENT', 'LocalOutlierFactor.fit: pass at least 2 rows.');
    const k = Math.min(this.options.k, n - 1);
    const kernel = new KnnKernel(data, n, d);
    let knn: ReturnType<KnnKernel['query']>;
    try {
      knn = kernel.query(k);
    } catch (e) {
      kernel.dispose(); // e.g. out of memory: the previous fit stays in place
      throw e;
    }
    const { dist, idx } = knn;
    const kdist = new Float64Array(n);
    for (let i = 0; i < n; i++) kdist[i] = dist[i * k + k - 1];
    const lrd = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < k; t++) {
        const j = idx[i * k + t];
        const dd = dist[i * k + t];
        s += Math.max(dd, kdist[j]);
      }
      lrd[i] = 1 / (s / k + 1e-10);
    }
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += lrd[idx[i * k + t]] / lrd[i];
      scores[i] = s / k;
    }
    this.#kernel?.dispose();
    this.#kernel = kernel;
    this.#k = k;
    this.#kdist = kdist;
    this.#lrd = lrd;
    this.#scores = scores;
    return this;
  }

  /** LOF of new rows against the training set (novelty mode only). */
  score(x: Float64Array | ArrayLike<number>, options: MatrixOptions): Float64Array {
    const kernel = this.#need();
    if (!this.options.novelty) {
      throw new EdgewiseError(
        'INVALID_STATE',
        'LocalOutlierFactor.score: construct with { novelty: true } to score new rows; the LOF of the training rows is in `scores`.',
      );
    }
    const { data, n } = asMatrix(x, options, 'LocalOutlierFactor.score', kernel.d);
    const k = this.#k;
    const { dist, idx } = kernel.query(k, data);
    const out = new Float64Array(n);
    const kdist = this.#kdist;
    const lrdRef = this.#lrd;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < k; t++) {
        const j = idx[i * k + t];
        const dd = dist[i * k + t];
        s += Math.max(dd, kdist[j]);
      }
      const lrd = 1 / (s / k + 1e-10);
      let r = 0;
      for (let t = 0; t < k; t++) r += lrdRef[idx[i * k + t]] / lrd;
      out[i] = r / k;
    }
    return out;
  }

  dispose(): void {
    this.#kernel?.dispose();
    this.#kernel = undefined;
  }
}
