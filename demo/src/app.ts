/**
 * The Edgewise demo dashboard, built on the public API only (`edgewise/*`).
 * Built-in NAB series (or the user's CSV) are replayed through the runtime's
 * detection pipeline (see ./replay.ts): windows, the StreamingDetector in a
 * worker, metrics, anomaly events, sync. State lives in IndexedDB, so a
 * reload, a crash or a kiosk restart resumes where it was; after one visit
 * the service worker serves everything offline.
 */
import { createRuntime } from 'edgewise';
import { openKvStore } from 'edgewise/storage';
import {
  BUILT_IN,
  type Dataset,
  datasetOf,
  loadBuiltIns,
  loadUploads,
  parseCsvFile,
  saveUpload,
} from './data';
import { $, el, messageOf, setStatus } from './dom';
import { ModelsPanel } from './panels/models';
import { mountExpositionPanel, mountSyncPanel, syncEndpoint } from './panels/ops';
import { mountStatsPanel } from './panels/stats';
import { Replay } from './replay';
import { DashboardView } from './view';

const params = new URLSearchParams(location.search);
const kiosk = params.get('kiosk') === '1';
if (kiosk) document.body.classList.add('kiosk');

// Sync is off unless an endpoint was saved (or given as ?sync=...): nothing leaves the device.
const endpoint = syncEndpoint(params);
const rt = await createRuntime({
  storage: 'indexeddb',
  gpu: 'auto',
  metrics: { intervalMs: 5000, flushIntervalMs: 5000 },
  sync: endpoint
    ? { endpoint, exporter: 'remote-write', metricsEveryMs: 2000, pollMs: 500 }
    : undefined,
});
const kv = await openKvStore('edgewise-demo');
const datasets = new Map<string, Dataset>();
const replay = new Replay(rt, kv, new DashboardView(), kiosk);
const current = (): Dataset | undefined => replay.ds;
const models = await ModelsPanel.mount(current);
mountStatsPanel(current);
mountSyncPanel(rt, endpoint);

async function select(id: string): Promise<void> {
  const ds = datasets.get(id);
  if (!ds) return setStatus(`Unknown series ${id}.`);
  $<HTMLSelectElement>('#dataset').value = id;
  await replay.select(ds);
  await models.render();
}

function addDataset(d: Dataset): void {
  datasets.set(d.id, d);
  const sel = $<HTMLSelectElement>('#dataset');
  if ([...sel.options].some((o) => o.value === d.id)) return;
  const o = el('option', d.label);
  o.value = d.id;
  sel.append(o);
}

// ---------------------------------------------------------------- CSV upload
async function loadCsv(file: File): Promise<void> {
  const bar = $<HTMLProgressElement>('#upload-progress');
  $('#progress-wrap').hidden = false;
  bar.value = 0;
  const parsed = await parseCsvFile(file, (f) => {
    bar.value = f;
  });
  $('#progress-wrap').hidden = true;
  const errBox = $('#csv-errors');
  $('#csv-error-list').replaceChildren(
    ...parsed.errors.slice(0, 100).map((e) => el('li', `line ${e.line}: ${e.reason}`)),
  );
  if (parsed.values.length < 2) {
    setStatus(`${file.name}: no valid rows to replay.`);
    errBox.hidden = parsed.errors.length === 0;
    return;
  }
  const d = datasetOf(`upload:${file.name}`, file.name, parsed);
  await saveUpload(kv, d);
  addDataset(d);
  await select(d.id);
  setStatus(
    `${file.name}: ${d.values.length.toLocaleString('en')} rows loaded` +
      (parsed.errors.length
        ? `, ${parsed.errors.length} rows skipped (listed below the chart).`
        : '.'),
  );
  // Shown together with the status line, once the valid rows are in.
  errBox.hidden = parsed.errors.length === 0;
}
const upload = (f: File | undefined): void => {
  if (f) void loadCsv(f).catch((e) => setStatus(`Could not load the CSV: ${messageOf(e)}`));
};
$<HTMLInputElement>('#csv').addEventListener('change', (ev) => {
  upload((ev.target as HTMLInputElement).files?.[0]);
});
$('#drop').addEventListener('dragover', (ev) => ev.preventDefault());
$('#drop').addEventListener('drop', (ev) => {
  ev.preventDefault();
  upload(ev.dataTransfer?.files[0]);
});

// ---------------------------------------------------------------- controls
$('#play').addEventListener('click', () => (replay.playing ? replay.pause() : replay.play()));
$<HTMLSelectElement>('#speed').addEventListener('change', (ev) => {
  const v = (ev.target as HTMLSelectElement).value;
  replay.setSpeed(v === 'max' ? 'max' : Number(v));
});
$<HTMLInputElement>('#threshold').addEventListener('change', (ev) => {
  const v = Number((ev.target as HTMLInputElement).value);
  if (v > 0 && v < 1) void replay.setThreshold(v);
});
$<HTMLSelectElement>('#dataset').addEventListener('change', (ev) => {
  void select((ev.target as HTMLSelectElement).value);
});
$('#reset').addEventListener('click', () => void replay.restart());
setInterval(() => {
  if (replay.playing) void replay.save();
}, 2000);
addEventListener('pagehide', () => void replay.save());

// ---------------------------------------------------------------- start
async function start(): Promise<void> {
  for (const d of await loadBuiltIns()) addDataset(d);
  for (const d of await loadUploads(kv)) addDataset(d);
  const ui = await kv.get<{ dataset: string }>('ui');
  await select(
    params.get('series') ??
      (ui && datasets.has(ui.dataset) ? ui.dataset : Object.keys(BUILT_IN)[0]),
  );
  const a = rt.backends.gpu.adapter;
  const gpu = rt.backends.gpu.available
    ? `WebGPU: ${[a?.vendor, a?.architecture, a?.description].filter(Boolean).join(' ') || 'adapter'}`
    : 'WebGPU: not available, WASM fallback';
  const sw = 'serviceWorker' in navigator ? 'offline-ready' : 'no service worker';
  $('#backends').textContent =
    `Kernels: ${rt.backends.kernels} · ${gpu} · ONNX: loaded on demand · Storage: ${kv.kind} · ${sw}`;
  document.body.dataset.ready = '1';
  mountExpositionPanel(rt);
  const wasPlaying = await kv.get<boolean>('playing');
  const sp = params.get('speed');
  if (sp) {
    replay.setSpeed(sp === 'max' ? 'max' : Number(sp));
    $<HTMLSelectElement>('#speed').value = sp;
  }
  const unfinished = replay.position < (replay.ds?.values.length ?? 0);
  if (kiosk || params.get('autoplay') === '1' || (wasPlaying && unfinished)) replay.play();
}

if ('serviceWorker' in navigator && !params.has('nosw')) {
  navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => {
    // offline support is best-effort (e.g. file:// or private mode)
  });
}

start().catch((e) => {
  setStatus(`Failed to start: ${messageOf(e)}`);
  document.body.dataset.ready = 'error';
});
