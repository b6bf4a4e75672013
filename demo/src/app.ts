/**
 * The Edgewise demo dashboard. Built-in NAB series (or the user's CSV) are
 * replayed through the whole runtime: events on the bus -> 1-hour event-time
 * windows (StreamProcessor) -> metrics -> the StreamingDetector in a Web
 * Worker -> anomaly events back on the bus -> chart, list, metrics. State
 * (position, scores, detector and window snapshots, uploaded data) lives in
 * IndexedDB, so a reload, a crash or kiosk restart resumes where it was.
 *
 * Untrusted strings (CSV content, file and series names) only ever reach the
 * DOM through textContent.
 */

import type { DetectorSnapshot } from '../../src/anomaly/streaming';
import { proxy, wrap } from '../../src/comlink';
import { createRuntime } from '../../src/index';
import { compileFeatures, type FeatureSpec } from '../../src/ml/features';
import { deserializeModel } from '../../src/ml/models';
import { ModelRegistry } from '../../src/ml/registry';
import { train } from '../../src/ml/train';
import { describe, welchTTest } from '../../src/stats/index';
import { openKvStore } from '../../src/storage/kv';
import { parseSeriesCsv, parseTimestamp } from '../../src/stream/csv';
import {
  StreamProcessor,
  type StreamSnapshot,
  type WindowResult,
} from '../../src/stream/processor';
import { SeriesChart } from './chart';
import type { DemoService, Progress } from './worker/service';

// ---------------------------------------------------------------- setup
const $ = <T extends HTMLElement>(sel: string): T => document.querySelector<T>(sel)!;
const params = new URLSearchParams(location.search);
const kiosk = params.get('kiosk') === '1';
if (kiosk) document.body.classList.add('kiosk');

const worker = new Worker(new URL('./worker/demo.worker.ts', import.meta.url), { type: 'module' });
const svc = wrap<DemoService>(worker);
// Sync is off unless an endpoint was saved (or given as ?sync=...): nothing leaves the device.
const syncEndpoint = params.get('sync') ?? localStorage.getItem('edgewise-demo-sync') ?? '';
const rt = await createRuntime({
  storage: 'indexeddb',
  gpu: 'auto',
  metrics: { intervalMs: 5000, flushIntervalMs: 5000 },
  sync: syncEndpoint
    ? {
        endpoint: syncEndpoint,
        exporter: 'remote-write',
        metricsEveryMs: 2000,
        events: ['anomaly.#'],
        pollMs: 500,
      }
    : undefined,
});
const kv = await openKvStore('edgewise-demo');
const chart = new SeriesChart($('#chart'));

const records = rt.metrics.counter('edgewise_demo_records_total', {
  help: 'Records replayed',
  labelNames: ['series'],
});
const anomaliesTotal = rt.metrics.counter('edgewise_demo_anomalies_total', {
  help: 'Anomalies flagged',
  labelNames: ['series'],
});
const lastValue = rt.metrics.gauge('edgewise_demo_value', {
  help: 'Last value replayed',
  labelNames: ['series'],
});
const scoreHist = rt.metrics.histogram('edgewise_demo_anomaly_score', {
  help: 'Calibrated anomaly scores',
  buckets: [0.5, 0.9, 0.99, 0.995, 0.999],
});
const batchLatency = rt.metrics.summary('edgewise_demo_worker_batch_seconds', {
  help: 'Round trip of one batch through the detector worker',
  unit: 'seconds',
  quantiles: [0.5, 0.99],
});

// ---------------------------------------------------------------- datasets
interface Dataset {
  id: string;
  label: string;
  timestamps: Float64Array;
  values: Float64Array;
  /** labelled anomaly windows, ms */
  bands: [number, number][];
}

interface Anomaly {
  index: number;
  timestamp: number;
  value: number;
  score: number;
  top: string;
}

interface RunState {
  position: number;
  scores: Float32Array;
  anomalies: Anomaly[];
  detector: DetectorSnapshot | null;
  stream: StreamSnapshot | null;
}

const BUILT_IN: Record<string, string> = {
  'machine_temperature_system_failure.csv': 'Machine temperature (NAB, ends in a failure)',
  'nyc_taxi.csv': 'NYC taxi passengers (NAB)',
};
const datasets = new Map<string, Dataset>();
let labels: Record<string, [string, string][]> = {};

async function loadBuiltIn(id: string): Promise<Dataset> {
  const res = await fetch(`./data/${encodeURIComponent(id)}`);
  if (!res.ok) throw new Error(`could not load ${id} (${res.status})`);
  const s = parseSeriesCsv(await res.text());
  const bands = (labels[id] ?? []).map(
    ([a, b]) => [parseTimestamp(a), parseTimestamp(b)] as [number, number],
  );
  return { id, label: BUILT_IN[id], timestamps: s.timestamps, values: s.values, bands };
}

// ---------------------------------------------------------------- run state
let ds: Dataset;
let run: RunState;
let processor: StreamProcessor | undefined;
let unsubscribeStream: (() => void) | undefined;
let playing = false;
let threshold = 0.996;
let speed: number | 'max' = 200;
const windowsShown: WindowResult[] = [];

const freshRun = (n: number): RunState => ({
  position: 0,
  scores: new Float32Array(n).fill(Number.NaN),
  anomalies: [],
  detector: null,
  stream: null,
});

function makeProcessor(snapshot: StreamSnapshot | null): void {
  unsubscribeStream?.();
  processor?.dispose();
  windowsShown.length = 0;
  renderWindows();
  processor = new StreamProcessor({
    window: { type: 'tumbling', size: 3_600_000 },
    quantiles: [0.99],
    outOfOrderness: 0,
    bus: rt.bus,
  });
  if (snapshot) processor.restore(snapshot);
  unsubscribeStream = processor.fromBus(rt.bus, `series.${topicOf(ds.id)}`, 'replay');
}

const topicOf = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_');

async function selectDataset(id: string): Promise<void> {
  pause();
  const d = datasets.get(id);
  if (!d) throw new Error(`unknown dataset ${id}`);
  ds = d;
  const saved = await kv.get<RunState>(`run:${id}`);
  run = saved && saved.scores.length === d.values.length ? saved : freshRun(d.values.length);
  await svc.reset(id);
  if (run.detector) {
    try {
      await svc.restore(id, run.detector);
    } catch (e) {
      // A snapshot from another version of the detector: keep the series and
      // scores, let the detector learn again, and say so.
      await svc.reset(id);
      run.detector = null;
      setStatus(`Saved detector state not restored (${(e as Error).message}); it learns again.`);
    }
  }
  makeProcessor(run.stream);
  if (run.position > 0) records.inc({ series: id }, 0);
  const sel = $<HTMLSelectElement>('#dataset');
  sel.value = id;
  chart.setBands(d.bands.map(([a, b]) => [a / 1000, b / 1000]));
  const n = d.values.length;
  $<HTMLInputElement>('#a-to').value = String(Math.min(1000, n >> 1));
  $<HTMLInputElement>('#b-from').value = String(Math.max(0, n - 1000));
  $<HTMLInputElement>('#b-to').value = String(n);
  redraw();
  renderAnomalies();
  void renderModels();
  await kv.set('ui', { dataset: id });
}

// ---------------------------------------------------------------- replay
let ticking = false;
let timer: ReturnType<typeof setInterval> | undefined;
const TICK_MS = 200;

async function tick(): Promise<void> {
  if (ticking || !playing) return;
  ticking = true;
  try {
    const n = ds.values.length;
    if (run.position >= n) {
      if (kiosk) {
        // Kiosk mode loops: start the series again with a fresh detector (bounded memory).
        run = freshRun(n);
        await svc.reset(ds.id);
        makeProcessor(null);
      } else {
        pause();
        processor?.flush();
        setStatus(
          `Finished ${ds.label}: ${n.toLocaleString('en')} records, ${run.anomalies.length} anomalies.`,
        );
        return;
      }
    }
    const count = speed === 'max' ? 4000 : Math.max(1, Math.round((speed * TICK_MS) / 1000));
    const a = run.position;
    const b = Math.min(n, a + count);
    const values = ds.values.slice(a, b);
    const timestamps = ds.timestamps.slice(a, b);
    const topic = `series.${topicOf(ds.id)}`;
    for (let i = 0; i < values.length; i++) {
      rt.bus.emit(topic, { key: ds.id, timestamp: timestamps[i], value: values[i] });
    }
    const t0 = performance.now();
    const { scores, contributions } = await svc.update(ds.id, values, timestamps);
    batchLatency.observe((performance.now() - t0) / 1000);
    records.inc({ series: ds.id }, values.length);
    lastValue.set({ series: ds.id }, values[values.length - 1]);
    const top = Object.entries(contributions).sort((x, y) => y[1] - x[1])[0]?.[0] ?? '';
    for (let i = 0; i < scores.length; i++) {
      const idx = a + i;
      run.scores[idx] = scores[i];
      scoreHist.observe(scores[i]);
      if (scores[i] >= threshold) {
        const last = run.anomalies[0];
        if (last && idx - last.index <= 12) {
          if (scores[i] > last.score) last.score = scores[i];
        } else {
          const an = {
            index: idx,
            timestamp: timestamps[i],
            value: values[i],
            score: scores[i],
            top,
          };
          run.anomalies.unshift(an);
          if (run.anomalies.length > 200) run.anomalies.length = 200;
          anomaliesTotal.inc({ series: ds.id });
          rt.bus.emit(`anomaly.${topicOf(ds.id)}`, {
            series: ds.id,
            timestamp: an.timestamp,
            value: an.value,
            score: an.score,
            contributions,
          });
        }
      }
    }
    run.position = b;
    await rt.bus.flush();
    redraw();
    renderAnomalies();
  } catch (e) {
    pause();
    setStatus(`Replay stopped: ${(e as Error).message}`);
  } finally {
    ticking = false;
  }
}

function play(): void {
  if (playing) return;
  playing = true;
  $('#play').textContent = 'Pause';
  $('#play').setAttribute('aria-pressed', 'true');
  timer = setInterval(() => void tick(), speed === 'max' ? 0 : TICK_MS);
  void kv.set('playing', true);
}

function pause(): void {
  const was = playing;
  playing = false;
  if (was) void save();
  if (timer) clearInterval(timer);
  timer = undefined;
  const b = document.querySelector('#play');
  if (b) {
    b.textContent = 'Play';
    b.setAttribute('aria-pressed', 'false');
  }
  void kv.set('playing', false);
}

// ---------------------------------------------------------------- rendering
function redraw(): void {
  const n = run.position;
  const x = new Array<number>(n);
  const value = new Array<number | null>(n);
  const score = new Array<number | null>(n);
  const flagged = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    x[i] = ds.timestamps[i] / 1000;
    value[i] = ds.values[i];
    const s = run.scores[i];
    score[i] = Number.isNaN(s) ? null : s;
    flagged[i] = s >= threshold ? ds.values[i] : null;
  }
  chart.setData({ x, value, score, flagged });
  document.body.dataset.position = String(n);
  if (!playing && n === 0) return;
  setStatus(
    `${ds.label}: ${n.toLocaleString('en')} of ${ds.values.length.toLocaleString('en')} records${playing ? '' : ' (paused)'}`,
  );
}

const fmtTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

function renderAnomalies(): void {
  const list = $<HTMLOListElement>('#anomalies');
  list.replaceChildren(
    ...run.anomalies.slice(0, 30).map((a) => {
      const li = document.createElement('li');
      const inBand = ds.bands.some(([s, e]) => a.timestamp >= s && a.timestamp <= e);
      li.textContent = `${fmtTime(a.timestamp)} UTC — value ${a.value.toPrecision(5)}, score ${a.score.toFixed(4)} (${a.top})`;
      li.dataset.timestamp = String(a.timestamp);
      if (inBand) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'in a labelled window';
        li.append(' ', tag);
      }
      return li;
    }),
  );
  $('#anom-summary').textContent = run.anomalies.length
    ? `${run.anomalies.length} flagged at score ≥ ${threshold} over ${run.position.toLocaleString('en')} records.`
    : `None yet (${run.position.toLocaleString('en')} records scored).`;
  document.body.dataset.anomalies = String(run.anomalies.length);
}

function renderWindows(): void {
  const tbody = $<HTMLTableSectionElement>('#windows');
  tbody.replaceChildren(
    ...windowsShown.map((w) => {
      const tr = document.createElement('tr');
      for (const v of [
        fmtTime(w.end),
        String(w.count),
        w.mean.toPrecision(5),
        (w.quantiles?.[0] ?? Number.NaN).toPrecision(5),
        w.max.toPrecision(5),
      ]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    }),
  );
}

rt.bus.on('stream.window', (w: WindowResult) => {
  windowsShown.unshift(w);
  if (windowsShown.length > 8) windowsShown.length = 8;
  renderWindows();
});

const setStatus = (msg: string): void => {
  $('#status').textContent = msg;
};

// ---------------------------------------------------------------- persistence
async function save(): Promise<void> {
  if (!ds) return;
  const detector = await svc.snapshot(ds.id);
  run.detector = detector;
  run.stream = processor?.snapshot() ?? null;
  await kv.set(`run:${ds.id}`, run);
}
setInterval(() => {
  if (playing) void save();
}, 2000);
addEventListener('pagehide', () => void save());

// ---------------------------------------------------------------- stats panel
$<HTMLFormElement>('#stats-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const n = ds.values.length;
  const num = (id: string): number =>
    Math.max(0, Math.min(n, Math.floor(Number($<HTMLInputElement>(id).value))));
  const a = ds.values.subarray(num('#a-from'), num('#a-to'));
  const b = ds.values.subarray(num('#b-from'), num('#b-to'));
  const out = $('#stats-test');
  if (a.length < 2 || b.length < 2) {
    out.textContent = 'Each window needs at least 2 records.';
    return;
  }
  const da = describe(a);
  const db = describe(b);
  const rows: [string, number, number][] = [
    ['n', da.n, db.n],
    ['mean', da.mean, db.mean],
    ['std', da.std, db.std],
    ['median', da.median, db.median],
    ['min', da.min, db.min],
    ['max', da.max, db.max],
    ['skewness', da.skewness, db.skewness],
  ];
  const table = $<HTMLTableElement>('#stats-table');
  table.tBodies[0].replaceChildren(
    ...rows.map(([k, x, y]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = k;
      tr.append(th);
      for (const v of [x, y]) {
        const td = document.createElement('td');
        td.textContent = Number.isInteger(v) ? String(v) : v.toPrecision(6);
        tr.append(td);
      }
      return tr;
    }),
  );
  table.hidden = false;
  const t = welchTTest(a, b);
  out.textContent =
    `Welch t = ${t.statistic.toFixed(3)}, df = ${t.df?.toFixed(1)}, p = ${t.pValue.toPrecision(3)}` +
    (t.effectSize !== undefined ? `, effect size (Cohen's d) = ${t.effectSize.toFixed(3)}` : '') +
    (t.pValue < 0.05
      ? ' — the means differ at the 5% level.'
      : ' — no significant difference at the 5% level.');
  out.dataset.pvalue = String(t.pValue);
});

// ---------------------------------------------------------------- models panel
// Training runs in the ML worker (edgewise/ml train()), models go to the
// registry in IndexedDB; promote, roll back and shadow-compare them here.
const SPEC: FeatureSpec = {
  version: 1,
  features: [{ kind: 'shingle', column: 'value', size: 12 }],
};
const registry = await ModelRegistry.open();
let mlWorker: Worker | undefined;
let training: AbortController | undefined;
const modelName = (): string => `demo.${topicOf(ds.id)}`.slice(0, 128);

function featuresOf(d: Dataset) {
  return compileFeatures(SPEC).transform({ columns: { value: d.values }, ts: d.timestamps });
}

async function renderModels(): Promise<void> {
  const list = await registry.list(modelName());
  const table = $<HTMLTableElement>('#models');
  table.hidden = list.length === 0;
  table.tBodies[0].replaceChildren(
    ...list
      .sort((a, b) => b.version - a.version)
      .map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.version = String(r.version);
        tr.dataset.stage = r.stage;
        for (const v of [
          `v${r.version}`,
          r.stage,
          Number.isFinite(r.metrics.auc) ? r.metrics.auc.toFixed(3) : '–',
        ]) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.append(td);
        }
        const td = document.createElement('td');
        if (r.stage !== 'production') {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = 'Promote';
          b.className = 'promote';
          b.addEventListener(
            'click',
            () => void registry.promote(r.name, r.version).then(renderModels),
          );
          td.append(b);
        }
        const prod = list.find((x) => x.stage === 'production');
        if (prod && prod.version !== r.version) {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = 'Shadow vs production';
          b.className = 'shadow';
          b.addEventListener('click', () => void shadow(r.version, prod.version));
          td.append(b);
        }
        tr.append(td);
        return tr;
      }),
  );
  $<HTMLButtonElement>('#rollback').disabled = !list.some((r) => r.stage === 'production');
}

async function shadow(candidate: number, production: number): Promise<void> {
  const f = featuresOf(ds);
  const score = async (v: number): Promise<Float64Array> => {
    const m = deserializeModel((await registry.load(modelName(), { version: v })).bytes);
    try {
      return m.score(f.data, { dims: f.dims });
    } finally {
      m.dispose();
    }
  };
  const r = await registry.recordShadow(
    modelName(),
    candidate,
    await score(production),
    await score(candidate),
    {
      threshold: 0.6,
      productionVersion: production,
    },
  );
  const out = $('#shadow');
  out.textContent =
    `Shadow v${r.version} vs production v${r.productionVersion} on ${r.n.toLocaleString('en')} windows: ` +
    `agreement ${(100 * r.agreement).toFixed(1)}% at score > 0.6, correlation ${r.correlation.toFixed(3)}, ` +
    `mean |difference| ${r.meanAbsDiff.toFixed(4)}.`;
  out.dataset.agreement = String(r.agreement);
}

$('#rollback').addEventListener('click', async () => {
  try {
    const r = await registry.rollback(modelName());
    $('#shadow').textContent = `Rolled back: production is v${r.version} again.`;
  } catch (e) {
    $('#shadow').textContent = (e as Error).message;
  }
  await renderModels();
});

$('#train').addEventListener('click', async () => {
  const bar = $<HTMLProgressElement>('#train-progress');
  const st = $('#train-status');
  const job = new AbortController();
  training = job;
  $<HTMLButtonElement>('#train').disabled = true;
  $<HTMLButtonElement>('#cancel-train').disabled = false;
  bar.value = 0;
  st.textContent = 'Training…';
  document.body.dataset.training = 'running';
  try {
    mlWorker ??= new Worker(new URL('./ml.worker.ts', import.meta.url), { type: 'module' });
    // NAB's labelled windows, when the series has them, give the model an AUC.
    const labels = ds.bands.length
      ? Float64Array.from(ds.timestamps, (t) =>
          ds.bands.some(([a, b]) => t >= a && t <= b) ? 1 : 0,
        )
      : undefined;
    const r = await train(
      SPEC,
      { columns: { value: ds.values }, ts: ds.timestamps, labels },
      {
        model: 'isolation-forest',
        params: { trees: 100, sampleSize: 256, seed: Date.now() % 100_000 },
        onProgress: (p) => {
          // A progress message can still be in flight when the job is cancelled.
          if (job.signal.aborted) return;
          bar.value = p.fraction;
          st.textContent = `Training: ${p.phase} ${(100 * p.fraction).toFixed(0)}%`;
        },
        signal: job.signal,
        worker: mlWorker,
      },
    );
    const rec = await registry.register(modelName(), r.bytes, {
      specHash: r.specHash,
      metrics: { auc: r.evaluation.auc ?? Number.NaN, trainingMs: r.evaluation.trainingMs },
    });
    const f = featuresOf(ds);
    const scores = r.model.score(f.data, { dims: f.dims });
    r.model.dispose();
    const order = [...scores.keys()].sort((x, y) => scores[y] - scores[x]);
    const top: number[] = [];
    for (const i of order) {
      const src = f.rows[i];
      if (top.every((j) => Math.abs(src - j) > 50)) top.push(src);
      if (top.length === 5) break;
    }
    st.textContent =
      `Registered ${rec.name} v${rec.version} (${rec.stage}) in ${r.evaluation.trainingMs.toFixed(0)} ms` +
      (Number.isFinite(r.evaluation.auc)
        ? `, AUC ${r.evaluation.auc?.toFixed(3)} against NAB's labels`
        : '') +
      '. Most isolated windows:';
    $('#train-top').replaceChildren(
      ...top.map((i) => {
        const li = document.createElement('li');
        const inBand = ds.bands.some(([s, e]) => ds.timestamps[i] >= s && ds.timestamps[i] <= e);
        li.textContent = `${fmtTime(ds.timestamps[i])} UTC${inBand ? ' (in a labelled window)' : ''}`;
        return li;
      }),
    );
    bar.value = 1;
    document.body.dataset.training = 'done';
    await renderModels();
  } catch (e) {
    const cancelled = job.signal.aborted;
    st.textContent = cancelled ? 'Training cancelled.' : `Training failed: ${(e as Error).message}`;
    document.body.dataset.training = cancelled ? 'cancelled' : 'failed';
  } finally {
    $<HTMLButtonElement>('#train').disabled = false;
    $<HTMLButtonElement>('#cancel-train').disabled = true;
  }
});
$('#cancel-train').addEventListener('click', () => training?.abort());

// ---------------------------------------------------------------- metrics panel
async function renderExposition(): Promise<void> {
  const fmt = $<HTMLSelectElement>('#format').value as 'prometheus' | 'openmetrics';
  $('#exposition').textContent = await rt.metrics.exposition(fmt);
}
$('#format').addEventListener('change', () => void renderExposition());
setInterval(() => void renderExposition(), 2000);

// ---------------------------------------------------------------- sync panel
let lastSent = 0;
let lastSuccess = 0;
async function renderSync(): Promise<void> {
  const sync = rt.sync;
  if (!sync) return;
  const o = await sync.outbox.stats();
  const s = sync.sender?.stats;
  if (s && s.pointsSent > lastSent) {
    lastSent = s.pointsSent;
    lastSuccess = Date.now();
  }
  const dropped = Object.values(o.dropped).reduce((n, d) => n + d.entries, 0);
  const rows: [string, string][] = [
    ['Endpoint', syncEndpoint],
    [
      'Outbox',
      `${o.entries} entries, ${(o.bytes / 1024).toFixed(1)} KiB, ${o.parked} parked, ${dropped} dropped`,
    ],
    ['Sent', s ? `${s.pointsSent} points in ${s.batchesSent} batches` : '-'],
    ['Requests', s ? `${s.requests} (${s.failures} failed, ${s.retries} retries)` : '-'],
    ['Last success', lastSuccess ? new Date(lastSuccess).toLocaleTimeString() : 'not yet'],
  ];
  const dl = $('#sync-stats');
  dl.replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  dl.hidden = false;
  dl.dataset.pointsSent = String(s?.pointsSent ?? 0);
  $('#sync-status').textContent = navigator.onLine
    ? 'Syncing: samples and anomaly events go through a durable outbox in IndexedDB.'
    : 'Offline: the outbox keeps everything until the network is back.';
}
$<HTMLInputElement>('#sync-endpoint').value = syncEndpoint;
$<HTMLFormElement>('#sync-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = $<HTMLInputElement>('#sync-endpoint').value.trim();
  if (v) localStorage.setItem('edgewise-demo-sync', v);
  else localStorage.removeItem('edgewise-demo-sync');
  location.reload();
});
setInterval(() => void renderSync(), 1000);

// ---------------------------------------------------------------- CSV upload
async function loadCsv(file: File): Promise<void> {
  const wrapEl = $('#progress-wrap');
  const bar = $<HTMLProgressElement>('#upload-progress');
  wrapEl.hidden = false;
  bar.value = 0;
  const text = await file.text();
  const parsed = await svc.parseCsv(
    text,
    proxy((p: Progress) => {
      bar.value = p.fraction;
    }),
  );
  wrapEl.hidden = true;
  const errBox = $('#csv-errors');
  const list = $('#csv-error-list');
  list.replaceChildren(
    ...parsed.errors.slice(0, 100).map((e) => {
      const li = document.createElement('li');
      li.textContent = `line ${e.line}: ${e.reason}`;
      return li;
    }),
  );
  if (parsed.values.length < 2) {
    setStatus(`${file.name}: no valid rows to replay.`);
    errBox.hidden = parsed.errors.length === 0;
    return;
  }
  // Rows may be unordered: sort by time (the replay is in event-time order).
  const order = [...parsed.timestamps.keys()].sort(
    (x, y) => parsed.timestamps[x] - parsed.timestamps[y],
  );
  const id = `upload:${file.name}`;
  const d: Dataset = {
    id,
    label: file.name,
    timestamps: Float64Array.from(order, (i) => parsed.timestamps[i]),
    values: Float64Array.from(order, (i) => parsed.values[i]),
    bands: [],
  };
  datasets.set(id, d);
  await kv.set(`data:${id}`, { label: d.label, timestamps: d.timestamps, values: d.values });
  await kv.delete(`run:${id}`);
  addOption(id, d.label);
  await selectDataset(id);
  setStatus(
    `${file.name}: ${d.values.length.toLocaleString('en')} rows loaded` +
      (parsed.errors.length
        ? `, ${parsed.errors.length} rows skipped (listed below the chart).`
        : '.'),
  );
  // Shown together with the status line, once the valid rows are in.
  errBox.hidden = parsed.errors.length === 0;
}

function addOption(id: string, label: string): void {
  const sel = $<HTMLSelectElement>('#dataset');
  if ([...sel.options].some((o) => o.value === id)) return;
  const o = document.createElement('option');
  o.value = id;
  o.textContent = label;
  sel.append(o);
}

$<HTMLInputElement>('#csv').addEventListener('change', (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) void loadCsv(f).catch((e: Error) => setStatus(`Could not load the CSV: ${e.message}`));
});
const drop = $('#drop');
drop.addEventListener('dragover', (ev) => ev.preventDefault());
drop.addEventListener('drop', (ev) => {
  ev.preventDefault();
  const f = ev.dataTransfer?.files[0];
  if (f) void loadCsv(f).catch((e: Error) => setStatus(`Could not load the CSV: ${e.message}`));
});

// ---------------------------------------------------------------- controls
$('#play').addEventListener('click', () => (playing ? pause() : play()));
$<HTMLSelectElement>('#speed').addEventListener('change', (ev) => {
  const v = (ev.target as HTMLSelectElement).value;
  speed = v === 'max' ? 'max' : Number(v);
  if (playing) {
    pause();
    play();
  }
});
$<HTMLInputElement>('#threshold').addEventListener('change', (ev) => {
  const v = Number((ev.target as HTMLInputElement).value);
  if (v > 0 && v < 1) threshold = v;
  redraw();
  renderAnomalies();
});
$<HTMLSelectElement>('#dataset').addEventListener('change', (ev) => {
  void selectDataset((ev.target as HTMLSelectElement).value);
});
$('#reset').addEventListener('click', async () => {
  pause();
  await kv.delete(`run:${ds.id}`);
  await selectDataset(ds.id);
});

// ---------------------------------------------------------------- start
async function start(): Promise<void> {
  labels = (await (await fetch('./data/labels.json')).json()).windows;
  for (const id of Object.keys(BUILT_IN)) {
    datasets.set(id, await loadBuiltIn(id));
    addOption(id, BUILT_IN[id]);
  }
  for (const key of await kv.keys()) {
    if (!key.startsWith('data:')) continue;
    const d = await kv.get<{ label: string; timestamps: Float64Array; values: Float64Array }>(key);
    if (!d) continue;
    const id = key.slice(5);
    datasets.set(id, { id, label: d.label, timestamps: d.timestamps, values: d.values, bands: [] });
    addOption(id, d.label);
  }
  const ui = await kv.get<{ dataset: string }>('ui');
  const first =
    params.get('series') ??
    (ui && datasets.has(ui.dataset) ? ui.dataset : Object.keys(BUILT_IN)[0]);
  await selectDataset(first);
  const info = await svc.info();
  const a = rt.backends.gpu.adapter;
  const gpu = rt.backends.gpu.available
    ? `WebGPU: ${[a?.vendor, a?.architecture, a?.description].filter(Boolean).join(' ') || 'adapter'}`
    : 'WebGPU: not available, WASM fallback';
  const sw = 'serviceWorker' in navigator ? 'offline-ready' : 'no service worker';
  $('#backends').textContent =
    `Kernels: ${info.kernels} · ${gpu} · ONNX: loaded on demand · Storage: ${kv.kind} · ${sw}`;
  document.body.dataset.ready = '1';
  void renderExposition();
  const wasPlaying = await kv.get<boolean>('playing');
  const sp = params.get('speed');
  if (sp) {
    speed = sp === 'max' ? 'max' : Number(sp);
    $<HTMLSelectElement>('#speed').value = sp;
  }
  if (kiosk || params.get('autoplay') === '1' || (wasPlaying && run.position < ds.values.length))
    play();
}

if ('serviceWorker' in navigator && !params.has('nosw')) {
  navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => {
    // offline support is best-effort (e.g. file:// or private mode)
  });
}

start().catch((e: Error) => {
  setStatus(`Failed to start: ${e.message}`);
  document.body.dataset.ready = 'error';
});
