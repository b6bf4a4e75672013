// GPU self-test page: the browser tests load it (Chromium with
// --enable-unsafe-webgpu, SwiftShader adapter) and read window.__gpuSelftest.

import { IsolationForest } from 'edgewise/anomaly';
import {
  batchStats,
  batchStatsCpu,
  type DenseLayer,
  denseForward,
  denseForwardCpu,
  forestPathSums,
  type GpuService,
  getGpuStatus,
  knn,
  knnCpu,
  lofFromKnn,
} from 'edgewise/gpu';
import { type AnomalyService, wrap } from 'edgewise/threads';

/** c(n) of Liu et al. (2008), the mean path length that normalises forest scores. */
const averagePathLength = (n: number): number =>
  n <= 1 ? 0 : n <= 2 ? 1 : 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;

interface Report {
  where: string;
  status: { available: boolean; reason?: string; adapter?: unknown };
  backends: string[];
  maxRelErr: Record<string, number>;
  /** Points left out of the LOF comparison (their two-hop neighbourhoods differ at f32 ties). */
  lofExcused: number;
}

declare global {
  interface Window {
    __gpuSelftest?:
      | { reports: Report[]; anomalyWorker: { backend: string; maxAbsErr: number }; seed: number }
      | { fallback: { available: boolean; backend: string; reason: string; agrees: boolean } }
      | { error: string };
  }
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(new URLSearchParams(location.search).get('seed') ?? Date.now() % 1e9);
const r = rng(seed);
const series = 301;
const length = 257;
const values = Float32Array.from(
  { length: series * length },
  (_, i) => Math.floor(i / length) + r() * 5,
);
const d = 6;
const n = 517;
const X = Float32Array.from({ length: n * d }, () => r() * 4 - 2);
const layer = (
  inputs: number,
  outputs: number,
  activation: DenseLayer['activation'],
): DenseLayer => ({
  inputs,
  outputs,
  weights: Float32Array.from({ length: inputs * outputs }, () => (r() * 2 - 1) / Math.sqrt(inputs)),
  bias: Float32Array.from({ length: outputs }, () => r() * 0.1),
  activation,
});
const layers = [layer(d, 3, 'relu'), layer(3, d, 'linear')];

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++)
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(floor, Math.abs(b[i])));
  return m;
};

/**
 * LOF of the GPU neighbours against the CPU twin's, over the points whose
 * LOF reads the same neighbour sets: LOF(i) uses the neighbours of i and
 * the neighbours of each of them (their lrd), and a set can differ where two
 * distances tie at f32 precision. Returns the largest relative error over
 * those points and how many were left out.
 */
function lofAgreement(
  gpu: { indices: Uint32Array; distances: ArrayLike<number>; k: number },
  cpu: { indices: Uint32Array; distances: ArrayLike<number>; k: number },
): { err: number; excused: number } {
  const k = cpu.k;
  const count = cpu.indices.length / k;
  const sameSet = (p: number): boolean => {
    const a = new Set(gpu.indices.subarray(p * k, p * k + k));
    return cpu.indices.subarray(p * k, p * k + k).every((j) => a.has(j));
  };
  const lg = lofFromKnn(gpu).lof;
  const lc = lofFromKnn(cpu).lof;
  let err = 0;
  let excused = 0;
  for (let i = 0; i < count; i++) {
    if (![i, ...cpu.indices.subarray(i * k, i * k + k)].every(sameSet)) excused++;
    else err = Math.max(err, Math.abs(lg[i] - lc[i]) / Math.max(1e-3, Math.abs(lc[i])));
  }
  return { err, excused };
}

interface Ops {
  status(): Promise<Report['status']>;
  batchStats: GpuService['batchStats'];
  denseForward: GpuService['denseForward'];
  knn: GpuService['knn'];
  forestPathSums: GpuService['forestPathSums'];
}

const forest = new IsolationForest({ trees: 50, sampleSize: 128, seed: 7 }).fit(
  Float64Array.from(X),
  { dims: d },
);
const forestBytes = forest.serialize();
const fv = new DataView(forestBytes.buffer);
const flatForest = {
  trees: fv.getUint32(8, true),
  maxNodes: fv.getUint32(12, true),
  nodes: forestBytes.slice(48),
};
const forestScores = forest.score(Float64Array.from(X), { dims: d });

async function check(where: string, ops: Ops): Promise<Report> {
  const status = await ops.status();
  const bs = await ops.batchStats(values, {
    series,
    length,
    backend: 'gpu',
    maxChunkBytes: 50 * length * 4,
  });
  const bsCpu = batchStatsCpu(values, { series, length });
  const de = await ops.denseForward(X, { layers, backend: 'gpu' });
  const deCpu = denseForwardCpu(X, { layers });
  const nn = await ops.knn(X, { k: 10, dims: d, backend: 'gpu' });
  const nnCpu = knnCpu(X, { k: 10, dims: d });
  const fr = await ops.forestPathSums(flatForest, Float64Array.from(X), { dims: d });
  const denom = flatForest.trees * averagePathLength(128);
  const gpuScores = Array.from(fr.pathSums, (s) => 2 ** (-s / denom));
  const lof = lofAgreement(nn, nnCpu);
  return {
    where,
    status: { available: status.available, reason: status.reason, adapter: status.adapter },
    backends: [bs.backend, de.backend, nn.backend, fr.backend],
    maxRelErr: {
      mean: maxRel(bs.mean, bsCpu.mean),
      variance: maxRel(bs.variance, bsCpu.variance),
      max: maxRel(bs.max, bsCpu.max),
      denseOutput: maxRel(de.output, deCpu.output),
      reconstruction: maxRel(de.reconstructionError!, deCpu.reconstructionError!),
      knnDistance: maxRel(nn.distances, nnCpu.distances),
      lof: lof.err,
      forestScore: maxRel(gpuScores, forestScores, 1),
    },
    lofExcused: lof.excused,
  };
}

async function run(): Promise<void> {
  const main = await check('main', {
    status: getGpuStatus,
    batchStats,
    denseForward,
    knn,
    forestPathSums,
  });
  const worker = new Worker(new URL('../../src/threads/gpu/worker.ts', import.meta.url), {
    type: 'module',
  });
  const svc = wrap<GpuService>(worker);
  const inWorker = await check('worker', svc);
  worker.terminate();
  // GPU scoring inside the anomaly worker: a forest fitted there, scored on the GPU there.
  const aw = new Worker(new URL('../../src/threads/anomaly/worker.ts', import.meta.url), {
    type: 'module',
  });
  const anomaly = wrap<AnomalyService>(aw);
  const X64 = Float64Array.from(X);
  const { id } = await anomaly.fitForest(
    X64.slice(),
    { dims: d },
    { trees: 50, sampleSize: 128, seed: 7 },
  );
  const wasm = await anomaly.scoreForest(id, X64.slice(), { dims: d });
  const onGpu = await anomaly.scoreIsolationForest(id, X64.slice(), { dims: d, backend: 'gpu' });
  aw.terminate();
  const anomalyWorker = {
    backend: onGpu.backend,
    maxAbsErr: Math.max(...onGpu.scores.map((v, i) => Math.abs(v - wasm[i]))),
  };
  window.__gpuSelftest = { reports: [main, inWorker], anomalyWorker, seed };
}

async function fallback(): Promise<void> {
  const status = await getGpuStatus();
  const auto = await batchStats(values, { series, length, backend: 'auto' });
  const cpu = batchStatsCpu(values, { series, length });
  window.__gpuSelftest = {
    fallback: {
      available: status.available,
      backend: auto.backend,
      reason: auto.reason,
      agrees: maxRel(auto.variance, cpu.variance) === 0,
    },
  };
}

const out = document.querySelector('#result')!;
(new URLSearchParams(location.search).get('mode') === 'fallback' ? fallback() : run()).then(
  () => {
    out.textContent = JSON.stringify(window.__gpuSelftest, null, 1);
    document.body.dataset.done = '1';
  },
  (e: unknown) => {
    window.__gpuSelftest = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    out.textContent = String(e);
    document.body.dataset.done = '1';
  },
);
