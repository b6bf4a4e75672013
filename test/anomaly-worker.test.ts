import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import { IsolationForest } from '../src/anomaly/iforest';
import { scoreIsolationForest } from '../src/anomaly/iforest-gpu';
import { LocalOutlierFactor } from '../src/anomaly/lof';
import { EventBus } from '../src/events/bus';
import { type AnomalyEvent, WorkerAnomalyMonitor } from '../src/threads/anomaly/monitor';
import { AnomalyWorkerPool, type PoolWorkerHandle } from '../src/threads/anomaly/pool';
import { synthetic } from './helpers/anomaly-data';
import { expectCodeAsync } from './helpers/errors';

// The built worker (npm run build:lib) under Node worker_threads via Comlink's adapter.
const workerPath = join(import.meta.dirname, '..', 'dist', 'workers', 'anomaly.node-worker.js');
const factory = (): PoolWorkerHandle => {
  const w = new Worker(workerPath);
  return {
    endpoint: nodeEndpoint(w),
    terminate: () => w.terminate(),
    onFailure: (cb) => {
      w.on('error', cb);
      w.on('exit', (code) => cb(new Error(`worker exited with code ${code}`)));
    },
  };
};

let pool: AnomalyWorkerPool;
beforeAll(() => {
  if (!existsSync(workerPath))
    throw new Error(`${workerPath} missing: run npm run build:lib first`);
  pool = new AnomalyWorkerPool(factory, { size: 2 });
});
afterAll(async () => {
  await pool?.close();
});

describe('anomaly workers (Node worker_threads, Comlink)', () => {
  const { X } = synthetic(20_000, 4, 5);
  const forest = new IsolationForest({ seed: 3 }).fit(X, { dims: 4 });

  it('pool scoring equals in-thread scoring, in order', async () => {
    const local = forest.score(X, { dims: 4 });
    const remote = await pool.scoreForest(forest, X, { dims: 4 });
    expect(remote).toEqual(local);
    const small = await pool.scoreForest(forest, X.subarray(0, 40), { dims: 4 });
    expect(small).toEqual(local.subarray(0, 10));
    expect(X.length).toBe(80_000); // the caller's array is not transferred away
  });

  it('fit and LOF in a worker match the in-thread results', async () => {
    const s = pool.remote(1);
    const { state } = await s.fitForest(X.slice(0, 4000), { dims: 4 }, { seed: 9 });
    const local = new IsolationForest({ seed: 9 }).fit(X.slice(0, 4000), { dims: 4 });
    expect(IsolationForest.deserialize(state).score(X.slice(0, 400), { dims: 4 })).toEqual(
      local.score(X.slice(0, 400), { dims: 4 }),
    );
    const { id, scores } = await s.fitLof(X.slice(0, 2000), { dims: 4 }, { k: 10, novelty: true });
    const l = new LocalOutlierFactor({ k: 10, novelty: true }).fit(X.slice(0, 2000), { dims: 4 });
    expect(scores).toEqual(l.scores);
    expect(await s.scoreLof(id, X.slice(4000, 4400), { dims: 4 })).toEqual(
      l.score(X.slice(4000, 4400), { dims: 4 }),
    );
  });

  it('the service takes { dims } as fit/score do; the old positional dims is refused by name', async () => {
    const s = pool.remote(0);
    const id = await s.loadForest(forest.serialize());
    const rows = X.slice(0, 800);
    const local = forest.score(rows, { dims: 4 });
    expect(await s.scoreForest(id, rows.slice(), { dims: 4 })).toEqual(local);
    // scoreIsolationForest in the worker: the free function's name, options and result
    const r = await s.scoreIsolationForest(id, rows.slice(), { dims: 4, backend: 'wasm' });
    expect(r.backend).toBe('wasm');
    expect(r.scores).toEqual(local);
    expect(r).toEqual(await scoreIsolationForest(forest, rows, { dims: 4, backend: 'wasm' }));
    // 0.1's positional form (x, 4) fails with INVALID_ARGUMENT naming { dims }, state untouched
    const positional = s.scoreForest(id, rows.slice(), 4 as unknown as { dims: number });
    await expectCodeAsync(positional, 'INVALID_ARGUMENT', /\{ dims \}/);
    expect(await s.scoreForest(id, rows.slice(), { dims: 4 })).toEqual(local);
    await s.dispose(id);
  });

  it('hosts a streaming detector: same scores as in-thread, anomaly.* events on the bus, snapshot resumes', async () => {
    const n = 3000;
    const t0 = Date.UTC(2024, 0, 1);
    const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * 300_000);
    const v = Float64Array.from(
      { length: n },
      (_, i) => 10 + Math.sin(i / 30) + ((i * 7919) % 13) / 26,
    );
    v[2500] += 25;
    const bus = new EventBus();
    const events: AnomalyEvent[] = [];
    const topics: string[] = [];
    bus.on<AnomalyEvent>('anomaly.*', (e, topic) => {
      events.push(e);
      topics.push(String(topic));
    });
    const mon = new WorkerAnomalyMonitor(pool.remote(0), bus, { threshold: 0.995 });
    const s1 = await mon.push('machine.temp', v.slice(0, 2000), ts.slice(0, 2000));
    const snap = await mon.snapshot('machine.temp');
    const s2 = await mon.push('machine.temp', v.slice(2000), ts.slice(2000));
    const local = new StreamingDetector().updateBatch(v, ts);
    expect(Array.from(s1)).toEqual(Array.from(local.subarray(0, 2000)));
    expect(Array.from(s2)).toEqual(Array.from(local.subarray(2000)));
    await new Promise((r) => setTimeout(r, 10));
    const spike = events.find((e) => e.timestamp === ts[2500]);
    expect(spike, 'spike event').toBeDefined();
    expect(spike!.series).toBe('machine.temp');
    expect(spike!.value).toBe(v[2500]);
    expect(Object.keys(spike!.contributions)).toEqual(['seasonal', 'ewma', 'artime']);
    expect(topics[0]).toBe('anomaly.machine_temp');
    // a new monitor resumes from the snapshot with the same scores
    const mon2 = new WorkerAnomalyMonitor(pool.remote(1), bus, { threshold: 1 });
    await mon2.restore('machine.temp', snap);
    expect(Array.from(await mon2.push('machine.temp', v.slice(2000), ts.slice(2000)))).toEqual(
      Array.from(s2),
    );
  });

  it('a crashed worker is replaced and its call rejects with WORKER_FAILED', async () => {
    const before = pool.replaced;
    const call = pool.call(0, (s) => s.crashForTest().then(() => new Promise<never>(() => {})));
    await expectCodeAsync(call, 'WORKER_FAILED');
    expect(pool.replaced).toBe(before + 1);
    expect(await pool.scoreForest(forest, X, { dims: 4 })).toEqual(forest.score(X, { dims: 4 }));
  });

  it('AbortSignal cancels a call (ABORTED) and the pool keeps working', async () => {
    const big = synthetic(200_000, 4, 6).X;
    const ac = new AbortController();
    const p = pool.scoreForest(forest, big, { dims: 4, signal: ac.signal });
    ac.abort();
    await expectCodeAsync(p, 'ABORTED');
    const pre = new AbortController();
    pre.abort();
    await expectCodeAsync(pool.scoreForest(forest, X, { dims: 4, signal: pre.signal }), 'ABORTED');
    expect(await pool.scoreForest(forest, X.subarray(0, 400), { dims: 4 })).toEqual(
      forest.score(X.subarray(0, 400), { dims: 4 }),
    );
  });

  it('rejects bad arguments', async () => {
    await expect(pool.scoreForest(forest, X.slice(0, 12), { dims: 3 })).rejects.toThrowError(
      /dims = 4/,
    );
    expect(() => new AnomalyWorkerPool(factory, { size: 0 })).toThrowError(/size/);
  });
});
