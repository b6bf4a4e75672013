/**
 * `rt.detect(series, options)`: the headline flow on one series, wired onto a
 * runtime. Each batch pushed to the returned {@link Detection} goes through
 *
 * 1. the window stage (optional `window`): a `StreamProcessor` keyed by the
 *    series, whose results go out on `rt.bus` (topic `stream.window`);
 * 2. the detector: a `StreamingDetector` (default) or your own detector, on
 *    this thread or (`worker: true`) in the package's anomaly worker;
 * 3. the metrics: counters `<prefix>_records_total{series}` and
 *    `<prefix>_anomalies_total{series}` in `rt.metrics`, and each record's
 *    value and score as the time series `<prefix>_value{series}` and
 *    `<prefix>_anomaly_score{series}` in its store, at event time (memory or
 *    IndexedDB, with the store's retention tiers);
 * 4. an `anomaly.<series>` event ({@link AnomalyEvent}) on `rt.bus` for every
 *    record scoring at or above `threshold`;
 * 5. the same anomalies, as event records, durably in `rt.sync`'s outbox
 *    when the runtime has sync.
 *
 * Batches run one after another in push order; `pushBatch` resolves when all
 * five steps are done for the batch (the outbox append included).
 */
import { StreamingDetector, type StreamingDetectorOptions } from '../anomaly/ensemble-stream';
import type { DetectorSnapshot, StreamingDetectorApi } from '../anomaly/streaming';
import { toFloat64 } from '../core/arrays';
import { describeValue, EdgewiseError } from '../errors';
import type { EventBus } from '../events/bus';
import type { AnomalyEvent } from '../events/topic-map';
import type { Metrics } from '../metrics/metrics';
import { StreamProcessor } from '../stream/processor';
import type { StreamSnapshot, WindowSpec } from '../stream/types';
import type { Sync } from '../sync/sync';
import { anomalyRecord } from '../sync/types';
import {
  remoteDetector,
  type SharedAnomalyWorker,
  startAnomalyLink,
} from '../threads/anomaly/link';
import type { WorkerSource } from '../threads/worker-source';

/** Options of `rt.detect`; every field has a default. */
export interface DetectOptions {
  /**
   * The detector: 'streaming' (default, a `StreamingDetector` with its default
   * options), `StreamingDetector` options, or a detector instance you built
   * (anything with `update`, `updateBatch`, `snapshot` and `restore`, e.g. a
   * `CadOseDetector`; it runs on this thread).
   */
  detector?: 'streaming' | StreamingDetectorOptions | StreamingDetectorApi;
  /** Score at or above which an anomaly event is emitted (default 0.99). */
  threshold?: number;
  /**
   * Score in a worker instead of this thread (default false): `true` uses the
   * runtime's anomaly worker (the package's; one for all its `worker: true`
   * detections, a detector each), a `WorkerSource` (script URL, or a function
   * returning a started `Worker`) starts one for this detection alone. Not
   * with a detector instance or with `members` (they do not cross to a worker).
   */
  worker?: boolean | WorkerSource;
  /**
   * Event-time windows over the records (e.g. `{ type: 'tumbling', size:
   * 3_600_000, quantiles: [0.99] }`): results, keyed by the series, go out on
   * `rt.bus` (topic `topic`, default 'stream.window'). Default: none.
   */
  window?: WindowSpec & { quantiles?: number[]; topic?: string };
  /** Prefix of the metric names (default 'edgewise'). */
  metricPrefix?: string;
  /** Record each value and score in `rt.metrics`' time-series store (default true). */
  record?: boolean;
  /** Append anomalies to `rt.sync`'s outbox when the runtime has sync (default true). */
  sync?: boolean;
  /** Topic prefix of the anomaly events (default 'anomaly'). */
  topicPrefix?: string;
  /** Resume from a `Detection.snapshot()` (e.g. read back from storage after a reload). */
  restore?: DetectionSnapshot;
}

/** State of a detection (`Detection.snapshot()`): structured-clone and JSON safe. */
export interface DetectionSnapshot {
  version: 1;
  series: string;
  /** Records pushed. */
  count: number;
  /** Anomaly events emitted. */
  anomalies: number;
  detector: DetectorSnapshot;
  /** The window stage's state, when `window` was set. */
  stream: StreamSnapshot | null;
}

/** The handle `rt.detect` returns. */
export interface Detection {
  readonly series: string;
  /** Topic of this series' anomaly events, e.g. 'anomaly.sensor_temp'. */
  readonly topic: string;
  /** Where the detector runs. */
  readonly where: 'main' | 'worker';
  /** Records pushed so far (batches still in flight not included). */
  readonly count: number;
  /** Anomaly events emitted so far. */
  readonly anomalies: number;
  /** Pushes one record; resolves with its score. */
  push(value: number, timestamp: number): Promise<number>;
  /**
   * Pushes a batch (`values[i]` at `timestamps[i]`, ms since the epoch);
   * resolves with the scores. Non-finite values score NaN and are skipped by
   * the detector. The batch is copied when called (reuse your arrays at
   * once) and checked before anything runs: a bad one rejects with
   * `INVALID_ARGUMENT` and changes nothing.
   */
  pushBatch(
    values: Float64Array | readonly number[],
    timestamps: Float64Array | readonly number[],
  ): Promise<Float64Array>;
  /** The detection's state after the batches pushed so far. */
  snapshot(): Promise<DetectionSnapshot>;
  /** Waits for the batches pushed so far, delivers their events and writes the metrics store. */
  flush(): Promise<void>;
  /**
   * Flushes, fires the windows still open, and ends the detection (its worker
   * too); later pushes reject with `DISPOSED`. Idempotent.
   */
  close(): Promise<void>;
}

interface Scored {
  scores: Float64Array;
  /** n x members, row-major. */
  contributions: Float64Array;
  members: readonly string[];
}

/** Where the scores come from: a detector on this thread, or one in a worker. */
interface Scorer {
  readonly where: 'main' | 'worker';
  score(values: Float64Array, timestamps: Float64Array): Promise<Scored>;
  snapshot(): Promise<DetectorSnapshot>;
  close(): void;
}

const bad = (msg: string): never => {
  throw new EdgewiseError('INVALID_ARGUMENT', `Runtime.detect: ${msg}`);
};

const isDetector = (d: unknown): d is StreamingDetectorApi =>
  typeof d === 'object' &&
  d !== null &&
  typeof (d as StreamingDetectorApi).update === 'function' &&
  typeof (d as StreamingDetectorApi).updateBatch === 'function' &&
  typeof (d as StreamingDetectorApi).snapshot === 'function';

/** The bus-topic segment of a series name ('.', '*', '#' and spaces become '_'). */
const topicSegment = (series: string): string => series.replace(/[.*#\s]/g, '_') || '_';

function localScorer(d: StreamingDetectorApi): Scorer {
  const ensemble = d instanceof StreamingDetector ? d : undefined;
  const members = ensemble ? ensemble.memberNames : [];
  return {
    where: 'main',
    async score(values, timestamps) {
      const n = values.length;
      const m = members.length;
      if (!ensemble) {
        return {
          scores: d.updateBatch(values, timestamps),
          contributions: new Float64Array(0),
          members,
        };
      }
      const scores = new Float64Array(n);
      const contributions = new Float64Array(n * m);
      for (let i = 0; i < n; i++) {
        scores[i] = ensemble.update(values[i], timestamps[i]);
        contributions.set(ensemble.contributions, i * m);
      }
      return { scores, contributions, members };
    },
    async snapshot() {
      return d.snapshot();
    },
    close() {},
  };
}

/** A copy of a batch column (the batch may wait in the queue while the caller reuses its array). */
function copyColumn(x: unknown, what: string): Float64Array {
  const a = toFloat64(x, 'Runtime.detect: pushBatch', what);
  return a === x ? a.slice() : a;
}

/**
 * Attaches detection on `series` to a runtime (what `rt.detect` runs).
 * `onClose` runs once when the detection closes; `worker: true` detections
 * use `shared`'s worker when given.
 */
export async function attachDetection(
  rt: { readonly bus: EventBus; readonly metrics: Metrics; readonly sync: Sync | undefined },
  series: string,
  options: DetectOptions = {},
  onClose: () => void = () => {},
  shared?: SharedAnomalyWorker,
): Promise<Detection> {
  if (typeof series !== 'string' || series.length === 0) {
    bad(`series must be a non-empty string, got ${describeValue(series)}.`);
  }
  if (typeof options !== 'object' || options === null) {
    bad(`options must be an object, got ${describeValue(options)}.`);
  }
  const threshold = options.threshold ?? 0.99;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    bad(`threshold must be in [0, 1], got ${describeValue(options.threshold)}.`);
  }
  const prefix = options.metricPrefix ?? 'edgewise';
  const topicPrefix = options.topicPrefix ?? 'anomaly';
  const topic = `${topicPrefix}.${topicSegment(series)}`;
  const record = options.record ?? true;
  const sync = (options.sync ?? true) ? rt.sync : undefined;
  const restore = options.restore;
  if (restore !== undefined) {
    if (typeof restore !== 'object' || restore === null || restore.version !== 1) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'Runtime.detect: restore must be a snapshot() of a detection (version 1).',
      );
    }
    if (!!restore.stream !== !!options.window) {
      bad('restore has window state but options.window is not set, or the other way round.');
    }
  }
  const spec = options.detector ?? 'streaming';
  const instance = isDetector(spec) ? spec : undefined;
  if (!instance && spec !== 'streaming' && (typeof spec !== 'object' || spec === null)) {
    bad(
      `detector must be 'streaming', StreamingDetector options or a detector instance, got ${describeValue(spec)}.`,
    );
  }
  const detectorOptions: StreamingDetectorOptions =
    instance || spec === 'streaming' ? {} : (spec as StreamingDetectorOptions);
  const worker = options.worker ?? false;
  if (worker !== false && (instance || detectorOptions.members)) {
    bad(
      'worker: a detector instance or `members` cannot run in a worker; pass options without members.',
    );
  }
  // The counters (their names checked here) before anything starts.
  const records = rt.metrics.counter(`${prefix}_records_total`, {
    help: 'Records pushed to detection',
    labelNames: ['series'],
  });
  const anomaliesTotal = rt.metrics.counter(`${prefix}_anomalies_total`, {
    help: 'Anomaly events emitted by detection',
    labelNames: ['series'],
  });
  const labels = { series };
  let processor: StreamProcessor | undefined;
  if (options.window) {
    const { quantiles, topic: windowTopic, ...windowSpec } = options.window;
    processor = new StreamProcessor({
      window: windowSpec as WindowSpec,
      quantiles,
      bus: rt.bus,
      topic: windowTopic ?? 'stream.window',
    });
    if (restore?.stream) processor.restore(restore.stream);
  }
  let scorer: Scorer;
  try {
    if (worker !== false) {
      const own = worker !== true || !shared;
      const link = own
        ? await startAnomalyLink(worker === true ? undefined : worker)
        : await shared!.acquire();
      scorer = await remoteDetector(link, own, detectorOptions, restore?.detector);
    } else {
      const d = instance ?? new StreamingDetector(detectorOptions);
      if (restore) d.restore(restore.detector);
      scorer = localScorer(d);
    }
  } catch (e) {
    processor?.dispose();
    throw e;
  }

  let count = restore?.count ?? 0;
  let anomalies = restore?.anomalies ?? 0;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  /** Runs `op` after every operation queued before it (a failed one does not block the queue). */
  const queue = <T>(op: () => Promise<T>): Promise<T> => {
    const p = chain.then(op);
    chain = p.catch(() => {});
    return p;
  };
  const checkOpen = (verb: string): void => {
    if (closed) {
      throw new EdgewiseError(
        'DISPOSED',
        `Detection.${verb}: the detection of '${series}' is closed.`,
      );
    }
  };

  async function run(values: Float64Array, timestamps: Float64Array): Promise<Float64Array> {
    const n = values.length;
    const { scores, contributions, members } = await scorer.score(values, timestamps);
    processor?.pushColumns({ timestamps, values, keys: new Array<string>(n).fill(series) });
    const store = record ? rt.metrics.store : undefined;
    const events: AnomalyEvent[] = [];
    const m = members.length;
    for (let i = 0; i < n; i++) {
      const t = timestamps[i];
      store?.recordValue(`${prefix}_value`, labels, t, values[i]);
      store?.recordValue(`${prefix}_anomaly_score`, labels, t, scores[i]);
      if (scores[i] >= threshold) {
        const c: Record<string, number> = {};
        for (let k = 0; k < m; k++) c[members[k]] = contributions[i * m + k];
        events.push({ series, timestamp: t, value: values[i], score: scores[i], contributions: c });
      }
    }
    count += n;
    anomalies += events.length;
    records.inc(labels, n);
    if (events.length) anomaliesTotal.inc(labels, events.length);
    for (const ev of events) {
      const held = rt.bus.emit(topic, ev);
      if (held) await held; // the bus is full: wait, never drop
    }
    if (sync && events.length) {
      await sync.append(
        events.map((ev) => anomalyRecord(ev, topic, `${prefix}_anomaly`)),
        'event',
      );
    }
    return scores;
  }

  const detection: Detection = {
    series,
    topic,
    where: scorer.where,
    get count() {
      return count;
    },
    get anomalies() {
      return anomalies;
    },
    async push(value, timestamp) {
      return (await detection.pushBatch([value], [timestamp]))[0];
    },
    async pushBatch(v, t) {
      checkOpen('pushBatch');
      const values = copyColumn(v, 'values');
      const timestamps = copyColumn(t, 'timestamps');
      if (timestamps.length !== values.length) {
        bad(`pushBatch: ${values.length} values but ${timestamps.length} timestamps.`);
      }
      for (let i = 0; i < timestamps.length; i++) {
        if (!Number.isFinite(timestamps[i])) {
          bad(
            `pushBatch: timestamps[${i}] must be finite (ms since the epoch), got ${timestamps[i]}.`,
          );
        }
      }
      return queue(() => run(values, timestamps));
    },
    snapshot() {
      checkOpen('snapshot');
      return queue(async () => ({
        version: 1 as const,
        series,
        count,
        anomalies,
        detector: await scorer.snapshot(),
        stream: processor ? processor.snapshot() : null,
      }));
    },
    async flush() {
      checkOpen('flush');
      await queue(async () => {});
      await rt.bus.flush();
      await rt.metrics.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await queue(async () => {
          processor?.flush();
        });
        await rt.bus.flush();
        if (record) await rt.metrics.flush();
      } finally {
        processor?.dispose();
        scorer.close();
        onClose();
      }
    },
  };
  return detection;
}
