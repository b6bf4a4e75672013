// Streaming covariance of d-dimensional rows (row-major), mergeable.
//
// State (f64 slots): 0 d  1 n  2 rejected rows  3 shift set  4..7 unused,
//   then K[d] (shift: the first finite row), mean[d] (relative to K),
//   C[d*d] (co-moment sums about the mean), and scratch Cb[d*d], mb[d], y[d].
// A chunk of rows is reduced to its own mean and co-moments (two passes over
// the chunk, so the outer products are centred), then merged with Chan's
// pairwise formula C = Ca + Cb + delta delta^T na nb / n. Rows with any
// non-finite value are skipped and counted.

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

export function cov_slots(d: i32): i32 {
  return 8 + 5 * d + 2 * d * d;
}

export function cov_init(s: usize, d: i32): void {
  memory.fill(s, 0, <usize>cov_slots(d) << 3);
  st(s, 0, <f64>d);
}

@inline function kPtr(s: usize): usize {
  return s + 64;
}

@inline function rowOk(r: usize, d: i32): bool {
  let z: f64 = 0;
  for (let j = 0; j < d; j++) z += ld(r, j) * 0;
  return z == 0;
}

// Adds (nb, mb, Cb) (mb relative to this state's K) into the state.
function mergeInto(s: usize, d: i32, nb: f64, mb: usize, Cb: usize): void {
  const K = kPtr(s);
  const mean = K + (<usize>d << 3);
  const C = mean + (<usize>d << 3);
  const na = ld(s, 1);
  const n = na + nb;
  const f = nb / n;
  const g = na * nb / n;
  // C += Cb + delta delta^T g (delta = mb - ma), then mean += delta f.
  for (let i = 0; i < d; i++) {
    const di = ld(mb, i) - ld(mean, i);
    const row = C + (<usize>(i * d) << 3);
    const brow = Cb + (<usize>(i * d) << 3);
    for (let j = 0; j < d; j++) {
      const dj = ld(mb, j) - ld(mean, j);
      st(row, j, ld(row, j) + ld(brow, j) + di * dj * g);
    }
  }
  for (let i = 0; i < d; i++) st(mean, i, ld(mean, i) + (ld(mb, i) - ld(mean, i)) * f);
  st(s, 1, n);
}

export function cov_push(s: usize, ptr: usize, rows: i32): void {
  const d = <i32>ld(s, 0);
  const K = kPtr(s);
  const mean = K + (<usize>d << 3);
  const C = mean + (<usize>d << 3);
  const Cb = C + (<usize>(d * d) << 3);
  const mb = Cb + (<usize>(d * d) << 3);
  const y = mb + (<usize>d << 3);
  const rowBytes = <usize>d << 3;
  let rej: i32 = 0;
  if (ld(s, 3) == 0) {
    for (let r = 0; r < rows; r++) {
      const p = ptr + <usize>r * rowBytes;
      if (rowOk(p, d)) {
        memory.copy(K, p, rowBytes);
        st(s, 3, 1);
        break;
      }
    }
    if (ld(s, 3) == 0) {
      st(s, 2, ld(s, 2) + <f64>rows);
      return;
    }
  }
  // Pass 1: chunk mean (relative to K).
  memory.fill(mb, 0, rowBytes);
  let nb: i32 = 0;
  for (let r = 0; r < rows; r++) {
    const p = ptr + <usize>r * rowBytes;
    if (!rowOk(p, d)) {
      rej++;
      continue;
    }
    nb++;
    for (let j = 0; j < d; j++) st(mb, j, ld(mb, j) + (ld(p, j) - ld(K, j)));
  }
  st(s, 2, ld(s, 2) + <f64>rej);
  if (nb == 0) return;
  const inb = 1.0 / <f64>nb;
  for (let j = 0; j < d; j++) st(mb, j, ld(mb, j) * inb);
  // Pass 2: centred co-moments of the chunk (upper triangle, SIMD over j).
  memory.fill(Cb, 0, <usize>(d * d) << 3);
  for (let r = 0; r < rows; r++) {
    const p = ptr + <usize>r * rowBytes;
    if (!rowOk(p, d)) continue;
    for (let j = 0; j < d; j++) st(y, j, (ld(p, j) - ld(K, j)) - ld(mb, j));
    for (let i = 0; i < d; i++) {
      const yi = ld(y, i);
      const vi = f64x2.splat(yi);
      const row = Cb + (<usize>(i * d) << 3);
      let j = i;
      for (; j + 1 < d; j += 2) {
        const a = row + (<usize>j << 3);
        v128.store(a, f64x2.add(v128.load(a), f64x2.mul(vi, v128.load(y + (<usize>j << 3)))));
      }
      if (j < d) st(row, j, ld(row, j) + yi * ld(y, j));
    }
  }
  // Mirror the upper triangle.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) st(Cb, i * d + j, ld(Cb, j * d + i));
  mergeInto(s, d, <f64>nb, mb, Cb);
}

/** dst <- dst (+) src (same d); src unchanged. */
export function cov_merge(dst: usize, src: usize): void {
  const d = <i32>ld(dst, 0);
  st(dst, 2, ld(dst, 2) + ld(src, 2));
  const nb = ld(src, 1);
  if (nb == 0) return;
  const dK = kPtr(dst);
  const sK = kPtr(src);
  const sMean = sK + (<usize>d << 3);
  const sC = sMean + (<usize>d << 3);
  if (ld(dst, 3) == 0) {
    memory.copy(dK, sK, <usize>d << 3);
    st(dst, 3, 1);
  }
  const dC = dK + (<usize>(2 * d) << 3);
  const mb = dC + (<usize>(2 * d * d) << 3);
  // src mean relative to dst's K.
  for (let j = 0; j < d; j++) st(mb, j, (ld(sK, j) - ld(dK, j)) + ld(sMean, j));
  mergeInto(dst, d, nb, mb, sC);
}
