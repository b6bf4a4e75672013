// Streaming co-moments of paired values (x, y): count, means, Sxx, Syy, Sxy.
//
// State block layout (f64 slots):
//   0 n         number of finite pairs
//   1 shiftX    fixed origins (first finite pair) so means stay precise
//   2 shiftY
//   3 meanDX    mean(x) - shiftX
//   4 meanDY    mean(y) - shiftY
//   5 Sxx       sum of squared deviations of x
//   6 Syy       sum of squared deviations of y
//   7 Sxy       sum of cross deviations
//   8 rejected  pairs with a NaN / +-Infinity, skipped
//
// A chunk is reduced in one SIMD pass to sums of deviations about the current
// means, converted to central co-moments and merged with Chan's formulas.

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

export function bivar_init(s: usize): void {
  for (let i = 0; i < 10; i++) st(s, i, 0);
}

@inline function mergeInto(
  s: usize, nb: f64, mxb: f64, myb: f64, sxxb: f64, syyb: f64, sxyb: f64,
): void {
  if (nb == 0) return;
  const na = ld(s, 0);
  if (na == 0) {
    st(s, 0, nb);
    st(s, 3, mxb);
    st(s, 4, myb);
    st(s, 5, sxxb);
    st(s, 6, syyb);
    st(s, 7, sxyb);
    return;
  }
  const n = na + nb;
  const dx = mxb - ld(s, 3);
  const dy = myb - ld(s, 4);
  const f = (na * nb) / n;
  st(s, 0, n);
  st(s, 3, ld(s, 3) + dx * (nb / n));
  st(s, 4, ld(s, 4) + dy * (nb / n));
  st(s, 5, ld(s, 5) + sxxb + dx * dx * f);
  st(s, 6, ld(s, 6) + syyb + dy * dy * f);
  st(s, 7, ld(s, 7) + sxyb + dx * dy * f);
}

// Reduce `len` pairs (x at px, y at py) into state s.
export function bivar_push(s: usize, px: usize, py: usize, len: i32): i32 {
  if (len <= 0) return 0;
  let start: i32 = 0;
  if (ld(s, 0) == 0) {
    while (start < len) {
      const x = ld(px, start);
      const y = ld(py, start);
      if (x - x == 0 && y - y == 0) break;
      start++;
    }
    if (start == len) {
      st(s, 8, ld(s, 8) + <f64>len);
      return len;
    }
    st(s, 1, ld(px, start));
    st(s, 2, ld(py, start));
    st(s, 3, 0);
    st(s, 4, 0);
  }
  const rejectedLead = start;
  const shx = ld(s, 1);
  const shy = ld(s, 2);
  const cx = shx + ld(s, 3);
  const cy = shy + ld(s, 4);
  const cxv = f64x2.splat(cx);
  const cyv = f64x2.splat(cy);
  let ax = f64x2.splat(0), ay = f64x2.splat(0), axx = f64x2.splat(0), ayy = f64x2.splat(0), axy = f64x2.splat(0);
  let bx = f64x2.splat(0), by = f64x2.splat(0), bxx = f64x2.splat(0), byy = f64x2.splat(0), bxy = f64x2.splat(0);
  let i = start;
  let tx: f64 = 0, ty: f64 = 0, txx: f64 = 0, tyy: f64 = 0, txy: f64 = 0;
  if ((i & 1) != 0 && i < len) {
    const dx = ld(px, i) - cx;
    const dy = ld(py, i) - cy;
    tx += dx; ty += dy; txx += dx * dx; tyy += dy * dy; txy += dx * dy;
    i++;
  }
  const end4 = i + ((len - i) & ~3);
  for (; i < end4; i += 4) {
    const o = <usize>i << 3;
    const x0 = f64x2.sub(v128.load(px + o), cxv);
    const x1 = f64x2.sub(v128.load(px + o, 16), cxv);
    const y0 = f64x2.sub(v128.load(py + o), cyv);
    const y1 = f64x2.sub(v128.load(py + o, 16), cyv);
    ax = f64x2.add(ax, x0);
    bx = f64x2.add(bx, x1);
    ay = f64x2.add(ay, y0);
    by = f64x2.add(by, y1);
    axx = f64x2.add(axx, f64x2.mul(x0, x0));
    bxx = f64x2.add(bxx, f64x2.mul(x1, x1));
    ayy = f64x2.add(ayy, f64x2.mul(y0, y0));
    byy = f64x2.add(byy, f64x2.mul(y1, y1));
    axy = f64x2.add(axy, f64x2.mul(x0, y0));
    bxy = f64x2.add(bxy, f64x2.mul(x1, y1));
  }
  for (; i < len; i++) {
    const dx = ld(px, i) - cx;
    const dy = ld(py, i) - cy;
    tx += dx; ty += dy; txx += dx * dx; tyy += dy * dy; txy += dx * dy;
  }
  ax = f64x2.add(ax, bx);
  ay = f64x2.add(ay, by);
  axx = f64x2.add(axx, bxx);
  ayy = f64x2.add(ayy, byy);
  axy = f64x2.add(axy, bxy);
  let sx = tx + f64x2.extract_lane(ax, 0) + f64x2.extract_lane(ax, 1);
  let sy = ty + f64x2.extract_lane(ay, 0) + f64x2.extract_lane(ay, 1);
  let sxx = txx + f64x2.extract_lane(axx, 0) + f64x2.extract_lane(axx, 1);
  let syy = tyy + f64x2.extract_lane(ayy, 0) + f64x2.extract_lane(ayy, 1);
  let sxy = txy + f64x2.extract_lane(axy, 0) + f64x2.extract_lane(axy, 1);
  let nb: f64 = <f64>(len - start);
  let rejected: i32 = rejectedLead;
  if (!(sxx - sxx == 0 && syy - syy == 0 && sxy - sxy == 0)) {
    // A non-finite value in the chunk: redo on a scalar path that skips it.
    sx = 0; sy = 0; sxx = 0; syy = 0; sxy = 0; nb = 0;
    for (let j = start; j < len; j++) {
      const x = ld(px, j);
      const y = ld(py, j);
      if (!(x - x == 0 && y - y == 0)) {
        rejected++;
        continue;
      }
      const dx = x - cx;
      const dy = y - cy;
      sx += dx; sy += dy; sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
      nb += 1;
    }
  }
  if (nb > 0) {
    const mx = sx / nb;
    const my = sy / nb;
    // central co-moments of the chunk, means relative to the shift
    mergeInto(
      s, nb,
      cx - shx + mx, cy - shy + my,
      sxx - sx * mx, syy - sy * my, sxy - sx * my,
    );
  }
  st(s, 8, ld(s, 8) + <f64>rejected);
  return rejected;
}

export function bivar_merge(dst: usize, src: usize): void {
  const nb = ld(src, 0);
  if (nb > 0) {
    if (ld(dst, 0) == 0) {
      st(dst, 1, ld(src, 1));
      st(dst, 2, ld(src, 2));
    }
    const mxb = ld(src, 1) + ld(src, 3) - ld(dst, 1);
    const myb = ld(src, 2) + ld(src, 4) - ld(dst, 2);
    mergeInto(dst, nb, mxb, myb, ld(src, 5), ld(src, 6), ld(src, 7));
  }
  st(dst, 8, ld(dst, 8) + ld(src, 8));
}

// ---------------------------------------------------------------- univariate mean / M2
// State block (f64 slots): 0 n, 1 shift, 2 meanD, 3 M2, 4 rejected.
// Lighter than the Moments kernel (no M3/M4/min/max) for t tests on big batches.

export function univar_init(s: usize): void {
  for (let i = 0; i < 6; i++) st(s, i, 0);
}

export function univar_push(s: usize, p: usize, len: i32): i32 {
  if (len <= 0) return 0;
  let start: i32 = 0;
  if (ld(s, 0) == 0) {
    while (start < len) {
      const x = ld(p, start);
      if (x - x == 0) break;
      start++;
    }
    if (start == len) {
      st(s, 4, ld(s, 4) + <f64>len);
      return len;
    }
    st(s, 1, ld(p, start));
    st(s, 2, 0);
  }
  const shift = ld(s, 1);
  const c = shift + ld(s, 2);
  const cv = f64x2.splat(c);
  let a1 = f64x2.splat(0), a2 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0);
  let c1 = f64x2.splat(0), c2 = f64x2.splat(0), d1 = f64x2.splat(0), d2 = f64x2.splat(0);
  let i = start;
  let t1: f64 = 0, t2: f64 = 0;
  if ((i & 1) != 0 && i < len) {
    const d = ld(p, i) - c;
    t1 += d; t2 += d * d;
    i++;
  }
  const end8 = i + ((len - i) & ~7);
  for (; i < end8; i += 8) {
    const q = p + (<usize>i << 3);
    const x0 = f64x2.sub(v128.load(q), cv);
    const x1 = f64x2.sub(v128.load(q, 16), cv);
    const x2 = f64x2.sub(v128.load(q, 32), cv);
    const x3 = f64x2.sub(v128.load(q, 48), cv);
    a1 = f64x2.add(a1, x0);
    b1 = f64x2.add(b1, x1);
    c1 = f64x2.add(c1, x2);
    d1 = f64x2.add(d1, x3);
    a2 = f64x2.add(a2, f64x2.mul(x0, x0));
    b2 = f64x2.add(b2, f64x2.mul(x1, x1));
    c2 = f64x2.add(c2, f64x2.mul(x2, x2));
    d2 = f64x2.add(d2, f64x2.mul(x3, x3));
  }
  for (; i < len; i++) {
    const d = ld(p, i) - c;
    t1 += d; t2 += d * d;
  }
  a1 = f64x2.add(f64x2.add(a1, b1), f64x2.add(c1, d1));
  a2 = f64x2.add(f64x2.add(a2, b2), f64x2.add(c2, d2));
  let s1 = t1 + f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  let s2 = t2 + f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
  let nb: f64 = <f64>(len - start);
  let rejected: i32 = start;
  if (!(s2 - s2 == 0)) {
    s1 = 0; s2 = 0; nb = 0;
    for (let j = start; j < len; j++) {
      const x = ld(p, j);
      if (!(x - x == 0)) {
        rejected++;
        continue;
      }
      const d = x - c;
      s1 += d; s2 += d * d;
      nb += 1;
    }
  }
  if (nb > 0) {
    const m = s1 / nb;
    const mb = c - shift + m; // chunk mean relative to shift
    const m2b = s2 - s1 * m;
    const na = ld(s, 0);
    if (na == 0) {
      st(s, 0, nb);
      st(s, 2, mb);
      st(s, 3, m2b);
    } else {
      const n = na + nb;
      const delta = mb - ld(s, 2);
      st(s, 0, n);
      st(s, 2, ld(s, 2) + delta * (nb / n));
      st(s, 3, ld(s, 3) + m2b + delta * delta * (na * nb / n));
    }
  }
  st(s, 4, ld(s, 4) + <f64>rejected);
  return rejected;
}

// Residual sum of squares of ((y - my) - b (x - mx)) over `len` pairs: the
// second pass simple regression takes when R² is so close to 1 that
// Syy - b Sxy would cancel.
export function bivar_rss(px: usize, py: usize, len: i32, mx: f64, my: f64, b: f64): f64 {
  const mxv = f64x2.splat(mx);
  const myv = f64x2.splat(my);
  const bv = f64x2.splat(b);
  let acc = f64x2.splat(0);
  let acc2 = f64x2.splat(0);
  let i: i32 = 0;
  const end4 = len & ~3;
  for (; i < end4; i += 4) {
    const o = <usize>i << 3;
    const r0 = f64x2.sub(f64x2.sub(v128.load(py + o), myv), f64x2.mul(bv, f64x2.sub(v128.load(px + o), mxv)));
    const r1 = f64x2.sub(f64x2.sub(v128.load(py + o, 16), myv), f64x2.mul(bv, f64x2.sub(v128.load(px + o, 16), mxv)));
    acc = f64x2.add(acc, f64x2.mul(r0, r0));
    acc2 = f64x2.add(acc2, f64x2.mul(r1, r1));
  }
  let s: f64 = 0;
  for (; i < len; i++) {
    const r = (ld(py, i) - my) - b * (ld(px, i) - mx);
    s += r * r;
  }
  acc = f64x2.add(acc, acc2);
  return s + f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
