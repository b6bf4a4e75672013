/**
 * Batched statistics over many equal-length series at once (e.g. 10,000
 * series x 1,024 points): mean, variance, min, max and the z-score of each
 * series' last point. GPU path in WGSL; CPU twin on the WASM Moments kernel.
 */
import { EdgewiseError } from '../errors';
import { Moments } from '../kernels/moments';
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
 * Design: series-major f32 layout [series][length]. One workgroup per series;
 * its 256 invocations stride over the series, so neighbouring invocations read
 * neighbouring addresses (coalesced loads). Two passes over the series (mean,
 * then squared deviations from it) keep f32 accuracy; each reduction is a
 * tree in workgroup shared memory. Workgroups are laid out in 2-D so more than
 * maxComputeWorkgroupsPerDimension series fit in one dispatch; a batch whose
 * data exceeds the storage-binding limit is split into chunks of whole series.
 * One submission and one readback per chunk; no per-series readback.
 */
export const BATCH_STATS_WGSL = /* wgsl */ `
struct Params { len: u32, series: u32, gridX: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
const WG: u32 = 256u;
var<workgroup> sSum: array<f32, 256>;
var<workgroup> sMin: array<f32, 256>;
var<workgroup> sMax: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = wid.x + wid.y * p.gridX;
  if (s >= p.series) { return; }
  let base = s * p.len;
  var acc = 0.0;
  var mn = 3.0e38;
  var mx = -3.0e38;
  for (var i = lid; i < p.len; i += WG) {
    let x = data[base + i];
    acc += x;
    mn = min(mn, x);
    mx = max(mx, x);
  }
  sSum[lid] = acc;
  sMin[lid] = mn;
  sMax[lid] = mx;
  workgroupBarrier();
  for (var off = WG / 2u; off > 0u; off = off / 2u) {
    if (lid < off) {
      sSum[lid] += sSum[lid + off];
      sMin[lid] = min(sMin[lid], sMin[lid + off]);
      sMax[lid] = max(sMax[lid], sMax[lid + off]);
    }
    workgroupBarrier();
  }
  let mean = sSum[0] / f32(p.len);
  let smin = sMin[0];
  let smax = sMax[0];
  workgroupBarrier();
  var acc2 = 0.0;
  for (var i = lid; i < p.len; i += WG) {
    let d = data[base + i] - mean;
    acc2 += d * d;
  }
  sSum[lid] = acc2;
  workgroupBarrier();
  for (var off = WG / 2u; off > 0u; off = off / 2u) {
    if (lid < off) { sSum[lid] += sSum[lid + off]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let v = sSum[0] / f32(p.len);
    let last = data[base + p.len - 1u];
    var z = 0.0;
    if (v > 0.0) { z = (last - mean) / sqrt(v); }
    let o = s * 5u;
    out[o] = mean;
    out[o + 1u] = v;
    out[o + 2u] = smin;
    out[o + 3u] = smax;
    out[o + 4u] = z;
  }
}
`;

/** Options of `batchStats`: the series-major layout and the backend. */
export interface BatchStatsOptions {
  series: number;
  length: number;
  backend?: BackendRequest;
  /** Lower the per-chunk storage-binding size (bytes), e.g. to test chunking. */
  maxChunkBytes?: number;
}

/** Per-series statistics from `batchStats` (float32), with the backend that ran. */
export interface BatchStatsResult extends BackendReport {
  mean: Float32Array;
  /** Population variance. */
  variance: Float32Array;
  min: Float32Array;
  max: Float32Array;
  /** (last - mean) / std of each series; 0 when the variance is 0. */
  zLast: Float32Array;
}

function validate(values: Float32Array | Float64Array, o: BatchStatsOptions): void {
  if (!(values instanceof Float32Array || values instanceof Float64Array)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'batchStats: values must be a Float32Array or Float64Array (series-major).',
    );
  }
  if (
    !Number.isInteger(o?.series) ||
    !Number.isInteger(o?.length) ||
    o.series < 1 ||
    o.length < 1
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'batchStats: pass { series, length } as positive integers.',
    );
  }
  if (values.length !== o.series * o.length) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `batchStats: values has ${values.length} elements but series x length = ${o.series * o.length}.`,
    );
  }
}

function emptyResult(series: number, report: BackendReport): BatchStatsResult {
  return {
    ...report,
    mean: new Float32Array(series),
    variance: new Float32Array(series),
    min: new Float32Array(series),
    max: new Float32Array(series),
    zLast: new Float32Array(series),
  };
}

/** CPU twin: one WASM Moments pass per series (f64 inside, f32 results). */
export function batchStatsCpu(
  values: Float32Array | Float64Array,
  o: BatchStatsOptions,
): BatchStatsResult {
  validate(values, o);
  const r = emptyResult(o.series, { backend: 'wasm', reason: 'cpu twin' });
  const m = new Moments();
  try {
    for (let s = 0; s < o.series; s++) {
      const row = values.subarray(s * o.length, (s + 1) * o.length);
      m.reset().push(row);
      const v = m.variance;
      r.mean[s] = m.mean;
      r.variance[s] = v;
      r.min[s] = m.min;
      r.max[s] = m.max;
      r.zLast[s] = v > 0 ? (row[o.length - 1] - m.mean) / Math.sqrt(v) : 0;
    }
  } finally {
    m.dispose();
  }
  return r;
}

async function runGpu(
  ctx: GpuContext,
  values: Float32Array | Float64Array,
  o: BatchStatsOptions,
  into: BatchStatsResult,
): Promise<void> {
  const { device } = ctx;
  const perSeries = o.length * 4;
  const maxBytes = maxBindingBytes(ctx, o.maxChunkBytes);
  if (perSeries > maxBytes) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `batchStats: one series of ${o.length} f32 exceeds the GPU binding limit.`,
    );
  }
  const chunkSeries = Math.max(1, Math.floor(maxBytes / perSeries));
  const pipe = await pipeline(ctx, 'batch-stats', BATCH_STATS_WGSL);
  const maxDim = ctx.status.limits!.maxComputeWorkgroupsPerDimension;
  for (let s0 = 0; s0 < o.series; s0 += chunkSeries) {
    const ns = Math.min(chunkSeries, o.series - s0);
    const data = values.subarray(s0 * o.length, (s0 + ns) * o.length);
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
    const inBuf = acquireBuffer(ctx, f32.byteLength, STORAGE_IN);
    const outBytes = ns * 5 * 4;
    const outBuf = acquireBuffer(ctx, outBytes, STORAGE_OUT);
    const uni = acquireBuffer(ctx, 16, UNIFORM);
    const gridX = Math.min(ns, maxDim);
    const gridY = Math.ceil(ns / gridX);
    device.queue.writeBuffer(inBuf, 0, f32.buffer, f32.byteOffset, f32.byteLength);
    device.queue.writeBuffer(uni, 0, new Uint32Array([o.length, ns, gridX, 0]));
    const bind = device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: inBuf, size: f32.byteLength } },
        { binding: 1, resource: { buffer: outBuf, size: outBytes } },
        { binding: 2, resource: { buffer: uni, size: 16 } },
      ],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(gridX, gridY);
    pass.end();
    const rb = readback(ctx, enc, outBuf, outBytes);
    device.queue.submit([enc.finish()]);
    const out = new Float32Array(await rb.read());
    for (let i = 0; i < ns; i++) {
      into.mean[s0 + i] = out[i * 5];
      into.variance[s0 + i] = out[i * 5 + 1];
      into.min[s0 + i] = out[i * 5 + 2];
      into.max[s0 + i] = out[i * 5 + 3];
      into.zLast[s0 + i] = out[i * 5 + 4];
    }
    releaseBuffers(ctx, inBuf, outBuf, uni, rb.buffer);
  }
}

const calibrate = async (ctx: GpuContext, n: number): Promise<{ gpuMs: number; cpuMs: number }> => {
  const length = 256;
  const series = Math.max(1, Math.round(n / length));
  const x = new Float32Array(series * length);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 3 + (i % 11);
  let t = performance.now();
  await runGpu(ctx, x, { series, length }, emptyResult(series, { backend: 'webgpu', reason: '' }));
  const gpuMs = performance.now() - t;
  t = performance.now();
  batchStatsCpu(x, { series, length });
  return { gpuMs, cpuMs: performance.now() - t };
};

/** Statistics of `series` series of `length` points each (series-major), on the GPU or the CPU twin. */
export async function batchStats(
  values: Float32Array | Float64Array,
  options: BatchStatsOptions,
): Promise<BatchStatsResult> {
  validate(values, options);
  const { ctx, report } = await chooseBackend(
    'batch-stats',
    values.length,
    options.backend ?? 'auto',
    calibrate,
  );
  if (!ctx) return { ...batchStatsCpu(values, options), ...report };
  const result = emptyResult(options.series, report);
  await runOnGpu((c) => runGpu(c, values, options, result));
  return result;
}
