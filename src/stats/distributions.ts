/**
 * Continuous distributions used for p-values and intervals: normal, Student t,
 * chi-square and F. Each has `pdf`, `cdf`, `sf` (upper tail, computed directly
 * so tiny p-values keep their relative precision), `ppf` and `isf`.
 */
import { EdgewiseError } from '../errors';
import {
  betainc,
  betaincc,
  betaincinv,
  erfc,
  gammainc,
  gammaincc,
  gammainccinv,
  gammaincinv,
  invertMonotone,
  lbeta,
  lgamma,
  ndtri,
  ndtriUpper,
} from './special';

/** A continuous distribution: `pdf`, `cdf`, `sf` (upper tail), `ppf` and `isf`. */
export interface Distribution {
  pdf(x: number): number;
  cdf(x: number): number;
  sf(x: number): number;
  ppf(p: number): number;
  isf(q: number): number;
}

function checkParam(where: string, name: string, v: number): void {
  if (!(v > 0) || Number.isNaN(v)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be a positive number, got ${v}.`,
    );
  }
}

/** The standard normal distribution (or N(mean, sd²) via `normal(mean, sd)`). */
export const standardNormal: Distribution = {
  pdf: (x) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI),
  cdf: (x) => 0.5 * erfc(-x / Math.SQRT2),
  sf: (x) => 0.5 * erfc(x / Math.SQRT2),
  ppf: (p) => ndtri(p),
  isf: (q) => ndtriUpper(q),
};

/** The normal distribution with this mean and standard deviation. */
export function normal(mean = 0, sd = 1): Distribution {
  checkParam('normal', 'sd', sd);
  const n = standardNormal;
  return {
    pdf: (x) => n.pdf((x - mean) / sd) / sd,
    cdf: (x) => n.cdf((x - mean) / sd),
    sf: (x) => n.sf((x - mean) / sd),
    ppf: (p) => mean + sd * n.ppf(p),
    isf: (q) => mean + sd * n.isf(q),
  };
}

/** Denominator df from which the F upper tail is integrated. */
const F_QUADRATURE_DFD = 2000;

/**
 * ∫_x^∞ pdf by composite Gauss-Legendre panels marched outward; `rate` is
 * -d ln pdf / dx (sets the panel width), `cap` the largest width. Panels also
 * stay within half their distance from 0 (densities like x^(a-1) there).
 */
function marchTail(
  x0: number,
  pdf: (x: number) => number,
  rate: (x: number) => number,
  cap: number,
): number {
  let sum = 0;
  let comp = 0;
  let a = x0;
  for (let panel = 0; panel < 100000; panel++) {
    const r = Math.abs(rate(a));
    const w = Math.min(cap, 2 / (r + 1e-300), a > 0 ? a / 2 : cap);
    const mid = a + w / 2;
    let s = 0;
    for (let i = 0; i < GL_N; i++) s += GL_W[i] * pdf(mid + (w / 2) * GL_X[i]);
    s *= w / 2;
    const y = s - comp;
    const u = sum + y;
    comp = u - sum - y;
    sum = u;
    a += w;
    if (s <= 1e-19 * sum && rate(a) > 0) break;
  }
  return sum;
}

/** df from which the t tail is integrated rather than taken from the incomplete beta. */
const T_QUADRATURE_DF = 2000;

const GL_N = 16;
/** Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n, computed once). */
const [GL_X, GL_W] = ((): [Float64Array, Float64Array] => {
  const xs = new Float64Array(GL_N);
  const ws = new Float64Array(GL_N);
  for (let i = 0; i < GL_N; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (GL_N + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= GL_N; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (GL_N * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    xs[i] = x;
    ws[i] = 2 / ((1 - x * x) * dp * dp);
  }
  return [xs, ws];
})();

/**
 * ∫_t^∞ pdf for a smooth, light-tailed density (large df): panels of width
 * ~1/(t+1) marched outward until they stop contributing (relative 1e-19).
 */
function tailByQuadrature(t: number, pdf: (x: number) => number, df: number): number {
  const h = Math.min(1, 2 / (t + 1));
  let sum = 0;
  let comp = 0;
  let a = t;
  for (let panel = 0; panel < 100000; panel++) {
    // decay rate of the density here: panels shrink with it
    const rate = ((df + 1) * a) / (df + a * a);
    const w = Math.min(h, 2 / (rate + 1e-300), 1);
    const mid = a + w / 2;
    let s = 0;
    for (let i = 0; i < GL_N; i++) s += GL_W[i] * pdf(mid + (w / 2) * GL_X[i]);
    s *= w / 2;
    const y = s - comp;
    const u = sum + y;
    comp = u - sum - y;
    sum = u;
    a += w;
    if (s <= 1e-19 * sum) break;
  }
  return sum;
}

/** Student's t with `df` degrees of freedom (non-integer allowed). */
export function studentT(df: number): Distribution {
  checkParam('studentT', 'df', df);
  // tail(t) = P(T > |t|) = 0.5 I_{df/(df+t²)}(df/2, 1/2)
  // log of the density's constant Γ((df+1)/2) / (Γ(df/2) sqrt(df π)) = -lbeta(df/2, 1/2) - ln(df)/2,
  // without the cancellation of two huge lgamma values when df is large
  const lnorm = -lbeta(df / 2, 0.5) - 0.5 * Math.log(df);
  const pdf = (x: number): number =>
    df === Number.POSITIVE_INFINITY
      ? standardNormal.pdf(x)
      : Math.exp(lnorm - ((df + 1) / 2) * Math.log1p((x * x) / df));
  // tail(t) = P(T > |t|) = 0.5 I_{df/(df+t²)}(df/2, 1/2). For large df that continued
  // fraction sits at the mean and drifts with rounding (~1e-9 at df = 1e7), so there the
  // tail is integrated instead: composite Gauss-Legendre over the exact density.
  const tail = (t: number): number => {
    if (df === Number.POSITIVE_INFINITY) return standardNormal.sf(Math.abs(t));
    const t2 = t * t;
    if (t2 === Number.POSITIVE_INFINITY) return 0;
    if (t === 0) return 0.5;
    if (df >= T_QUADRATURE_DF) return tailByQuadrature(Math.abs(t), pdf, df);
    const den = df + t2;
    return 0.5 * betainc(df / 2, 0.5, df / den, t2 / den);
  };
  const upperQ = (q: number): number => {
    // t with P(T > t) = q, q <= 0.5
    if (q === 0) return Number.POSITIVE_INFINITY;
    if (q === 0.5) return 0;
    if (df === Number.POSITIVE_INFINITY) return ndtriUpper(q);
    let t: number;
    if (df >= 5 && q > 1e-12) {
      // Cornish-Fisher expansion about the normal quantile, then Newton polishing
      const z = ndtriUpper(q);
      const z2 = z * z;
      const last =
        (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / (92160 * df ** 4);
      t =
        z +
        (z * (z2 + 1)) / (4 * df) +
        (z * ((5 * z2 + 16) * z2 + 3)) / (96 * df * df) +
        (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / (384 * df * df * df) +
        last;
      // for large df the expansion is already exact to rounding (and more accurate than
      // polishing on I_x(df/2, 1/2), whose continued fraction converges slowly there)
      if (Math.abs(last) < 1e-17 * Math.abs(t)) return t;
    } else {
      // via the beta inverse: z = I^{-1}(2q; df/2, 1/2), t = sqrt(df (1-z)/z)
      const z = betaincinv(df / 2, 0.5, 2 * q);
      t = Math.sqrt((df * (1 - z)) / z);
      if (!Number.isFinite(t)) t = ndtriUpper(q);
    }
    // polish on the tail directly (relative precision for tiny q)
    return invertMonotone(tail, q, 0, Number.POSITIVE_INFINITY, t, false, (x) => -pdf(x));
  };
  return {
    pdf,
    cdf: (x) => (Number.isNaN(x) ? x : x > 0 ? 1 - tail(x) : tail(x)),
    sf: (x) => (Number.isNaN(x) ? x : x < 0 ? 1 - tail(x) : tail(x)),
    ppf: (p) =>
      Number.isNaN(p) || p < 0 || p > 1
        ? Number.NaN
        : p === 0
          ? Number.NEGATIVE_INFINITY
          : p === 1
            ? Number.POSITIVE_INFINITY
            : p < 0.5
              ? -upperQ(p)
              : upperQ(1 - p),
    isf: (q) =>
      Number.isNaN(q) || q < 0 || q > 1
        ? Number.NaN
        : q === 0
          ? Number.POSITIVE_INFINITY
          : q === 1
            ? Number.NEGATIVE_INFINITY
            : q <= 0.5
              ? upperQ(q)
              : -upperQ(1 - q),
  };
}

/** Chi-square with `df` degrees of freedom. */
export function chiSquare(df: number): Distribution {
  checkParam('chiSquare', 'df', df);
  const k = df / 2;
  const lg = lgamma(k);
  return {
    pdf: (x) =>
      x < 0
        ? 0
        : x === 0
          ? k === 1
            ? 0.5
            : k < 1
              ? Number.POSITIVE_INFINITY
              : 0
          : Math.exp((k - 1) * Math.log(x) - x / 2 - k * Math.LN2 - lg),
    cdf: (x) => (x <= 0 ? 0 : gammainc(k, x / 2)),
    sf: (x) => (x <= 0 ? 1 : gammaincc(k, x / 2)),
    ppf: (p) => 2 * gammaincinv(k, p),
    isf: (q) => 2 * gammainccinv(k, q),
  };
}

/** Snedecor's F with (`dfn`, `dfd`) degrees of freedom. */
export function fisherF(dfn: number, dfd: number): Distribution {
  checkParam('fisherF', 'dfn', dfn);
  checkParam('fisherF', 'dfd', dfd);
  const a = dfn / 2;
  const b = dfd / 2;
  const lb = lbeta(a, b);
  const cdf = (x: number): number => {
    if (x <= 0) return 0;
    if (x === Number.POSITIVE_INFINITY) return 1;
    const den = dfd + dfn * x;
    return betainc(a, b, (dfn * x) / den, dfd / den);
  };
  const pdf = (x: number): number =>
    x <= 0
      ? 0
      : Math.exp(
          a * Math.log(dfn / dfd) +
            (a - 1) * Math.log(x) -
            (a + b) * Math.log1p((dfn * x) / dfd) -
            lb,
        );
  // For a large denominator df the incomplete beta sits at its mean, where its continued
  // fraction drifts with rounding (~1e-9 at dfd = 1e7): integrate the density instead.
  // (only for moderate dfn: with both df large the log-density terms are huge and cancel)
  const quad = dfd >= F_QUADRATURE_DFD && dfn <= 200;
  const sd = Math.sqrt(2 / dfn + 2 / dfd);
  const rate = (x: number): number => ((a + b) * (dfn / dfd)) / (1 + (dfn * x) / dfd) - (a - 1) / x;
  const sfQuad = (x: number): number => marchTail(x, pdf, rate, Math.min(1, sd));
  const sf = (x: number): number => {
    if (x <= 0) return 1;
    if (x === Number.POSITIVE_INFINITY) return 0;
    if (quad) return Math.min(1, sfQuad(x));
    const den = dfd + dfn * x;
    return betaincc(a, b, (dfn * x) / den, dfd / den);
  };
  const cdfBeta = cdf;
  const cdfAll = (x: number): number => {
    if (!quad || x <= 0 || x === Number.POSITIVE_INFINITY) return cdfBeta(x);
    const q = sfQuad(x);
    // far lower tail: away from the mean the incomplete beta is accurate (and 1 - q is not)
    return q > 0.999 ? cdfBeta(x) : 1 - q;
  };
  const fromBeta = (z: number): number => (dfd * z) / (dfn * (1 - z));
  return {
    pdf,
    cdf: cdfAll,
    sf,
    ppf: (p) => {
      if (p === 1) return Number.POSITIVE_INFINITY;
      const g = fromBeta(betaincinv(a, b, p));
      return invertMonotone(cdfAll, p, 0, Number.POSITIVE_INFINITY, g, true, pdf);
    },
    isf: (q) => {
      if (q === 0) return Number.POSITIVE_INFINITY;
      const g = fromBeta(betaincinv(a, b, 1 - q));
      return invertMonotone(sf, q, 0, Number.POSITIVE_INFINITY, g, false, (x) => -pdf(x));
    },
  };
}
