/**
 * Drift detection on features and scores.
 *
 * - `BinnedCounts`: a mergeable histogram over fixed edges (bins (-inf, e0],
 *   (e0, e1], ..., (e_last, inf)); `psi(reference, current)` is the Population
 *   Stability Index sum (c - r) ln(c / r) over bin proportions floored at
 *   `epsilon` (default 1e-4).
 * - `ksFromSketches(a, b)`: two-sample Kolmogorov-Smirnov from two mergeable
 *   QuantileSketches (exact while both are in exact mode; otherwise within the
 *   sketches' bucket resolution); p-value from the limiting Kolmogorov law
 *   P(K > sqrt(nm / (n + m)) D).
 * - `Adwin` (Bifet & Gavaldà 2007, exponential-histogram buckets) and
 *   `PageHinkley` on score streams.
 * - `DriftMonitor`: reference sketches per feature and score, checks of a
 *   current window, and `ml.drift` events on a bus.
 */
import { describeValue, EdgewiseError } from '../errors';
import { QuantileSketch, type QuantileSketchOptions } from '../kernels/quantile';
import { kolmogorovSf } from '../stats/hypothesis/kolmogorov-smirnov';

/** Counts over fixed bin edges, mergeable; the reference and current distributions of PSI. */
export class BinnedCounts {
  readonly edges: Float64Array;
  readonly counts: Float64Array;
  #rejected = 0;

  constructor(edges: ArrayLike<number>) {
    const e = Float64Array.from(edges);
    for (let i = 0; i < e.length; i++) {
      if (!Number.isFinite(e[i]) || (i > 0 && e[i] <= e[i - 1]))
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          'BinnedCounts: edges must be finite and strictly increasing.',
        );
    }
    if (e.length === 0)
      throw new EdgewiseError('INVALID_ARGUMENT', 'BinnedCounts: pass at least one edge.');
    this.edges = e;
    this.counts = new Float64Array(e.length + 1);
  }

  /** Edges at the reference's quantiles 1/bins, ..., (bins-1)/bins (duplicates removed). */
  static fromReference(values: Float64Array, options: { bins?: number } = {}): BinnedCounts {
    const bins = options.bins ?? 10;
    if (!Number.isInteger(bins) || bins < 2)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `BinnedCounts.fromReference: bins must be an integer >= 2, got ${describeValue(bins)}.`,
      );
    const s = Float64Array.from(values.filter(Number.isFinite)).sort();
    if (s.length < bins)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `BinnedCounts.fromReference: need at least ${bins} finite values.`,
      );
    const edges: number[] = [];
    for (let k = 1; k < bins; k++) {
      const pos = (k / bins) * (s.length - 1);
      const lo = Math.floor(pos);
      const v = s[lo] + (s[Math.min(s.length - 1, lo + 1)] - s[lo]) * (pos - lo);
      if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
    }
    const b = new BinnedCounts(edges);
    b.push(values);
    return b;
  }

  get total(): number {
    let t = 0;
    for (const c of this.counts) t += c;
    return t;
  }
  get rejected(): number {
    return this.#rejected;
  }

  push(values: ArrayLike<number>): this {
    const e = this.edges;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) {
        this.#rejected++;
        continue;
      }
      // number of edges < v
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (e[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      this.counts[lo]++;
    }
    return this;
  }

  merge(other: BinnedCounts): this {
    if (other.edges.length !== this.edges.length || other.edges.some((v, i) => v !== this.edges[i]))
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'BinnedCounts.merge: the edges differ; merge only counts over the same edges.',
      );
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.#rejected += other.#rejected;
    return this;
  }

  /** An empty twin over the same edges. */
  empty(): BinnedCounts {
    return new BinnedCounts(this.edges);
  }

  reset(): this {
    this.counts.fill(0);
    this.#rejected = 0;
    return this;
  }
}

/** Population Stability Index of `current` against `reference` (same edges). */
export function psi(
  reference: BinnedCounts,
  current: BinnedCounts,
  options: { epsilon?: number } = {},
): number {
  const eps = options.epsilon ?? 1e-4;
  if (
    reference.counts.length !== current.counts.length ||
    reference.edges.some((v, i) => v !== current.edges[i])
  )
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'psi: reference and current must use the same edges.',
    );
  const rt = reference.total;
  const ct = current.total;
  if (rt === 0 || ct === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < reference.counts.length; i++) {
    const r = Math.max(reference.counts[i] / rt, eps);
    const c = Math.max(current.counts[i] / ct, eps);
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

/** A two-sample Kolmogorov-Smirnov result. */
export interface KsResult {
  statistic: number;
  pValue: number;
  /** True when both sketches were exact (the statistic is the exact two-sample D). */
  exact: boolean;
}

/**
 * Two-sample KS statistic and asymptotic p-value from two QuantileSketches.
 * Each sketch is read as a sorted sample (one batched `quantiles` call): all
 * its values in exact mode, else `points` mid-rank quantiles (default 2048, so
 * the grid adds at most 1/points to the sketches' own error). D is then the
 * largest ECDF gap over a merge sweep.
 */
export function ksFromSketches(
  a: QuantileSketch,
  b: QuantileSketch,
  options: { points?: number } = {},
): KsResult {
  const n = a.count;
  const m = b.count;
  if (n === 0 || m === 0) return { statistic: Number.NaN, pValue: Number.NaN, exact: false };
  const exact = a.exact && b.exact;
  const p = options.points ?? 2048;
  const sample = (s: QuantileSketch, count: number): Float64Array => {
    // exact mode reads sorted[floor(q (n - 1))]: a quarter-rank offset keeps floor() from rounding down
    if (s.exact)
      return s.quantiles(
        Float64Array.from({ length: count }, (_, i) =>
          count === 1 ? 0 : Math.min(1, (i + 0.25) / (count - 1)),
        ),
      );
    return s.quantiles(Float64Array.from({ length: p }, (_, i) => (i + 0.5) / p));
  };
  const xa = sample(a, n);
  const xb = sample(b, m);
  const na = xa.length;
  const nb = xb.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < na || j < nb) {
    const v = j >= nb || (i < na && xa[i] <= xb[j]) ? xa[i] : xb[j];
    while (i < na && xa[i] <= v) i++;
    while (j < nb && xb[j] <= v) j++;
    const diff = Math.abs(i / na - j / nb);
    if (diff > d) d = diff;
  }
  const en = (n * m) / (n + m);
  return { statistic: d, pValue: Math.min(1, Math.max(0, kolmogorovSf(Math.sqrt(en) * d))), exact };
}

/** Options of `Adwin`. */
export interface AdwinOptions {
  /** Confidence delta (default 0.002). */
  delta?: number;
  /** Buckets per row before merging (default 5). */
  maxBuckets?: number;
  /** Check for a cut every `clock` values (default 32). */
  clock?: number;
  /** Minimum sub-window length on each side of a cut (default 5). */
  minWindow?: number;
}

/**
 * ADWIN: an adaptive window that drops its older part whenever the means of
 * the two parts differ by more than the Hoeffding/Bernstein bound.
 */
export class Adwin {
  readonly delta: number;
  readonly #M: number;
  readonly #clock: number;
  readonly #minWindow: number;
  // rows[k] holds buckets of 2^k values each, oldest first: [total, variance]
  #rows: { total: number[]; variance: number[] }[] = [];
  #width = 0;
  #total = 0;
  #variance = 0;
  #ticks = 0;
  #detections = 0;

  constructor(options: AdwinOptions = {}) {
    this.delta = options.delta ?? 0.002;
    this.#M = options.maxBuckets ?? 5;
    this.#clock = options.clock ?? 32;
    this.#minWindow = options.minWindow ?? 5;
    if (!(this.delta > 0 && this.delta < 1))
      throw new EdgewiseError('INVALID_ARGUMENT', 'Adwin: delta must be in (0, 1).');
  }

  get width(): number {
    return this.#width;
  }
  get mean(): number {
    return this.#width ? this.#total / this.#width : Number.NaN;
  }
  get detections(): number {
    return this.#detections;
  }

  /** Adds values; returns the indices (within this batch) at which a change was detected. */
  update(values: ArrayLike<number> | number): number[] {
    const vs = typeof values === 'number' ? [values] : values;
    const out: number[] = [];
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      if (!Number.isFinite(v)) continue;
      this.#insert(v);
      if (++this.#ticks % this.#clock === 0 && this.#detect()) {
        this.#detections++;
        out.push(i);
      }
    }
    return out;
  }

  #insert(v: number): void {
    if (this.#width > 0) {
      const mean = this.#total / this.#width;
      this.#variance += (this.#width * (v - mean) ** 2) / (this.#width + 1);
    }
    this.#width++;
    this.#total += v;
    if (this.#rows.length === 0) this.#rows.push({ total: [], variance: [] });
    this.#rows[0].total.push(v);
    this.#rows[0].variance.push(0);
    for (let k = 0; k < this.#rows.length; k++) {
      const row = this.#rows[k];
      if (row.total.length <= this.#M) break;
      // merge the two oldest buckets of row k into row k + 1
      const n = 2 ** k;
      const t1 = row.total.shift() as number;
      const v1 = row.variance.shift() as number;
      const t2 = row.total.shift() as number;
      const v2 = row.variance.shift() as number;
      const u1 = t1 / n;
      const u2 = t2 / n;
      const merged = v1 + v2 + ((n * n) / (2 * n)) * (u1 - u2) ** 2;
      if (k + 1 === this.#rows.length) this.#rows.push({ total: [], variance: [] });
      this.#rows[k + 1].total.push(t1 + t2);
      this.#rows[k + 1].variance.push(merged);
    }
  }

  #dropOldest(): void {
    for (let k = this.#rows.length - 1; k >= 0; k--) {
      const row = this.#rows[k];
      if (row.total.length === 0) continue;
      const n = 2 ** k;
      const t = row.total.shift() as number;
      const vb = row.variance.shift() as number;
      const u = t / n;
      this.#width -= n;
      this.#total -= t;
      this.#variance -=
        vb +
        ((n * this.#width) / (n + this.#width)) * (u - this.#total / Math.max(1, this.#width)) ** 2;
      if (this.#width === 0) this.#variance = 0;
      if (row.total.length === 0 && k === this.#rows.length - 1) this.#rows.pop();
      return;
    }
  }

  #detect(): boolean {
    let changed = false;
    let again = true;
    while (again && this.#width > 2 * this.#minWindow) {
      again = false;
      let n0 = 0;
      let t0 = 0;
      const n = this.#width;
      const variance = this.#variance / n;
      const lnTerm = Math.log((2 * Math.log(n)) / this.delta);
      // from the oldest bucket forward
      outer: for (let k = this.#rows.length - 1; k >= 0; k--) {
        const row = this.#rows[k];
        const size = 2 ** k;
        for (let j = 0; j < row.total.length; j++) {
          n0 += size;
          t0 += row.total[j];
          const n1 = n - n0;
          if (n1 < this.#minWindow) break outer;
          if (n0 < this.#minWindow) continue;
          const u0 = t0 / n0;
          const u1 = (this.#total - t0) / n1;
          const mInv = 1 / n0 + 1 / n1;
          const eps = Math.sqrt(2 * mInv * variance * lnTerm) + (2 / 3) * mInv * lnTerm;
          if (Math.abs(u0 - u1) > eps) {
            this.#dropOldest();
            changed = true;
            again = true;
            break outer;
          }
        }
      }
    }
    return changed;
  }

  reset(): void {
    this.#rows = [];
    this.#width = 0;
    this.#total = 0;
    this.#variance = 0;
    this.#ticks = 0;
  }
}

/** Options of `PageHinkley` (drift detection on a score stream). */
export interface PageHinkleyOptions {
  /** Tolerated change magnitude delta (default 0.005). */
  delta?: number;
  /** Alarm threshold lambda (default 50). */
  threshold?: number;
  /** Values before alarms are allowed (default 30). */
  minInstances?: number;
  /** 'up' (default: scores rising), 'down' or 'both'. */
  direction?: 'up' | 'down' | 'both';
}

/** Page-Hinkley test for a change in the mean; resets after each alarm. */
export class PageHinkley {
  readonly options: Required<PageHinkleyOptions>;
  #n = 0;
  #mean = 0;
  #up = 0;
  #upMin = 0;
  #down = 0;
  #downMax = 0;

  constructor(options: PageHinkleyOptions = {}) {
    this.options = {
      delta: options.delta ?? 0.005,
      threshold: options.threshold ?? 50,
      minInstances: options.minInstances ?? 30,
      direction: options.direction ?? 'up',
    };
    if (!(this.options.threshold > 0))
      throw new EdgewiseError('INVALID_ARGUMENT', 'PageHinkley: threshold must be > 0.');
  }

  /** Adds values; returns the indices (within this batch) of alarms. */
  update(values: ArrayLike<number> | number): number[] {
    const vs = typeof values === 'number' ? [values] : values;
    const out: number[] = [];
    const { delta, threshold, minInstances, direction } = this.options;
    for (let i = 0; i < vs.length; i++) {
      const x = vs[i];
      if (!Number.isFinite(x)) continue;
      this.#n++;
      this.#mean += (x - this.#mean) / this.#n;
      this.#up += x - this.#mean - delta;
      this.#upMin = Math.min(this.#upMin, this.#up);
      this.#down += x - this.#mean + delta;
      this.#downMax = Math.max(this.#downMax, this.#down);
      if (this.#n < minInstances) continue;
      const up = this.#up - this.#upMin > threshold;
      const down = this.#downMax - this.#down > threshold;
      if ((direction !== 'down' && up) || (direction !== 'up' && down)) {
        out.push(i);
        this.reset();
      }
    }
    return out;
  }

  reset(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#up = 0;
    this.#upMin = 0;
    this.#down = 0;
    this.#downMax = 0;
  }
}

/** One `DriftMonitor` check: PSI and KS per feature and for the scores. */
export interface DriftReport {
  /** Per feature (column order) PSI and KS against the reference. */
  features: { column: string; psi: number; ks: number; ksPValue: number; drifted: boolean }[];
  score?: { psi: number; ks: number; ksPValue: number; drifted: boolean };
  drifted: boolean;
  n: number;
}

/** Options of `DriftMonitor`: thresholds and bins. */
export interface DriftMonitorOptions {
  /** PSI above which a feature has drifted (default 0.2). */
  psiThreshold?: number;
  /** KS p-value below which a feature has drifted (default 0.001). */
  ksAlpha?: number;
  /** PSI bins from the reference's quantiles (default 10). */
  bins?: number;
  sketch?: QuantileSketchOptions;
}

/**
 * Reference distributions of features (and scores), compared with a current
 * window. Both sides are mergeable (BinnedCounts + QuantileSketch), so windows
 * from several workers can be merged before `check()`.
 */
export class DriftMonitor {
  readonly columns: readonly string[];
  readonly options: Required<Omit<DriftMonitorOptions, 'sketch'>> & {
    sketch: QuantileSketchOptions;
  };
  readonly #refBins: BinnedCounts[];
  readonly #refSketch: QuantileSketch[];
  #curBins: BinnedCounts[];
  #curSketch: QuantileSketch[];
  readonly #d: number;
  #n = 0;

  /** `reference` is row-major n x columns.length, with an optional score column appended by `scores`. */
  constructor(
    reference: Float64Array,
    options: DriftMonitorOptions & { columns: readonly string[]; scores?: Float64Array },
  ) {
    const cols = [...options.columns];
    const d = cols.length;
    if (
      d < 1 ||
      !(reference instanceof Float64Array) ||
      reference.length % d !== 0 ||
      reference.length === 0
    )
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `DriftMonitor: reference must be a non-empty row-major Float64Array of ${d} columns.`,
      );
    this.options = {
      psiThreshold: options.psiThreshold ?? 0.2,
      ksAlpha: options.ksAlpha ?? 0.001,
      bins: options.bins ?? 10,
      sketch: { exactLimit: 0, ...(options.sketch ?? {}) },
    };
    const n = reference.length / d;
    const column = (data: Float64Array, j: number, dd: number) => {
      const out = new Float64Array(data.length / dd);
      for (let i = 0; i < out.length; i++) out[i] = data[i * dd + j];
      return out;
    };
    const series: Float64Array[] = [];
    for (let j = 0; j < d; j++) series.push(column(reference, j, d));
    if (options.scores) {
      if (options.scores.length !== n)
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          'DriftMonitor: scores must have one value per reference row.',
        );
      series.push(options.scores);
      cols.push('score');
    }
    this.columns = cols;
    this.#d = d;
    this.#refBins = series.map((s) => BinnedCounts.fromReference(s, { bins: this.options.bins }));
    this.#refSketch = series.map((s) => new QuantileSketch(this.options.sketch).push(s));
    this.#curBins = this.#refBins.map((b) => b.empty());
    this.#curSketch = series.map(() => new QuantileSketch(this.options.sketch));
  }

  /** Adds current rows (n x dims) and, if the monitor tracks scores, their scores. */
  push(rows: Float64Array, scores?: Float64Array): this {
    const d = this.#d;
    if (!(rows instanceof Float64Array) || rows.length % d !== 0)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `DriftMonitor.push: pass a row-major Float64Array of ${d} columns.`,
      );
    const n = rows.length / d;
    const hasScore = this.columns.length > d;
    if (hasScore && (!scores || scores.length !== n))
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'DriftMonitor.push: this monitor tracks scores; pass one score per row.',
      );
    const col = new Float64Array(n);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) col[i] = rows[i * d + j];
      this.#curBins[j].push(col);
      this.#curSketch[j].push(col);
    }
    if (hasScore && scores) {
      this.#curBins[d].push(scores);
      this.#curSketch[d].push(scores);
    }
    this.#n += n;
    return this;
  }

  /** Compares the current window with the reference. */
  check(): DriftReport {
    const { psiThreshold, ksAlpha } = this.options;
    const rows = this.columns.map((column, j) => {
      const p = psi(this.#refBins[j], this.#curBins[j]);
      const k = ksFromSketches(this.#refSketch[j], this.#curSketch[j]);
      return {
        column,
        psi: p,
        ks: k.statistic,
        ksPValue: k.pValue,
        drifted: p > psiThreshold || k.pValue < ksAlpha,
      };
    });
    const features = rows.slice(0, this.#d);
    const score = rows.length > this.#d ? rows[this.#d] : undefined;
    return {
      features,
      score: score && {
        psi: score.psi,
        ks: score.ks,
        ksPValue: score.ksPValue,
        drifted: score.drifted,
      },
      drifted: rows.some((r) => r.drifted),
      n: this.#n,
    };
  }

  /** Starts a new current window. */
  resetWindow(): void {
    for (const b of this.#curBins) b.reset();
    for (const s of this.#curSketch) s.dispose();
    this.#curSketch = this.columns.map(() => new QuantileSketch(this.options.sketch));
    this.#n = 0;
  }

  dispose(): void {
    for (const s of this.#refSketch) s.dispose();
    for (const s of this.#curSketch) s.dispose();
  }
}
