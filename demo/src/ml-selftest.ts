// ML self-test page: the browser tests load it and read window.__mlSelftest.
//   ?mode=onnx                  ONNX fixtures + exported forest in a worker, per provider list
//   ?mode=registry&step=write   registers and promotes models in IndexedDB
//   ?mode=registry&step=read    (after a reload) reads them back, checks hashes, rolls back, tampers
//   ?mode=sw                    registers the app's service worker (precaches onnxruntime's .wasm too)
import { IsolationForest } from 'edgewise/anomaly';
import { exportIsolationForestOnnx, ModelRegistry, trainInline } from 'edgewise/ml';
import { loadOnnxInWorker } from 'edgewise/onnx';
import type { IndexedDbModelStore } from 'edgewise/storage';
import aeUrl from '../../test/fixtures/ml/autoencoder.onnx?url&no-inline';
import treesUrl from '../../test/fixtures/ml/trees.onnx?url&no-inline';
import fx from '../../test/fixtures/ml.json';

declare global {
  interface Window {
    __mlSelftest?: unknown;
  }
}

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'onnx';

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function onnx() {
  const worker = new Worker(new URL('./ml.worker.ts', import.meta.url), { type: 'module' });
  const eps = (params.get('eps') ?? 'wasm').split(',') as ('webgpu' | 'wasm')[];
  const ae = await loadOnnxInWorker(worker, new URL(aeUrl, location.href).href, {
    executionProviders: eps,
    score: 'reconstruction',
  });
  const aeOut = await ae.run(new Float64Array(fx.autoencoder.input), { dims: 4 });
  const aeErr = await ae.score(new Float64Array(fx.autoencoder.input), { dims: 4 });
  const trees = await loadOnnxInWorker(worker, new URL(treesUrl, location.href).href, {
    executionProviders: eps,
  });
  const treesOut = await trees.score(new Float64Array(fx.trees.input), { dims: 3 });
  // a forest trained here, exported, scored in the worker
  const d = 4;
  const n = 20000;
  const r = rng(7);
  const X = Float64Array.from({ length: n * d }, () => r() * 2 - 1);
  const forest = new IsolationForest({ trees: 100, seed: 2 }).fit(X.subarray(0, 2000 * d), {
    dims: d,
  });
  const exported = await loadOnnxInWorker(worker, exportIsolationForestOnnx(forest), {
    executionProviders: eps,
  });
  const want = forest.score(X, { dims: d });
  await exported.score(X.subarray(0, 1000 * d), { dims: d });
  const t0 = performance.now();
  const got = await exported.score(X, { dims: d });
  const forestMs = performance.now() - t0;
  // autoencoder throughput
  const Y = Float64Array.from({ length: n * 4 }, () => r());
  const t1 = performance.now();
  await ae.score(Y, { dims: 4 });
  const aeMs = performance.now() - t1;
  let sha = 'accepted';
  try {
    await loadOnnxInWorker(worker, new URL(treesUrl, location.href).href, {
      sha256: '00'.repeat(32),
    });
  } catch (e) {
    sha = (e as Error).message;
  }
  const out = {
    providers: { autoencoder: ae.provider, trees: trees.provider, forest: exported.provider },
    fallbacks: ae.info.fallbacks,
    aeOutErr: maxAbs(aeOut.data, fx.autoencoder.output),
    aeReconErr: maxAbs(aeErr, fx.autoencoder.reconError),
    treesErr: maxAbs(treesOut, fx.trees.output),
    forestErr: maxAbs(got, want),
    forestRowsPerSec: n / (forestMs / 1000),
    aeRowsPerSec: n / (aeMs / 1000),
    sha,
  };
  worker.terminate();
  return out;
}

async function registry() {
  const step = params.get('step') ?? 'write';
  const reg = await ModelRegistry.open({ storage: 'indexeddb', name: 'edgewise-models-selftest' });
  const spec = { version: 1 as const, features: [{ kind: 'value' as const, column: 'x' }] };
  const r = rng(3);
  const x = Float64Array.from({ length: 500 }, () => r());
  if (step === 'write') {
    const a = await trainInline(spec, { columns: { x } }, { model: 'robust-gaussian' });
    const b = await trainInline(
      spec,
      { columns: { x } },
      { model: 'isolation-forest', params: { trees: 10, seed: 1 } },
    );
    await reg.register('m', a.bytes, { metrics: { auc: 0.5 } });
    await reg.register('m', b.bytes);
    await reg.promote('m', 1);
    await reg.promote('m', 2);
    const list = await reg.list('m');
    reg.close();
    return { list };
  }
  const list = await reg.list('m');
  const { record, model } = await reg.loadModel('m');
  const score = Array.from(model.score(new Float64Array([0.5, 2]), { dims: 1 }));
  const rolled = await reg.rollback('m');
  const store = reg.backend as IndexedDbModelStore;
  const bytes = (await store.blob('m', 1)) as Uint8Array;
  bytes[20] ^= 0x55;
  await store.write({ blobs: [{ name: 'm', version: 1, bytes }] });
  let tamper = 'accepted';
  try {
    await reg.load('m');
  } catch (e) {
    tamper = `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  reg.close();
  return { list, loaded: record.version, score, rolledBackTo: rolled.version, tamper };
}

async function serviceWorker() {
  await navigator.serviceWorker.register('./sw.js', { scope: './' });
  await navigator.serviceWorker.ready;
  return { controlled: navigator.serviceWorker.controller !== null };
}

(mode === 'onnx' ? onnx() : mode === 'sw' ? serviceWorker() : registry()).then(
  (res) => {
    window.__mlSelftest = res;
    (document.getElementById('result') as HTMLElement).textContent = JSON.stringify(res, null, 2);
    document.body.dataset.done = '1';
  },
  (e) => {
    window.__mlSelftest = { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
    (document.getElementById('result') as HTMLElement).textContent = String(e);
    document.body.dataset.done = '1';
  },
);
