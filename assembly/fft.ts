// Radix-2 complex FFT (iterative Cooley-Tukey, decimation in time) over two
// f64 arrays (re, im) of length n = 2^k, in place, and the power spectrum of a
// real window. Used by the ML feature extractor's spectral features.

/** Bit-reversal permutation of (re, im), the first step of both FFT variants. */
@inline function bitReverse(re: usize, im: usize, n: i32): void {
  let j: i32 = 0;
  for (let i: i32 = 1; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const pi = re + (<usize>i << 3);
      const pj = re + (<usize>j << 3);
      const t = load<f64>(pi);
      store<f64>(pi, load<f64>(pj));
      store<f64>(pj, t);
      const qi = im + (<usize>i << 3);
      const qj = im + (<usize>j << 3);
      const u = load<f64>(qi);
      store<f64>(qi, load<f64>(qj));
      store<f64>(qj, u);
    }
  }
}

/**
 * In-place forward FFT of (re, im), n a power of two (checked by the caller),
 * with the twiddle table `tw` (cos(-2 pi k / n) at tw[k], sin at tw[n/2 + k],
 * k < n/2) written by the caller: stage `len` uses entry k * n / len. The
 * table comes from JS's Math.cos / Math.sin, which keeps libm out of the module.
 */
export function fft_inplace(re: usize, im: usize, n: i32, tw: usize): void {
  bitReverse(re, im, n);
  const halfN = n >> 1;
  for (let len: i32 = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let k: i32 = 0; k < half; k++) {
      const wr = load<f64>(tw + (<usize>(k * step) << 3));
      const wi = load<f64>(tw + (<usize>(halfN + k * step) << 3));
      for (let s: i32 = k; s < n; s += len) {
        const a = <usize>s << 3;
        const b = <usize>(s + half) << 3;
        const br = load<f64>(re + b);
        const bi = load<f64>(im + b);
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        const ar = load<f64>(re + a);
        const ai = load<f64>(im + a);
        store<f64>(re + a, ar + tr);
        store<f64>(im + a, ai + ti);
        store<f64>(re + b, ar - tr);
        store<f64>(im + b, ai - ti);
      }
    }
  }
}

/**
 * Magnitudes |X_k| / n for k = 0..bins-1 of each of `rows` real windows of
 * length n stored back to back at `x`; writes rows x bins values to `out`.
 * `re` and `im` are scratch of n f64 each, `tw` the twiddle table of
 * fft_inplace (n f64, filled by the caller). Windows are mean-removed when `demean` is 1.
 */
export function fft_magnitudes(x: usize, rows: i32, n: i32, bins: i32, demean: i32, re: usize, im: usize, tw: usize, out: usize): void {
  for (let r: i32 = 0; r < rows; r++) {
    const src = x + ((<usize>r * <usize>n) << 3);
    let mean: f64 = 0.0;
    if (demean) {
      for (let i: i32 = 0; i < n; i++) mean += load<f64>(src + (<usize>i << 3));
      mean /= <f64>n;
    }
    for (let i: i32 = 0; i < n; i++) {
      store<f64>(re + (<usize>i << 3), load<f64>(src + (<usize>i << 3)) - mean);
      store<f64>(im + (<usize>i << 3), 0.0);
    }
    fft_inplace(re, im, n, tw);
    const dst = out + ((<usize>r * <usize>bins) << 3);
    for (let k: i32 = 0; k < bins; k++) {
      const a = load<f64>(re + (<usize>k << 3));
      const b = load<f64>(im + (<usize>k << 3));
      store<f64>(dst + (<usize>k << 3), Math.sqrt(a * a + b * b) / <f64>n);
    }
  }
}
