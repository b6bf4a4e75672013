/**
 * Finite-n Kolmogorov-Smirnov distributions, ported from scipy 1.10
 * (scipy/stats/_ksstats.py, Simard & L'Ecuyer 2011): the two-sided
 * statistic's survival function (`kolmogorovSfN`, scipy's kstwo.sf) and the
 * one-sided exact Birnbaum-Tingey sum (`smirnovSf`, scipy.special.smirnov).
 */
import { lgamma } from './special';

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];
const clip = (p: number): number => Math.min(1, Math.max(0, p));

function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** One-sided exact P(D+_n >= x) (Birnbaum-Tingey), = scipy.special.smirnov(n, x). */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const jmax = Math.floor(n * (1 - x) + 1e-12 * n);
  const lgn1 = lgamma(n + 1);
  let s = 0;
  let c = 0;
  for (let j = 0; j <= jmax; j++) {
    const a = 1 - x - j / n;
    if (a <= 0) break;
    const b = x + j / n;
    const lt =
      lgn1 - lgamma(j + 1) - lgamma(n - j + 1) + (n - j) * Math.log(a) + (j - 1) * Math.log(b);
    const t = Math.exp(lt);
    const y = t - c;
    const u = s + y;
    c = u - s - y;
    s = u;
  }
  return clip(x * s);
}

function dmtw(n: number, d: number): number {
  // cdf by Durbin's matrix method (Marsaglia, Tsang & Wang 2003)
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];
  const mul = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l];
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] += a * B[l * m + j];
      }
    return C;
  };
  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let hexp = 0;
  while (nn > 0) {
    if (nn % 2) {
      P = mul(P, H);
      expnt += hexp;
    }
    H = mul(H, H);
    hexp *= 2;
    if (Math.abs(H[(k - 1) * m + k - 1]) > E128) {
      for (let i = 0; i < H.length; i++) H[i] /= E128;
      hexp += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + k - 1];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  return clip(p * 2 ** expnt);
}

function pomeranzJ(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

function pomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npw = 2 * (ll + 1);
  const gp = new Float64Array(npw);
  const tgp = new Float64Array(npw);
  const omp = new Float64Array(npw);
  gp[0] = 1;
  tgp[0] = 1;
  omp[0] = 1;
  let expnt = 0;
  for (let m = 1; m < npw; m++) {
    gp[m] = (gp[m - 1] * (g / n)) / m;
    tgp[m] = (tgp[m - 1] * ((2 * g) / n)) / m;
    omp[m] = (omp[m - 1] * ((1 - 2 * g) / n)) / m;
  }
  let V0: Float64Array = new Float64Array(npw);
  let V1: Float64Array = new Float64Array(npw);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 ? tgp : omp;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const cs = j1 - k1;
      const cl = j2 - j1 + 1;
      const base = k1 - V0s;
      let mx = 0;
      for (let o = 0; o < cl; o++) {
        // conv[cs + o] = Σ_{a+b = cs+o} V0[base + a] pw[b], a,b in [0, ln2)
        const idx = cs + o;
        let s = 0;
        for (let a = Math.max(0, idx - ln2 + 1); a <= Math.min(idx, ln2 - 1); a++) {
          s += V0[base + a] * pw[idx - a];
        }
        V1[o] = s;
        if (s > mx) mx = s;
      }
      if (mx > 0 && mx < EM128) {
        for (let o = 0; o < cl; o++) V1[o] *= E128;
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128;
      expnt += 128;
    }
    ans *= m;
  }
  return clip(ans * 2 ** expnt);
}

function pelzGood(n: number, x: number, cdf: boolean): number {
  if (x <= 0) return cdf ? 0 : 1;
  if (x >= 1) return cdf ? 1 : 0;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return cdf ? 0 : 1;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = q ** (8 * k);
    const co = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qp + co[i];
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const s3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const qk = q ** (k * k);
    k2extra += k * k * qk;
    const kp = Math.PI * k;
    k3extra += (s3z + kp) * (s3z - kp) * k * k * qk;
  }
  K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  for (let i = 0; i < 4; i++) K[i] /= n ** (i / 2);
  if (!cdf) {
    for (let i = 0; i < 4; i++) K[i] = -K[i];
    K[0] += 1;
  }
  return K[0] + K[1] + K[2] + K[3];
}

/** P(D_n >= x) for the two-sided one-sample KS statistic (scipy.stats.kstwo.sf). */
export function kolmogorovSfN(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    return clip(1 - prob);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - dmtw(n, x));
    if (nx2 <= 4) return clip(1 - pomeranz(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  let cdfp: number;
  if (nx2 >= 18) cdfp = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfp = dmtw(n, x);
  else cdfp = pelzGood(n, x, true);
  return clip(1 - cdfp);
}
