// Exact k-nearest neighbours (Euclidean) for the Local Outlier Factor, with a
// kd-tree. Results equal a brute-force scan that keeps the k smallest
// (squared distance, row index) pairs: squared distances are summed in f64 the
// same way for every pair (column 0, 1, ..., d - 1 in order), the candidates
// of a query are kept sorted by (distance, index), so ties resolve to the
// lower row index, and a node is skipped only when its box bound is strictly
// above the current k-th distance. The bound is summed in the same order as
// the distances, so (rounding being monotone) it never exceeds the computed
// distance of a point inside the box.
//
// Points and boxes are stored by column, so that two points (or the boxes of
// two sibling nodes) are handled per f64x2 operation.
//
// Tree block (laid out by src/kernels/knn.ts), i32 header then the arrays at
// the byte offsets it holds:
//   [0] n  [1] d  [2] nodes  [3] pts  [4] lo  [5] hi  [6] perm  [7] range
//   pts   d x (n + 7) f64  column c of the reference rows in tree order
//                          (7 spare entries: blocks of 8 read past a leaf)
//   lo/hi d x nodes f64    column c of the bounding box of each node
//   perm  n i32            original row of each tree position (ascending
//                          within a leaf)
//   range nodes x 2 i32    [start, end) tree positions of each node
// Node i has children 2i + 1 and 2i + 2 (none when 2i + 1 >= nodes).

@inline function hdr(t: usize, i: i32): i32 {
  return load<i32>(t + (<usize>i << 2));
}

@inline function key(src: usize, row: usize, off: usize, perm: usize, p: i32): f64 {
  return load<f64>(src + <usize>load<i32>(perm + (<usize>p << 2)) * row + off);
}

/** Builds the tree of the n x d rows at `src` (row-major) into block `t` (header filled by JS). */
export function knn_build(t: usize, src: usize): void {
  const n = hdr(t, 0), d = hdr(t, 1), nodes = hdr(t, 2);
  const pts = t + <usize>hdr(t, 3), lo = t + <usize>hdr(t, 4), hi = t + <usize>hdr(t, 5);
  const perm = t + <usize>hdr(t, 6), range = t + <usize>hdr(t, 7);
  const row = <usize>d << 3, cs = <usize>(n + 7) << 3, ns = <usize>nodes << 3;
  for (let i = 0; i < n; i++) store<i32>(perm + (<usize>i << 2), i);
  store<i32>(range, 0);
  store<i32>(range, n, 4);
  for (let node = 0; node < nodes; node++) {
    const rs = range + (<usize>node << 3);
    const s = load<i32>(rs), e = load<i32>(rs, 4);
    let dim = 0;
    let spread: f64 = -1;
    for (let c = 0; c < d; c++) {
      const off = <usize>c << 3;
      let a: f64 = Infinity, b: f64 = -Infinity;
      for (let p = s; p < e; p++) {
        const x = key(src, row, off, perm, p);
        a = min(a, x);
        b = max(b, x);
      }
      const at = <usize>c * ns + (<usize>node << 3);
      store<f64>(lo + at, a);
      store<f64>(hi + at, b);
      if (b - a > spread) {
        spread = b - a;
        dim = c;
      }
    }
    const left = 2 * node + 1;
    if (left >= nodes) {
      // a leaf's rows in index order: with many duplicates, ties then rarely
      // displace a candidate (the partitions below reverse runs of equal keys)
      for (let p = s + 1; p < e; p++) {
        const j = load<i32>(perm + (<usize>p << 2));
        let i = p;
        while (i > s && load<i32>(perm + (<usize>(i - 1) << 2)) > j) {
          store<i32>(perm + (<usize>i << 2), load<i32>(perm + (<usize>(i - 1) << 2)));
          i--;
        }
        store<i32>(perm + (<usize>i << 2), j);
      }
      continue;
    }
    // split at the middle position (quickselect on the widest column)
    const mid = s + ((e - s) >> 1);
    const off = <usize>dim << 3;
    let l = s, r = e - 1;
    while (r > l) {
      const pv = key(src, row, off, perm, l + ((r - l) >> 1));
      let i = l, j = r;
      while (i <= j) {
        while (key(src, row, off, perm, i) < pv) i++;
        while (key(src, row, off, perm, j) > pv) j--;
        if (i <= j) {
          const pi = perm + (<usize>i << 2), pj = perm + (<usize>j << 2);
          const tmp = load<i32>(pi);
          store<i32>(pi, load<i32>(pj));
          store<i32>(pj, tmp);
          i++;
          j--;
        }
      }
      if (mid <= j) r = j;
      else if (mid >= i) l = i;
      else break;
    }
    const rl = range + (<usize>left << 3);
    store<i32>(rl, s);
    store<i32>(rl, mid, 4);
    store<i32>(rl, mid, 8);
    store<i32>(rl, e, 12);
  }
  for (let p = 0; p < n; p++) {
    const sr = src + <usize>load<i32>(perm + (<usize>p << 2)) * row;
    for (let c = 0; c < d; c++) {
      store<f64>(pts + <usize>c * cs + (<usize>p << 3), load<f64>(sr + (<usize>c << 3)));
    }
  }
}

/**
 * For each of `m` queries finds the `k` nearest reference rows of tree `t`.
 * With `selfPos` < 0 the queries are the rows at `q` (row-major); otherwise
 * they are the tree's own rows at tree positions selfPos .. selfPos + m - 1:
 * k + 1 neighbours are found and the query's own row is dropped (or, if more
 * than k duplicates with lower indices push it out, the first one), as
 * scikit-learn's kneighbors() does. Writes distances (sqrt) to `outD`
 * (m x k f64) and original row indices to `outI` (m x k i32). `buf` is
 * 16-aligned scratch of d * 16 + (k + 1) * 12 + 64 * 12 bytes.
 */
export function knn_query(
  t: usize,
  q: usize,
  m: i32,
  k: i32,
  selfPos: i32,
  outD: usize,
  outI: usize,
  buf: usize,
): void {
  const n = hdr(t, 0), d = hdr(t, 1), nodes = hdr(t, 2);
  const pts = t + <usize>hdr(t, 3), lo = t + <usize>hdr(t, 4), hi = t + <usize>hdr(t, 5);
  const perm = t + <usize>hdr(t, 6), range = t + <usize>hdr(t, 7);
  const cs = <usize>(n + 7) << 3, ns = <usize>nodes << 3;
  const kk = selfPos >= 0 ? k + 1 : k;
  // scratch: the query splatted per column, candidate list, stack
  const qv = buf, bd = qv + (<usize>d << 4), stB = bd + (<usize>kk << 3);
  const sc = stB + 56 * 8; // 8 distances (the stack never gets that deep)
  const bi = stB + 64 * 8, stN = bi + (<usize>kk << 2);
  const zero = f64x2.splat(0);
  const qEnd = qv + (<usize>d << 4);
  for (let u = 0; u < m; u++) {
    let self = -1;
    if (selfPos >= 0) {
      const pos = <usize>(selfPos + u) << 3;
      for (let c = 0; c < d; c++) {
        v128.store(qv + (<usize>c << 4), f64x2.splat(load<f64>(pts + <usize>c * cs + pos)));
      }
      self = load<i32>(perm + (<usize>(selfPos + u) << 2));
    } else {
      const qr = q + <usize>u * (<usize>d << 3);
      for (let c = 0; c < d; c++) {
        v128.store(qv + (<usize>c << 4), f64x2.splat(load<f64>(qr + (<usize>c << 3))));
      }
    }
    let filled = 0;
    let w: f64 = Infinity;
    let wi = 0x7fffffff;
    let sp = 1;
    store<i32>(stN, 0);
    store<f64>(stB, 0);
    while (sp > 0) {
      sp--;
      const node = load<i32>(stN + (<usize>sp << 2));
      if (load<f64>(stB + (<usize>sp << 3)) > w) continue;
      const left = 2 * node + 1;
      if (left < nodes) {
        // box bounds of both children (siblings are adjacent in each column)
        let acc = zero;
        let lb = lo + (<usize>left << 3), hb = hi + (<usize>left << 3);
        for (let qc = qv; qc < qEnd; qc += 16) {
          const x = v128.load(qc);
          // pmax is maxpd: operands are finite, and -0 vs 0 does not matter once squared
          const g = f64x2.pmax(
            f64x2.pmax(f64x2.sub(v128.load(lb), x), f64x2.sub(x, v128.load(hb))),
            zero,
          );
          acc = f64x2.add(acc, f64x2.mul(g, g));
          lb += ns;
          hb += ns;
        }
        const a = f64x2.extract_lane(acc, 0), b = f64x2.extract_lane(acc, 1);
        // push the farther child first so the nearer one is searched first
        const aNear = a <= b;
        store<i32>(stN + (<usize>sp << 2), aNear ? left + 1 : left);
        store<f64>(stB + (<usize>sp << 3), aNear ? b : a);
        store<i32>(stN + (<usize>(sp + 1) << 2), aNear ? left : left + 1);
        store<f64>(stB + (<usize>(sp + 1) << 3), aNear ? a : b);
        sp += 2;
        continue;
      }
      const rs = range + (<usize>node << 3);
      const e = load<i32>(rs, 4);
      for (let p = load<i32>(rs); p < e; p += 8) {
        // eight points at a time
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        let pc = pts + (<usize>p << 3);
        for (let qc = qv; qc < qEnd; qc += 16) {
          const x = v128.load(qc);
          const y0 = f64x2.sub(v128.load(pc), x), y1 = f64x2.sub(v128.load(pc, 16), x);
          const y2 = f64x2.sub(v128.load(pc, 32), x), y3 = f64x2.sub(v128.load(pc, 48), x);
          a0 = f64x2.add(a0, f64x2.mul(y0, y0));
          a1 = f64x2.add(a1, f64x2.mul(y1, y1));
          a2 = f64x2.add(a2, f64x2.mul(y2, y2));
          a3 = f64x2.add(a3, f64x2.mul(y3, y3));
          pc += cs;
        }
        const wv = f64x2.splat(w);
        const m01 = v128.or(f64x2.le(a0, wv), f64x2.le(a1, wv));
        if (!v128.any_true(v128.or(m01, v128.or(f64x2.le(a2, wv), f64x2.le(a3, wv))))) continue;
        v128.store(sc, a0);
        v128.store(sc, a1, 16);
        v128.store(sc, a2, 32);
        v128.store(sc, a3, 48);
        for (let l = 0; l < 8; l++) {
          const pp = p + l;
          const s = load<f64>(sc + (<usize>l << 3));
          if (pp >= e || s > w) continue;
          const j = load<i32>(perm + (<usize>pp << 2));
          if (s == w && j > wi) continue;
          // insert (s, j) into the list sorted by (distance, index)
          let pos = filled < kk ? filled : kk - 1;
          while (pos > 0) {
            const pd = load<f64>(bd + (<usize>(pos - 1) << 3));
            if (pd < s || (pd == s && load<i32>(bi + (<usize>(pos - 1) << 2)) < j)) break;
            store<f64>(bd + (<usize>pos << 3), pd);
            store<i32>(bi + (<usize>pos << 2), load<i32>(bi + (<usize>(pos - 1) << 2)));
            pos--;
          }
          store<f64>(bd + (<usize>pos << 3), s);
          store<i32>(bi + (<usize>pos << 2), j);
          if (filled < kk) filled++;
          if (filled == kk) {
            w = load<f64>(bd + (<usize>(kk - 1) << 3));
            wi = load<i32>(bi + (<usize>(kk - 1) << 2));
          }
        }
      }
    }
    // copy out, dropping self when asked
    let skip = -1;
    if (self >= 0) {
      skip = 0;
      for (let c = 0; c < kk; c++) {
        if (load<i32>(bi + (<usize>c << 2)) == self) {
          skip = c;
          break;
        }
      }
    }
    let o = 0;
    const dBase = outD + ((<usize>u * <usize>k) << 3);
    const iBase = outI + ((<usize>u * <usize>k) << 2);
    for (let c = 0; c < kk; c++) {
      if (c == skip) continue;
      store<f64>(dBase + (<usize>o << 3), Math.sqrt(load<f64>(bd + (<usize>c << 3))));
      store<i32>(iBase + (<usize>o << 2), load<i32>(bi + (<usize>c << 2)));
      o++;
    }
  }
}
