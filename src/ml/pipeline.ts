/**
 * pipeline(): batches -> features (one FeatureStream, state kept across
 * batches and model swaps) -> model -> scores -> bus, with drift monitoring
 * and inference metrics. With `{ registry, name }` the production version is
 * loaded (hash-checked) and hot-swapped when the registry promotes or rolls
 * back: batches are processed one at a time, the swap happens between two
 * batches, so no batch is dropped or scored by a half-loaded model.
 */
import { EdgewiseError } from '../errors';
import type { EventBus } from '../events/bus';
import type { MetricsRegistry } from '../metrics/registry';
import {
  Adwin,
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftReport,
  PageHinkley,
  type PageHinkleyOptions,
} from './drift';
import {
  compileFeatures,
  type FeatureSpec,
  type FeatureStream,
  type FeatureTable,
  specHash,
} from './features';
import { deserializeModel } from './models';
import type { LoadOnnxOptions } from './onnx';
import type { ModelRecord, ModelRegistry } from './registry';

/** A scorer that answers synchronously, e.g. a trained `Model`. */
export interface SyncScorer {
  score(x: Float64Array, options: { dims: number }): Float64Array;
}

/** A scorer that answers with a promise, e.g. `OnnxModel` or `RemoteOnnxModel`. */
export interface AsyncScorer {
  score(x: Float64Array, options: { dims: number }): Promise<Float64Array>;
}

/**
 * Anything that scores row-major batches: a `SyncScorer` (`Model`) or an
 * `AsyncScorer` (`OnnxModel`, `RemoteOnnxModel`). Each implementation is one
 * or the other: a sync `score` never returns a promise, an async one always does.
 */
export type Scorer = SyncScorer | AsyncScorer;

type OwnedScorer = Scorer & { dispose(): void | Promise<void> };

/** Drift monitoring of a `pipeline`: reference rows and scores, and thresholds. */
export interface PipelineMonitorOptions extends DriftMonitorOptions {
  /** Reference feature rows (row-major) and their scores, for PSI / KS drift checks. */
  reference?: { rows: Float64Array; scores?: Float64Array };
  /** Run the drift check every this many scored rows (default 1000). */
  checkEvery?: number;
  /** ADWIN on the score stream (default on; false to disable). */
  adwin?: { delta?: number } | false;
  /** Page-Hinkley on the score stream (default off). */
  pageHinkley?: PageHinkleyOptions | false;
}

/**
 * Options of `pipeline`: feature spec, model (a scorer or a registry name), bus, metrics, drift
 * and shadow scoring.
 */
export interface PipelineOptions {
  spec: FeatureSpec;
  /** A scorer, or a registry model name whose production version is used and hot-swapped. */
  model: Scorer | { registry: ModelRegistry; name: string };
  /** Candidate version (same registry) scored in shadow on every batch; comparisons go to the registry. */
  shadow?: { version: number; threshold?: number };
  monitor?: PipelineMonitorOptions;
  /** Scores, drift and errors are emitted here ('ml.score' or `topic`, 'ml.drift', 'ml.error'). */
  bus?: EventBus;
  /** Topic of score events (default 'ml.score'). */
  topic?: string;
  /** Inference latency and throughput go here (`rt.metrics`). */
  metrics?: MetricsRegistry;
  /** Options of `loadOnnx` for registry models stored with format 'onnx'. */
  onnx?: LoadOnnxOptions;
  /**
   * Loads registry models stored with format 'onnx': pass `loadOnnx` from
   * 'edgewise/onnx' (kept out of `edgewise/ml` so that apps without ONNX
   * models never bundle onnxruntime-web).
   */
  loadOnnx?: (
    bytes: Uint8Array,
    options: LoadOnnxOptions,
  ) => Promise<Scorer & { dispose(): void | Promise<void> }>;
}

/** Scores of one batch, with each score's source row. */
export interface ScoreBatch {
  /** Source row index of each score (rows before the spec's warm-up produce none). */
  rows: Float64Array;
  scores: Float64Array;
  /** Registry version that scored the batch (0 for a plain scorer). */
  version: number;
}

/** A running `pipeline`: push batches, drain, close. */
export interface Pipeline {
  /** Scores one batch (queued behind earlier batches). */
  push(batch: FeatureTable): Promise<ScoreBatch>;
  /** Current registry version (0 for a plain scorer). */
  readonly version: number;
  /** Latest drift report (if a reference was given). */
  readonly lastDrift: DriftReport | undefined;
  /** Resolves when pending batches and swaps are done. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

function isScorer(m: unknown): m is Scorer {
  return typeof (m as Scorer)?.score === 'function';
}

/**
 * Features, then the production model, then scores on the bus (`ml.score`); hot-swaps the model
 * on promote and reports drift (`ml.drift`).
 */
export async function pipeline(options: PipelineOptions): Promise<Pipeline> {
  const ex = compileFeatures(options.spec);
  const hash = await specHash(options.spec);
  const stream: FeatureStream = ex.stream();
  const bus = options.bus;
  const topic = options.topic ?? 'ml.score';
  const latency = options.metrics?.histogram('ml_inference_seconds', {
    help: 'Model inference time per batch',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const rowsTotal = options.metrics?.counter('ml_rows_scored_total', {
    help: 'Rows scored by ML pipelines',
  });
  const swaps = options.metrics?.counter('ml_model_swaps_total', {
    help: 'Hot swaps of pipeline models',
  });
  const errors = options.metrics?.counter('ml_errors_total', {
    help: 'Failed ML pipeline batches and swaps',
  });

  let current: Scorer;
  let version = 0;
  let owned: OwnedScorer | undefined;
  let unsubscribe: (() => void) | undefined;
  const reg = isScorer(options.model) ? undefined : options.model;

  const loadVersion = async (v?: number): Promise<{ record: ModelRecord; model: OwnedScorer }> => {
    if (!reg) throw new EdgewiseError('INVALID_STATE', 'pipeline: no registry');
    const { record, bytes } = await reg.registry.load(
      reg.name,
      v === undefined ? {} : { version: v },
    );
    if (record.specHash !== hash) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `pipeline: '${reg.name}' v${record.version} was trained on feature spec ${record.specHash.slice(0, 12) || '(none)'}…, the pipeline computes ${hash.slice(0, 12)}…; keep the same spec (register ONNX models with { specHash }).`,
      );
    }
    if (record.format === 'onnx') {
      // onnxruntime-web is an optional peer: the caller brings loadOnnx from
      // 'edgewise/onnx', so apps without ONNX models never bundle it.
      const load = options.loadOnnx;
      if (!load) {
        throw new EdgewiseError(
          'MISSING_DEPENDENCY',
          `pipeline: '${reg.name}' v${record.version} is an ONNX model; pass { loadOnnx } from 'edgewise/onnx' (and install onnxruntime-web).`,
        );
      }
      return { record, model: await load(bytes, options.onnx ?? {}) };
    }
    return { record, model: deserializeModel(bytes) };
  };

  if (reg) {
    const { record, model } = await loadVersion();
    current = model;
    owned = model;
    version = record.version;
  } else current = options.model as Scorer;

  let shadow: OwnedScorer | undefined;
  if (options.shadow) {
    if (!reg)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'pipeline: shadow needs a registry model ({ registry, name }).',
      );
    shadow = (await loadVersion(options.shadow.version)).model;
  }

  let monitor: DriftMonitor | undefined;
  if (options.monitor?.reference) {
    monitor = new DriftMonitor(options.monitor.reference.rows, {
      ...options.monitor,
      columns: ex.columns,
      scores: options.monitor.reference.scores,
    });
  }
  const adwin =
    options.monitor && options.monitor.adwin !== false
      ? new Adwin(options.monitor.adwin ?? {})
      : undefined;
  const ph = options.monitor?.pageHinkley
    ? new PageHinkley(options.monitor.pageHinkley)
    : undefined;
  const checkEvery = options.monitor?.checkEvery ?? 1000;
  let sinceCheck = 0;
  let lastDrift: DriftReport | undefined;

  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
  const fail = (stage: string, e: unknown) => {
    errors?.inc();
    bus?.emit('ml.error', {
      stage,
      model: reg?.name,
      version,
      message: e instanceof Error ? e.message : String(e),
    });
  };

  if (reg) {
    unsubscribe = reg.registry.on((e) => {
      if (e.name !== reg.name) return;
      void serial(async () => {
        try {
          const { record, model } = await loadVersion(e.version);
          await owned?.dispose();
          owned = model;
          current = model;
          version = record.version;
          swaps?.inc();
          bus?.emit('ml.model', { type: e.type, model: reg.name, version, previous: e.previous });
        } catch (err) {
          fail('swap', err);
        }
      });
    });
  }

  const process = async (batch: FeatureTable): Promise<ScoreBatch> => {
    const fm = stream.push(batch);
    if (fm.n === 0) return { rows: fm.rows, scores: new Float64Array(0), version };
    const t0 = performance.now();
    const scores = await current.score(fm.data, { dims: fm.dims });
    latency?.observe((performance.now() - t0) / 1000);
    rowsTotal?.inc(fm.n);
    const out: ScoreBatch = { rows: fm.rows, scores, version };
    bus?.emit(topic, { model: reg?.name, version, rows: fm.rows, scores });
    if (shadow && reg && options.shadow) {
      const cand = await shadow.score(fm.data, { dims: fm.dims });
      await reg.registry.recordShadow(reg.name, options.shadow.version, scores, cand, {
        threshold: options.shadow.threshold,
        productionVersion: version,
      });
    }
    const alarms: { detector: string; row: number }[] = [];
    for (const i of adwin?.update(scores) ?? [])
      alarms.push({ detector: 'adwin', row: fm.rows[i] });
    for (const i of ph?.update(scores) ?? [])
      alarms.push({ detector: 'page-hinkley', row: fm.rows[i] });
    if (alarms.length)
      bus?.emit('ml.drift', { kind: 'score-stream', model: reg?.name, version, alarms });
    if (monitor) {
      monitor.push(fm.data, monitor.columns.length > ex.dims ? scores : undefined);
      sinceCheck += fm.n;
      if (sinceCheck >= checkEvery) {
        sinceCheck = 0;
        lastDrift = monitor.check();
        if (lastDrift.drifted)
          bus?.emit('ml.drift', {
            kind: 'distribution',
            model: reg?.name,
            version,
            report: lastDrift,
          });
        monitor.resetWindow();
      }
    }
    return out;
  };

  return {
    push(batch) {
      return serial(async () => {
        try {
          return await process(batch);
        } catch (e) {
          fail('score', e);
          throw e;
        }
      });
    },
    get version() {
      return version;
    },
    get lastDrift() {
      return lastDrift;
    },
    drain() {
      return serial(async () => undefined);
    },
    async close() {
      unsubscribe?.();
      await serial(async () => undefined);
      await owned?.dispose();
      await shadow?.dispose();
      monitor?.dispose();
    },
  };
}
