// The workers the package starts by itself, in Node: `new AnomalyWorkerPool()`,
// `new KernelWorkerClient()` and `new WorkerAnomalyMonitor(bus)` with no worker
// argument start the built worker_threads entries (dist/workers/*.node-worker.js,
// `npm run build:lib`). The browser side (Vite, webpack, no bundler) is checked
// by `npm run test:examples` in Chromium.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import { IsolationForest } from '../src/anomaly/iforest';
import { globalScopeName } from '../src/errors';
import { EventBus } from '../src/events/bus';
import { Moments } from '../src/kernels/moments';
import { type AnomalyEvent, WorkerAnomalyMonitor } from '../src/threads/anomaly/monitor';
import { AnomalyWorkerPool } from '../src/threads/anomaly/pool';
import { KernelWorkerClient } from '../src/threads/kernels/client';
import { synthetic } from './helpers/anomaly-data';
import { expectCode } from './helpers/errors';

const dist = join(import.meta.dirname, '..', 'dist', 'workers');
if (!existsSync(join(dist, 'anomaly.node-worker.js'))) {
  throw new Error('dist/workers missing: run npm run build:lib first');
}

describe('workers the package starts itself (Node worker_threads)', () => {
  it('AnomalyWorkerPool({ size: 2 }): scores in two worker threads equal forest.score', async () => {
    const { X } = synthetic(12_000, 4, 3);
    const forest = new IsolationForest({ trees: 50, seed: 3 }).fit(X, { dims: 4 });
    const pool = new AnomalyWorkerPool({ size: 2 });
    try {
      expect(pool.size).toBe(2);
      const pooled = await pool.scoreForest(forest, X, { dims: 4, minRowsPerWorker: 1000 });
      expect(Array.from(pooled)).toEqual(Array.from(forest.score(X, { dims: 4 })));
      for (let i = 0; i < 2; i++) {
        expect((await pool.call(i, (s) => s.info())).scope).toBe('node:worker_threads');
      }
      expect(globalScopeName()).toBe('node:main-thread');
    } finally {
      await pool.close();
      forest.dispose();
    }
  });

  it('KernelWorkerClient(): Moments in a worker thread, bit for bit; close() ends it', async () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 100 + i / 7);
    const client = new KernelWorkerClient();
    const remote = await client.createMoments();
    await remote.push(values);
    const local = Moments.of(values);
    expect(await remote.summary()).toEqual(local.summary());
    expect((await client.info()).scope).toBe('node:worker_threads');
    client.close();
    local.dispose();
  });

  it('WorkerAnomalyMonitor(bus): a detector in its own worker thread emits what a local one finds', async () => {
    const n = 3000;
    const values = Float64Array.from(
      { length: n },
      (_, i) => 10 + Math.sin(i / 20) + (i === 2500 ? 25 : 0),
    );
    const ts = Float64Array.from({ length: n }, (_, i) => 1.7e12 + i * 60_000);
    const bus = new EventBus();
    const events: AnomalyEvent[] = [];
    bus.on('anomaly.*', (e: AnomalyEvent) => void events.push(e));
    const monitor = new WorkerAnomalyMonitor(bus, { threshold: 0.99 });
    try {
      const scores = await monitor.push('room 1', values, ts);
      const local = new StreamingDetector().updateBatch(values, ts);
      expect(Array.from(scores)).toEqual(Array.from(local));
      await bus.flush();
      const want = [...local.keys()].filter((i) => local[i] >= 0.99);
      expect(want).toContain(2500);
      expect(events.map((e) => e.timestamp)).toEqual(want.map((i) => ts[i]));
    } finally {
      monitor.close();
      bus.dispose();
    }
  });

  it('refuses bad worker arguments with INVALID_ARGUMENT / WORKER_FAILED, starting nothing', () => {
    expectCode(() => new AnomalyWorkerPool('anomaly.worker.js' as never), 'INVALID_ARGUMENT');
    expectCode(() => new AnomalyWorkerPool({ size: 2, worker: 42 as never }), 'INVALID_ARGUMENT');
    expectCode(() => new KernelWorkerClient(42 as never), 'INVALID_ARGUMENT');
    // A worker URL needs Web Workers, which Node lacks: said plainly.
    expectCode(
      () => new KernelWorkerClient({ worker: 'https://cdn.example/x.js' }),
      'WORKER_FAILED',
    );
    const bus = new EventBus();
    expectCode(() => new WorkerAnomalyMonitor(bus, { threshold: 2 }), 'INVALID_ARGUMENT');
    expectCode(() => new WorkerAnomalyMonitor({} as never), 'INVALID_ARGUMENT');
    bus.dispose();
  });
});
