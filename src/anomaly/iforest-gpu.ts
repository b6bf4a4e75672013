/**
 * Isolation Forest scoring with a backend choice: 'wasm' (the WASM scorer),
 * 'gpu' (WebGPU, src/gpu/forest-wgsl.ts) or 'auto' (the GPU above the batch size
 * where it pays on this adapter). Every result says which backend ran.
 */
import type { BackendReport, BackendRequest } from '../gpu/backend';
import { averagePathLength } from '../kernels/iforest';
import { type IsolationForest, openForestState } from './iforest';
import { asMatrix } from './matrix';

function flat(forest: IsolationForest): {
  trees: number;
  maxNodes: number;
  nodes: Uint8Array;
  sampleSize: number;
} {
  const { header, nodes } = openForestState(forest.serialize());
  return { trees: header.trees, maxNodes: header.maxNodes, sampleSize: header.sampleSize, nodes };
}

/** Isolation Forest scores with the backend that computed them (`scoreIsolationForest`). */
export interface ForestScoreResult extends BackendReport {
  /** s(x, n) = 2^(-E[h(x)] / c(n)) per row, as IsolationForest.score. */
  scores: Float64Array;
}

/** Scores rows with `forest` on the chosen backend. */
export async function scoreIsolationForest(
  forest: IsolationForest,
  x: Float64Array | ArrayLike<number>,
  options: { dims: number; backend?: BackendRequest; maxChunkBytes?: number },
): Promise<ForestScoreResult> {
  const { data, n } = asMatrix(x, options, 'scoreIsolationForest', forest.dims);
  if ((options.backend ?? 'auto') === 'wasm') {
    return { scores: forest.score(data, options), backend: 'wasm', reason: 'requested wasm' };
  }
  // The WebGPU path loads on demand, keeping it out of the core bundle.
  const [{ chooseBackend }, { forestPathSums }] = await Promise.all([
    import('../gpu/backend'),
    import('../gpu/forest-wgsl'),
  ]);
  const f = flat(forest);
  const calibrate = async (_ctx: unknown, m: number): Promise<{ gpuMs: number; cpuMs: number }> => {
    const rows = Math.max(1, Math.min(m, n || m));
    const sample = new Float64Array(rows * options.dims);
    for (let i = 0; i < sample.length; i++)
      sample[i] = data.length ? data[i % data.length] : Math.sin(i);
    let t = performance.now();
    await forestPathSums(f, sample, { dims: options.dims });
    const gpuMs = performance.now() - t;
    t = performance.now();
    forest.score(sample, { dims: options.dims });
    return { gpuMs, cpuMs: performance.now() - t };
  };
  const { ctx, report } = await chooseBackend('iforest', n, options.backend ?? 'auto', calibrate);
  if (!ctx) return { scores: forest.score(data, options), ...report };
  const r = await forestPathSums(f, data, options);
  const denom = f.trees * averagePathLength(f.sampleSize);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = 2 ** (-r.pathSums[i] / denom);
  return { scores, ...report };
}
