// Window aggregates: count-based sliding/tumbling windows (block two-stack).
// Time-based windows (panes) are in window-time.ts.
//
// Count windows of size w. Values are grouped in blocks of w. When a block is
// complete, its suffix aggregates (count, mean, M2, min, max of values j..w-1,
// by a backward Welford pass) are computed once; while the next block fills,
// a forward Welford aggregate of the new values is kept. The window ending at
// position j of the current block is suffix[j+1] of the previous block joined
// with the current prefix 0..j (Chan's pairwise formula): O(1) per value
// amortised, and every window statistic is computed from at most w fresh
// values, so rounding error never accumulates along the stream (no
// subtract-on-evict).
//
// Count state (f64 slots):
//   0 w  1 slide  2 j (values in the current block)  3 prevFull
//   4 bMean (bSum in cw_push_sums)  5 bM2  6 bMin  7 bMax  8 sinceEmit
//   9 rejected  10 seen  11 Kc  12 Kp (shifts, see cw_push)  13..15 unused; arrays from slot 16: cur[w], inv[w+1] (1/k),
//   sufMean[w+1], sufM2[w+1], sufMin[w+1], sufMax[w+1].
// Outputs (6 columns of `cap` values at `out`): count, sum, mean, variance
// (population), min, max; `flags` bit i enables column i.

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

export function cw_slots(w: i32): i32 {
  return 16 + w + 5 * (w + 1);
}

function cwArrays(s: usize, w: i32): usize {
  return s + (16 << 3);
}

export function cw_init(s: usize, w: i32, slide: i32): void {
  st(s, 0, <f64>w);
  st(s, 1, <f64>slide);
  st(s, 9, 0);
  st(s, 10, 0);
  cw_reset(s);
  const cur = cwArrays(s, w);
  const inv = cur + (<usize>w << 3);
  st(inv, 0, 0);
  for (let i = 1; i <= w; i++) st(inv, i, 1.0 / <f64>i);
}

export function cw_reset(s: usize): void {
  const w = <i32>ld(s, 0);
  st(s, 2, 0);
  st(s, 3, 0);
  st(s, 4, 0);
  st(s, 5, 0);
  st(s, 6, Infinity);
  st(s, 7, -Infinity);
  st(s, 8, 0);
  st(s, 9, 0);
  st(s, 10, 0);
  st(s, 11, 0);
  st(s, 12, 0);
  const suf = cwArrays(s, w) + (<usize>(2 * w + 1) << 3);
  for (let i = 0; i <= w; i++) {
    st(suf, i, 0);
    st(suf, i + (w + 1), 0);
    st(suf, i + 2 * (w + 1), Infinity);
    st(suf, i + 3 * (w + 1), -Infinity);
  }
}

/**
 * Pushes `len` values; writes one output row per emitted window (every
 * `slide` finite values; rows with count < w only if `partial`). Returns the
 * number of rows written (<= len / slide + 1, the caller sizes `out`).
 */
export function cw_push(s: usize, ptr: usize, len: i32, out: usize, cap: i32, flags: i32, partial: i32): i32 {
  const w = <i32>ld(s, 0);
  const slide = <i32>ld(s, 1);
  let j = <i32>ld(s, 2);
  let prevFull = <i32>ld(s, 3);
  let bm = ld(s, 4);
  let bM2 = ld(s, 5);
  let bmn = ld(s, 6);
  let bmx = ld(s, 7);
  let since = <i32>ld(s, 8);
  let rej: i32 = 0;
  let seen: i32 = 0;
  // Aggregates are kept relative to a shift that is a member of the window:
  // Kc, the first value of the current block, and Kp, the last value of the
  // previous block, so precision follows the window's spread, not its offset.
  let Kc = ld(s, 11);
  let Kp = ld(s, 12);
  const cur = cwArrays(s, w);
  const inv = cur + (<usize>w << 3);
  const sMean = inv + (<usize>(w + 1) << 3);
  const sM2 = sMean + (<usize>(w + 1) << 3);
  const sMin = sM2 + (<usize>(w + 1) << 3);
  const sMax = sMin + (<usize>(w + 1) << 3);
  const oCount = out;
  const oSum = out + (<usize>cap << 3);
  const oMean = oSum + (<usize>cap << 3);
  const oVar = oMean + (<usize>cap << 3);
  const oMin = oVar + (<usize>cap << 3);
  const oMax = oMin + (<usize>cap << 3);
  let o: i32 = 0;
  const invW = ld(inv, w);
  for (let i = 0; i < len; i++) {
    const x = ld(ptr, i);
    if (!(x - x == 0)) {
      rej++;
      continue;
    }
    seen++;
    if (j == w) {
      // Block complete: suffix aggregates of it (backward Welford).
      let m: f64 = 0, M2: f64 = 0, mn: f64 = Infinity, mx: f64 = -Infinity;
      Kp = ld(cur, w - 1);
      for (let q = w - 1; q >= 0; q--) {
        const raw = ld(cur, q);
        const v = raw - Kp;
        const d = v - m;
        m += d * ld(inv, w - q);
        M2 += d * (v - m);
        mn = raw < mn ? raw : mn;
        mx = raw > mx ? raw : mx;
        st(sMean, q, m);
        st(sM2, q, M2);
        st(sMin, q, mn);
        st(sMax, q, mx);
      }
      prevFull = 1;
      j = 0;
      bm = 0;
      bM2 = 0;
      bmn = Infinity;
      bmx = -Infinity;
    }
    if (j == 0) Kc = x;
    st(cur, j, x);
    j++;
    const xs = x - Kc;
    const d = xs - bm;
    bm += d * ld(inv, j);
    bM2 += d * (xs - bm);
    bmn = x < bmn ? x : bmn;
    bmx = x > bmx ? x : bmx;
    since++;
    if (since == slide) {
      since = 0;
      const na = prevFull ? w - j : 0;
      const n = na + j;
      if (partial == 0 && n < w) continue;
      const fm = ld(sMean, j);
      let delta = (Kc - Kp) + (bm - fm);
      const nbOverN = <f64>j * (prevFull ? invW : ld(inv, j));
      let mean = Kp + (fm + delta * nbOverN);
      if (na == 0) {
        // Only the current block: its own shift (Kp is outside the window).
        delta = 0;
        mean = Kc + bm;
      }
      const fmn = ld(sMin, j);
      const fmx = ld(sMax, j);
      const mn = fmn < bmn ? fmn : bmn;
      const mx = fmx > bmx ? fmx : bmx;
      if (flags & 1) st(oCount, o, <f64>n);
      if (flags & 2) st(oSum, o, mean * <f64>n);
      if (flags & 4) st(oMean, o, mean);
      if (flags & 8) {
        const M2 = ld(sM2, j) + bM2 + delta * delta * <f64>na * nbOverN;
        const v = M2 * (prevFull ? invW : ld(inv, j));
        st(oVar, o, v > 0 ? v : 0);
      }
      if (flags & 16) st(oMin, o, mn);
      if (flags & 32) st(oMax, o, mx);
      o++;
    }
  }
  st(s, 11, Kc);
  st(s, 12, Kp);
  st(s, 2, <f64>j);
  st(s, 3, <f64>prevFull);
  st(s, 4, bm);
  st(s, 5, bM2);
  st(s, 6, bmn);
  st(s, 7, bmx);
  st(s, 8, <f64>since);
  st(s, 9, ld(s, 9) + <f64>rej);
  st(s, 10, ld(s, 10) + <f64>seen);
  return o;
}

/**
 * Suffix sum / min / max of a completed block `cur[0..w)` (cw_push_sums).
 * Four values per step: the loop-carried sum takes one add per four values
 * (the partial sums hang off it), so the pass is not bound by add latency.
 */
@inline function blockSuffixSums(cur: usize, w: i32, sSum: usize, sMin: usize, sMax: usize): void {
  let sm: f64 = 0, mn: f64 = Infinity, mx: f64 = -Infinity;
  let q = w - 1;
  for (let r = w & 3; r > 0; r--, q--) {
    const v = ld(cur, q);
    sm += v;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    st(sSum, q, sm);
    st(sMin, q, mn);
    st(sMax, q, mx);
  }
  // q + 1 is now a multiple of 4: groups cur[q-3..q]. Running min / max
  // stay in v128 registers (pmin/pmax keep the later-index value on ties,
  // like the scalar `v < mn ? v : mn`).
  let M = f64x2.splat(mn);
  let X = f64x2.splat(mx);
  for (; q > 0; q -= 4) {
    const a = at(cur, q - 3);
    const v3 = load<f64>(a, 24);
    const v2 = load<f64>(a, 16);
    const v1 = load<f64>(a, 8);
    const v0 = load<f64>(a);
    const t32 = v3 + v2;
    const s3 = sm + v3;
    const s2 = sm + t32;
    const s1 = s2 + v1;
    sm += t32 + (v1 + v0);
    v128.store(at(sSum, q - 3), f64x2.replace_lane(f64x2.splat(sm), 1, s1));
    v128.store(at(sSum, q - 1), f64x2.replace_lane(f64x2.splat(s2), 1, s3));
    const V01 = v128.load(a);
    const V23 = v128.load(a, 16);
    // (min(v2, v3), v3) and (min(v0, v1), v1), then the group's suffix mins.
    const n23 = f64x2.pmin(v128.shuffle<f64>(V23, V23, 1, 1), V23);
    const n01 = f64x2.pmin(v128.shuffle<f64>(n23, n23, 0, 0), f64x2.pmin(v128.shuffle<f64>(V01, V01, 1, 1), V01));
    const N23 = f64x2.pmin(M, n23);
    const N01 = f64x2.pmin(M, n01);
    M = v128.shuffle<f64>(N01, N01, 0, 0);
    v128.store(at(sMin, q - 3), N01);
    v128.store(at(sMin, q - 1), N23);
    const x23 = f64x2.pmax(v128.shuffle<f64>(V23, V23, 1, 1), V23);
    const x01 = f64x2.pmax(v128.shuffle<f64>(x23, x23, 0, 0), f64x2.pmax(v128.shuffle<f64>(V01, V01, 1, 1), V01));
    const X23 = f64x2.pmax(X, x23);
    const X01 = f64x2.pmax(X, x01);
    X = v128.shuffle<f64>(X01, X01, 0, 0);
    v128.store(at(sMax, q - 3), X01);
    v128.store(at(sMax, q - 1), X23);
  }
}

/**
 * Same contract as cw_push for outputs without variance (flags & 8 == 0):
 * plain sums instead of Welford aggregates (still no subtract-on-evict: each
 * window sum adds one fresh block suffix and one fresh prefix, so the error
 * is bounded by ~w ulps of the window's absolute sum and never accumulates).
 * Uses the sufMean array for suffix sums and bMean for the prefix sum.
 */
export function cw_push_sums(s: usize, ptr: usize, len: i32, out: usize, cap: i32, flags: i32, partial: i32): i32 {
  const w = <i32>ld(s, 0);
  const slide = <i32>ld(s, 1);
  let j = <i32>ld(s, 2);
  let prevFull = <i32>ld(s, 3);
  let bs = ld(s, 4);
  let bmn = ld(s, 6);
  let bmx = ld(s, 7);
  let since = <i32>ld(s, 8);
  let rej: i32 = 0;
  let seen: i32 = 0;
  const cur = cwArrays(s, w);
  const inv = cur + (<usize>w << 3);
  const sSum = inv + (<usize>(w + 1) << 3);
  const sMin = sSum + (<usize>(2 * (w + 1)) << 3);
  const sMax = sMin + (<usize>(w + 1) << 3);
  const oCount = out;
  const oSum = out + (<usize>cap << 3);
  const oMean = oSum + (<usize>cap << 3);
  const oMin = oMean + (<usize>(2 * cap) << 3);
  const oMax = oMin + (<usize>cap << 3);
  const invW = ld(inv, w);
  let o: i32 = 0;
  // Clean chunk (no NaN/Inf), one row per value: tight loop per block run.
  let clean = slide == 1 && (partial != 0 || prevFull != 0);
  if (clean) {
    let acc = f64x2.splat(0);
    const e2 = len & ~1;
    for (let i = 0; i < e2; i += 2) acc = f64x2.add(acc, f64x2.mul(v128.load(ptr + (<usize>i << 3)), f64x2.splat(0)));
    let z = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (len & 1) z += ld(ptr, len - 1) * 0;
    clean = z == 0;
  }
  if (clean) {
    let i: i32 = 0;
    while (i < len) {
      if (j == w) {
        blockSuffixSums(cur, w, sSum, sMin, sMax);
        prevFull = 1;
        j = 0;
        bs = 0;
        bmn = Infinity;
        bmx = -Infinity;
      }
      const run = min(len - i, w - j);
      if (prevFull) {
        // Two rows per step: scalar prefix chains (the same order, so the
        // same sums, as one row at a time), v128 loads of the previous
        // block's suffixes and v128 stores of the requested columns only.
        memory.copy(at(cur, j), at(ptr, i), <usize>run << 3);
        const invWv = f64x2.splat(invW);
        let r: i32 = 0;
        let BN = f64x2.splat(bmn);
        let BX = f64x2.splat(bmx);
        for (; r + 3 < run; r += 4) {
          const xp = at(ptr, i + r);
          const x0 = load<f64>(xp);
          const x1 = load<f64>(xp, 8);
          const x2 = load<f64>(xp, 16);
          const x3 = load<f64>(xp, 24);
          const t01 = x0 + x1;
          const p0 = bs + x0;
          const p1 = bs + t01;
          const p2 = p1 + x2;
          bs += t01 + (x2 + x3);
          const q = j + r + 1;
          const oo = <usize>(o + r) << 3;
          const sa = f64x2.add(v128.load(at(sSum, q)), f64x2.replace_lane(f64x2.splat(p0), 1, p1));
          const sb = f64x2.add(v128.load(at(sSum, q + 2)), f64x2.replace_lane(f64x2.splat(p2), 1, bs));
          if (flags & 2) {
            v128.store(oSum + oo, sa);
            v128.store(oSum + oo, sb, 16);
          }
          if (flags & 4) {
            v128.store(oMean + oo, f64x2.mul(sa, invWv));
            v128.store(oMean + oo, f64x2.mul(sb, invWv), 16);
          }
          // Prefix min / max of the group in v128 registers (pmin/pmax keep
          // the earlier value on ties, like the scalar `x < bmn ? x : bmn`).
          const V01 = v128.load(xp);
          const V23 = v128.load(xp, 16);
          const n01 = f64x2.pmin(v128.shuffle<f64>(V01, V01, 0, 0), V01);
          const n23 = f64x2.pmin(v128.shuffle<f64>(n01, n01, 1, 1), f64x2.pmin(v128.shuffle<f64>(V23, V23, 0, 0), V23));
          const N01 = f64x2.pmin(BN, n01);
          const N23 = f64x2.pmin(BN, n23);
          BN = v128.shuffle<f64>(N23, N23, 1, 1);
          const m01 = f64x2.pmax(v128.shuffle<f64>(V01, V01, 0, 0), V01);
          const m23 = f64x2.pmax(v128.shuffle<f64>(m01, m01, 1, 1), f64x2.pmax(v128.shuffle<f64>(V23, V23, 0, 0), V23));
          const X01 = f64x2.pmax(BX, m01);
          const X23 = f64x2.pmax(BX, m23);
          BX = v128.shuffle<f64>(X23, X23, 1, 1);
          if (flags & 16) {
            v128.store(oMin + oo, f64x2.pmin(N01, v128.load(at(sMin, q))));
            v128.store(oMin + oo, f64x2.pmin(N23, v128.load(at(sMin, q + 2))), 16);
          }
          if (flags & 32) {
            v128.store(oMax + oo, f64x2.pmax(X01, v128.load(at(sMax, q))));
            v128.store(oMax + oo, f64x2.pmax(X23, v128.load(at(sMax, q + 2))), 16);
          }
        }
        bmn = f64x2.extract_lane(BN, 0);
        bmx = f64x2.extract_lane(BX, 0);
        for (; r < run; r++) {
          const x = ld(ptr, i + r);
          bs += x;
          bmn = x < bmn ? x : bmn;
          bmx = x > bmx ? x : bmx;
          const sum = ld(sSum, j + r + 1) + bs;
          const fmn = ld(sMin, j + r + 1);
          const fmx = ld(sMax, j + r + 1);
          st(oSum, o + r, sum);
          st(oMean, o + r, sum * invW);
          st(oMin, o + r, fmn < bmn ? fmn : bmn);
          st(oMax, o + r, fmx > bmx ? fmx : bmx);
        }
        if (flags & 1) for (let r = 0; r < run; r++) st(oCount, o + r, <f64>w);
      } else {
        for (let r = 0; r < run; r++) {
          const x = ld(ptr, i + r);
          st(cur, j + r, x);
          bs += x;
          bmn = x < bmn ? x : bmn;
          bmx = x > bmx ? x : bmx;
          st(oCount, o + r, <f64>(j + r + 1));
          st(oSum, o + r, bs);
          st(oMean, o + r, bs * ld(inv, j + r + 1));
          st(oMin, o + r, bmn);
          st(oMax, o + r, bmx);
        }
      }
      i += run;
      j += run;
      o += run;
    }
    seen = len;
  } else {
    const every = slide == 1 && (partial != 0 || prevFull != 0);
    for (let i = 0; i < len; i++) {
      const x = ld(ptr, i);
      if (!(x - x == 0)) {
        rej++;
        continue;
      }
      seen++;
      if (j == w) {
        blockSuffixSums(cur, w, sSum, sMin, sMax);
        prevFull = 1;
        j = 0;
        bs = 0;
        bmn = Infinity;
        bmx = -Infinity;
      }
      st(cur, j, x);
      j++;
      bs += x;
      bmn = x < bmn ? x : bmn;
      bmx = x > bmx ? x : bmx;
      if (!every) {
        since++;
        if (since != slide) continue;
        since = 0;
        if (partial == 0 && prevFull == 0 && j < w) continue;
      }
      const sum = ld(sSum, j) + bs;
      const fmn = ld(sMin, j);
      const fmx = ld(sMax, j);
      if (flags & 1) st(oCount, o, prevFull ? <f64>w : <f64>j);
      if (flags & 2) st(oSum, o, sum);
      if (flags & 4) st(oMean, o, sum * (prevFull ? invW : ld(inv, j)));
      if (flags & 16) st(oMin, o, fmn < bmn ? fmn : bmn);
      if (flags & 32) st(oMax, o, fmx > bmx ? fmx : bmx);
      o++;
    }
  }
  st(s, 2, <f64>j);
  st(s, 3, <f64>prevFull);
  st(s, 4, bs);
  st(s, 6, bmn);
  st(s, 7, bmx);
  st(s, 8, <f64>since);
  st(s, 9, ld(s, 9) + <f64>rej);
  st(s, 10, ld(s, 10) + <f64>seen);
  return o;
}
