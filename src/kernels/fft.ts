/**
 * FFT kernel (assembly/fft.ts): batched magnitude spectra of real windows.
 * One boundary call per block of windows, never one per value.
 */
import { describeValue, EdgewiseError } from '../errors';
import { allocBytes, freeBytes, heapF64 } from './runtime';
import { wasm } from './wasm';

interface FftExports {
  fft_inplace(re: number, im: number, n: number, tw: number): void;
  fft_magnitudes(
    x: number,
    rows: number,
    n: number,
    bins: number,
    demean: number,
    re: number,
    im: number,
    tw: number,
    out: number,
  ): void;
}
const k = wasm as unknown as FftExports;

/** Writes the twiddle table of size n at byte offset `tw`: cos(-2 pi k / n), then sin. */
function twiddles(tw: number, n: number): void {
  const h = heapF64();
  const base = tw >>> 3;
  const half = n >> 1;
  for (let i = 0; i < half; i++) {
    const a = (-2 * Math.PI * i) / n;
    h[base + i] = Math.cos(a);
    h[base + half + i] = Math.sin(a);
  }
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0 && n <= 1 << 24;
}

function checkN(n: number, where: string): void {
  if (!isPowerOfTwo(n)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: the window length must be a power of two in [2, 2^24], got ${describeValue(n)}.`,
    );
  }
}

/** Forward complex FFT of (re, im) (copies; inputs unchanged). Length a power of two. */
export function fft(
  re: Float64Array,
  im: Float64Array = new Float64Array(re.length),
): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  checkN(n, 'fft');
  if (im.length !== n) {
    throw new EdgewiseError('INVALID_ARGUMENT', `fft: im has length ${im.length}, expected ${n}.`);
  }
  const buf = allocBytes(24 * n);
  try {
    const h = heapF64();
    h.set(re, buf >>> 3);
    h.set(im, (buf >>> 3) + n);
    twiddles(buf + 16 * n, n);
    k.fft_inplace(buf, buf + 8 * n, n, buf + 16 * n);
    const h2 = heapF64();
    return {
      re: h2.slice(buf >>> 3, (buf >>> 3) + n),
      im: h2.slice((buf >>> 3) + n, (buf >>> 3) + 2 * n),
    };
  } finally {
    freeBytes(buf);
  }
}

/**
 * |X_k| / n for k = 0..bins-1 of `rows` real windows of length `n` stored back
 * to back in `windows` (row-major rows x n). Returns rows x bins.
 */
export function fftMagnitudes(
  windows: Float64Array,
  options: { n: number; bins: number; demean?: boolean },
): Float64Array {
  const { n, bins } = options;
  checkN(n, 'fftMagnitudes');
  if (!Number.isInteger(bins) || bins < 1 || bins > n / 2 + 1) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `fftMagnitudes: bins must be an integer in [1, n/2 + 1 = ${n / 2 + 1}], got ${describeValue(bins)}.`,
    );
  }
  if (!(windows instanceof Float64Array) || windows.length % n !== 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `fftMagnitudes: pass a Float64Array whose length is a multiple of n = ${n}.`,
    );
  }
  const rows = windows.length / n;
  const out = new Float64Array(rows * bins);
  if (rows === 0) return out;
  const block = Math.max(1, Math.min(rows, Math.floor(65536 / n)));
  const buf = allocBytes(8 * (block * n + 3 * n + block * bins));
  const re = buf + 8 * block * n;
  const im = re + 8 * n;
  const tw = im + 8 * n;
  const o = tw + 8 * n;
  try {
    twiddles(tw, n);
    for (let r = 0; r < rows; r += block) {
      const len = Math.min(block, rows - r);
      heapF64().set(windows.subarray(r * n, (r + len) * n), buf >>> 3);
      k.fft_magnitudes(buf, len, n, bins, options.demean ? 1 : 0, re, im, tw, o);
      out.set(heapF64().subarray(o >>> 3, (o >>> 3) + len * bins), r * bins);
    }
  } finally {
    freeBytes(buf);
  }
  return out;
}
