/**
 * Small dense models on the GPU: matrix multiply + bias + activation layers
 * from weights given as arrays, and the per-row reconstruction error of an
 * autoencoder (mean squared difference between output and input). This is the
 * GPU path for dense models that do not need onnxruntime-web.
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
 * Design: a classic tiled matrix multiply. Each 16x16 workgroup computes a
 * 16x16 tile of Y = act(X W + b); per step it loads a 16x16 tile of X and of W
 * into workgroup memory (each invocation loads one element of each, so loads
 * are coalesced along rows), synchronises, and accumulates 16 products from
 * shared memory. All layers and the error pass are encoded into one command
 * buffer: one submission and one readback per batch; intermediate activations
 * never leave the GPU.
 */
export const DENSE_WGSL = /* wgsl */ `
struct Params { n: u32, k: u32, m: u32, act: u32 }
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
const T: u32 = 16u;
var<workgroup> tX: array<f32, 256>;
var<workgroup> tW: array<f32, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.y * T + lid.y;
  let col = wid.x * T + lid.x;
  var acc = 0.0;
  let tiles = (p.k + T - 1u) / T;
  for (var t = 0u; t < tiles; t++) {
    let kx = t * T + lid.x;
    var xv = 0.0;
    if (row < p.n && kx < p.k) { xv = X[row * p.k + kx]; }
    tX[lid.y * T + lid.x] = xv;
    let ky = t * T + lid.y;
    var wv = 0.0;
    if (ky < p.k && col < p.m) { wv = W[ky * p.m + col]; }
    tW[lid.y * T + lid.x] = wv;
    workgroupBarrier();
    for (var i = 0u; i < T; i++) {
      acc += tX[lid.y * T + i] * tW[i * T + lid.x];
    }
    workgroupBarrier();
  }
  if (row < p.n && col < p.m) {
    var v = acc + B[col];
    if (p.act == 1u) { v = max(v, 0.0); }
    else if (p.act == 2u) { v = 1.0 / (1.0 + exp(-v)); }
    else if (p.act == 3u) { v = tanh(v); }
    Y[row * p.m + col] = v;
  }
}
`;

/** Per-row mean squared error between the model output and its input. */
export const RECON_WGSL = /* wgsl */ `
struct Params { n: u32, d: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> Y: array<f32>;
@group(0) @binding(2) var<storage, read_write> E: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.n) { return; }
  var s = 0.0;
  for (var j = 0u; j < p.d; j++) {
    let e = Y[r * p.d + j] - X[r * p.d + j];
    s += e * e;
  }
  E[r] = s / f32(p.d);
}
`;

/** Activation function of a `DenseLayer`. */
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';
const ACT: Record<Activation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };

/**
 * One fully connected layer of `denseForward`: row-major `outputs x inputs` weights, bias and
 * activation.
 */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs][outputs]: y_j = act(sum_i x_i W[i * outputs + j] + b_j). */
  weights: Float32Array | Float64Array;
  bias: Float32Array | Float64Array;
  activation?: Activation;
}

/** Options of `denseForward`: the layers and the backend. */
export interface DenseOptions {
  layers: DenseLayer[];
  backend?: BackendRequest;
  /** Lower the per-chunk storage-binding size (bytes), e.g. to test chunking. */
  maxChunkBytes?: number;
}

/**
 * The output of `denseForward`, and the per-row reconstruction error when the model maps dims to
 * dims.
 */
export interface DenseResult extends BackendReport {
  /** Row-major n x outDims. */
  output: Float32Array | Float64Array;
  outDims: number;
  /** Mean squared reconstruction error per row, when the model maps dims -> dims. */
  reconstructionError: Float32Array | Float64Array | null;
}

function validate(X: Float32Array | Float64Array, o: DenseOptions): number {
  if (!(X instanceof Float32Array || X instanceof Float64Array)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'dense: X must be a row-major Float32Array or Float64Array.',
    );
  }
  if (!Array.isArray(o?.layers) || o.layers.length === 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'dense: pass { layers: [...] } with at least one layer.',
    );
  }
  let dims = o.layers[0].inputs;
  o.layers.forEach((l, i) => {
    if (l.inputs !== dims) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `dense: layer ${i} expects ${l.inputs} inputs but receives ${dims}.`,
      );
    }
    if (l.weights.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `dense: layer ${i} needs ${l.inputs * l.outputs} weights and ${l.outputs} biases, got ${l.weights.length} and ${l.bias.length}.`,
      );
    }
    if (l.activation !== undefined && !(l.activation in ACT)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `dense: layer ${i} activation must be one of ${Object.keys(ACT).join(', ')}.`,
      );
    }
    dims = l.outputs;
  });
  const d = o.layers[0].inputs;
  if (X.length % d !== 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `dense: X has ${X.length} values, not a multiple of ${d} inputs.`,
    );
  }
  return d;
}

const activate = (v: number, a: Activation | undefined): number =>
  a === 'relu'
    ? // biome-ignore lint/complexity/useMathMinMax: relu(NaN) stays 0; Math.max(NaN, 0) is NaN
      v > 0
      ? v
      : 0
    : a === 'sigmoid'
      ? 1 / (1 + Math.exp(-v))
      : a === 'tanh'
        ? Math.tanh(v)
        : v;

/** CPU reference in float64. */
export function denseForwardCpu(X: Float32Array | Float64Array, o: DenseOptions): DenseResult {
  const d = validate(X, o);
  const n = X.length / d;
  let cur: Float64Array = Float64Array.from(X);
  for (const l of o.layers) {
    const next = new Float64Array(n * l.outputs);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < l.outputs; j++) {
        let s = l.bias[j];
        for (let i = 0; i < l.inputs; i++)
          s += cur[r * l.inputs + i] * l.weights[i * l.outputs + j];
        next[r * l.outputs + j] = activate(s, l.activation);
      }
    }
    cur = next;
  }
  const outDims = o.layers[o.layers.length - 1].outputs;
  let err: Float64Array | null = null;
  if (outDims === d) {
    err = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (cur[r * d + j] - X[r * d + j]) ** 2;
      err[r] = s / d;
    }
  }
  return {
    output: cur,
    outDims,
    reconstructionError: err,
    backend: 'wasm',
    reason: 'cpu reference',
  };
}

const f32 = (a: Float32Array | Float64Array): Float32Array =>
  a instanceof Float32Array ? a : Float32Array.from(a);

async function runGpu(
  ctx: GpuContext,
  X: Float32Array | Float64Array,
  o: DenseOptions,
  d: number,
): Promise<DenseResult> {
  const { device } = ctx;
  const n = X.length / d;
  const widest = Math.max(d, ...o.layers.map((l) => l.outputs));
  const maxBytes = maxBindingBytes(ctx, o.maxChunkBytes);
  const maxDim = ctx.status.limits!.maxComputeWorkgroupsPerDimension;
  const rowsPerChunk = Math.max(1, Math.min(Math.floor(maxBytes / (widest * 4)), maxDim * 16));
  const outDims = o.layers[o.layers.length - 1].outputs;
  const output = new Float32Array(n * outDims);
  const recon = outDims === d ? new Float32Array(n) : null;
  const mm = await pipeline(ctx, 'dense', DENSE_WGSL);
  const re = await pipeline(ctx, 'recon', RECON_WGSL);
  // Weights are uploaded once per call and shared by all chunks.
  const weightBufs = o.layers.map((l) => {
    const w = f32(l.weights);
    const b = f32(l.bias);
    const wb = acquireBuffer(ctx, w.byteLength, STORAGE_IN);
    const bb = acquireBuffer(ctx, b.byteLength, STORAGE_IN);
    device.queue.writeBuffer(wb, 0, w.buffer, w.byteOffset, w.byteLength);
    device.queue.writeBuffer(bb, 0, b.buffer, b.byteOffset, b.byteLength);
    return [wb, bb, w.byteLength, b.byteLength] as const;
  });
  try {
    for (let r0 = 0; r0 < n; r0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, n - r0);
      const xin = f32(X.subarray(r0 * d, (r0 + rows) * d));
      const used: GPUBuffer[] = [];
      const xBuf = acquireBuffer(ctx, xin.byteLength, STORAGE_IN | STORAGE_OUT);
      used.push(xBuf);
      device.queue.writeBuffer(xBuf, 0, xin.buffer, xin.byteOffset, xin.byteLength);
      const enc = device.createCommandEncoder();
      let cur = xBuf;
      let curBytes = xin.byteLength;
      o.layers.forEach((l, li) => {
        const outBytes = rows * l.outputs * 4;
        const yBuf = acquireBuffer(ctx, outBytes, STORAGE_IN | STORAGE_OUT);
        const uni = acquireBuffer(ctx, 16, UNIFORM);
        used.push(yBuf, uni);
        device.queue.writeBuffer(
          uni,
          0,
          new Uint32Array([rows, l.inputs, l.outputs, ACT[l.activation ?? 'linear']]),
        );
        const [wb, bb, wBytes, bBytes] = weightBufs[li];
        const bind = device.createBindGroup({
          layout: mm.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: cur, size: curBytes } },
            { binding: 1, resource: { buffer: wb, size: wBytes } },
            { binding: 2, resource: { buffer: bb, size: bBytes } },
            { binding: 3, resource: { buffer: yBuf, size: outBytes } },
            { binding: 4, resource: { buffer: uni, size: 16 } },
          ],
        });
        const pass = enc.beginComputePass();
        pass.setPipeline(mm);
        pass.setBindGroup(0, bind);
        pass.dispatchWorkgroups(Math.ceil(l.outputs / 16), Math.ceil(rows / 16));
        pass.end();
        cur = yBuf;
        curBytes = outBytes;
      });
      const outRead = readback(ctx, enc, cur, rows * outDims * 4);
      used.push(outRead.buffer);
      let errRead: ReturnType<typeof readback> | undefined;
      if (recon) {
        const eBuf = acquireBuffer(ctx, rows * 4, STORAGE_OUT);
        const uni = acquireBuffer(ctx, 16, UNIFORM);
        used.push(eBuf, uni);
        device.queue.writeBuffer(uni, 0, new Uint32Array([rows, d, 0, 0]));
        const bind = device.createBindGroup({
          layout: re.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: xBuf, size: xin.byteLength } },
            { binding: 1, resource: { buffer: cur, size: curBytes } },
            { binding: 2, resource: { buffer: eBuf, size: rows * 4 } },
            { binding: 3, resource: { buffer: uni, size: 16 } },
          ],
        });
        const pass = enc.beginComputePass();
        pass.setPipeline(re);
        pass.setBindGroup(0, bind);
        pass.dispatchWorkgroups(Math.ceil(rows / 64));
        pass.end();
        errRead = readback(ctx, enc, eBuf, rows * 4);
        used.push(errRead.buffer);
      }
      device.queue.submit([enc.finish()]);
      output.set(new Float32Array(await outRead.read()), r0 * outDims);
      if (recon && errRead) recon.set(new Float32Array(await errRead.read()), r0);
      releaseBuffers(ctx, ...used);
    }
  } finally {
    // biome-ignore lint/complexity/noFlatMapIdentity: the tuples hold more than the two buffers
    releaseBuffers(ctx, ...weightBufs.flatMap(([wb, bb]) => [wb, bb]));
  }
  return { output, outDims, reconstructionError: recon, backend: 'webgpu', reason: '' };
}

/** Runs the dense model over the rows of X (row-major, `layers[0].inputs` columns). */
export async function denseForward(
  X: Float32Array | Float64Array,
  options: DenseOptions,
): Promise<DenseResult> {
  const d = validate(X, options);
  const calibrate = async (
    ctx: GpuContext,
    n: number,
  ): Promise<{ gpuMs: number; cpuMs: number }> => {
    const rows = Math.max(1, Math.round(n / 16));
    const x = new Float32Array(rows * d).map((_, i) => Math.sin(i));
    let t = performance.now();
    await runGpu(ctx, x, options, d);
    const gpuMs = performance.now() - t;
    t = performance.now();
    denseForwardCpu(x, options);
    return { gpuMs, cpuMs: performance.now() - t };
  };
  const { ctx, report } = await chooseBackend(
    'dense',
    X.length / d,
    options.backend ?? 'auto',
    calibrate,
  );
  if (!ctx) return { ...denseForwardCpu(X, options), ...report };
  const r = await runOnGpu((c) => runGpu(c, X, options, d));
  return { ...r, ...report };
}
