/**
 * Isolation Forest scoring on the GPU over the flat tree layout of
 * src/anomaly (see assembly/iforest.ts): per tree `maxNodes` 16-byte nodes
 * (f64 threshold, i32 feature, i32 right child; the left child of node i is
 * i + 1; a leaf has threshold -Infinity and points to itself), followed by
 * `maxNodes` f64 leaf path lengths (depth + c(leaf size)).
 */
import { EdgewiseError } from '../errors';
import type { BackendReport } from './backend';
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
 * Design: one invocation per point walks every tree (64 points a workgroup,
 * 2-D grid for large batches). The trees (a few hundred KB) are read by all
 * invocations, in the same tree order, so they stay in cache, and each point's
 * row is read straight from its own row. Comparisons must take the same
 * branch as the float64 WASM scorer, and f32 cannot: values and thresholds are
 * therefore uploaded as order-preserving 64-bit keys (two u32, sign-flipped
 * IEEE bits), so `x <= threshold` is decided exactly on the GPU. Path lengths
 * are summed in f32 (scores agree to ~1e-7); the sum of reached leaf indices
 * is returned as an exact checksum of the paths taken.
 */
export const IFOREST_WGSL = /* wgsl */ `
struct Params { n: u32, d: u32, trees: u32, maxNodes: u32, gridX: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> X: array<vec2<u32>>;
@group(0) @binding(1) var<storage, read> nodes: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> leafLen: array<f32>;
@group(0) @binding(3) var<storage, read_write> pathSum: array<f32>;
@group(0) @binding(4) var<storage, read_write> leafSum: array<u32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * p.gridX) * 64u + lid;
  if (i >= p.n) { return; }
  var sum = 0.0;
  var chk = 0u;
  for (var t = 0u; t < p.trees; t++) {
    let base = t * p.maxNodes;
    var node = 0u;
    for (var step = 0u; step < p.maxNodes; step++) {
      let nd = nodes[base + node];
      if (nd.w == node) { break; }
      let x = X[i * p.d + nd.z];
      // x <= threshold on order-preserving keys (hi word first)
      let le = x.y < nd.y || (x.y == nd.y && x.x <= nd.x);
      node = select(nd.w, node + 1u, le);
    }
    sum += leafLen[base + node];
    chk += node;
  }
  pathSum[i] = sum;
  leafSum[i] = chk;
}
`;

/** An Isolation Forest flattened into GPU buffers (order-preserving 64-bit threshold keys). */
export interface FlatForest {
  trees: number;
  maxNodes: number;
  /** trees x maxNodes x 24 bytes, the layout described above. */
  nodes: Uint8Array;
}

/** Order-preserving key of each f64 (lo, hi u32 words): unsigned key order = numeric order. */
export function orderKeys(values: Float64Array): Uint32Array {
  const f = new Float64Array(values.length);
  f.set(values);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    if (f[i] === 0) f[i] = 0; // -0 -> +0 (they compare equal)
    const hi = u[2 * i + 1];
    if (hi & 0x80000000) {
      u[2 * i] = ~u[2 * i] >>> 0;
      u[2 * i + 1] = ~hi >>> 0;
    } else {
      u[2 * i + 1] = (hi | 0x80000000) >>> 0;
    }
  }
  return u;
}

/** Re-packs the forest for the GPU: nodes as (thrLo, thrHi keys, feature, right), leaf lengths as f32. */
function packForest(f: FlatForest): { nodes: Uint32Array; leaves: Float32Array } {
  const total = f.trees * f.maxNodes;
  if (f.nodes.byteLength !== total * 24) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'forestPathSums: nodes must hold trees x maxNodes x 24 bytes.',
    );
  }
  const dv = new DataView(f.nodes.buffer, f.nodes.byteOffset, f.nodes.byteLength);
  const thr = new Float64Array(total);
  const nodes = new Uint32Array(total * 4);
  const leaves = new Float32Array(total);
  for (let t = 0; t < f.trees; t++) {
    const tb = t * f.maxNodes * 24;
    for (let i = 0; i < f.maxNodes; i++) {
      const k = t * f.maxNodes + i;
      thr[k] = dv.getFloat64(tb + i * 16, true);
      nodes[k * 4 + 2] = dv.getInt32(tb + i * 16 + 8, true);
      nodes[k * 4 + 3] = dv.getInt32(tb + i * 16 + 12, true);
      leaves[k] = dv.getFloat64(tb + f.maxNodes * 16 + i * 8, true);
    }
  }
  const keys = orderKeys(thr);
  for (let k = 0; k < total; k++) {
    nodes[k * 4] = keys[2 * k];
    nodes[k * 4 + 1] = keys[2 * k + 1];
  }
  return { nodes, leaves };
}

/** Per-row path-length and leaf-index sums of an Isolation Forest scored on the GPU. */
export interface ForestGpuResult extends BackendReport {
  /** Sum over trees of the path length of each row (f32 accumulation). */
  pathSums: Float32Array;
  /** Sum over trees of the index of the leaf each row reached (exact). */
  leafChecksums: Uint32Array;
}

async function run(
  ctx: GpuContext,
  f: FlatForest,
  X: Float64Array,
  d: number,
  maxChunkBytes?: number,
): Promise<ForestGpuResult> {
  const { device } = ctx;
  const n = X.length / d;
  const packed = packForest(f);
  const pipe = await pipeline(ctx, 'iforest', IFOREST_WGSL);
  const limit = maxBindingBytes(ctx, maxChunkBytes);
  if (packed.nodes.byteLength > maxBindingBytes(ctx)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'forestPathSums: the forest exceeds one GPU storage binding.',
    );
  }
  const rowsPerChunk = Math.max(1, Math.floor(limit / (d * 8)));
  const nodeBuf = acquireBuffer(ctx, packed.nodes.byteLength, STORAGE_IN);
  const leafBuf = acquireBuffer(ctx, packed.leaves.byteLength, STORAGE_IN);
  device.queue.writeBuffer(nodeBuf, 0, packed.nodes);
  device.queue.writeBuffer(leafBuf, 0, packed.leaves);
  const pathSums = new Float32Array(n);
  const leafChecksums = new Uint32Array(n);
  const maxDim = ctx.status.limits!.maxComputeWorkgroupsPerDimension;
  try {
    for (let r0 = 0; r0 < n; r0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, n - r0);
      const keys = orderKeys(X.subarray(r0 * d, (r0 + rows) * d));
      const xBuf = acquireBuffer(ctx, keys.byteLength, STORAGE_IN);
      const sBuf = acquireBuffer(ctx, rows * 4, STORAGE_OUT);
      const cBuf = acquireBuffer(ctx, rows * 4, STORAGE_OUT);
      const uni = acquireBuffer(ctx, 32, UNIFORM);
      const groups = Math.ceil(rows / 64);
      const gridX = Math.min(groups, maxDim);
      device.queue.writeBuffer(xBuf, 0, keys);
      device.queue.writeBuffer(
        uni,
        0,
        new Uint32Array([rows, d, f.trees, f.maxNodes, gridX, 0, 0, 0]),
      );
      const bind = device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: xBuf, size: keys.byteLength } },
          { binding: 1, resource: { buffer: nodeBuf, size: packed.nodes.byteLength } },
          { binding: 2, resource: { buffer: leafBuf, size: packed.leaves.byteLength } },
          { binding: 3, resource: { buffer: sBuf, size: rows * 4 } },
          { binding: 4, resource: { buffer: cBuf, size: rows * 4 } },
          { binding: 5, resource: { buffer: uni, size: 32 } },
        ],
      });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(gridX, Math.ceil(groups / gridX));
      pass.end();
      const rs = readback(ctx, enc, sBuf, rows * 4);
      const rc = readback(ctx, enc, cBuf, rows * 4);
      device.queue.submit([enc.finish()]);
      pathSums.set(new Float32Array(await rs.read()), r0);
      leafChecksums.set(new Uint32Array(await rc.read()), r0);
      releaseBuffers(ctx, xBuf, sBuf, cBuf, uni, rs.buffer, rc.buffer);
    }
  } finally {
    releaseBuffers(ctx, nodeBuf, leafBuf);
  }
  return { pathSums, leafChecksums, backend: 'webgpu', reason: '' };
}

/** Path-length sums of each row of X (row-major, finite, `dims` columns) on the GPU. */
export function forestPathSums(
  forest: FlatForest,
  X: Float64Array,
  options: { dims: number; maxChunkBytes?: number },
): Promise<ForestGpuResult> {
  if (!(X instanceof Float64Array) || X.length % options.dims !== 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'forestPathSums: X must be a row-major Float64Array of n x dims.',
    );
  }
  return runOnGpu((ctx) => run(ctx, forest, X, options.dims, options.maxChunkBytes));
}
