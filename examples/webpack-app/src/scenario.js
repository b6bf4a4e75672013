// One scenario for every example app (the copies in each app are identical:
// scripts/test-examples.mjs checks it). It takes the Edgewise modules as
// arguments, so the same code runs in a page (Vite, webpack, an import map)
// and in Node, where the test computes the reference values.
//
// What it does: the runtime with IndexedDB storage, a WebAssembly kernel
// (Moments), a StreamingDetector over a series with one spike, an
// IsolationForest scored through the worker pool, the kernel worker, metrics
// exposition, and samples written to storage and read back after the runtime
// was closed and opened again.

/** Deterministic data: mulberry32, then Box-Muller. */
export function makeData() {
  let a = 0x2545f491;
  const rand = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const n = 1500;
  const series = new Float64Array(n);
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_700_000_000_000 + i * 60_000;
    series[i] = 20 + 3 * Math.sin((2 * Math.PI * i) / 96) + 0.5 * normal();
  }
  series[1200] += 12; // one spike
  const rows = 6000;
  const dims = 4;
  const X = new Float64Array(rows * dims);
  for (let i = 0; i < X.length; i++) X[i] = normal();
  for (let r = 0; r < 30; r++) X[r * dims] += 6; // a few outliers
  return { series, timestamps, X, dims };
}

/**
 * Runs the scenario. `ew`: the exports of 'edgewise', 'edgewise/kernels',
 * 'edgewise/anomaly' and 'edgewise/threads' merged (plus 'edgewise/events', 'edgewise/stream',
 * 'edgewise/threads/stream', 'edgewise/ml' and 'edgewise/gpu' for `extras`).
 * `options.workers` (default true): the worker paths (off in Node).
 * `options.storage`: 'indexeddb' (browsers) or 'memory'.
 * `options.extras`: also the stream, ML and GPU workers (see runExtras);
 * `options.onnx`: and an ONNX model in the ONNX worker (`edgewise/onnx`; needs onnxruntime-web).
 */
export async function runScenario(ew, options = {}) {
  const workers = options.workers ?? true;
  const storage = options.storage ?? 'indexeddb';
  const { series, timestamps, X, dims } = makeData();
  const out = {};

  // The runtime: bus, metrics registry with its time-series store.
  const dbName = `edgewise-example-${Math.floor(Math.random() * 1e9)}`;
  const rt = await ew.createRuntime({ storage, metrics: { dbName, autoStart: false } });
  out.backend = rt.backends.kernels;

  // A WebAssembly kernel on this thread.
  const m = new ew.Moments();
  m.push(series);
  out.moments = m.summary();
  m.dispose();

  // Streaming anomaly detection; events on the bus.
  const events = [];
  rt.bus.on('anomaly.*', (e) => events.push(e));
  const detector = new ew.StreamingDetector();
  const scores = detector.updateBatch(series, timestamps);
  out.streamingScores = Array.from(scores);
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] >= 0.996) rt.bus.emit('anomaly.temperature', { i, score: scores[i] });
  }
  await rt.bus.flush();
  out.anomalyEvents = events.map((e) => e.i);

  // Isolation Forest: fitted here, scored here and through the worker pool.
  const forest = new ew.IsolationForest({ trees: 64, sampleSize: 128, seed: 42 });
  forest.fit(X, { dims });
  out.forestScores = Array.from(forest.score(X, { dims }));
  if (workers) {
    const pool = new ew.AnomalyWorkerPool({ size: 2 });
    try {
      const pooled = await pool.scoreForest(forest, X, { dims, minRowsPerWorker: 1000 });
      out.poolScores = Array.from(pooled);
      out.poolScopes = [];
      for (let i = 0; i < pool.size; i++) {
        out.poolScopes.push((await pool.call(i, (s) => s.info())).scope);
      }
    } finally {
      await pool.close();
    }
    // The kernel worker: Moments living in a worker.
    const client = new ew.KernelWorkerClient();
    try {
      const remote = await client.createMoments();
      await remote.push(series);
      out.workerMoments = await remote.summary();
      out.kernelWorkerScope = (await client.info()).scope;
    } finally {
      client.close();
    }
  }
  forest.dispose();

  // Metrics and their exposition.
  const requests = rt.metrics.counter('requests_total', {
    help: 'Requests served.',
    labelNames: ['route'],
  });
  requests.inc({ route: '/' }, 3);
  requests.inc({ route: '/api' });
  const latency = rt.metrics.histogram('latency_seconds', {
    help: 'Request latency.',
    buckets: [0.1, 0.5, 1],
  });
  for (const v of [0.05, 0.2, 0.3, 0.7, 2]) latency.observe(v);
  const temperature = rt.metrics.gauge('temperature_celsius', { help: 'Last reading.' });

  // Storage: samples written, the runtime closed, opened again, read back.
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
  for (let i = 0; i < 10; i++) {
    temperature.set(series[i]);
    rt.metrics.sample(t0 + i * 10_000);
  }
  out.exposition = await rt.metrics.exposition('prometheus');
  await rt.metrics.flush();
  await rt.dispose();
  const rt2 = await ew.createRuntime({ storage, metrics: { dbName, autoStart: false } });
  if (storage === 'memory') {
    out.stored = null; // a memory store does not survive; only IndexedDB is checked
  } else {
    const q = await rt2.metrics.query('temperature_celsius', {
      from: t0,
      to: t0 + 100_000,
      step: 10_000,
      agg: 'last',
    });
    out.stored = q.series.map((s) => Array.from(s.values));
  }
  await rt2.dispose();
  if (storage === 'indexeddb')
    await new Promise((r) => {
      const req = indexedDB.deleteDatabase(dbName);
      req.onsuccess = req.onerror = req.onblocked = () => r();
    });
  if (options.extras) out.extras = await runExtras(ew, { series, timestamps }, workers, options);
  out.pageScope = globalThis.constructor?.name ?? 'unknown';
  return out;
}

/**
 * The other workers the package ships: a stream processor hosted in the
 * stream worker (hourly windows of the series, over a bridged bus), an
 * Isolation Forest trained in the ML worker, and batch statistics in the GPU
 * worker (its CPU fallback when no adapter is available). Without `workers`
 * (Node) the same computations run in this thread, for reference.
 */
async function runExtras(ew, { series, timestamps }, workers, options) {
  const out = {};
  const hour = 3_600_000;
  const events = Array.from(series, (value, i) => ({
    timestamp: timestamps[i],
    value,
    key: 'room',
  }));
  if (workers) {
    const worker = ew.createStreamWorker();
    const bus = new ew.EventBus();
    const stop = ew.bridgeBus(bus, worker, { forward: ['sensor.#', 'stream.#'] });
    const windows = [];
    bus.on('stream.window', (r) => void windows.push(r));
    const acks = [];
    let wake = () => {};
    bus.on('stream.ack', (a) => {
      acks.push(a);
      wake();
    });
    const ack = (n) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the stream worker did not answer')), 20_000);
        wake = () => {
          if (acks.length >= n) {
            clearTimeout(t);
            resolve(acks[n - 1]);
          }
        };
        wake();
      });
    bus.emit('stream.start', { inputs: ['sensor.#'], window: { type: 'tumbling', size: hour } });
    const started = await ack(1);
    if (started.error) throw new Error(started.error);
    for (const e of events) await bus.emit('sensor.temperature', e);
    bus.emit('stream.flush');
    await ack(2);
    await bus.flush();
    stop();
    worker.terminate();
    out.windows = windows.map((w) => [w.start, w.count, w.mean]);
  } else {
    const windows = [];
    const proc = new ew.StreamProcessor({
      window: { type: 'tumbling', size: hour },
      onResult: (w) => void windows.push(w),
    });
    for (const e of events) proc.push(e, 'sensor.#');
    proc.flush();
    out.windows = windows.map((w) => [w.start, w.count, w.mean]);
  }

  // Training in the ML worker; the same seed on this thread gives the same model bytes.
  const spec = { version: 1, features: [{ kind: 'value', name: 'temperature', column: 't' }] };
  const trainOptions = { model: 'isolation-forest', params: { trees: 32, seed: 5 } };
  const table = { columns: { t: series } };
  const here = await ew.train(spec, table, trainOptions);
  out.modelScores = here.evaluation.scores;
  out.trainedRows = here.evaluation.n;
  if (workers) {
    const mlWorker = ew.createMlWorker();
    try {
      const there = await ew.train(spec, table, { ...trainOptions, worker: mlWorker });
      out.sameModelInWorker =
        there.bytes.length === here.bytes.length &&
        there.bytes.every((b, i) => b === here.bytes[i]);
    } finally {
      mlWorker.terminate();
    }
  }

  // An ONNX model (the forest exported to ONNX) scored in the ONNX worker by
  // onnxruntime-web: the same scores as the forest within float32 rounding.
  if (workers && options.onnx) {
    const X = Float64Array.from(series.subarray(0, 1200));
    const forest = new ew.IsolationForest({ trees: 24, sampleSize: 64, seed: 9 }).fit(X, {
      dims: 4,
    });
    const onnxWorker = ew.createOnnxWorker();
    try {
      const model = await ew.loadOnnxInWorker(onnxWorker, ew.exportIsolationForestOnnx(forest), {
        executionProviders: ['wasm'],
      });
      const got = await model.score(X, { dims: 4 });
      const want = forest.score(X, { dims: 4 });
      out.onnx = {
        provider: model.provider,
        rows: got.length,
        maxDiff: Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]))),
      };
      await model.dispose();
    } finally {
      onnxWorker.terminate();
      forest.dispose();
    }
  }

  // Batch statistics of 15 series of 100 values in the GPU worker.
  const values = Float32Array.from(series);
  const shape = { series: 15, length: 100 };
  let stats;
  if (workers) {
    const gpu = new ew.GpuWorkerClient();
    try {
      stats = await gpu.batchStats(values, shape);
    } finally {
      gpu.close();
    }
  } else {
    stats = ew.batchStatsCpu(values, shape);
  }
  out.batchMean = Array.from(stats.mean);
  out.batchVariance = Array.from(stats.variance);
  return out;
}
