/**
 * ML suite: spectral features (WASM FFT kernel vs a JS radix-2 FFT) and
 * Isolation Forest scoring (the WASM scorer vs the same forest exported to
 * ONNX and run by onnxruntime-web's wasm backend in this process).
 */
import { IsolationForest } from 'edgewise/anomaly';
import { compileFeatures, exportIsolationForestOnnx } from 'edgewise/ml';
import { loadOnnx } from 'edgewise/onnx';
import { normal } from '../data';
import { consume, type Workload } from '../harness';

/** Iterative radix-2 FFT magnitudes in plain JS (the same algorithm and twiddle table as assembly/fft.ts). */
function jsSpectral(x: Float64Array, w: number, bins: number): Float64Array {
  const n = x.length - w + 1;
  const out = new Float64Array(n * bins);
  const re = new Float64Array(w);
  const im = new Float64Array(w);
  // twiddle table computed once (as the WASM kernel does)
  const cos = new Float64Array(w / 2);
  const sin = new Float64Array(w / 2);
  for (let k = 0; k < w / 2; k++) {
    cos[k] = Math.cos((-2 * Math.PI * k) / w);
    sin[k] = Math.sin((-2 * Math.PI * k) / w);
  }
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let t = 0; t < w; t++) mean += x[i + t];
    mean /= w;
    for (let t = 0; t < w; t++) {
      re[t] = x[i + t] - mean;
      im[t] = 0;
    }
    for (let a = 1, j = 0; a < w; a++) {
      let bit = w >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (a < j) {
        [re[a], re[j]] = [re[j], re[a]];
        [im[a], im[j]] = [im[j], im[a]];
      }
    }
    for (let len = 2; len <= w; len <<= 1) {
      const half = len >> 1;
      const step = w / len;
      for (let s = 0; s < w; s += len)
        for (let k = 0; k < half; k++) {
          const b = s + k + half;
          const c = cos[k * step];
          const sn = sin[k * step];
          const tr = re[b] * c - im[b] * sn;
          const ti = re[b] * sn + im[b] * c;
          re[b] = re[s + k] - tr;
          im[b] = im[s + k] - ti;
          re[s + k] += tr;
          im[s + k] += ti;
        }
    }
    for (let k = 1; k <= bins; k++) out[i * bins + k - 1] = Math.hypot(re[k], im[k]) / w;
  }
  return out;
}

export default async function suite(): Promise<Workload[]> {
  const n = 200_000;
  const x = normal(n, 7);
  const spec = {
    version: 1 as const,
    features: [{ kind: 'spectral' as const, column: 'x', window: 64, bins: 8 }],
  };
  const ex = compileFeatures(spec);
  const ours = ex.transform({ columns: { x } }).data;
  const theirs = jsSpectral(x, 64, 8);
  let err = 0;
  for (let i = 0; i < ours.length; i++) err = Math.max(err, Math.abs(ours[i] - theirs[i]));

  const d = 8;
  const rows = 100_000;
  const X = normal(rows * d, 11);
  const forest = new IsolationForest({ trees: 100, seed: 1 }).fit(X.subarray(0, 10_000 * d), {
    dims: d,
  });
  const onnx = await loadOnnx(exportIsolationForestOnnx(forest), { batchSize: 8192 });
  const a = forest.score(X, { dims: d });
  const b = await onnx.score(X, { dims: d });
  let ferr = 0;
  for (let i = 0; i < rows; i++) ferr = Math.max(ferr, Math.abs(a[i] - b[i]));

  return [
    {
      suite: 'ml',
      name: 'Spectral features, 200k rows, window 64, 8 bins (FFT per row)',
      items: n,
      unit: 'rows',
      ours: 'edgewise FeatureSpec spectral (wasm FFT)',
      rounds: 5,
      impls: [
        {
          name: 'edgewise FeatureSpec spectral (wasm FFT)',
          run: () => consume(ex.transform({ columns: { x } }).n),
        },
        { name: 'js radix-2 FFT', run: () => consume(jsSpectral(x, 64, 8)[0]) },
      ],
      notes: { 'js radix-2 FFT': `max abs diff ${err.toExponential(1)}` },
    },
    {
      suite: 'ml',
      name: 'Isolation Forest scoring, 100k rows x 8, 100 trees',
      items: rows,
      unit: 'rows',
      ours: 'edgewise IsolationForest.score (wasm)',
      rounds: 5,
      impls: [
        {
          name: 'edgewise IsolationForest.score (wasm)',
          run: () => consume(forest.score(X, { dims: d })[0]),
        },
        {
          name: 'exported ONNX on onnxruntime-web (wasm EP)',
          run: async () => consume((await onnx.score(X, { dims: d }))[0]),
        },
      ],
      notes: {
        'exported ONNX on onnxruntime-web (wasm EP)': `max abs diff ${ferr.toExponential(1)}`,
      },
    },
  ];
}
