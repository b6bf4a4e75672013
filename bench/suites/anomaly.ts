/**
 * Anomaly suite: IsolationForest fit / score (one thread and the 2-worker
 * pool) vs ml-isolation-forest, LOF 20,000 x 8 (k = 20), StreamingDetector
 * throughput. scikit-learn cannot run in this process: its timings come from
 * bench/results/sklearn-anomaly.json, written on this machine by
 * `/usr/bin/python3 test/fixtures/generate_anomaly.py` (single-threaded), and
 * are printed in the notes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { IsolationForest, LocalOutlierFactor, StreamingDetector } from 'edgewise/anomaly';
import { AnomalyWorkerPool } from 'edgewise/threads';
import { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';
import { synthetic } from '../../test/helpers/anomaly-data';
import { consume, type Workload } from '../harness';

const here = dirname(fileURLToPath(import.meta.url));

interface SklearnTimings {
  sklearn: string;
  iforest_fit_100x256_s: number;
  iforest_score_points_per_s: number;
  lof_best_s: number;
  lof_20k_x8_k20_s: Record<string, number>;
}

export default async function suite(): Promise<Workload[]> {
  const skPath = join(here, '..', 'results', 'sklearn-anomaly.json');
  const sk: SklearnTimings | undefined = existsSync(skPath)
    ? JSON.parse(readFileSync(skPath, 'utf8'))
    : undefined;
  const skNote = (s: string): string =>
    sk ? `scikit-learn ${sk.sklearn}: ${s}` : 'no sklearn timings';

  const n = 100_000;
  const d = 8;
  const { X } = synthetic(n, d, 7);
  const rows: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from(X.subarray(i * d, i * d + d)),
  );
  const forest = new IsolationForest({ trees: 100, sampleSize: 256, seed: 1 }).fit(X, { dims: d });
  const ml = new MlIsolationForest({ nEstimators: 100 });
  ml.train(rows.slice(0, 256));

  // 2 Node worker threads running the anomaly service from source (tsx loader)
  const workerSrc = join(here, '..', '..', 'src', 'threads', 'anomaly', 'node-worker.ts');
  const pool = new AnomalyWorkerPool(
    () => {
      // bootstrap: register tsx's loader in the worker, then load the TS entry
      const w = new Worker(
        `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(pathToFileURL(workerSrc).href)}); });`,
        { eval: true },
      );
      w.unref();
      return {
        endpoint: nodeEndpoint(w),
        terminate: () => w.terminate(),
        onFailure: (cb) => w.on('error', cb),
      };
    },
    { size: 2 },
  );
  await pool.scoreForest(forest, X, { dims: d }); // load the module and the forest in both
  let poolRuns = 0;

  const L = synthetic(20_000, 8, 11).X;

  const sn = 1_000_000;
  const snapshotBytes = (n: number): number => {
    const d = new StreamingDetector();
    d.updateBatch(sv.subarray(0, n), sts.subarray(0, n));
    return Buffer.byteLength(JSON.stringify(d.snapshot()));
  };
  const t0 = Date.UTC(2024, 0, 1);
  const sts = Float64Array.from({ length: sn }, (_, i) => t0 + i * 60_000);
  const sv = Float64Array.from(
    { length: sn },
    (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 101) / 10,
  );

  return [
    {
      suite: 'anomaly',
      name: 'IsolationForest fit, 100 trees x 256 samples (100,000 x 8)',
      items: 100 * 256,
      unit: 'samples',
      ours: 'edgewise IsolationForest (wasm)',
      rounds: 9,
      impls: [
        {
          name: 'edgewise IsolationForest (wasm)',
          run: () => {
            const f = new IsolationForest({ trees: 100, sampleSize: 256, seed: 2 }).fit(X, {
              dims: d,
            });
            f.dispose();
          },
        },
        {
          name: 'ml-isolation-forest (256-row training set)',
          run: () => new MlIsolationForest({ nEstimators: 100 }).train(rows.slice(0, 256)),
        },
      ],
      notes: {
        'edgewise IsolationForest (wasm)': skNote(
          sk ? `fit ${(sk.iforest_fit_100x256_s * 1000).toFixed(0)} ms` : '',
        ),
      },
    },
    {
      suite: 'anomaly',
      name: 'IsolationForest score, 100,000 x 8, 100 trees',
      items: n,
      unit: 'points',
      ours: 'edgewise IsolationForest (wasm, 1 thread)',
      rounds: 7,
      warmup: 1,
      impls: [
        {
          name: 'edgewise IsolationForest (wasm, 1 thread)',
          run: () => consume(forest.score(X, { dims: d })[0]),
        },
        {
          name: 'edgewise AnomalyWorkerPool (2 workers)',
          run: async () => {
            consume((await pool.scoreForest(forest, X, { dims: d }))[0]);
            // the harness has no teardown: close the pool after its last round (1 + 7)
            if (++poolRuns === 8) await pool.close();
          },
        },
        { name: 'ml-isolation-forest', run: () => consume(ml.predict(rows)[0]) },
      ],
      notes: {
        'edgewise IsolationForest (wasm, 1 thread)': skNote(
          sk ? `${Math.round(sk.iforest_score_points_per_s).toLocaleString('en')} points/s` : '',
        ),
      },
    },
    {
      suite: 'anomaly',
      name: 'LocalOutlierFactor fit (exact), 20,000 x 8, k = 20',
      items: 20_000,
      unit: 'points',
      ours: 'edgewise LocalOutlierFactor (wasm simd)',
      rounds: 3,
      warmup: 1,
      impls: [
        {
          name: 'edgewise LocalOutlierFactor (wasm simd)',
          run: () => {
            const l = new LocalOutlierFactor({ k: 20 }).fit(L, { dims: 8 });
            consume(l.scores[0]);
            l.dispose();
          },
        },
      ],
      notes: {
        'edgewise LocalOutlierFactor (wasm simd)': skNote(
          sk
            ? `best ${(sk.lof_best_s * 1000).toFixed(0)} ms (${Object.entries(sk.lof_20k_x8_k20_s)
                .map(([k, v]) => `${k} ${(v * 1000).toFixed(0)} ms`)
                .join(', ')})`
            : '',
        ),
      },
    },
    {
      suite: 'anomaly',
      name: 'StreamingDetector.updateBatch (default ensemble), 1,000,000 records with timestamps',
      items: sn,
      unit: 'records',
      ours: 'edgewise StreamingDetector',
      rounds: 3,
      warmup: 1,
      impls: [
        {
          name: 'edgewise StreamingDetector',
          run: () => consume(new StreamingDetector().updateBatch(sv, sts)[sn - 1]),
        },
      ],
      notes: {
        // state per stream: the snapshot after the run (bounded: it does not grow with the stream)
        'edgewise StreamingDetector': `state per stream: snapshot ${snapshotBytes(10_000).toLocaleString('en')} bytes (JSON) after 10,000 records, ${snapshotBytes(sn).toLocaleString('en')} after ${sn.toLocaleString('en')}`,
      },
    },
  ];
}
