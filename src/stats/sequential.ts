/**
 * Always-valid sequential A/B testing on two streams: the mixture sequential
 * probability ratio test (mSPRT, Johari, Pekelis & Walsh 2017) with a normal
 * mixing distribution N(0, tau²) over the difference of means. The p-value
 * and interval stay valid however often the dashboard looks, so watching a
 * difference does not inflate the false-positive rate.
 */
import { Moments } from '../kernels/moments';
import type { NumArray } from './common';
import { fail } from './common';

/** Options of `SequentialABTest`. */
export interface SequentialOptions {
  /** Significance level alpha (default 0.05). */
  alpha?: number;
  /**
   * Standard deviation tau of the mixing distribution over the true
   * difference, in the units of the data (default: 1). Choose it near the
   * effect size you care about.
   */
  tau?: number;
  /** Null difference mean(A) - mean(B) (default 0). */
  nullDifference?: number;
  /** Minimum observations per arm before the variance estimate is trusted (default 10). */
  burnIn?: number;
}

/**
 * The state of a `SequentialABTest` after an update: counts, effect, always-valid p-value and
 * interval, decision.
 */
export interface SequentialStatus {
  nA: number;
  nB: number;
  /** mean(A) - mean(B). */
  difference: number;
  /** Variance of the difference estimate, s²A/nA + s²B/nB. */
  variance: number;
  /** Mixture likelihood ratio at this look. */
  likelihoodRatio: number;
  /** Always-valid p-value (running minimum of 1 / likelihood ratio). */
  pValue: number;
  /** Always-valid confidence sequence for the difference (running intersection). */
  confidenceInterval: [number, number];
  /** 'reject' once pValue <= alpha; otherwise 'continue'. */
  decision: 'continue' | 'reject';
}

/**
 * ```ts
 * const ab = new SequentialABTest({ alpha: 0.05, tau: 0.5 });
 * const s = ab.update(batchA, batchB); // push both arms, then look
 * s.pValue; s.confidenceInterval; s.decision; // 'continue' | 'reject'
 * ab.dispose();
 * ```
 */
export class SequentialABTest {
  readonly alpha: number;
  readonly tau: number;
  readonly nullDifference: number;
  readonly burnIn: number;
  #a = new Moments();
  #b = new Moments();
  #p = 1;
  #lo = Number.NEGATIVE_INFINITY;
  #hi = Number.POSITIVE_INFINITY;

  constructor(options: SequentialOptions = {}) {
    const alpha = options.alpha ?? 0.05;
    const tau = options.tau ?? 1;
    if (!(alpha > 0 && alpha < 1))
      fail('SequentialABTest', `alpha must be in (0, 1), got ${alpha}.`);
    if (!(tau > 0) || !Number.isFinite(tau))
      fail('SequentialABTest', `tau must be positive, got ${tau}.`);
    this.alpha = alpha;
    this.tau = tau;
    this.nullDifference = options.nullDifference ?? 0;
    this.burnIn = options.burnIn ?? 10;
    if (!Number.isFinite(this.nullDifference))
      fail('SequentialABTest', 'nullDifference must be finite.');
    if (!(Number.isInteger(this.burnIn) && this.burnIn >= 2)) {
      fail('SequentialABTest', `burnIn must be an integer >= 2, got ${this.burnIn}.`);
    }
  }

  /** Adds observations to arm 'a' or 'b' (call `look()` to update the decision). */
  push(arm: 'a' | 'b', values: NumArray | number): this {
    if (arm !== 'a' && arm !== 'b')
      fail('SequentialABTest.push', `arm must be 'a' or 'b', got ${String(arm)}.`);
    (arm === 'a' ? this.#a : this.#b).push(values as ArrayLike<number>);
    return this;
  }

  /** Adds a batch to each arm and looks: the usual dashboard tick. */
  update(a: NumArray | number, b: NumArray | number): SequentialStatus {
    this.push('a', a);
    this.push('b', b);
    return this.look();
  }

  /**
   * One look: updates the always-valid p-value (running minimum of 1/LR) and
   * the confidence sequence (running intersection). Looking as often as you
   * like keeps the false-positive rate at most alpha.
   */
  look(): SequentialStatus {
    return this.#look();
  }

  #current(): Look {
    const nA = this.#a.count;
    const nB = this.#b.count;
    if (nA < this.burnIn || nB < this.burnIn) {
      return {
        nA,
        nB,
        difference: nA && nB ? this.#a.mean - this.#b.mean : Number.NaN,
        variance: Number.NaN,
        likelihoodRatio: 1,
        radius: Number.POSITIVE_INFINITY,
      };
    }
    const diff = this.#a.mean - this.#b.mean;
    const V = this.#a.sampleVariance / nA + this.#b.sampleVariance / nB;
    const t2 = this.tau * this.tau;
    const dd = diff - this.nullDifference;
    const logLR = 0.5 * Math.log(V / (V + t2)) + (dd * dd * t2) / (2 * V * (V + t2));
    const radius = Math.sqrt(
      ((V * (V + t2)) / t2) * (2 * Math.log(1 / this.alpha) + Math.log((V + t2) / V)),
    );
    return { nA, nB, difference: diff, variance: V, likelihoodRatio: Math.exp(logLR), radius };
  }

  #look(): SequentialStatus {
    const c = this.#current();
    if (Number.isFinite(c.radius) && varianceOk(c.variance)) {
      this.#p = Math.min(this.#p, 1 / c.likelihoodRatio);
      this.#lo = Math.max(this.#lo, c.difference - c.radius);
      this.#hi = Math.min(this.#hi, c.difference + c.radius);
    }
    return this.#status(c);
  }

  #status(c: Look): SequentialStatus {
    return {
      nA: c.nA,
      nB: c.nB,
      difference: c.difference,
      variance: c.variance,
      likelihoodRatio: c.likelihoodRatio,
      pValue: this.#p,
      confidenceInterval: [this.#lo, this.#hi],
      decision: this.#p <= this.alpha ? 'reject' : 'continue',
    };
  }

  /** Current estimates with the p-value and interval of the last look (does not look). */
  status(): SequentialStatus {
    const c = this.#current();
    return this.#status(c);
  }

  reset(): void {
    this.#a.reset();
    this.#b.reset();
    this.#p = 1;
    this.#lo = Number.NEGATIVE_INFINITY;
    this.#hi = Number.POSITIVE_INFINITY;
  }

  dispose(): void {
    this.#a.dispose();
    this.#b.dispose();
  }
}

type Look = Omit<SequentialStatus, 'pValue' | 'confidenceInterval' | 'decision'> & {
  radius: number;
};

function varianceOk(v: number): boolean {
  return v > 0 && Number.isFinite(v);
}
