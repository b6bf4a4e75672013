// Streaming moments (count, mean, M2..M4, min, max) with exact pairwise merging.
//
// State block layout (f64 slots):
//   0 n        number of finite values
//   1 shift    a fixed origin (first finite value seen); all moments are kept
//              relative to it so the mean stays precise for data far from 0
//   2 meanD    mean - shift
//   3 M2       sum of squared deviations from the mean
//   4 M3       sum of cubed deviations
//   5 M4       sum of fourth-power deviations
//   6 min
//   7 max
//   8 rejected number of NaN / +-Infinity values skipped
//
// A pushed chunk is reduced in one SIMD pass to power sums about the current
// mean (so the power sums do not cancel), converted to central moments, and
// merged into the state with the Chan / Pebay pairwise formulas. A chunk that
// contains a non-finite value is detected from its (then non-finite) sums and
// re-run on a scalar path that skips and counts those values.

export const MOMENTS_SLOTS: i32 = 10;

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

export function moments_init(s: usize): void {
  st(s, 0, 0);
  st(s, 1, 0);
  st(s, 2, 0);
  st(s, 3, 0);
  st(s, 4, 0);
  st(s, 5, 0);
  st(s, 6, Infinity);
  st(s, 7, -Infinity);
  st(s, 8, 0);
  st(s, 9, 0);
}

// Merge a partial state (nb, mb relative to s.shift, M2b, M3b, M4b, min, max)
// into s. Pebay (2008) one-pass update for arbitrary-order central moments.
@inline function mergeInto(
  s: usize, nb: f64, mb: f64, m2b: f64, m3b: f64, m4b: f64, mnb: f64, mxb: f64,
): void {
  const na = ld(s, 0);
  if (nb == 0) return;
  if (na == 0) {
    st(s, 0, nb);
    st(s, 2, mb);
    st(s, 3, m2b);
    st(s, 4, m3b);
    st(s, 5, m4b);
    st(s, 6, mnb);
    st(s, 7, mxb);
    return;
  }
  const ma = ld(s, 2);
  const m2a = ld(s, 3);
  const m3a = ld(s, 4);
  const m4a = ld(s, 5);
  const n = na + nb;
  const delta = mb - ma;
  const dn = delta / n;
  const dn2 = dn * dn;
  const nanb = na * nb;
  const m2 = m2a + m2b + delta * dn * nanb;
  const m3 = m3a + m3b + delta * dn2 * nanb * (na - nb) + 3.0 * dn * (na * m2b - nb * m2a);
  const m4 =
    m4a + m4b +
    delta * dn2 * dn * nanb * (na * na - nanb + nb * nb) +
    6.0 * dn2 * (na * na * m2b + nb * nb * m2a) +
    4.0 * dn * (na * m3b - nb * m3a);
  st(s, 0, n);
  st(s, 2, ma + nb * dn);
  st(s, 3, m2);
  st(s, 4, m3);
  st(s, 5, m4);
  if (mnb < ld(s, 6)) st(s, 6, mnb);
  if (mxb > ld(s, 7)) st(s, 7, mxb);
}

// Reduce `len` f64 values at `ptr` into state `s`. Returns the number of
// non-finite values skipped.
export function moments_push(s: usize, ptr: usize, len: i32): i32 {
  if (len <= 0) return 0;
  let start: i32 = 0;
  let rejected: i32 = 0;
  if (ld(s, 0) == 0) {
    // Pick the origin: the first finite value of the stream.
    while (start < len) {
      const x = ld(ptr, start);
      if (x - x == 0) break;
      start++;
      rejected++;
    }
    if (start == len) {
      st(s, 8, ld(s, 8) + <f64>rejected);
      return rejected;
    }
    st(s, 1, ld(ptr, start));
    st(s, 2, 0);
  }
  const shift = ld(s, 1);
  const c = shift + ld(s, 2); // current mean: power sums are taken about it
  const cOff = c - shift;

  const cv = f64x2.splat(c);
  let s1a = f64x2.splat(0), s2a = f64x2.splat(0), s3a = f64x2.splat(0), s4a = f64x2.splat(0);
  let s1b = f64x2.splat(0), s2b = f64x2.splat(0), s3b = f64x2.splat(0), s4b = f64x2.splat(0);
  let mnv = f64x2.splat(Infinity), mxv = f64x2.splat(-Infinity);
  let i = start;
  // Align to 16 bytes for v128 loads (staging is aligned; start may be odd).
  let t1: f64 = 0, t2: f64 = 0, t3: f64 = 0, t4: f64 = 0;
  let mn: f64 = Infinity, mx: f64 = -Infinity;
  if ((i & 1) != 0 && i < len) {
    const x = ld(ptr, i);
    const d = x - c;
    const d2 = d * d;
    t1 += d; t2 += d2; t3 += d2 * d; t4 += d2 * d2;
    mn = x; mx = x;
    i++;
  }
  // Eight values per step: the four vectors' terms are added pairwise
  // before they reach the accumulators, so each accumulator takes one add per
  // step and the loop is bound by arithmetic throughput, not add latency
  // (16 accumulators would spill the 16 x64 vector registers).
  const end8 = i + ((len - i) & ~7);
  for (; i < end8; i += 8) {
    const p = ptr + (<usize>i << 3);
    const xa = v128.load(p);
    const xb = v128.load(p, 16);
    const xc = v128.load(p, 32);
    const xd = v128.load(p, 48);
    const da = f64x2.sub(xa, cv);
    const db = f64x2.sub(xb, cv);
    const dc = f64x2.sub(xc, cv);
    const dd = f64x2.sub(xd, cv);
    const da2 = f64x2.mul(da, da);
    const db2 = f64x2.mul(db, db);
    const dc2 = f64x2.mul(dc, dc);
    const dd2 = f64x2.mul(dd, dd);
    s1a = f64x2.add(s1a, f64x2.add(da, dc));
    s1b = f64x2.add(s1b, f64x2.add(db, dd));
    s2a = f64x2.add(s2a, f64x2.add(da2, dc2));
    s2b = f64x2.add(s2b, f64x2.add(db2, dd2));
    s3a = f64x2.add(s3a, f64x2.add(f64x2.mul(da2, da), f64x2.mul(dc2, dc)));
    s3b = f64x2.add(s3b, f64x2.add(f64x2.mul(db2, db), f64x2.mul(dd2, dd)));
    s4a = f64x2.add(s4a, f64x2.add(f64x2.mul(da2, da2), f64x2.mul(dc2, dc2)));
    s4b = f64x2.add(s4b, f64x2.add(f64x2.mul(db2, db2), f64x2.mul(dd2, dd2)));
    mnv = f64x2.pmin(mnv, f64x2.pmin(f64x2.pmin(xa, xb), f64x2.pmin(xc, xd)));
    mxv = f64x2.pmax(mxv, f64x2.pmax(f64x2.pmax(xa, xb), f64x2.pmax(xc, xd)));
  }
  const end4 = i + ((len - i) & ~3);
  for (; i < end4; i += 4) {
    const p = ptr + (<usize>i << 3);
    const xa = v128.load(p);
    const xb = v128.load(p, 16);
    const da = f64x2.sub(xa, cv);
    const db = f64x2.sub(xb, cv);
    const da2 = f64x2.mul(da, da);
    const db2 = f64x2.mul(db, db);
    s1a = f64x2.add(s1a, da);
    s1b = f64x2.add(s1b, db);
    s2a = f64x2.add(s2a, da2);
    s2b = f64x2.add(s2b, db2);
    s3a = f64x2.add(s3a, f64x2.mul(da2, da));
    s3b = f64x2.add(s3b, f64x2.mul(db2, db));
    s4a = f64x2.add(s4a, f64x2.mul(da2, da2));
    s4b = f64x2.add(s4b, f64x2.mul(db2, db2));
    mnv = f64x2.pmin(mnv, f64x2.pmin(xa, xb));
    mxv = f64x2.pmax(mxv, f64x2.pmax(xa, xb));
  }
  for (; i < len; i++) {
    const x = ld(ptr, i);
    const d = x - c;
    const d2 = d * d;
    t1 += d; t2 += d2; t3 += d2 * d; t4 += d2 * d2;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
  }
  const v1 = f64x2.add(s1a, s1b);
  const v2 = f64x2.add(s2a, s2b);
  const v3 = f64x2.add(s3a, s3b);
  const v4 = f64x2.add(s4a, s4b);
  let S1 = f64x2.extract_lane(v1, 0) + f64x2.extract_lane(v1, 1) + t1;
  let S2 = f64x2.extract_lane(v2, 0) + f64x2.extract_lane(v2, 1) + t2;
  let S3 = f64x2.extract_lane(v3, 0) + f64x2.extract_lane(v3, 1) + t3;
  let S4 = f64x2.extract_lane(v4, 0) + f64x2.extract_lane(v4, 1) + t4;
  let nb = <f64>(len - start);
  let m0 = f64x2.extract_lane(mnv, 0), m1 = f64x2.extract_lane(mnv, 1);
  if (m0 < mn) mn = m0;
  if (m1 < mn) mn = m1;
  m0 = f64x2.extract_lane(mxv, 0); m1 = f64x2.extract_lane(mxv, 1);
  if (m0 > mx) mx = m0;
  if (m1 > mx) mx = m1;

  const check = S1 + S4;
  if (!(check - check == 0)) {
    // Slow path: some value is NaN or infinite (or the power sums overflowed).
    S1 = 0; S2 = 0; S3 = 0; S4 = 0; nb = 0;
    mn = Infinity; mx = -Infinity;
    for (let j = start; j < len; j++) {
      const x = ld(ptr, j);
      if (!(x - x == 0)) {
        rejected++;
        continue;
      }
      const d = x - c;
      const d2 = d * d;
      S1 += d; S2 += d2; S3 += d2 * d; S4 += d2 * d2;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
      nb += 1;
    }
  }
  if (rejected > 0) st(s, 8, ld(s, 8) + <f64>rejected);
  if (nb == 0) return rejected;
  // Central moments of the chunk from power sums about c.
  const m = S1 / nb;
  const mm = m * m;
  let m2 = S2 - nb * mm;
  if (m2 < 0) m2 = 0;
  const m3 = S3 - 3.0 * m * S2 + 2.0 * nb * mm * m;
  let m4 = S4 - 4.0 * m * S3 + 6.0 * mm * S2 - 3.0 * nb * mm * mm;
  if (m4 < 0) m4 = 0;
  mergeInto(s, nb, cOff + m, m2, m3, m4, mn, mx);
  return rejected;
}

// dst <- dst (+) src, exact pairwise merge. src is left unchanged.
export function moments_merge(dst: usize, src: usize): void {
  st(dst, 8, ld(dst, 8) + ld(src, 8));
  const nb = ld(src, 0);
  if (nb == 0) return;
  if (ld(dst, 0) == 0) {
    st(dst, 1, ld(src, 1));
    st(dst, 2, ld(src, 2));
    mergeInto(dst, nb, ld(src, 2), ld(src, 3), ld(src, 4), ld(src, 5), ld(src, 6), ld(src, 7));
    return;
  }
  const mb = (ld(src, 1) - ld(dst, 1)) + ld(src, 2);
  mergeInto(dst, nb, mb, ld(src, 3), ld(src, 4), ld(src, 5), ld(src, 6), ld(src, 7));
}

/**
 * Plain sum of `len` f64 at `ptr` (8 independent v128 accumulators): the
 * memory-bandwidth ceiling the benchmarks compare `moments_push` with.
 */
export function sum_f64(ptr: usize, len: i32): f64 {
  let a = f64x2.splat(0), b = f64x2.splat(0), c = f64x2.splat(0), d = f64x2.splat(0);
  let i: i32 = 0;
  const end8 = len & ~7;
  for (; i < end8; i += 8) {
    const p = ptr + (<usize>i << 3);
    a = f64x2.add(a, v128.load(p));
    b = f64x2.add(b, v128.load(p, 16));
    c = f64x2.add(c, v128.load(p, 32));
    d = f64x2.add(d, v128.load(p, 48));
  }
  const v = f64x2.add(f64x2.add(a, b), f64x2.add(c, d));
  let sum = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  for (; i < len; i++) sum += ld(ptr, i);
  return sum;
}
