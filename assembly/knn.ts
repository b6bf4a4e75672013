// Exact k-nearest neighbours (Euclidean) by brute force, for the Local Outlier
// Factor. Squared distances are summed in f64 (two lanes at a time when d is
// even) and the k best candidates of each query are kept sorted by
// (distance, index), so ties resolve to the lower reference index.

/**
 * For each of the `m` query rows at `q` (row-major, `d` columns) finds the `k`
 * nearest of the `n` reference rows at `r`. Writes distances (sqrt) to
 * `outD` (m x k f64) and indices to `outI` (m x k i32). When `selfOffset` >= 0
 * the queries are reference rows `selfOffset + i`: k + 1 neighbours are found
 * and the query's own row is dropped (or, if it is not among them because of
 * more than k duplicates, the first one), as scikit-learn's kneighbors() does.
 * `bufD`/`bufI` hold 4 * (k + 1) scratch entries.
 */
// Inserts (s, j) into the sorted candidate list of length kk at (bd, bi)
// holding `filled` entries; returns the new fill count.
@inline function insert(bd: usize, bi: usize, filled: i32, kk: i32, s: f64, j: i32): i32 {
  let pos = filled < kk ? filled : kk - 1;
  while (pos > 0 && load<f64>(bd + (<usize>(pos - 1) << 3)) > s) {
    store<f64>(bd + (<usize>pos << 3), load<f64>(bd + (<usize>(pos - 1) << 3)));
    store<i32>(bi + (<usize>pos << 2), load<i32>(bi + (<usize>(pos - 1) << 2)));
    pos--;
  }
  store<f64>(bd + (<usize>pos << 3), s);
  store<i32>(bi + (<usize>pos << 2), j);
  return filled < kk ? filled + 1 : filled;
}

@inline function sqdist(a: usize, b: usize, pairs: i32, d: i32): f64 {
  let acc = f64x2.splat(0);
  for (let c = 0; c < pairs; c++) {
    const off = <usize>c << 4;
    const diff = f64x2.sub(v128.load(a + off), v128.load(b + off));
    acc = f64x2.add(acc, f64x2.mul(diff, diff));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (d & 1) {
    const t = load<f64>(a + (<usize>(d - 1) << 3)) - load<f64>(b + (<usize>(d - 1) << 3));
    s += t * t;
  }
  return s;
}

/** Candidate lists of four queries at once (bufD/bufI hold 4 * (k + 1) entries). */
function block4(r: usize, n: i32, d: i32, q: usize, kk: i32, bufD: usize, bufI: usize): void {
  const rowBytes = <usize>d << 3;
  const pairs = d >> 1;
  const q0 = q, q1 = q + rowBytes, q2 = q1 + rowBytes, q3 = q2 + rowBytes;
  const stride = <usize>kk;
  const d0 = bufD, d1 = bufD + (stride << 3), d2 = bufD + (stride << 4), d3 = bufD + stride * 24;
  const i0 = bufI, i1 = bufI + (stride << 2), i2 = bufI + (stride << 3), i3 = bufI + stride * 12;
  let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
  let w0: f64 = Infinity, w1: f64 = Infinity, w2: f64 = Infinity, w3: f64 = Infinity;
  const last = <usize>(kk - 1) << 3;
  for (let j = 0; j < n; j++) {
    const rr = r + <usize>j * rowBytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (let c = 0; c < pairs; c++) {
      const off = <usize>c << 4;
      const rv = v128.load(rr + off);
      const e0 = f64x2.sub(v128.load(q0 + off), rv);
      const e1 = f64x2.sub(v128.load(q1 + off), rv);
      const e2 = f64x2.sub(v128.load(q2 + off), rv);
      const e3 = f64x2.sub(v128.load(q3 + off), rv);
      a0 = f64x2.add(a0, f64x2.mul(e0, e0));
      a1 = f64x2.add(a1, f64x2.mul(e1, e1));
      a2 = f64x2.add(a2, f64x2.mul(e2, e2));
      a3 = f64x2.add(a3, f64x2.mul(e3, e3));
    }
    let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
    let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
    let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
    if (d & 1) {
      const lo = <usize>(d - 1) << 3;
      const rl = load<f64>(rr + lo);
      const t0 = load<f64>(q0 + lo) - rl, t1 = load<f64>(q1 + lo) - rl;
      const t2 = load<f64>(q2 + lo) - rl, t3 = load<f64>(q3 + lo) - rl;
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    if (s0 < w0 || f0 < kk) {
      f0 = insert(d0, i0, f0, kk, s0, j);
      if (f0 == kk) w0 = load<f64>(d0 + last);
    }
    if (s1 < w1 || f1 < kk) {
      f1 = insert(d1, i1, f1, kk, s1, j);
      if (f1 == kk) w1 = load<f64>(d1 + last);
    }
    if (s2 < w2 || f2 < kk) {
      f2 = insert(d2, i2, f2, kk, s2, j);
      if (f2 == kk) w2 = load<f64>(d2 + last);
    }
    if (s3 < w3 || f3 < kk) {
      f3 = insert(d3, i3, f3, kk, s3, j);
      if (f3 == kk) w3 = load<f64>(d3 + last);
    }
  }
}

export function knn_query(
  r: usize,
  n: i32,
  d: i32,
  q: usize,
  m: i32,
  k: i32,
  selfOffset: i32,
  outD: usize,
  outI: usize,
  bufD: usize,
  bufI: usize,
): void {
  const kk = selfOffset >= 0 ? k + 1 : k;
  const rowBytes = <usize>d << 3;
  const pairs = d >> 1;
  for (let qb = 0; qb < m; qb += 4) {
    const cnt = m - qb < 4 ? m - qb : 4;
    if (cnt == 4) {
      block4(r, n, d, q + <usize>qb * rowBytes, kk, bufD, bufI);
    } else {
      for (let u = 0; u < cnt; u++) {
        const qrow = q + <usize>(qb + u) * rowBytes;
        const bd = bufD + ((<usize>u * <usize>kk) << 3);
        const bi = bufI + ((<usize>u * <usize>kk) << 2);
        let filled = 0;
        let worst: f64 = Infinity;
        for (let j = 0; j < n; j++) {
          const s = sqdist(qrow, r + <usize>j * rowBytes, pairs, d);
          if (s < worst || filled < kk) {
            filled = insert(bd, bi, filled, kk, s, j);
            if (filled == kk) worst = load<f64>(bd + (<usize>(kk - 1) << 3));
          }
        }
      }
    }
    for (let u = 0; u < cnt; u++) {
      const qi = qb + u;
      const cd = bufD + ((<usize>u * <usize>kk) << 3);
      const ci = bufI + ((<usize>u * <usize>kk) << 2);
    // copy out, dropping self when asked
    let skip = -1;
    if (selfOffset >= 0) {
      skip = 0;
      const self = selfOffset + qi;
      for (let t = 0; t < kk; t++) {
        if (load<i32>(ci + (<usize>t << 2)) == self) {
          skip = t;
          break;
        }
      }
    }
    let o = 0;
    const dBase = outD + ((<usize>qi * <usize>k) << 3);
    const iBase = outI + ((<usize>qi * <usize>k) << 2);
    for (let t = 0; t < kk; t++) {
      if (t == skip) continue;
      store<f64>(dBase + (<usize>o << 3), Math.sqrt(load<f64>(cd + (<usize>t << 3))));
      store<i32>(iBase + (<usize>o << 2), load<i32>(ci + (<usize>t << 2)));
      o++;
    }
    }
  }
}
