/**
 * `rt.detect()`: the public pipeline end to end in Node (memory storage, a
 * real HTTP endpoint for sync). Every figure is checked against the parts run
 * on their own: a StreamingDetector fed the same records, the window means
 * recomputed from the data, the records the endpoint received.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EwmaDetector, StreamingDetector } from '../src/anomaly/index';
import { type AnomalyEvent, createRuntime, type Runtime } from '../src/index';
import type { WindowResult } from '../src/stream/index';
import { expectCodeAsync } from './helpers/errors';
import { normals } from './helpers/random';

const N = 2000;
const SPIKE = 1500;
const STEP = 1000; // 1 s apart: the whole series fits the store's raw tier (1 h)
const T0 = Date.UTC(2024, 0, 1);
/** The metrics clock: a minute after the last record, so the series is in the raw tier. */
const metrics = { autoStart: false, now: () => T0 + N * STEP + 60_000 };

/** A noisy wave (period 50 records) with one spike of 12 units (the noise is 0.2). */
function data(): { values: Float64Array; timestamps: Float64Array } {
  const noise = normals(N, 7);
  const values = new Float64Array(N);
  const timestamps = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    timestamps[i] = T0 + i * STEP;
    values[i] = 20 + 2 * Math.sin((2 * Math.PI * i) / 50) + 0.2 * noise[i];
  }
  values[SPIKE] += 12;
  return { values, timestamps };
}

/** The reference: a StreamingDetector on its own, record by record, with its contributions. */
function reference(values: Float64Array, timestamps: Float64Array, threshold: number) {
  const d = new StreamingDetector();
  const scores = new Float64Array(values.length);
  const events: AnomalyEvent[] = [];
  for (let i = 0; i < values.length; i++) {
    scores[i] = d.update(values[i], timestamps[i]);
    if (scores[i] >= threshold) {
      const contributions: Record<string, number> = {};
      d.memberNames.forEach((m, k) => {
        contributions[m] = d.contributions[k];
      });
      events.push({
        series: 'sensor.temp',
        timestamp: timestamps[i],
        value: values[i],
        score: scores[i],
        contributions,
      });
    }
  }
  return { scores, events };
}

/** A sync endpoint that records the JSON lines it receives. */
let server: Server;
let endpoint: string;
const received: Record<string, unknown>[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      for (const line of body.split('\n')) if (line) received.push(JSON.parse(line));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('rt.detect: stream -> detector -> metrics -> events -> storage -> sync', () => {
  it('flags the injected spike exactly as a StreamingDetector alone does, and records, stores and syncs it', async () => {
    const { values, timestamps } = data();
    const ref = reference(values, timestamps, 0.999);
    // the reference itself: exactly one record reaches 0.999, the spike
    expect(ref.events.map((e) => (e.timestamp - T0) / STEP)).toEqual([SPIKE]);

    received.length = 0;
    const rt = await createRuntime({
      gpu: 'off',
      metrics,
      sync: { endpoint, exporter: 'jsonl', outbox: 'memory', metricsEveryMs: 0, pollMs: 20 },
    });
    const seen: { topic: string; event: AnomalyEvent }[] = [];
    rt.bus.on('anomaly.*', (event: AnomalyEvent, topic: string) => {
      seen.push({ topic, event });
    });
    const det = await rt.detect('sensor.temp', { threshold: 0.999 });
    expect(det.topic).toBe('anomaly.sensor_temp');
    expect(det.where).toBe('main');
    // batches of uneven sizes, pushed without waiting: they run in push order
    const cuts = [0, 1, 150, 151, 777, 1499, 1500, 1501, 1900, N];
    const parts = await Promise.all(
      cuts
        .slice(1)
        .map((b, j) =>
          b - cuts[j] === 1
            ? det.push(values[cuts[j]], timestamps[cuts[j]]).then((s) => Float64Array.of(s))
            : det.pushBatch(
                values.subarray(cuts[j], b),
                Array.from(timestamps.subarray(cuts[j], b)),
              ),
        ),
    );
    const scores = new Float64Array(N);
    let o = 0;
    for (const p of parts) {
      scores.set(p, o);
      o += p.length;
    }
    expect(scores).toEqual(ref.scores);
    await det.close();

    // events on the bus: exactly the reference's, on the series' topic
    expect(seen).toEqual(ref.events.map((event) => ({ topic: 'anomaly.sensor_temp', event })));
    expect(Object.keys(seen[0].event.contributions)).toEqual(['seasonal', 'ewma', 'artime']);
    expect(det.count).toBe(N);
    expect(det.anomalies).toBe(1);

    // metrics: counters in the exposition, values and scores in the time-series store
    const text = await rt.metrics.exposition('prometheus');
    expect(text).toContain(`edgewise_records_total{series="sensor.temp"} ${N}`);
    expect(text).toContain('edgewise_anomalies_total{series="sensor.temp"} 1');
    const range = { from: T0, to: T0 + N * STEP, step: STEP, labels: { series: 'sensor.temp' } };
    const storedScores = await rt.metrics.query('edgewise_anomaly_score', range);
    expect(storedScores.tier).toBe('raw');
    expect(storedScores.series).toHaveLength(1);
    expect(storedScores.series[0].values).toEqual(ref.scores);
    const storedValues = await rt.metrics.query('edgewise_value', range);
    expect(storedValues.series[0].values).toEqual(values);

    // sync: the anomaly reached the endpoint as one event record
    await rt.sync!.drained(10_000);
    const ev = ref.events[0];
    expect(received).toEqual([
      {
        type: 'event',
        name: 'edgewise_anomaly',
        labels: { series: 'sensor.temp', topic: 'anomaly.sensor_temp' },
        ts: ev.timestamp,
        value: ev.score,
        attributes: { value: ev.value, ...ev.contributions },
      },
    ]);
    await rt.dispose();
  });

  it('publishes event-time windows of the series on the bus, flushed on close', async () => {
    const { values, timestamps } = data();
    const rt = await createRuntime({ gpu: 'off', metrics });
    const windows: WindowResult[] = [];
    rt.bus.on('stream.window', (w: WindowResult) => {
      windows.push(w);
    });
    const det = await rt.detect('sensor.temp', {
      window: { type: 'tumbling', size: 60_000, quantiles: [0.5] },
      record: false,
    });
    await det.pushBatch(values, timestamps);
    await det.flush();
    const fired = windows.length;
    await det.close(); // the last, still open window fires now
    expect(windows.length).toBe(fired + 1);
    expect(windows.reduce((n, w) => n + w.count, 0)).toBe(N);
    for (const w of windows) {
      expect(w.key).toBe('sensor.temp');
      const inside = values.filter((_, i) => timestamps[i] >= w.start && timestamps[i] < w.end);
      expect(w.count).toBe(inside.length);
      expect(w.mean).toBeCloseTo(inside.reduce((a, b) => a + b, 0) / inside.length, 10);
      expect(w.max).toBe(Math.max(...inside));
    }
    expect(windows.map((w) => w.start)).toEqual(
      Array.from({ length: windows.length }, (_, k) => windows[0].start + k * 60_000),
    );
    await rt.dispose();
  });

  it('resumes from a snapshot: the second half scores as if never interrupted', async () => {
    const { values, timestamps } = data();
    const ref = reference(values, timestamps, 0.99);
    const rt = await createRuntime({ gpu: 'off', metrics });
    const window = { type: 'tumbling' as const, size: 60_000 };
    const a = await rt.detect('sensor.temp', { window, threshold: 0.999 });
    await a.pushBatch(values.subarray(0, 1000), timestamps.subarray(0, 1000));
    const snap = structuredClone(await a.snapshot());
    expect(JSON.parse(JSON.stringify(snap)).count).toBe(1000);
    await a.close();
    const windows: WindowResult[] = [];
    rt.bus.on('stream.window', (w: WindowResult) => {
      windows.push(w);
    });
    const b = await rt.detect('sensor.temp', { window, restore: snap, threshold: 0.999 });
    expect(b.count).toBe(1000);
    const rest = await b.pushBatch(values.subarray(1000), timestamps.subarray(1000));
    expect(rest).toEqual(ref.scores.subarray(1000));
    expect(b.anomalies).toBe(1);
    await rt.dispose(); // closes b
    await expectCodeAsync(b.push(1, T0), 'DISPOSED');
  });

  it('runs a detector instance you built, on this thread', async () => {
    const { values, timestamps } = data();
    const rt = await createRuntime({ gpu: 'off', metrics });
    const events: AnomalyEvent[] = [];
    rt.bus.on('alerts.*', (e: AnomalyEvent) => {
      events.push(e);
    });
    const det = await rt.detect('line 1', {
      detector: new EwmaDetector({ alpha: 0.05 }),
      threshold: 0.999,
      topicPrefix: 'alerts',
      metricPrefix: 'plant',
    });
    const scores = await det.pushBatch(values, timestamps);
    const alone = new EwmaDetector({ alpha: 0.05 }).updateBatch(values, timestamps);
    expect(scores).toEqual(alone);
    await det.close();
    const flagged = [...alone.keys()].filter((i) => alone[i] >= 0.999);
    expect(flagged).toContain(SPIKE);
    expect(events.map((e) => [e.series, e.timestamp, e.score, e.contributions])).toEqual(
      flagged.map((i) => ['line 1', timestamps[i], alone[i], {}]),
    );
    expect(det.topic).toBe('alerts.line_1');
    expect(await rt.metrics.exposition('prometheus')).toContain(
      `plant_records_total{series="line 1"} ${N}`,
    );
    await rt.dispose();
  });

  it('refuses bad input with coded errors and leaves the detection as it was', async () => {
    const { values, timestamps } = data();
    const ref = reference(values, timestamps, 0.99);
    let rt: Runtime | undefined = await createRuntime({
      gpu: 'off',
      metrics,
    });
    await expectCodeAsync(rt.detect(''), 'INVALID_ARGUMENT');
    await expectCodeAsync(rt.detect('s', { threshold: 2 }), 'INVALID_ARGUMENT');
    await expectCodeAsync(rt.detect('s', { detector: 'fancy' as never }), 'INVALID_ARGUMENT');
    await expectCodeAsync(
      rt.detect('s', { detector: { combine: 'avg' as never } }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(
      rt.detect('s', { detector: new EwmaDetector(), worker: true }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(rt.detect('s', { metricPrefix: 'bad name' }), 'INVALID_NAME');
    await expectCodeAsync(rt.detect('s', { restore: { version: 9 } as never }), 'CORRUPT_STATE');
    const det = await rt.detect('sensor.temp');
    // one open detection per series: a second would count and alert twice
    await expectCodeAsync(rt.detect('sensor.temp'), 'ALREADY_REGISTERED');
    await det.pushBatch(values.subarray(0, 10), timestamps.subarray(0, 10));
    await expectCodeAsync(
      det.pushBatch(values.subarray(10, 20), timestamps.subarray(10, 19)),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(det.pushBatch(['1' as never], [T0]), 'INVALID_ARGUMENT');
    await expectCodeAsync(det.pushBatch([1], [Number.NaN]), 'INVALID_ARGUMENT');
    expect(det.count).toBe(10);
    // nothing of the refused batches was learnt; a batch is copied when pushed,
    // so the caller may reuse its arrays while the batch waits in the queue
    const buf = values.slice(10, 500);
    const pending = det.pushBatch(buf, timestamps.subarray(10, 500));
    buf.fill(1e6);
    expect(await pending).toEqual(ref.scores.subarray(10, 500));
    const rest = await det.pushBatch(values.subarray(500), timestamps.subarray(500));
    expect(rest).toEqual(ref.scores.subarray(500));
    await det.close();
    await expectCodeAsync(det.pushBatch([1], [T0]), 'DISPOSED');
    await det.close(); // idempotent
    const again = await rt.detect('sensor.temp'); // the series is free once closed
    expect(again.count).toBe(0);
    await rt.dispose();
    await expectCodeAsync(rt.detect('s'), 'DISPOSED');
    rt = undefined;
  });
});

const workerBuilt = existsSync(
  join(import.meta.dirname, '..', 'dist', 'workers', 'anomaly.node-worker.js'),
);

describe.runIf(workerBuilt)('rt.detect({ worker: true }) (needs npm run build:lib)', () => {
  it('scores in the anomaly worker exactly as on this thread, and resumes there', async () => {
    const { values, timestamps } = data();
    const opts = { alarmLevel: 0.99, warmup: 100 };
    const alone = new StreamingDetector(opts).updateBatch(values, timestamps);
    const rt = await createRuntime({ gpu: 'off', metrics });
    const seen: AnomalyEvent[] = [];
    rt.bus.on('anomaly.*', (e: AnomalyEvent) => {
      seen.push(e);
    });
    const a = await rt.detect('sensor.temp', { worker: true, detector: opts, threshold: 0.99 });
    expect(a.where).toBe('worker');
    const first = await a.pushBatch(values.subarray(0, 1200), timestamps.subarray(0, 1200));
    const snap = await a.snapshot();
    await a.close();
    const b = await rt.detect('sensor.temp', {
      worker: true,
      detector: opts,
      threshold: 0.99,
      restore: snap,
    });
    const second = await b.pushBatch(values.subarray(1200), timestamps.subarray(1200));
    await b.close();
    expect([...first, ...second]).toEqual([...alone]);
    const flagged = [...alone.keys()].filter((i) => alone[i] >= 0.99);
    expect(flagged).toContain(SPIKE);
    expect(seen.map((e) => e.timestamp)).toEqual(flagged.map((i) => timestamps[i]));
    expect(Object.keys(seen[0].contributions)).toEqual(['seasonal', 'ewma', 'artime']);
    await rt.dispose();
  });

  it('keeps the detectors of several series apart in the shared worker', async () => {
    const { values, timestamps } = data();
    const other = values.map((v, i) => 40 - v + (i === 700 ? -15 : 0));
    const rt = await createRuntime({ gpu: 'off', metrics });
    const [a, b] = await Promise.all([
      rt.detect('a', { worker: true }),
      rt.detect('b', { worker: true }),
    ]);
    const chunks = [0, 400, 1100, N];
    const sa: number[] = [];
    const sb: number[] = [];
    for (let j = 1; j < chunks.length; j++) {
      const [x, y] = await Promise.all([
        a.pushBatch(
          values.subarray(chunks[j - 1], chunks[j]),
          timestamps.subarray(chunks[j - 1], chunks[j]),
        ),
        b.pushBatch(
          other.subarray(chunks[j - 1], chunks[j]),
          timestamps.subarray(chunks[j - 1], chunks[j]),
        ),
      ]);
      sa.push(...x);
      sb.push(...y);
    }
    expect(sa).toEqual([...new StreamingDetector().updateBatch(values, timestamps)]);
    expect(sb).toEqual([...new StreamingDetector().updateBatch(other, timestamps)]);
    await rt.dispose();
    await expectCodeAsync(a.push(1, T0), 'DISPOSED');
  });
});
