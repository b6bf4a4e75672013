// Histograms: explicit (Prometheus `le`) buckets and base-2 exponential
// buckets of the OpenTelemetry data model.
//
// Explicit state (f64 slots): 0 n  1 sum  2 min  3 max  4 rejected  5 nb
//   6 P (bounds padded with +Inf to a power of two >= nb + 1)  7 unused
//   8 .. 8+P-1 bounds, then nb + 1 counts (bucket i counts bounds[i-1] < x <= bounds[i]).
// Exponential state: 0 n  1 sum  2 min  3 max  4 rejected  5 zeroCount
//   6 scale  7 maxSize  8 posMin  9 posMax  10 negMin  11 negMax  12..15 unused
//   16 .. 16+maxSize-1 positive counts (slot j = index posMin + j), then the
//   negative counts (indexes of |x|). Empty store: min > max.
// Index of |x| at scale s: the i with base^i < |x| <= base^(i+1),
// base = 2^(2^-s) (OpenTelemetry's upper-inclusive convention).

const CHUNK: i32 = 8192;
let scratch: usize = 0;

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

function statsInit(s: usize): void {
  st(s, 0, 0);
  st(s, 1, 0);
  st(s, 2, Infinity);
  st(s, 3, -Infinity);
  st(s, 4, 0);
}

// ---------------------------------------------------------------- explicit

/** Bounds must already be written at slot 8 (nb values, ascending, finite). */
export function hx_init(s: usize, nb: i32, P: i32): void {
  statsInit(s);
  st(s, 5, <f64>nb);
  st(s, 6, <f64>P);
  for (let i = nb; i < P; i++) st(s, 8 + i, Infinity);
  for (let i = 0; i <= nb; i++) st(s, 8 + P + i, 0);
}

export function hx_reset(s: usize): void {
  statsInit(s);
  const nb = <i32>ld(s, 5);
  const P = <i32>ld(s, 6);
  for (let i = 0; i <= nb; i++) st(s, 8 + P + i, 0);
}

export function hx_push(s: usize, ptr: usize, len: i32): void {
  const P = <i32>ld(s, 6);
  const bounds = s + 64;
  const counts = bounds + (<usize>P << 3);
  let n: i32 = 0;
  let rej: i32 = 0;
  let sum: f64 = 0;
  let mn = ld(s, 2);
  let mx = ld(s, 3);
  const half = P >> 1;
  for (let i = 0; i < len; i++) {
    const x = ld(ptr, i);
    if (!(x - x == 0)) {
      rej++;
      continue;
    }
    let base: i32 = 0;
    for (let step = half; step > 0; step >>= 1) {
      base += select<i32>(step, 0, load<f64>(bounds + (<usize>(base + step - 1) << 3)) < x);
    }
    const a = counts + (<usize>base << 3);
    store<f64>(a, load<f64>(a) + 1.0);
    n++;
    sum += x;
    mn = min(mn, x);
    mx = max(mx, x);
  }
  st(s, 0, ld(s, 0) + <f64>n);
  st(s, 1, ld(s, 1) + sum);
  st(s, 2, mn);
  st(s, 3, mx);
  st(s, 4, ld(s, 4) + <f64>rej);
}

/** dst <- dst (+) src; same bounds (checked by the caller). */
export function hx_merge(dst: usize, src: usize): void {
  const nb = <i32>ld(dst, 5);
  const P = <i32>ld(dst, 6);
  for (let i = 0; i <= nb; i++) st(dst, 8 + P + i, ld(dst, 8 + P + i) + ld(src, 8 + P + i));
  st(dst, 0, ld(dst, 0) + ld(src, 0));
  st(dst, 1, ld(dst, 1) + ld(src, 1));
  st(dst, 2, min(ld(dst, 2), ld(src, 2)));
  st(dst, 3, max(ld(dst, 3), ld(src, 3)));
  st(dst, 4, ld(dst, 4) + ld(src, 4));
}

// ------------------------------------------------------------- exponential

const HDR: i32 = 16;

export function he_init(s: usize, scale: i32, maxSize: i32): void {
  statsInit(s);
  st(s, 5, 0);
  st(s, 6, <f64>scale);
  st(s, 7, <f64>maxSize);
  st(s, 8, <f64>i32.MAX_VALUE);
  st(s, 9, <f64>i32.MIN_VALUE);
  st(s, 10, <f64>i32.MAX_VALUE);
  st(s, 11, <f64>i32.MIN_VALUE);
  memory.fill(s + (<usize>HDR << 3), 0, <usize>(2 * maxSize) << 3);
}

/** Index of a positive finite x at `scale` (OpenTelemetry convention). */
export function he_index(x: f64, scale: i32): i32 {
  let bits = reinterpret<u64>(x);
  let e = <i32>(bits >> 52) - 1023;
  if ((bits >> 52) == 0) {
    bits = reinterpret<u64>(x * 18446744073709551616.0);
    e = <i32>(bits >> 52) - 1023 - 64;
  }
  const mant = bits & 0x000fffffffffffff;
  if (scale <= 0) {
    const ee = mant == 0 ? e - 1 : e;
    return ee >> -scale;
  }
  if (mant == 0) return (e << scale) - 1;
  const sig = reinterpret<f64>(mant | 0x3ff0000000000000);
  const f = <f64>(1 << scale);
  return <i32>Math.ceil(<f64>e * f + Math.log(sig) * (f / Math.LN2)) - 1;
}

// Downscales store at slot b (min, max) / counts at c by `by` in place.
function downscaleStore(s: usize, b: i32, cnt: usize, by: i32): void {
  const mn = <i32>ld(s, b);
  const mx = <i32>ld(s, b + 1);
  if (mn > mx || by == 0) return;
  const nmn = mn >> by;
  for (let k = mn; k <= mx; k++) {
    const i = k - mn;
    const v = load<f64>(cnt + (<usize>i << 3));
    if (v == 0) continue;
    store<f64>(cnt + (<usize>i << 3), 0);
    const a = cnt + (<usize>((k >> by) - nmn) << 3);
    store<f64>(a, load<f64>(a) + v);
  }
  st(s, b, <f64>nmn);
  st(s, b + 1, <f64>(mx >> by));
}

// Smallest extra downscale so that [lo, hi] joined with store b fits.
@inline function needShift(s: usize, b: i32, lo: i32, hi: i32, maxSize: i32): i32 {
  const mn = <i32>ld(s, b);
  const mx = <i32>ld(s, b + 1);
  let l = lo, h = hi;
  if (mn <= mx) {
    if (mn < l) l = mn;
    if (mx > h) h = mx;
  }
  if (l > h) return 0;
  let c: i32 = 0;
  while (<i64>(h >> c) - <i64>(l >> c) + 1 > <i64>maxSize) c++;
  return c;
}

// Widens store b to include [lo, hi] (fits by construction).
function extendStore(s: usize, b: i32, cnt: usize, lo: i32, hi: i32): void {
  const mn = <i32>ld(s, b);
  const mx = <i32>ld(s, b + 1);
  if (mn > mx) {
    st(s, b, <f64>lo);
    st(s, b + 1, <f64>hi);
    return;
  }
  if (lo < mn) {
    const sh = mn - lo;
    memory.copy(cnt + (<usize>sh << 3), cnt, <usize>(mx - mn + 1) << 3);
    memory.fill(cnt, 0, <usize>sh << 3);
    st(s, b, <f64>lo);
  }
  if (hi > mx) st(s, b + 1, <f64>hi);
}

function rescale(s: usize, by: i32): void {
  if (by == 0) return;
  const maxSize = <i32>ld(s, 7);
  const pc = s + (<usize>HDR << 3);
  downscaleStore(s, 8, pc, by);
  downscaleStore(s, 10, pc + (<usize>maxSize << 3), by);
  st(s, 6, ld(s, 6) - <f64>by);
}

function pushChunk(s: usize, ptr: usize, len: i32): void {
  if (scratch == 0) scratch = heap.alloc(<usize>CHUNK << 2);
  const scale = <i32>ld(s, 6);
  const maxSize = <i32>ld(s, 7);
  let pLo = i32.MAX_VALUE, pHi = i32.MIN_VALUE, nLo = i32.MAX_VALUE, nHi = i32.MIN_VALUE;
  let n: i32 = 0, rej: i32 = 0, zeros: i32 = 0;
  let sum: f64 = 0;
  let mn = ld(s, 2), mx = ld(s, 3);
  for (let i = 0; i < len; i++) {
    const x = ld(ptr, i);
    if (!(x - x == 0)) {
      rej++;
      continue;
    }
    n++;
    sum += x;
    mn = min(mn, x);
    mx = max(mx, x);
    if (x == 0) {
      zeros++;
      continue;
    }
    const k = he_index(abs(x), scale);
    store<i32>(scratch + (<usize>i << 2), k);
    if (x > 0) {
      pLo = min(pLo, k);
      pHi = max(pHi, k);
    } else {
      nLo = min(nLo, k);
      nHi = max(nHi, k);
    }
  }
  const c = max(needShift(s, 8, pLo, pHi, maxSize), needShift(s, 10, nLo, nHi, maxSize));
  rescale(s, c);
  const pc = s + (<usize>HDR << 3);
  const nc = pc + (<usize>maxSize << 3);
  if (pLo <= pHi) extendStore(s, 8, pc, pLo >> c, pHi >> c);
  if (nLo <= nHi) extendStore(s, 10, nc, nLo >> c, nHi >> c);
  const pm = <i32>ld(s, 8);
  const nm = <i32>ld(s, 10);
  for (let i = 0; i < len; i++) {
    const x = ld(ptr, i);
    if (!(x - x == 0) || x == 0) continue;
    const k = load<i32>(scratch + (<usize>i << 2)) >> c;
    const a = x > 0 ? pc + (<usize>(k - pm) << 3) : nc + (<usize>(k - nm) << 3);
    store<f64>(a, load<f64>(a) + 1.0);
  }
  st(s, 0, ld(s, 0) + <f64>n);
  st(s, 1, ld(s, 1) + sum);
  st(s, 2, mn);
  st(s, 3, mx);
  st(s, 4, ld(s, 4) + <f64>rej);
  st(s, 5, ld(s, 5) + <f64>zeros);
}

export function he_push(s: usize, ptr: usize, len: i32): void {
  for (let off: i32 = 0; off < len; off += CHUNK) {
    pushChunk(s, ptr + (<usize>off << 3), min(CHUNK, len - off));
  }
}

export function he_reset(s: usize, scale: i32): void {
  he_init(s, scale, <i32>ld(s, 7));
}

function mergeStore(dst: usize, src: usize, b: i32, dc: usize, sc: usize, by: i32): void {
  const smn = <i32>ld(src, b);
  const smx = <i32>ld(src, b + 1);
  if (smn > smx) return;
  const lo = smn >> by;
  const hi = smx >> by;
  extendStore(dst, b, dc, lo, hi);
  const dm = <i32>ld(dst, b);
  for (let k = smn; k <= smx; k++) {
    const v = load<f64>(sc + (<usize>(k - smn) << 3));
    if (v == 0) continue;
    const a = dc + (<usize>((k >> by) - dm) << 3);
    store<f64>(a, load<f64>(a) + v);
  }
}

/** dst <- dst (+) src (src unchanged); the result has the largest scale that fits. */
export function he_merge(dst: usize, src: usize): void {
  st(dst, 4, ld(dst, 4) + ld(src, 4));
  if (ld(src, 0) == 0) return;
  const ds = <i32>ld(dst, 6);
  const ss = <i32>ld(src, 6);
  const dMax = <i32>ld(dst, 7);
  const sMax = <i32>ld(src, 7);
  // Bring both to the smaller scale, then shrink until both signs fit.
  let target = min(ds, ss);
  let srcBy = ss - target;
  rescale(dst, ds - target);
  const pLo = <i32>ld(src, 8) >> srcBy;
  const pHi = <i32>ld(src, 9) >> srcBy;
  const nLo = <i32>ld(src, 10) >> srcBy;
  const nHi = <i32>ld(src, 11) >> srcBy;
  const pEmpty = <i32>ld(src, 8) > <i32>ld(src, 9);
  const nEmpty = <i32>ld(src, 10) > <i32>ld(src, 11);
  const c = max(
    pEmpty ? 0 : needShift(dst, 8, pLo, pHi, dMax),
    nEmpty ? 0 : needShift(dst, 10, nLo, nHi, dMax),
  );
  rescale(dst, c);
  srcBy += c;
  const dpc = dst + (<usize>HDR << 3);
  const spc = src + (<usize>HDR << 3);
  mergeStore(dst, src, 8, dpc, spc, srcBy);
  mergeStore(dst, src, 10, dpc + (<usize>dMax << 3), spc + (<usize>sMax << 3), srcBy);
  st(dst, 0, ld(dst, 0) + ld(src, 0));
  st(dst, 1, ld(dst, 1) + ld(src, 1));
  st(dst, 2, min(ld(dst, 2), ld(src, 2)));
  st(dst, 3, max(ld(dst, 3), ld(src, 3)));
  st(dst, 5, ld(dst, 5) + ld(src, 5));
}
