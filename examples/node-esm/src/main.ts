// Edgewise from plain Node ESM + TypeScript (module: nodenext, skipLibCheck: false).
// Every result is checked against an independent computation in this file;
// the process exits 1 on the first mismatch.
import { createRuntime } from 'edgewise';
import { IsolationForest, StreamingDetector } from 'edgewise/anomaly';
import { Moments } from 'edgewise/kernels';
import { exportIsolationForestOnnx } from 'edgewise/ml';
import { createOnnxWorker, loadOnnx, loadOnnxInWorker } from 'edgewise/onnx';
import { AnomalyWorkerPool } from 'edgewise/threads';

function check(ok: boolean, what: string): void {
  if (!ok) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
}

// Seeded data: a daily-ish sine with noise and one spike.
let seed = 7;
const rand = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const n = 5000;
const series = Float64Array.from({ length: n }, (_, i) => 10 * Math.sin(i / 50) + rand() - 0.5);
series[4000] = 80;

// 1. The runtime: bus, metrics with Prometheus exposition.
const rt = await createRuntime({ gpu: 'off' });
const seen = rt.metrics.counter('points_total', { help: 'Points seen', labelNames: ['kind'] });
seen.inc({ kind: 'sensor' }, n);
const text = await rt.metrics.exposition('prometheus');
check(text.includes(`points_total{kind="sensor"} ${n}`), 'Prometheus exposition has the counter');
check(rt.backends.kernels.startsWith('wasm'), `kernels run on ${rt.backends.kernels}`);

// 2. A kernel: Moments against a two-pass mean and variance.
const m = Moments.of(series);
let sum = 0;
for (const v of series) sum += v;
const mean = sum / n;
let ss = 0;
for (const v of series) ss += (v - mean) ** 2;
check(Math.abs(m.mean - mean) < 1e-12 * Math.abs(mean) + 1e-12, `Moments.mean ${m.mean}`);
check(Math.abs(m.variance - ss / n) < 1e-10 * (ss / n), `Moments.variance ${m.variance}`);
m.dispose();

// 3. The zero-config streaming detector alarms on the spike (score at or above
// the CLI's alarm level, 0.996) and scores nothing after its first 1,000
// records higher.
const detector = new StreamingDetector();
const scores = detector.updateBatch(series);
let highest = 0;
for (let i = 1000; i < n; i++) highest = Math.max(highest, scores[i]);
check(
  scores[4000] >= 0.996 && scores[4000] === highest,
  `StreamingDetector alarms on the spike (score ${scores[4000].toFixed(4)})`,
);

// 4. IsolationForest scored through the worker pool (worker_threads) = scored here.
const dims = 4;
const rows = Math.floor(n / dims);
const X = series.subarray(0, rows * dims);
const forest = new IsolationForest({ trees: 50, sampleSize: 128, seed: 3 }).fit(X, { dims });
const local = forest.score(X, { dims });
const pool = new AnomalyWorkerPool({ size: 2 });
const pooled = await pool.scoreForest(forest, Float64Array.from(X), { dims });
await pool.close();
let same = pooled.length === local.length;
for (let i = 0; same && i < local.length; i++) same = pooled[i] === local[i];
check(same, `pool scores (${pooled.length} rows, 2 worker_threads) equal the in-thread scores`);

// 5. ONNX (optional peer onnxruntime-web): the forest exported to ONNX scores like the forest.
const model = await loadOnnx(exportIsolationForestOnnx(forest), { dims });
const viaOnnx = await model.score(Float64Array.from(X), { dims });
let maxDiff = 0;
for (let i = 0; i < local.length; i++) maxDiff = Math.max(maxDiff, Math.abs(viaOnnx[i] - local[i]));
check(
  maxDiff < 1e-6,
  `ONNX scores match the forest (max diff ${maxDiff.toExponential(1)}, ${model.provider})`,
);
await model.dispose();

// 6. The same model in the package's ONNX worker (a worker_threads entry in
// Node, started by createOnnxWorker): the session runs off this thread.
const onnxWorker = createOnnxWorker();
const remote = await loadOnnxInWorker(onnxWorker, exportIsolationForestOnnx(forest), { dims });
const viaWorker = await remote.score(Float64Array.from(X), { dims });
let workerDiff = viaWorker.length === local.length ? 0 : Number.POSITIVE_INFINITY;
for (let i = 0; i < local.length; i++)
  workerDiff = Math.max(workerDiff, Math.abs(viaWorker[i] - local[i]));
check(
  workerDiff < 1e-6,
  `ONNX worker (worker_threads) scores match the forest (max diff ${workerDiff.toExponential(1)}, ${remote.provider})`,
);
await remote.dispose();
onnxWorker.terminate();

// onnxruntime-web's Node build sets globalThis.Worker (worker_threads' Worker)
// once loaded: the pool must still start its worker_threads entries.
const pool2 = new AnomalyWorkerPool({ size: 1 });
const again = await pool2.scoreForest(forest, Float64Array.from(X), { dims });
await pool2.close();
check(
  again.every((v, i) => v === local[i]),
  'a pool started after onnxruntime-web loaded still scores in worker_threads',
);
forest.dispose();

await rt.dispose();
console.log('node-esm: all checks passed');
