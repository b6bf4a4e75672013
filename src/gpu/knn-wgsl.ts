/**
 * k-nearest neighbours on the GPU (squared Euclidean, tiled through workgroup
 * memory, per-point top-k selection on the GPU) and LOF computed from them.
 */
import { EdgewiseError } from '../errors';
import { type BackendReport, type BackendRequest, chooseBackend } from './backend';
import { type GpuContext, runOnGpu } from './device';
import {
  acquireBuffer,
  maxBindingBytes,
  pipeline,
  readback,
  releaseBuffers,
  STORAGE_IN,
  STORAGE_OUT,
  UNIFORM,
} from './resources';

/**
 * Design: one invocation per query point, 64 per workgroup. The reference set
 * streams through workgroup memory in tiles of 64 points: each invocation
 * loads one reference row of the tile (coalesced), then every invocation
 * computes its distances to the whole tile from shared memory, so each
 * reference value is read from global memory once per workgroup instead of
 * once per query. Each invocation keeps its k best (distance, index) pairs
 * sorted in private memory (insertion; ties keep the lower index first, like a
 * stable sort), so only n x k results are written back. Self-matches are
 * skipped by index when the query set is the reference set (LOF fit).
 */
export const KNN_WGSL = /* wgsl */ `
struct Params { nq: u32, nr: u32, d: u32, k: u32, qOffset: u32, excludeSelf: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> Q: array<f32>;
@group(0) @binding(1) var<storage, read> R: array<f32>;
@group(0) @binding(2) var<storage, read_write> outI: array<u32>;
@group(0) @binding(3) var<storage, read_write> outD: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
const TILE: u32 = 64u;
const MAXK: u32 = 64u;
const MAXD: u32 = 64u;
var<workgroup> tile: array<f32, 4096>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let q = gid.x;
  let isActive = q < p.nq;
  var bestD: array<f32, 64>;
  var bestI: array<u32, 64>;
  for (var i = 0u; i < MAXK; i++) { bestD[i] = 3.0e38; bestI[i] = 0xffffffffu; }
  var qv: array<f32, 64>;
  if (isActive) {
    for (var f = 0u; f < p.d; f++) { qv[f] = Q[q * p.d + f]; }
  }
  let selfIdx = q + p.qOffset;
  let tiles = (p.nr + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t++) {
    let r = t * TILE + lid;
    if (r < p.nr) {
      for (var f = 0u; f < p.d; f++) { tile[lid * p.d + f] = R[r * p.d + f]; }
    }
    workgroupBarrier();
    if (isActive) {
      let count = min(TILE, p.nr - t * TILE);
      for (var j = 0u; j < count; j++) {
        let idx = t * TILE + j;
        if (p.excludeSelf == 1u && idx == selfIdx) { continue; }
        var s = 0.0;
        for (var f = 0u; f < p.d; f++) {
          let e = qv[f] - tile[j * p.d + f];
          s += e * e;
        }
        if (s < bestD[p.k - 1u]) {
          var pos = p.k - 1u;
          while (pos > 0u && bestD[pos - 1u] > s) {
            bestD[pos] = bestD[pos - 1u];
            bestI[pos] = bestI[pos - 1u];
            pos--;
          }
          bestD[pos] = s;
          bestI[pos] = idx;
        }
      }
    }
    workgroupBarrier();
  }
  if (isActive) {
    for (var i = 0u; i < p.k; i++) {
      outI[q * p.k + i] = bestI[i];
      outD[q * p.k + i] = sqrt(bestD[i]);
    }
  }
}
`;

/** Options of `knn`: neighbours, row width and backend. */
export interface KnnOptions {
  k: number;
  dims: number;
  /** Reference set (row-major, same dims); defaults to the queries themselves with self excluded. */
  reference?: Float32Array | Float64Array;
  backend?: BackendRequest;
  maxChunkBytes?: number;
}

/**
 * k nearest neighbours per row (indices and distances, nearest first), with the backend that ran.
 */
export interface KnnResult extends BackendReport {
  /** n x k neighbour indices into the reference set, nearest first. */
  indices: Uint32Array;
  /** n x k Euclidean distances. */
  distances: Float32Array | Float64Array;
  k: number;
}

function validate(
  X: Float32Array | Float64Array,
  o: KnnOptions,
): { nq: number; nr: number; self: boolean } {
  if (!(X instanceof Float32Array || X instanceof Float64Array)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'knn: X must be a row-major Float32Array or Float64Array.',
    );
  }
  if (!Number.isInteger(o?.dims) || o.dims < 1 || X.length % o.dims !== 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `knn: dims must be a positive integer dividing X.length (${X.length}).`,
    );
  }
  const self = o.reference === undefined;
  const R = o.reference ?? X;
  if (R.length % o.dims !== 0) {
    throw new EdgewiseError('INVALID_ARGUMENT', 'knn: reference length is not a multiple of dims.');
  }
  const nq = X.length / o.dims;
  const nr = R.length / o.dims;
  const avail = self ? nr - 1 : nr;
  if (!Number.isInteger(o.k) || o.k < 1 || o.k > avail) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `knn: k must be an integer in [1, ${avail}] for ${nr} reference points.`,
    );
  }
  return { nq, nr, self };
}

/** CPU twin: exact brute force in float64; ties by lower index. */
export function knnCpu(X: Float32Array | Float64Array, o: KnnOptions): KnnResult {
  const { nq, nr, self } = validate(X, o);
  const R = o.reference ?? X;
  const { k, dims: d } = o;
  const indices = new Uint32Array(nq * k);
  const distances = new Float64Array(nq * k);
  const bd = new Float64Array(k);
  const bi = new Uint32Array(k);
  for (let q = 0; q < nq; q++) {
    bd.fill(Number.POSITIVE_INFINITY);
    for (let j = 0; j < nr; j++) {
      if (self && j === q) continue;
      let s = 0;
      for (let f = 0; f < d; f++) {
        const e = X[q * d + f] - R[j * d + f];
        s += e * e;
      }
      if (s < bd[k - 1]) {
        let pos = k - 1;
        while (pos > 0 && bd[pos - 1] > s) {
          bd[pos] = bd[pos - 1];
          bi[pos] = bi[pos - 1];
          pos--;
        }
        bd[pos] = s;
        bi[pos] = j;
      }
    }
    for (let i = 0; i < k; i++) {
      indices[q * k + i] = bi[i];
      distances[q * k + i] = Math.sqrt(bd[i]);
    }
  }
  return { indices, distances, k, backend: 'wasm', reason: 'cpu twin' };
}

async function runGpu(
  ctx: GpuContext,
  X: Float32Array | Float64Array,
  o: KnnOptions,
): Promise<KnnResult> {
  const { nq, nr, self } = validate(X, o);
  const { k, dims: d } = o;
  const { device } = ctx;
  const R = Float32Array.from(o.reference ?? X);
  const Q = X instanceof Float32Array ? X : Float32Array.from(X);
  const maxBytes = maxBindingBytes(ctx, o.maxChunkBytes);
  if (R.byteLength > maxBindingBytes(ctx)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'knn: the reference set exceeds one GPU storage binding; use backend "wasm".',
    );
  }
  const rowsPerChunk = Math.max(1, Math.floor(maxBytes / (Math.max(d, k) * 4)));
  const pipe = await pipeline(ctx, 'knn', KNN_WGSL);
  const rBuf = acquireBuffer(ctx, R.byteLength, STORAGE_IN);
  device.queue.writeBuffer(rBuf, 0, R.buffer, R.byteOffset, R.byteLength);
  const indices = new Uint32Array(nq * k);
  const distances = new Float32Array(nq * k);
  try {
    for (let q0 = 0; q0 < nq; q0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, nq - q0);
      const q = Q.subarray(q0 * d, (q0 + rows) * d);
      const qBuf = acquireBuffer(ctx, q.byteLength, STORAGE_IN);
      const iBuf = acquireBuffer(ctx, rows * k * 4, STORAGE_OUT);
      const dBuf = acquireBuffer(ctx, rows * k * 4, STORAGE_OUT);
      const uni = acquireBuffer(ctx, 32, UNIFORM);
      device.queue.writeBuffer(qBuf, 0, q.buffer, q.byteOffset, q.byteLength);
      device.queue.writeBuffer(uni, 0, new Uint32Array([rows, nr, d, k, q0, self ? 1 : 0, 0, 0]));
      const bind = device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: qBuf, size: q.byteLength } },
          { binding: 1, resource: { buffer: rBuf, size: R.byteLength } },
          { binding: 2, resource: { buffer: iBuf, size: rows * k * 4 } },
          { binding: 3, resource: { buffer: dBuf, size: rows * k * 4 } },
          { binding: 4, resource: { buffer: uni, size: 32 } },
        ],
      });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(Math.ceil(rows / 64));
      pass.end();
      const ri = readback(ctx, enc, iBuf, rows * k * 4);
      const rd = readback(ctx, enc, dBuf, rows * k * 4);
      device.queue.submit([enc.finish()]);
      indices.set(new Uint32Array(await ri.read()), q0 * k);
      distances.set(new Float32Array(await rd.read()), q0 * k);
      releaseBuffers(ctx, qBuf, iBuf, dBuf, uni, ri.buffer, rd.buffer);
    }
  } finally {
    releaseBuffers(ctx, rBuf);
  }
  return { indices, distances, k, backend: 'webgpu', reason: '' };
}

/** k nearest neighbours of each row of X (in `reference`, or in X itself excluding self). */
export async function knn(X: Float32Array | Float64Array, options: KnnOptions): Promise<KnnResult> {
  const { nq } = validate(X, options);
  if (options.dims > 64 || options.k > 64) {
    if (options.backend === 'gpu') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'knn on the GPU supports dims <= 64 and k <= 64; use backend "wasm".',
      );
    }
    return { ...knnCpu(X, options), reason: 'dims or k above 64: CPU path' };
  }
  const calibrate = async (
    ctx: GpuContext,
    n: number,
  ): Promise<{ gpuMs: number; cpuMs: number }> => {
    const rows = Math.max(options.k + 1, Math.round(Math.sqrt(n) * 4));
    const x = new Float32Array(rows * options.dims).map((_, i) => Math.sin(i * 1.7));
    const o = { k: options.k, dims: options.dims };
    let t = performance.now();
    await runGpu(ctx, x, o);
    const gpuMs = performance.now() - t;
    t = performance.now();
    knnCpu(x, o);
    return { gpuMs, cpuMs: performance.now() - t };
  };
  const { ctx, report } = await chooseBackend('knn', nq, options.backend ?? 'auto', calibrate);
  if (!ctx) return { ...knnCpu(X, options), ...report };
  const r = await runOnGpu((c) => runGpu(c, X, options));
  return { ...r, ...report };
}

/**
 * Local Outlier Factor from k-NN results, as scikit-learn computes it:
 * reach-dist(p, o) = max(k-distance(o), d(p, o)); lrd(p) = 1 / (mean reach-dist
 * + 1e-10); LOF(p) = mean lrd of p's neighbours / lrd(p). For novelty scoring
 * pass the training set's k-distances and lrd as `train`.
 */
export function lofFromKnn(
  nn: { indices: Uint32Array; distances: ArrayLike<number>; k: number },
  train?: { kDistance: Float64Array; lrd: Float64Array },
): { lof: Float64Array; kDistance: Float64Array; lrd: Float64Array } {
  const { indices, distances, k } = nn;
  const n = indices.length / k;
  const kDistance = new Float64Array(n);
  for (let i = 0; i < n; i++) kDistance[i] = distances[i * k + k - 1];
  const refKd = train ? train.kDistance : kDistance;
  const lrd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.max(refKd[indices[i * k + j]], distances[i * k + j]);
    lrd[i] = 1 / (s / k + 1e-10);
  }
  const refLrd = train ? train.lrd : lrd;
  const lof = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += refLrd[indices[i * k + j]];
    lof[i] = s / k / lrd[i];
  }
  return { lof, kDistance, lrd };
}
