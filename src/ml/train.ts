/**
 * Training: features from a FeatureSpec, then one of the model kinds, then an
 * evaluation on the training rows, in this thread (`trainInline`). `train()`
 * (src/threads/ml/client.ts) runs it in a worker when given one (`{ worker }`:
 * a Web Worker or a Node worker endpoint running the ML service) and inline
 * otherwise; both report progress ({ fraction, phase }) and honour an AbortSignal.
 */

import { IsolationForest } from '../anomaly/iforest';
import { describeValue, EdgewiseError } from '../errors';
import { ols } from '../stats/regression/linear';
import { logisticRegression } from '../stats/regression/logistic';
import type { Endpoint } from '../threads/comlink';
import { compileFeatures, type FeatureSpec, type FeatureTable, specHash } from './features';
import {
  LofModel,
  MODEL_KINDS,
  type Model,
  type ModelHeader,
  type ModelKind,
  makeModel,
  median,
} from './models';

/** A phase of a training job. */
export type TrainPhase = 'features' | 'fit' | 'evaluate' | 'done';
/** Progress of a training job (`onProgress`). */
export interface TrainProgress {
  /** Fraction of the whole job done, in [0, 1]. */
  fraction: number;
  phase: TrainPhase;
}

export interface TrainData extends FeatureTable {
  /** One label per source row: 0/1 for AUC and 'logistic', a number for 'ols'. */
  labels?: Float64Array | readonly number[];
}

/** Which model to train, with its parameters. */
export interface TrainOptions {
  model: ModelKind;
  /** Model parameters: isolation-forest { trees, sampleSize, maxFeatures, seed, contamination }, lof { k }, logistic { maxIterations }. */
  params?: Record<string, unknown>;
}

/**
 * How the trained model scores its training rows: sizes, timing, score summary and AUC when
 * labels were given.
 */
export interface Evaluation {
  n: number;
  dims: number;
  trainingMs: number;
  /** Distribution of the training scores. */
  scores: {
    mean: number;
    std: number;
    min: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  };
  /** Area under the ROC curve of the scores against 0/1 labels (ties averaged), when labels are given. */
  auc?: number;
  /** R² of an 'ols' model on its training rows. */
  rSquared?: number;
}

/** A trained model, its serialized bytes, its evaluation and its spec hash. */
export interface TrainResult {
  model: Model;
  /** `model.serialize()`, ready for the registry. */
  bytes: Uint8Array;
  specHash: string;
  evaluation: Evaluation;
}

/** Options of `train`: the model plus progress, cancellation and an optional worker. */
export interface TrainRunOptions extends TrainOptions {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Run in this worker (an endpoint exposing `createMlService()`); inline when absent. */
  worker?: Endpoint;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Throws the cancellation error of `train` when `signal` has fired. */
export function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new EdgewiseError(
      'INVALID_STATE',
      'train: cancelled (the AbortSignal fired); nothing was produced.',
      {
        cause: signal.reason,
      },
    );
  }
}

/** Mann-Whitney AUC with average ranks for ties. */
export function auc(scores: Float64Array, labels: Float64Array): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < n; i++)
    if (labels[i] === 1) {
      pos++;
      sum += ranks[i];
    }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function distribution(s: Float64Array): Evaluation['scores'] {
  const sorted = Float64Array.from(s).sort();
  const q = (p: number) => {
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  let mean = 0;
  for (const v of s) mean += v;
  mean /= s.length;
  let ss = 0;
  for (const v of s) ss += (v - mean) ** 2;
  return {
    mean,
    std: Math.sqrt(ss / Math.max(1, s.length - 1)),
    min: sorted[0],
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: sorted[sorted.length - 1],
  };
}

/** Trains in this thread (what the worker runs). Yields between phases so cancellation is seen. */
export async function trainInline(
  spec: FeatureSpec,
  data: TrainData,
  options: TrainRunOptions,
): Promise<TrainResult> {
  const t0 = performance.now();
  const report = (fraction: number, phase: TrainPhase) => options.onProgress?.({ fraction, phase });
  const kind = options?.model;
  if (!MODEL_KINDS.includes(kind))
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `train: model must be one of ${MODEL_KINDS.join(', ')}, got ${describeValue(kind)}.`,
    );
  const params = options.params ?? {};
  aborted(options.signal);
  report(0, 'features');
  const ex = compileFeatures(spec);
  const fm = ex.transform(data);
  const hash = await specHash(spec);
  if (fm.n < 2)
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `train: the spec leaves ${fm.n} rows after warm-up; pass more data.`,
    );
  for (let i = 0; i < fm.data.length; i++)
    if (!Number.isFinite(fm.data[i]))
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `train: feature row ${Math.floor(i / fm.dims)} has a non-finite value; clean the input or add a ratio fill.`,
      );
  let labels: Float64Array | undefined;
  if (data.labels !== undefined) {
    const all = Float64Array.from(data.labels);
    if (all.length !== fm.n + ex.span - 1)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `train: labels has ${all.length} entries; pass one per input row (${fm.n + ex.span - 1}).`,
      );
    labels = new Float64Array(fm.n);
    for (let i = 0; i < fm.n; i++) labels[i] = all[fm.rows[i]];
  }
  if ((kind === 'ols' || kind === 'logistic') && !labels)
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `train: model '${kind}' needs labels (the target, one per input row).`,
    );
  report(0.2, 'features');
  await tick();
  aborted(options.signal);
  report(0.25, 'fit');
  const header: ModelHeader = { kind, dims: fm.dims, specHash: hash, columns: fm.columns, params };
  const X = fm.data;
  const d = fm.dims;
  let model: Model;
  let rSquared: number | undefined;
  if (kind === 'isolation-forest') {
    const total = Number(params.trees ?? 100);
    const forest = new IsolationForest({ ...(params as object), trees: total });
    forest.fit(X, { dims: d });
    model = makeModel(header, { forest });
  } else if (kind === 'lof') {
    model = makeModel(header, { train: X.slice() });
  } else if (kind === 'robust-gaussian') {
    const center = new Float64Array(d);
    const scale = new Float64Array(d);
    const col = new Float64Array(fm.n);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < fm.n; i++) col[i] = X[i * d + j];
      center[j] = median(col);
      for (let i = 0; i < fm.n; i++) col[i] = Math.abs(col[i] - center[j]);
      scale[j] = Math.max(1.4826 * median(col), 1e-12);
      report(0.25 + (0.5 * (j + 1)) / d, 'fit');
      if (j % 8 === 7) {
        await tick();
        aborted(options.signal);
      }
    }
    model = makeModel(header, { center, scale });
  } else if (kind === 'ols') {
    const r = ols(X, labels as Float64Array, { dims: d });
    rSquared = r.rSquared;
    model = makeModel(header, { coef: Float64Array.from(r.coefficients) });
  } else {
    const r = logisticRegression(X, labels as Float64Array, {
      dims: d,
      maxIterations: Number(params.maxIterations ?? 100),
    });
    model = makeModel(header, { coef: Float64Array.from(r.coefficients) });
  }
  report(0.75, 'fit');
  await tick();
  if (options.signal?.aborted) {
    model.dispose();
    aborted(options.signal);
  }
  report(0.8, 'evaluate');
  // LOF: the training rows' own factors (novelty scoring would count each row as its own neighbour)
  const scores = model instanceof LofModel ? model.trainingScores() : model.score(X, { dims: d });
  const evaluation: Evaluation = {
    n: fm.n,
    dims: d,
    trainingMs: performance.now() - t0,
    scores: distribution(scores),
  };
  if (labels && kind !== 'ols') evaluation.auc = auc(scores, labels);
  if (rSquared !== undefined) evaluation.rSquared = rSquared;
  report(1, 'done');
  return { model, bytes: model.serialize(), specHash: hash, evaluation };
}
