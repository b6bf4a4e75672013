// Anomaly self-test page: test/browser/anomaly.browser.test.ts loads it from
// the built demo and checks that worker results equal main-thread results.
import { IsolationForest, StreamingDetector } from 'edgewise/anomaly';
import {
  type AnomalyEvent,
  AnomalyWorkerPool,
  EdgewiseError,
  type PoolWorkerHandle,
  WorkerAnomalyMonitor,
} from 'edgewise/threads';

export interface AnomalySelftest {
  poolEqual: boolean;
  poolSize: number;
  pointsPerSecondMain: number;
  pointsPerSecondPool: number;
  streamEqual: boolean;
  events: AnomalyEvent[];
  crashCode: string;
  afterCrashEqual: boolean;
  abortCode: string;
}

declare global {
  interface Window {
    __anomaly?: AnomalySelftest | { error: string };
  }
}

const factory = (): PoolWorkerHandle => {
  const w = new Worker(new URL('../../src/threads/anomaly/worker.ts', import.meta.url), {
    type: 'module',
  });
  return {
    endpoint: w,
    terminate: () => w.terminate(),
    onFailure: (cb) => w.addEventListener('error', (e) => cb(new Error(e.message))),
  };
};

function data(n: number, d: number): Float64Array {
  const x = new Float64Array(n * d);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (s * 16807) % 2147483647;
    x[i] = (s / 2147483647) * 2 - 1 + (i % 97 === 0 ? 6 : 0);
  }
  return x;
}

async function run(): Promise<AnomalySelftest> {
  const pool = new AnomalyWorkerPool(factory, { size: 2 });
  try {
    const X = data(100_000, 8);
    const forest = new IsolationForest({ seed: 1 }).fit(X, { dims: 8 });
    let t = performance.now();
    const local = forest.score(X, { dims: 8 });
    const pointsPerSecondMain = 100_000 / ((performance.now() - t) / 1000);
    await pool.scoreForest(forest, X.subarray(0, 8), { dims: 8 }); // warm up the workers
    t = performance.now();
    const remote = await pool.scoreForest(forest, X, { dims: 8 });
    const pointsPerSecondPool = 100_000 / ((performance.now() - t) / 1000);
    const poolEqual = remote.length === local.length && remote.every((v, i) => v === local[i]);

    const n = 2000;
    const ts = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 300_000);
    const v = Float64Array.from(
      { length: n },
      (_, i) => 5 + Math.sin(i / 40) + ((i * 31) % 7) / 20,
    );
    v[1500] += 20;
    const events: AnomalyEvent[] = [];
    const mon = new WorkerAnomalyMonitor(
      pool.remote(0),
      { emit: (_topic, e) => events.push(e as AnomalyEvent) },
      { threshold: 0.995 },
    );
    const s = await mon.push('page.latency', v, ts);
    const ref = new StreamingDetector().updateBatch(v, ts);
    const streamEqual = s.every((x, i) => x === ref[i]);

    let crashCode = 'none';
    try {
      await pool.call(1, (svc) => svc.crashForTest().then(() => new Promise<never>(() => {})));
    } catch (e) {
      crashCode = e instanceof EdgewiseError ? e.code : String(e);
    }
    const again = await pool.scoreForest(forest, X, { dims: 8 });
    const afterCrashEqual = again.every((x, i) => x === local[i]);
    let abortCode = 'none';
    const ac = new AbortController();
    const p = pool.scoreForest(forest, X, { dims: 8, signal: ac.signal });
    ac.abort();
    try {
      await p;
    } catch (e) {
      abortCode = e instanceof EdgewiseError ? e.code : String(e);
    }
    return {
      poolEqual,
      poolSize: pool.size,
      pointsPerSecondMain,
      pointsPerSecondPool,
      streamEqual,
      events,
      crashCode,
      afterCrashEqual,
      abortCode,
    };
  } finally {
    await pool.close();
  }
}

run()
  .then((r) => {
    window.__anomaly = r;
  })
  .catch((e: unknown) => {
    window.__anomaly = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  })
  .finally(() => {
    const out = document.getElementById('result');
    if (out) out.textContent = JSON.stringify(window.__anomaly, null, 1);
    document.body.dataset.done = '1';
  });
