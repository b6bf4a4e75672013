// QuantileSketch: DDSketch-style relative-error quantile sketch.
//
// Key of a value x != 0: k = floor(f(|x|) * m), where f is the cubically
// interpolated log2 of DDSketch: with |x| = 2^e (1 + s), s in [0, 1),
//   f(x) = e + ((A s + B) s + C) s,  A = 6/35, B = -3/5, C = 10/7.
// f is continuous, increasing, and d f / d ln x = (1 + s) P'(s)
//   = (50 + 8 s - 24 s^2 + 18 s^3) / 35 = 10/7 + 2 s (3 s - 2)^2 / 35 >= 10/7,
// so a bucket (width 1/m in f) spans at most ln(gamma) in ln x when
// m = 7 / (10 ln gamma), gamma = (1 + a) / (1 - a). Its representative
// 2 lo hi / (lo + hi) is then within relative error a of every value in it.
// f needs only bit operations and a cubic: no log in the hot loop.
//
// State block (f64 slots):
//   0 n  1 sum  2 min  3 max  4 rejected  5 zeroCount  6 m  7 maxBuckets
//   8 exactLimit  9 exactLen (-1 once bucketed)  10 exactPtr
//   11..16 positive store, 17..22 negative store (keys of |x|):
//     +0 ptr  +1 offset (key of slot 0)  +2 cap  +3 minKey  +4 maxKey  +5 floorKey
// A store holds f64 counts for keys [offset, offset + cap); keys that may be
// non-zero lie in [minKey, maxKey]. When the key range would exceed
// maxBuckets, the lowest keys (smallest magnitudes) collapse into floorKey.
// Values with |x| < 2^-1022 (zero and subnormals) are counted in zeroCount.

export const QS_SLOTS: i32 = 24;
const N: i32 = 0;
const SUM: i32 = 1;
const MIN: i32 = 2;
const MAX: i32 = 3;
const REJ: i32 = 4;
const ZERO: i32 = 5;
const MULT: i32 = 6;
const MAXB: i32 = 7;
const XCAP: i32 = 8;
const XLEN: i32 = 9;
const XPTR: i32 = 10;
const POS: i32 = 11;
const NEG: i32 = 17;

const CA: f64 = 6.0 / 35.0;
const CB: f64 = -3.0 / 5.0;
const CC: f64 = 10.0 / 7.0;
const CHUNK: i32 = 8192;
const NEG_MARK: i32 = 1 << 29;
const SKIP: i32 = i32.MIN_VALUE;

let scratch: usize = 0;

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

@inline function keyOfBits(bits: u64, m: f64): i32 {
  const e = <f64>(<i32>((bits >> 52) & 0x7ff) - 1023);
  const s = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000) - 1.0;
  return <i32>Math.floor((((CA * s + CB) * s + CC) * s + e) * m);
}

function storeInit(s: usize, b: i32): void {
  st(s, b, 0);
  st(s, b + 1, 0);
  st(s, b + 2, 0);
  st(s, b + 3, <f64>i32.MAX_VALUE);
  st(s, b + 4, <f64>i32.MIN_VALUE);
  st(s, b + 5, <f64>i32.MIN_VALUE);
}

export function qs_init(s: usize, m: f64, maxBuckets: i32, exactLimit: i32): void {
  st(s, N, 0);
  st(s, SUM, 0);
  st(s, MIN, Infinity);
  st(s, MAX, -Infinity);
  st(s, REJ, 0);
  st(s, ZERO, 0);
  st(s, MULT, m);
  st(s, MAXB, <f64>maxBuckets);
  st(s, XCAP, <f64>exactLimit);
  st(s, XLEN, exactLimit > 0 ? 0 : -1);
  st(s, XPTR, 0);
  storeInit(s, POS);
  storeInit(s, NEG);
}

/** Frees the blocks owned by the state (stores, exact buffer); the state stays valid and empty-store. */
export function qs_release(s: usize): void {
  const xp = <usize>ld(s, XPTR);
  if (xp != 0) heap.free(xp);
  st(s, XPTR, 0);
  const pp = <usize>ld(s, POS);
  if (pp != 0) heap.free(pp);
  const np = <usize>ld(s, NEG);
  if (np != 0) heap.free(np);
  storeInit(s, POS);
  storeInit(s, NEG);
}

/** Resets to empty with the same parameters. */
export function qs_reset(s: usize): void {
  qs_release(s);
  qs_init(s, ld(s, MULT), <i32>ld(s, MAXB), <i32>ld(s, XCAP));
}

// Makes keys [lo, hi] addressable in store b (lo is already >= floorKey).
// May raise floorKey (collapse); callers re-read it afterwards.
export function qs_store_ensure(s: usize, b: i32, lo: i32, hi: i32): void {
  const ptr = <usize>ld(s, b);
  const off = <i32>ld(s, b + 1);
  const cap = <i32>ld(s, b + 2);
  const mn = <i32>ld(s, b + 3);
  const mx = <i32>ld(s, b + 4);
  if (ptr != 0 && lo >= off && hi < off + cap) {
    if (lo < mn) st(s, b + 3, <f64>lo);
    if (hi > mx) st(s, b + 4, <f64>hi);
    return;
  }
  const empty = mn > mx;
  let nlo = empty ? lo : min(lo, mn);
  const nhi = empty ? hi : max(hi, mx);
  const maxb = <i32>ld(s, MAXB);
  let floor = <i32>ld(s, b + 5);
  let noff: i32;
  let ncap: i32;
  if (<i64>nhi - <i64>nlo + 1 > <i64>maxb) {
    floor = nhi - maxb + 1;
    nlo = floor;
    st(s, b + 5, <f64>floor);
    ncap = maxb;
    noff = nlo;
  } else {
    const width = nhi - nlo + 1;
    ncap = width + max(32, width >> 1);
    if (ncap > maxb) ncap = maxb;
    noff = nlo - ((ncap - width) >> 1);
  }
  const nptr = heap.alloc(<usize>ncap << 3);
  memory.fill(nptr, 0, <usize>ncap << 3);
  if (ptr != 0) {
    if (!empty) {
      for (let k = mn; k <= mx; k++) {
        const c = load<f64>(ptr + (<usize>(k - off) << 3));
        if (c != 0) {
          const nk = k < floor ? floor : k;
          const a = nptr + (<usize>(nk - noff) << 3);
          store<f64>(a, load<f64>(a) + c);
        }
      }
    }
    heap.free(ptr);
  }
  st(s, b, <f64>nptr);
  st(s, b + 1, <f64>noff);
  st(s, b + 2, <f64>ncap);
  st(s, b + 3, <f64>nlo);
  st(s, b + 4, <f64>nhi);
}

// Buckets `len` values at ptr (len <= CHUNK). If `stats`, also updates n, sum,
// min, max, rejected; otherwise the values are known finite and already counted.
function bucketChunk(s: usize, ptr: usize, len: i32, stats: bool): void {
  if (scratch == 0) scratch = heap.alloc(<usize>CHUNK << 2);
  const m = ld(s, MULT);
  const keys = scratch;
  // Fast pass: all values positive normal finite (SIMD, two lanes).
  const expMask = i64x2.splat(0x7ff0000000000000);
  const mantMask = i64x2.splat(0x000fffffffffffff);
  const oneBits = i64x2.splat(0x3ff0000000000000);
  const signBit = i64x2.splat(0x8000000000000000);
  const magic = i64x2.splat(0x4330000000000000);
  const magicF = f64x2.splat(4503599627370496.0 + 1023.0);
  const zero = i64x2.splat(0);
  const va = f64x2.splat(CA);
  const vb = f64x2.splat(CB);
  const vc = f64x2.splat(CC);
  const vm = f64x2.splat(m);
  let bad = i64x2.splat(0);
  let sumA = f64x2.splat(0);
  let mnv = f64x2.splat(Infinity);
  let mxv = f64x2.splat(-Infinity);
  let kmn = f64x2.splat(Infinity);
  let kmx = f64x2.splat(-Infinity);
  let i: i32 = 0;
  const end2 = len & ~1;
  for (; i < end2; i += 2) {
    const v = v128.load(ptr + (<usize>i << 3));
    const ex = v128.and(v, expMask);
    bad = v128.or(
      bad,
      v128.or(v128.and(v, signBit), v128.or(i64x2.eq(ex, zero), i64x2.eq(ex, expMask))),
    );
    const ef = f64x2.sub(v128.or(i64x2.shr_u(ex, 52), magic), magicF);
    const sg = f64x2.sub(v128.or(v128.and(v, mantMask), oneBits), f64x2.splat(1.0));
    const p = f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(va, sg), vb), sg), vc), sg);
    const y = f64x2.floor(f64x2.mul(f64x2.add(p, ef), vm));
    kmn = f64x2.pmin(kmn, y);
    kmx = f64x2.pmax(kmx, y);
    const k = i32x4.trunc_sat_f64x2_s_zero(y);
    store<i64>(keys + (<usize>i << 2), i64x2.extract_lane(k, 0));
    sumA = f64x2.add(sumA, v);
    mnv = f64x2.pmin(mnv, v);
    mxv = f64x2.pmax(mxv, v);
  }
  let isBad = v128.any_true(bad);
  let sum = f64x2.extract_lane(sumA, 0) + f64x2.extract_lane(sumA, 1);
  let mn = min(f64x2.extract_lane(mnv, 0), f64x2.extract_lane(mnv, 1));
  let mx = max(f64x2.extract_lane(mxv, 0), f64x2.extract_lane(mxv, 1));
  let kLo = <i32>min(f64x2.extract_lane(kmn, 0), f64x2.extract_lane(kmn, 1));
  let kHi = <i32>max(f64x2.extract_lane(kmx, 0), f64x2.extract_lane(kmx, 1));
  if (!isBad && i < len) {
    const x = ld(ptr, i);
    const bits = reinterpret<u64>(x);
    const ef = (bits >> 52) & 0x7ff;
    if ((bits >> 63) != 0 || ef == 0 || ef == 0x7ff) {
      isBad = true;
    } else {
      const k = keyOfBits(bits, m);
      store<i32>(keys + (<usize>i << 2), k);
      if (k < kLo) kLo = k;
      if (k > kHi) kHi = k;
      sum += x;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
  }
  if (!isBad) {
    if (len == 0) return;
    const b = POS;
    let floor = <i32>ld(s, b + 5);
    if (kLo < floor) kLo = floor;
    qs_store_ensure(s, b, kLo, kHi);
    floor = <i32>ld(s, b + 5);
    const off = <i32>ld(s, b + 1);
    const base = <usize>ld(s, b) - (<usize>off << 3);
    if (kLo > floor || floor == i32.MIN_VALUE) {
      for (let j = 0; j < len; j++) {
        const a = base + (<usize>load<i32>(keys + (<usize>j << 2)) << 3);
        store<f64>(a, load<f64>(a) + 1.0);
      }
    } else {
      for (let j = 0; j < len; j++) {
        let k = load<i32>(keys + (<usize>j << 2));
        if (k < floor) k = floor;
        const a = base + (<usize>k << 3);
        store<f64>(a, load<f64>(a) + 1.0);
      }
    }
    if (stats) {
      st(s, N, ld(s, N) + <f64>len);
      st(s, SUM, ld(s, SUM) + sum);
      if (mn < ld(s, MIN)) st(s, MIN, mn);
      if (mx > ld(s, MAX)) st(s, MAX, mx);
    }
    return;
  }
  // General path: zeros, negatives, non-finite values.
  let pLo = i32.MAX_VALUE, pHi = i32.MIN_VALUE, nLo = i32.MAX_VALUE, nHi = i32.MIN_VALUE;
  let rej: i32 = 0, zeros: i32 = 0, cnt: i32 = 0;
  sum = 0;
  mn = Infinity;
  mx = -Infinity;
  for (let j = 0; j < len; j++) {
    const x = ld(ptr, j);
    const bits = reinterpret<u64>(x);
    const ef = (bits >> 52) & 0x7ff;
    if (ef == 0x7ff) {
      rej++;
      store<i32>(keys + (<usize>j << 2), SKIP);
      continue;
    }
    cnt++;
    sum += x;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
    if (ef == 0) {
      zeros++;
      store<i32>(keys + (<usize>j << 2), SKIP);
      continue;
    }
    // The SIMD pass already computed the key of |x| (it masks the sign); only
    // an odd last value needs computing here.
    const k = j < end2 ? load<i32>(keys + (<usize>j << 2)) : keyOfBits(bits, m);
    // Negative values are marked in the key itself (|keys| < 2^27), so the
    // second pass need not reload the value.
    store<i32>(keys + (<usize>j << 2), (bits >> 63) != 0 ? k + NEG_MARK : k);
    if ((bits >> 63) != 0) {
      if (k < nLo) nLo = k;
      if (k > nHi) nHi = k;
    } else {
      if (k < pLo) pLo = k;
      if (k > pHi) pHi = k;
    }
  }
  if (pLo <= pHi) {
    const f = <i32>ld(s, POS + 5);
    qs_store_ensure(s, POS, pLo < f ? f : pLo, pHi < f ? f : pHi);
  }
  if (nLo <= nHi) {
    const f = <i32>ld(s, NEG + 5);
    qs_store_ensure(s, NEG, nLo < f ? f : nLo, nHi < f ? f : nHi);
  }
  const pf = <i32>ld(s, POS + 5);
  const pbase = <usize>ld(s, POS) - (<usize>(<i32>ld(s, POS + 1)) << 3);
  const nf = <i32>ld(s, NEG + 5);
  const nbase = <usize>ld(s, NEG) - (<usize>(<i32>ld(s, NEG + 1)) << 3);
  for (let j = 0; j < len; j++) {
    let k = load<i32>(keys + (<usize>j << 2));
    if (k == SKIP) continue;
    const neg = k >= NEG_MARK >> 1;
    k -= select<i32>(NEG_MARK, 0, neg);
    const f = select<i32>(nf, pf, neg);
    const a = select<usize>(nbase, pbase, neg) + (<usize>(k < f ? f : k) << 3);
    store<f64>(a, load<f64>(a) + 1.0);
  }
  st(s, ZERO, ld(s, ZERO) + <f64>zeros);
  if (stats) {
    st(s, REJ, ld(s, REJ) + <f64>rej);
    if (cnt > 0) {
      st(s, N, ld(s, N) + <f64>cnt);
      st(s, SUM, ld(s, SUM) + sum);
      if (mn < ld(s, MIN)) st(s, MIN, mn);
      if (mx > ld(s, MAX)) st(s, MAX, mx);
    }
  }
}

function bucketMany(s: usize, ptr: usize, len: i32, stats: bool): void {
  for (let off: i32 = 0; off < len; off += CHUNK) {
    bucketChunk(s, ptr + (<usize>off << 3), min(CHUNK, len - off), stats);
  }
}

function flushExact(s: usize): void {
  const xl = <i32>ld(s, XLEN);
  if (xl < 0) return;
  const xp = <usize>ld(s, XPTR);
  st(s, XLEN, -1);
  if (xp != 0) {
    bucketMany(s, xp, xl, false);
    heap.free(xp);
    st(s, XPTR, 0);
  }
}

/** Adds `len` values at ptr. */
export function qs_push(s: usize, ptr: usize, len: i32): void {
  let i: i32 = 0;
  if (ld(s, XLEN) >= 0) {
    const cap = <i32>ld(s, XCAP);
    let xl = <i32>ld(s, XLEN);
    let xp = <usize>ld(s, XPTR);
    let n = ld(s, N), sum = ld(s, SUM), mn = ld(s, MIN), mx = ld(s, MAX), rej = ld(s, REJ);
    let full = false;
    for (; i < len; i++) {
      const x = ld(ptr, i);
      if (!(x - x == 0)) {
        rej += 1;
        continue;
      }
      if (xl == cap) {
        full = true;
        break;
      }
      if (xp == 0) {
        xp = heap.alloc(<usize>cap << 3);
        st(s, XPTR, <f64>xp);
      }
      st(xp, xl, x);
      xl++;
      n += 1;
      sum += x;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
    st(s, XLEN, <f64>xl);
    st(s, N, n);
    st(s, SUM, sum);
    st(s, MIN, mn);
    st(s, MAX, mx);
    st(s, REJ, rej);
    if (!full) return;
    flushExact(s);
  }
  bucketMany(s, ptr + (<usize>i << 3), len - i, true);
}

function mergeStore(dst: usize, src: usize, b: i32): void {
  const smn = <i32>ld(src, b + 3);
  const smx = <i32>ld(src, b + 4);
  if (smn > smx || ld(src, b) == 0) return;
  let f = <i32>ld(dst, b + 5);
  qs_store_ensure(dst, b, smn < f ? f : smn, smx < f ? f : smx);
  f = <i32>ld(dst, b + 5);
  const doff = <i32>ld(dst, b + 1);
  const dptr = <usize>ld(dst, b);
  const soff = <i32>ld(src, b + 1);
  const sptr = <usize>ld(src, b);
  for (let k = smn; k <= smx; k++) {
    const c = load<f64>(sptr + (<usize>(k - soff) << 3));
    if (c != 0) {
      const nk = k < f ? f : k;
      const a = dptr + (<usize>(nk - doff) << 3);
      store<f64>(a, load<f64>(a) + c);
    }
  }
}

/** dst <- dst (+) src (same multiplier); src is unchanged. */
export function qs_merge(dst: usize, src: usize): void {
  st(dst, REJ, ld(dst, REJ) + ld(src, REJ));
  const sxl = <i32>ld(src, XLEN);
  if (sxl >= 0) {
    if (sxl > 0) qs_push(dst, <usize>ld(src, XPTR), sxl);
    return;
  }
  if (ld(src, N) == 0) return;
  flushExact(dst);
  st(dst, N, ld(dst, N) + ld(src, N));
  st(dst, SUM, ld(dst, SUM) + ld(src, SUM));
  st(dst, ZERO, ld(dst, ZERO) + ld(src, ZERO));
  if (ld(src, MIN) < ld(dst, MIN)) st(dst, MIN, ld(src, MIN));
  if (ld(src, MAX) > ld(dst, MAX)) st(dst, MAX, ld(src, MAX));
  mergeStore(dst, src, POS);
  mergeStore(dst, src, NEG);
}

/** Switches to bucket mode (used when restoring a bucketed state). */
export function qs_flush_exact(s: usize): void {
  flushExact(s);
}
