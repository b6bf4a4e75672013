import { describeValue, EdgewiseError } from '../errors';
import { asMatrix, type MatrixOptions, Rng } from './matrix';

/** Per-column median and normal-consistent MAD (1.4826 x median |x - median|). */
export function robustLocationScale(
  x: Float64Array | ArrayLike<number>,
  options: MatrixOptions,
): { median: Float64Array; mad: Float64Array } {
  const { data, n, d } = asMatrix(x, options, 'robustLocationScale');
  if (n === 0)
    throw new EdgewiseError('INVALID_ARGUMENT', 'robustLocationScale: pass at least one row.');
  const median = new Float64Array(d);
  const mad = new Float64Array(d);
  const col = new Float64Array(n);
  const med = (a: Float64Array): number => {
    a.sort();
    const m = n >> 1;
    return n & 1 ? a[m] : (a[m - 1] + a[m]) / 2;
  };
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = data[i * d + j];
    const m = med(col);
    median[j] = m;
    for (let i = 0; i < n; i++) col[i] = Math.abs(data[i * d + j] - m);
    mad[j] = 1.482602218505602 * med(col);
  }
  return { median, mad };
}

/**
 * Per-feature robust z-scores (x - median) / MAD of `reference` (default: x
 * itself), as a row-major matrix; columns with MAD = 0 give 0 where x equals
 * the median and ±Infinity elsewhere.
 */
export function robustZScores(
  x: Float64Array | ArrayLike<number>,
  options: MatrixOptions & { reference?: Float64Array | ArrayLike<number> },
): Float64Array {
  const { data, n, d } = asMatrix(x, options, 'robustZScores');
  const { median, mad } = robustLocationScale(options.reference ?? data, { dims: d });
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const dev = data[i * d + j] - median[j];
      out[i * d + j] = dev === 0 ? 0 : dev / mad[j];
    }
  }
  return out;
}

// --- small dense linear algebra (d x d, row-major) ---

/** Cholesky factor L (lower) of a symmetric positive definite matrix, or null. */
function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  return l;
}

function logDet(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += 2 * Math.log(l[i * d + i]);
  return s;
}

/** Squared Mahalanobis distances of rows to (mu, L L^T). */
function mahal2(
  data: Float64Array,
  n: number,
  d: number,
  mu: Float64Array,
  l: Float64Array,
  out: Float64Array,
): Float64Array {
  const y = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) {
      let v = data[r * d + i] - mu[i];
      for (let k = 0; k < i; k++) v -= l[i * d + k] * y[k];
      y[i] = v / l[i * d + i];
      s += y[i] * y[i];
    }
    out[r] = s;
  }
  return out;
}

/** Mean and (biased, /m) covariance of the rows listed in idx. */
function meanCov(
  data: Float64Array,
  d: number,
  idx: ArrayLike<number>,
  m: number,
): { mu: Float64Array; cov: Float64Array } {
  const mu = new Float64Array(d);
  for (let t = 0; t < m; t++) for (let j = 0; j < d; j++) mu[j] += data[idx[t] * d + j];
  for (let j = 0; j < d; j++) mu[j] /= m;
  const cov = new Float64Array(d * d);
  for (let t = 0; t < m; t++) {
    const r = idx[t] * d;
    for (let i = 0; i < d; i++) {
      const a = data[r + i] - mu[i];
      for (let j = 0; j <= i; j++) cov[i * d + j] += a * (data[r + j] - mu[j]);
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      cov[i * d + j] /= m;
      cov[j * d + i] = cov[i * d + j];
    }
  }
  return { mu, cov };
}

// --- chi-square quantiles (regularised lower incomplete gamma + bisection) ---

/** log Gamma(x), x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
function lgamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531,
    -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    for (let n = 1; n < 500; n++) {
      del *= x / (a + n);
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lgamma(a));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let dd = 1 / b;
  let h = dd;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    dd = an * dd + b;
    if (Math.abs(dd) < 1e-300) dd = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    dd = 1 / dd;
    const del = dd * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lgamma(a)) * h;
}

/** Quantile of the chi-square distribution with k degrees of freedom. */
export function chi2Quantile(p: number, k: number): number {
  let lo = 0;
  let hi = Math.max(1, k);
  while (gammaP(k / 2, hi / 2) < p) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(k / 2, mid / 2) < p) lo = mid;
    else hi = mid;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return (lo + hi) / 2;
}

/** Options of `RobustMahalanobis`: the covariance estimator (MCD or empirical) and its seed. */
export interface RobustCovarianceOptions {
  /**
   * 'mcd' (default): minimum covariance determinant (FastMCD C-steps from
   * random starts, then scikit-learn's consistency correction and
   * reweighting); 'empirical': the plain mean and covariance.
   */
  method?: 'mcd' | 'empirical';
  /** Support fraction h / n (default (n + d + 1) / 2n, the maximum breakdown point). */
  supportFraction?: number;
  /** Random starts (default 50). */
  starts?: number;
  seed?: number;
}

/**
 * Robust Mahalanobis distance: fit a location and covariance (MCD by default),
 * then `score` returns squared Mahalanobis distances (scikit-learn's
 * `MinCovDet.mahalanobis`), `pValue` their chi-square(d) upper tail.
 */
export class RobustMahalanobis {
  readonly options: Required<RobustCovarianceOptions>;
  #mu: Float64Array = new Float64Array(0);
  #chol: Float64Array = new Float64Array(0);
  #d = 0;

  constructor(options: RobustCovarianceOptions = {}) {
    const method = options.method ?? 'mcd';
    if (method !== 'mcd' && method !== 'empirical') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `RobustMahalanobis: method must be 'mcd' or 'empirical', got ${describeValue(method)}.`,
      );
    }
    const sf = options.supportFraction ?? 0;
    if (!(sf === 0 || (sf > 0 && sf <= 1))) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `RobustMahalanobis: supportFraction must be in (0, 1], got ${describeValue(sf)}.`,
      );
    }
    this.options = {
      method,
      supportFraction: sf,
      starts: options.starts ?? 50,
      seed: options.seed ?? 0,
    };
  }

  get location(): Float64Array {
    return this.#mu.slice();
  }
  /** Covariance (d x d, row-major). */
  get covariance(): Float64Array {
    const d = this.#d;
    const l = this.#chol;
    const c = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k <= Math.min(i, j); k++) s += l[i * d + k] * l[j * d + k];
        c[i * d + j] = s;
      }
    return c;
  }

  fit(x: Float64Array | ArrayLike<number>, options: MatrixOptions): this {
    const { data, n, d } = asMatrix(x, options, 'RobustMahalanobis.fit');
    if (n <= d)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `RobustMahalanobis.fit: pass more rows (${n}) than columns (${d}).`,
      );
    const all = Int32Array.from({ length: n }, (_, i) => i);
    if (this.options.method === 'empirical') {
      const { mu, cov } = meanCov(data, d, all, n);
      this.#set(mu, cov, d);
      return this;
    }
    const h = this.options.supportFraction
      ? Math.ceil(this.options.supportFraction * n)
      : Math.ceil((n + d + 1) / 2);
    const rng = new Rng(this.options.seed);
    const dist = new Float64Array(n);
    const order = Int32Array.from(all);
    let best: { mu: Float64Array; cov: Float64Array; ld: number } | undefined;
    const cstep = (idx: ArrayLike<number>, m: number, iters: number) => {
      let { mu, cov } = meanCov(data, d, idx, m);
      let l = cholesky(cov, d);
      let ld = l ? logDet(l, d) : Number.NEGATIVE_INFINITY;
      for (let it = 0; it < iters && l; it++) {
        mahal2(data, n, d, mu, l, dist);
        order.sort((a, b) => dist[a] - dist[b] || a - b);
        const next = meanCov(data, d, order, h);
        const nl = cholesky(next.cov, d);
        if (!nl) break;
        const nld = logDet(nl, d);
        mu = next.mu;
        cov = next.cov;
        l = nl;
        const done = Math.abs(nld - ld) < 1e-12;
        ld = nld;
        if (done) break;
      }
      return l ? { mu, cov, ld } : undefined;
    };
    const starts: Array<{ mu: Float64Array; cov: Float64Array; ld: number }> = [];
    const pick = Int32Array.from(all);
    for (let s = 0; s < this.options.starts; s++) {
      for (let i = 0; i < d + 1; i++) {
        const j = i + rng.int(n - i);
        const t = pick[i];
        pick[i] = pick[j];
        pick[j] = t;
      }
      const r = cstep(pick, d + 1, 2);
      if (r) starts.push(r);
    }
    starts.sort((a, b) => a.ld - b.ld);
    for (const st of starts.slice(0, 10)) {
      const l = cholesky(st.cov, d);
      if (!l) continue;
      mahal2(data, n, d, st.mu, l, dist);
      order.sort((a, b) => dist[a] - dist[b] || a - b);
      const r = cstep(order.slice(0, h), h, 100);
      if (r && (!best || r.ld < best.ld)) best = r;
    }
    if (!best) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        "RobustMahalanobis.fit: the data are degenerate (singular covariance on every subset); use method: 'empirical' or drop constant columns.",
      );
    }
    // consistency correction and reweighting (scikit-learn MinCovDet)
    const l0 = cholesky(best.cov, d) as Float64Array;
    mahal2(data, n, d, best.mu, l0, dist);
    const sorted = Float64Array.from(dist).sort();
    const medDist = n & 1 ? sorted[n >> 1] : (sorted[(n >> 1) - 1] + sorted[n >> 1]) / 2;
    const correction = medDist / chi2Quantile(0.5, d);
    const cut = chi2Quantile(0.975, d);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (dist[i] / correction < cut) keep.push(i);
    const rw = meanCov(data, d, keep, keep.length);
    this.#set(rw.mu, rw.cov, d);
    return this;
  }

  #set(mu: Float64Array, cov: Float64Array, d: number): void {
    const l = cholesky(cov, d);
    if (!l) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'RobustMahalanobis.fit: the covariance is singular; drop constant or collinear columns.',
      );
    }
    this.#mu = mu;
    this.#chol = l;
    this.#d = d;
  }

  /** Squared Mahalanobis distance of each row. */
  score(x: Float64Array | ArrayLike<number>, options: MatrixOptions): Float64Array {
    if (this.#d === 0)
      throw new EdgewiseError('INVALID_STATE', 'RobustMahalanobis: call fit() first.');
    const { data, n, d } = asMatrix(x, options, 'RobustMahalanobis.score', this.#d);
    return mahal2(data, n, d, this.#mu, this.#chol, new Float64Array(n));
  }

  /** Upper-tail chi-square(d) probability of each row's squared distance (small = outlying). */
  pValue(x: Float64Array | ArrayLike<number>, options: MatrixOptions): Float64Array {
    const s = this.score(x, options);
    for (let i = 0; i < s.length; i++) s[i] = 1 - gammaP(this.#d / 2, s[i] / 2);
    return s;
  }
}
