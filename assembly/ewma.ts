// Exponentially weighted mean and variance, bias-corrected from the start.
//
// Weights of past values decay by (1 - alpha) per step. W is the sum of
// weights (1 + (1-a) + (1-a)^2 + ...), so the mean is the weighted average
// (as pandas ewm(adjust=True)), and the variance the weighted population
// variance S / W, updated with West's weighted Welford step:
//   W <- (1-a) W + 1;  m <- m + (x - m) / W;  S <- (1-a) S + (x - m_old)(x - m).
// Values are taken relative to a shift K (the first finite value).
// State (f64): 0 alpha  1 W  2 mean (rel. K)  3 S  4 K  5 n  6 rejected

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

export function ew_init(s: usize, alpha: f64): void {
  st(s, 0, alpha);
  for (let i = 1; i < 8; i++) st(s, i, 0);
}

/** Pushes `len` values; writes per-step mean and variance at outMean / outVar. Returns rows. */
export function ew_push(s: usize, ptr: usize, len: i32, outMean: usize, outVar: usize): i32 {
  const decay = 1.0 - ld(s, 0);
  let W = ld(s, 1);
  let m = ld(s, 2);
  let S = ld(s, 3);
  let K = ld(s, 4);
  let n = ld(s, 5);
  let rej: i32 = 0;
  let o: i32 = 0;
  for (let i = 0; i < len; i++) {
    const raw = ld(ptr, i);
    if (!(raw - raw == 0)) {
      rej++;
      continue;
    }
    if (n == 0) K = raw;
    n += 1;
    const x = raw - K;
    W = decay * W + 1.0;
    const d = x - m;
    m += d / W;
    S = decay * S + d * (x - m);
    st(outMean, o, K + m);
    st(outVar, o, S > 0 ? S / W : 0);
    o++;
  }
  st(s, 1, W);
  st(s, 2, m);
  st(s, 3, S);
  st(s, 4, K);
  st(s, 5, n);
  st(s, 6, ld(s, 6) + <f64>rej);
  return o;
}
