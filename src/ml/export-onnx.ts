/**
 * IsolationForest -> ONNX: an `ai.onnx.ml` TreeEnsembleRegressor (opset 3,
 * float64 thresholds and leaf weights via the `*_as_tensor` attributes) sums
 * h(x) / (trees * c(sampleSize)) over the trees, then standard ops compute
 * score = 2^(-sum). Input `X` is float64 [N, dims]; output `score` is float64
 * [N, 1]. Branch decisions are the WASM scorer's exactly (x <= threshold goes
 * to the left child, in float64); the only rounding is the regressor's
 * float32 output (|error| < 1e-7 on the score).
 */

import type { IsolationForest } from '../anomaly/iforest';
import { EdgewiseError } from '../errors';
import { averagePathLength } from '../kernels/iforest';
import { encodeModel } from './onnx-proto';

const HEADER = 48;

/** Options of `exportIsolationForestOnnx`. */
export interface ForestExportOptions {
  /** Input name (default 'X'). */
  inputName?: string;
  /** Output name (default 'score'). */
  outputName?: string;
}

/**
 * Exports an `IsolationForest` as a standard ONNX model (ai.onnx.ml TreeEnsembleRegressor) that
 * computes the same scores.
 */
export function exportIsolationForestOnnx(
  forest: IsolationForest,
  options: ForestExportOptions = {},
): Uint8Array {
  if (!forest.fitted) {
    throw new EdgewiseError(
      'INVALID_STATE',
      'exportIsolationForestOnnx: fit the forest (or deserialize one) first.',
    );
  }
  const bytes = forest.serialize();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trees = v.getUint32(8, true);
  const maxNodes = v.getUint32(12, true);
  const dims = v.getUint32(16, true);
  const sampleSize = v.getUint32(20, true);
  const scale = 1 / (trees * averagePathLength(sampleSize));
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tWeight: number[] = [];
  for (let t = 0; t < trees; t++) {
    const base = HEADER + t * maxNodes * 24;
    // pre-order renumbering of the reachable nodes
    const order: number[] = [];
    const id = new Map<number, number>();
    const stack = [0];
    while (stack.length) {
      const i = stack.pop() as number;
      id.set(i, order.length);
      order.push(i);
      const r = v.getInt32(base + i * 16 + 12, true);
      if (r !== i) stack.push(r, i + 1);
    }
    for (const i of order) {
      const r = v.getInt32(base + i * 16 + 12, true);
      treeIds.push(t);
      nodeIds.push(id.get(i) as number);
      if (r === i) {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        tTree.push(t);
        tNode.push(id.get(i) as number);
        tWeight.push(v.getFloat64(base + maxNodes * 16 + i * 8, true) * scale);
      } else {
        featureIds.push(v.getInt32(base + i * 16 + 8, true));
        modes.push('BRANCH_LEQ');
        values.push(v.getFloat64(base + i * 16, true));
        trueIds.push(id.get(i + 1) as number);
        falseIds.push(id.get(r) as number);
      }
    }
  }
  const X = options.inputName ?? 'X';
  const S = options.outputName ?? 'score';
  const nNodes = treeIds.length;
  return encodeModel({
    graphName: 'edgewise_isolation_forest',
    producer: 'edgewise',
    docString: `IsolationForest trees=${trees} sampleSize=${sampleSize} dims=${dims}; score = 2^(-E[h(x)]/c(n))`,
    opsets: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    inputs: [{ name: X, type: 'double', shape: ['N', dims] }],
    outputs: [{ name: S, type: 'double', shape: ['N', 1] }],
    initializers: [{ name: 'two', type: 'double', dims: [], values: [2] }],
    nodes: [
      {
        op: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        name: 'forest',
        inputs: [X],
        outputs: ['ratio_f32'],
        attributes: {
          n_targets: { int: 1 },
          aggregate_function: { string: 'SUM' },
          post_transform: { string: 'NONE' },
          nodes_treeids: { ints: treeIds },
          nodes_nodeids: { ints: nodeIds },
          nodes_featureids: { ints: featureIds },
          nodes_modes: { strings: modes },
          nodes_values_as_tensor: { tensor: { type: 'double', dims: [nNodes], values } },
          nodes_truenodeids: { ints: trueIds },
          nodes_falsenodeids: { ints: falseIds },
          nodes_missing_value_tracks_true: { ints: new Array(nNodes).fill(0) },
          target_treeids: { ints: tTree },
          target_nodeids: { ints: tNode },
          target_ids: { ints: new Array(tTree.length).fill(0) },
          target_weights_as_tensor: {
            tensor: { type: 'double', dims: [tWeight.length], values: tWeight },
          },
        },
      },
      { op: 'Cast', inputs: ['ratio_f32'], outputs: ['ratio'], attributes: { to: { int: 11 } } },
      { op: 'Neg', inputs: ['ratio'], outputs: ['neg'] },
      { op: 'Pow', inputs: ['two', 'neg'], outputs: [S] },
    ],
  });
}
