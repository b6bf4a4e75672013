import { describeValue, EdgewiseError } from '../errors';
import { ScoreCalibrator } from './calibration';

/**
 * How `Ensemble` maps each detector's raw scores to [0, 1]: mid-rank ECDF, robust z through Phi,
 * or clipped min-max.
 */
export type Normalization = 'rank' | 'robust-z' | 'min-max';
/** How `Ensemble` combines the normalised scores of its detectors. */
export type Combination = 'mean' | 'max' | 'weighted' | 'average-of-maximum';

/** Options of `Ensemble`: normalisation, combination, weights and threshold. */
export interface EnsembleOptions {
  /**
   * How each detector's raw scores (higher = more anomalous) are mapped to
   * [0, 1] using its scores on the reference set given to `fit`:
   * 'rank' (default): mid-rank ECDF of the reference scores;
   * 'robust-z': Phi((x - median) / (1.4826 MAD)) (standard normal CDF);
   * 'min-max': (x - min) / (max - min), clipped to [0, 1].
   */
  normalize?: Normalization;
  /**
   * 'mean' (default), 'max', 'weighted' (weighted mean with `weights`),
   * 'average-of-maximum' (detectors split into consecutive groups of
   * `groupSize`: max within each group, mean across groups; Aggarwal & Sathe).
   */
  combine?: Combination;
  weights?: readonly number[];
  /** Group size for 'average-of-maximum' (default 2). */
  groupSize?: number;
  /**
   * Which combined scores `predict` flags: `{ fraction }` the top fraction of
   * the reference set (default `{ fraction: 0.01 }`), or `{ tailProbability }`
   * scores whose calibrated tail probability (ECDF of the combined reference
   * scores with an exponential tail beyond the 98th percentile, see
   * ScoreCalibrator) is at most p.
   */
  threshold?: { fraction: number } | { tailProbability: number };
}

/** erf via the Numerical Recipes erfc approximation (relative error < 1.2e-7). */
function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

interface Norm {
  sorted: Float64Array;
  median: number;
  scale: number;
  min: number;
  max: number;
}

/**
 * Combines the scores of any detectors (batch or streaming) into one score in
 * [0, 1]. `fit(reference)` learns each detector's normalisation from its
 * scores on a reference set and the flagging threshold; `score(scores)`
 * normalises and combines new scores; `predict` flags them.
 *
 * ```ts
 * const e = new Ensemble({ normalize: 'rank', combine: 'average-of-maximum' });
 * e.fit([forest.score(X, o), lof.scores, mahal.score(X, o)]);
 * const s = e.score([forest.score(Y, o), lofNovelty.score(Y, o), mahal.score(Y, o)]);
 * ```
 */
export class Ensemble {
  readonly options: Required<Omit<EnsembleOptions, 'weights'>> & {
    weights: readonly number[] | undefined;
  };
  #norms: Norm[] = [];
  #threshold = Number.NaN;
  #cal: ScoreCalibrator | undefined;

  constructor(options: EnsembleOptions = {}) {
    const normalize = options.normalize ?? 'rank';
    const combine = options.combine ?? 'mean';
    if (!['rank', 'robust-z', 'min-max'].includes(normalize)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ensemble: normalize must be 'rank', 'robust-z' or 'min-max', got ${describeValue(normalize)}.`,
      );
    }
    if (!['mean', 'max', 'weighted', 'average-of-maximum'].includes(combine)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ensemble: combine must be 'mean', 'max', 'weighted' or 'average-of-maximum', got ${describeValue(combine)}.`,
      );
    }
    if (
      combine === 'weighted' &&
      (!options.weights ||
        options.weights.some((w) => !(w >= 0)) ||
        !options.weights.some((w) => w > 0))
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        "Ensemble: combine 'weighted' needs weights: non-negative numbers, at least one > 0, one per detector.",
      );
    }
    const threshold = options.threshold ?? { fraction: 0.01 };
    const p = 'fraction' in threshold ? threshold.fraction : threshold.tailProbability;
    if (!(p > 0 && p < 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ensemble: threshold fraction / tailProbability must be in (0, 1), got ${describeValue(p)}.`,
      );
    }
    const groupSize = options.groupSize ?? 2;
    if (!Number.isInteger(groupSize) || groupSize < 1) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ensemble: groupSize must be a positive integer, got ${describeValue(groupSize)}.`,
      );
    }
    this.options = { normalize, combine, weights: options.weights, groupSize, threshold };
  }

  /** Score at or above which `predict` flags (for `{ fraction }`), or NaN before fit. */
  get threshold(): number {
    return this.#threshold;
  }

  #check(scores: readonly ArrayLike<number>[], where: string): number {
    if (!Array.isArray(scores) || scores.length === 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: pass an array with one score array per detector.`,
      );
    }
    const n = scores[0].length;
    for (const [k, s] of scores.entries()) {
      if (!s || typeof s.length !== 'number' || s.length !== n) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `${where}: detector ${k} has ${s?.length} scores, detector 0 has ${n}; pass equally long arrays.`,
        );
      }
      for (let i = 0; i < n; i++) {
        if (typeof s[i] !== 'number' || Number.isNaN(s[i])) {
          throw new EdgewiseError(
            'INVALID_ARGUMENT',
            `${where}: detector ${k} score ${i} is ${describeValue(s[i])}; pass numbers (not NaN).`,
          );
        }
      }
    }
    if (this.options.combine === 'weighted' && this.options.weights?.length !== scores.length) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: ${scores.length} detectors but ${this.options.weights?.length} weights.`,
      );
    }
    return n;
  }

  /** Learns normalisations and the threshold from each detector's reference scores. */
  fit(reference: readonly ArrayLike<number>[]): this {
    const n = this.#check(reference, 'Ensemble.fit');
    if (n < 2)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'Ensemble.fit: pass at least 2 reference scores per detector.',
      );
    this.#norms = reference.map((s) => {
      const sorted = Float64Array.from(s).sort();
      const median = n & 1 ? sorted[n >> 1] : (sorted[(n >> 1) - 1] + sorted[n >> 1]) / 2;
      const dev = Float64Array.from(sorted, (v) => Math.abs(v - median)).sort();
      const mad = n & 1 ? dev[n >> 1] : (dev[(n >> 1) - 1] + dev[n >> 1]) / 2;
      const scale = 1.482602218505602 * mad || (sorted[n - 1] - sorted[0]) / 2 || 1;
      return { sorted, median, scale, min: sorted[0], max: sorted[n - 1] };
    });
    const combined = this.#combine(reference, n);
    const th = this.options.threshold;
    if ('fraction' in th) {
      const s = Float64Array.from(combined).sort();
      this.#threshold = s[Math.min(n - 1, Math.max(0, Math.ceil((1 - th.fraction) * n) - 1))];
      this.#cal = undefined;
    } else {
      const cal = new ScoreCalibrator();
      for (const v of combined) cal.add(v + 1e-9); // > 0 for the log bins
      this.#cal = cal;
      this.#threshold = Number.NaN;
    }
    return this;
  }

  #norm(k: number, x: number): number {
    const nm = this.#norms[k];
    switch (this.options.normalize) {
      case 'rank': {
        const s = nm.sorted;
        let lo = 0;
        let hi = s.length;
        while (lo < hi) {
          const m = (lo + hi) >> 1;
          if (s[m] < x) lo = m + 1;
          else hi = m;
        }
        let eq = lo;
        while (eq < s.length && s[eq] === x) eq++;
        return (lo + (eq - lo) / 2) / s.length;
      }
      case 'robust-z':
        return 0.5 * (1 + erf((x - nm.median) / nm.scale / Math.SQRT2));
      default:
        return nm.max > nm.min
          ? Math.min(1, Math.max(0, (x - nm.min) / (nm.max - nm.min)))
          : x > nm.max
            ? 1
            : 0;
    }
  }

  #combine(scores: readonly ArrayLike<number>[], n: number): Float64Array {
    const m = scores.length;
    const out = new Float64Array(n);
    const w = this.options.weights;
    const wsum = w ? w.reduce((a, b) => a + b, 0) : 0;
    const g = this.options.groupSize;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      switch (this.options.combine) {
        case 'mean':
          for (let k = 0; k < m; k++) acc += this.#norm(k, scores[k][i]);
          acc /= m;
          break;
        case 'max':
          for (let k = 0; k < m; k++) acc = Math.max(acc, this.#norm(k, scores[k][i]));
          break;
        case 'weighted':
          for (let k = 0; k < m; k++)
            acc += (w as readonly number[])[k] * this.#norm(k, scores[k][i]);
          acc /= wsum;
          break;
        default: {
          let groups = 0;
          for (let a = 0; a < m; a += g) {
            let mx = 0;
            for (let k = a; k < Math.min(m, a + g); k++)
              mx = Math.max(mx, this.#norm(k, scores[k][i]));
            acc += mx;
            groups++;
          }
          acc /= groups;
        }
      }
      out[i] = Math.min(1, Math.max(0, acc));
    }
    return out;
  }

  /** Combined scores in [0, 1] for new scores (one array per detector, same order as fit). */
  score(scores: readonly ArrayLike<number>[]): Float64Array {
    if (this.#norms.length === 0)
      throw new EdgewiseError('INVALID_STATE', 'Ensemble: call fit() with reference scores first.');
    const n = this.#check(scores, 'Ensemble.score');
    if (scores.length !== this.#norms.length) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `Ensemble.score: fitted with ${this.#norms.length} detectors, got ${scores.length}.`,
      );
    }
    return this.#combine(scores, n);
  }

  /** Calibrated tail probability of each combined score (1 - ECDF with exponential tail). */
  tailProbability(combined: ArrayLike<number>): Float64Array {
    if (!this.#cal) {
      throw new EdgewiseError(
        'INVALID_STATE',
        'Ensemble.tailProbability: construct with { threshold: { tailProbability } } and fit() first.',
      );
    }
    const cal = this.#cal;
    const out = new Float64Array(combined.length);
    for (let i = 0; i < out.length; i++) out[i] = 1 - cal.calibrate(combined[i] + 1e-9);
    return out;
  }

  /** 1 where the combined score is flagged by the threshold rule, else 0. */
  predict(scores: readonly ArrayLike<number>[]): Uint8Array {
    const c = this.score(scores);
    const out = new Uint8Array(c.length);
    const th = this.options.threshold;
    if ('fraction' in th) {
      for (let i = 0; i < c.length; i++) out[i] = c[i] >= this.#threshold ? 1 : 0;
    } else {
      const p = this.tailProbability(c);
      for (let i = 0; i < c.length; i++) out[i] = p[i] <= th.tailProbability ? 1 : 0;
    }
    return out;
  }
}
