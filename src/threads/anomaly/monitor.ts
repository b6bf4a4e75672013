/**
 * Hosts streaming detectors in a worker and emits anomaly events onto a bus.
 *
 * `push(seriesKey, values, timestamps)` sends a batch to the worker's
 * StreamingDetector for that series (created on first use, or restored from a
 * snapshot), and for every record whose score is >= `threshold` emits
 * `anomaly.<seriesKey>` with { series, timestamp, value, score, contributions }.
 *
 * `new WorkerAnomalyMonitor(bus, options)` starts the anomaly worker the
 * package ships (`options.worker` overrides it); `new
 * WorkerAnomalyMonitor(service, bus, options)` uses a service you already
 * have, e.g. `pool.remote(0)` of an `AnomalyWorkerPool`.
 */

import type { DetectorSnapshot } from '../../anomaly/streaming';
import { describeValue, EdgewiseError } from '../../errors';
import type { AnomalyEvent } from '../../events/topic-map';
import { installErrorTransfer, type Remote, releaseProxy, wrap } from '../comlink';
import type { WorkerHandle, WorkerSourceOptions } from '../worker-source';
import type { AnomalyService } from './service';
import { startAnomalyWorker } from './start';

/** The payload of the `anomaly.<series>` events `WorkerAnomalyMonitor` emits (defined in `edgewise/events`). */
export type { AnomalyEvent };

/** Anything with an `emit(topic, payload)`, e.g. an `EventBus`. */
export interface BusLike {
  emit(topic: string, payload?: unknown): unknown;
}

/** Options of `WorkerAnomalyMonitor`. */
export interface MonitorOptions {
  /** Score at or above which an event is emitted (default 0.99). */
  threshold?: number;
  /** Topic prefix (default 'anomaly'). */
  topicPrefix?: string;
}

const isBus = (v: unknown): v is BusLike =>
  typeof v === 'object' && v !== null && typeof (v as BusLike).emit === 'function';

/**
 * Runs streaming detectors in an anomaly worker and emits `anomaly.<series>` events on your bus
 * when a score reaches the threshold. Without a service it starts the package's anomaly worker.
 *
 * @example
 * ```ts
 * const mon = new WorkerAnomalyMonitor(rt.bus, { threshold: 0.99 });
 * await mon.push('sensor.temp', values, timestamps); // 'anomaly.sensor_temp' events
 * ```
 */
export class WorkerAnomalyMonitor {
  readonly #service: Remote<AnomalyService>;
  readonly #bus: BusLike;
  readonly #ids = new Map<string, Promise<number>>();
  readonly #owned: WorkerHandle | undefined;
  readonly threshold: number;
  readonly topicPrefix: string;

  /** Starts the package's anomaly worker (`options.worker` overrides it); `close()` ends it. */
  constructor(bus: BusLike, options?: MonitorOptions & WorkerSourceOptions);
  /** Uses an anomaly service you already have (e.g. `pool.remote(0)`). */
  constructor(service: Remote<AnomalyService>, bus: BusLike, options?: MonitorOptions);
  constructor(
    a: BusLike | Remote<AnomalyService>,
    b?: BusLike | (MonitorOptions & WorkerSourceOptions),
    c?: MonitorOptions,
  ) {
    installErrorTransfer(); // the service may come from the caller's own wrap()
    // A Comlink proxy answers every property with a function, so the bus is
    // told apart by position: (service, bus, options) has the bus second.
    const own = !isBus(b);
    if (own && !isBus(a)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'WorkerAnomalyMonitor: pass (bus, options) or (service, bus, options); the bus needs an emit() method.',
      );
    }
    const options: MonitorOptions & WorkerSourceOptions =
      (own ? (b as (MonitorOptions & WorkerSourceOptions) | undefined) : c) ?? {};
    this.threshold = options.threshold ?? 0.99;
    this.topicPrefix = options.topicPrefix ?? 'anomaly';
    if (!(this.threshold >= 0 && this.threshold <= 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `WorkerAnomalyMonitor: threshold must be in [0, 1], got ${describeValue(options.threshold)}.`,
      );
    }
    if (own) {
      // Checked first: a refused option starts no worker.
      this.#bus = a as BusLike;
      this.#owned = startAnomalyWorker(options.worker);
      this.#service = wrap<AnomalyService>(this.#owned.endpoint);
    } else {
      this.#service = a as Remote<AnomalyService>;
      this.#bus = b as BusLike;
    }
  }

  static topicSegment(seriesKey: string): string {
    return seriesKey.replace(/[.*#\s]/g, '_') || '_';
  }

  #id(seriesKey: string, snapshot?: DetectorSnapshot): Promise<number> {
    let id = this.#ids.get(seriesKey);
    if (!id || snapshot) {
      id = this.#service.createDetector(undefined, snapshot);
      this.#ids.set(seriesKey, id);
    }
    return id;
  }

  /** Restores a series' detector from a snapshot (e.g. after a reload). */
  async restore(seriesKey: string, snapshot: DetectorSnapshot): Promise<void> {
    await this.#id(seriesKey, snapshot);
  }

  async snapshot(seriesKey: string): Promise<DetectorSnapshot> {
    return this.#service.snapshot(await this.#id(seriesKey));
  }

  /** Scores a batch of one series in the worker; emits events; returns the scores. */
  async push(
    seriesKey: string,
    values: Float64Array,
    timestamps?: Float64Array,
  ): Promise<Float64Array> {
    if (typeof seriesKey !== 'string' || seriesKey.length === 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `WorkerAnomalyMonitor.push: seriesKey must be a non-empty string, got ${describeValue(seriesKey)}.`,
      );
    }
    if (
      !(values instanceof Float64Array) ||
      (timestamps && (!(timestamps instanceof Float64Array) || timestamps.length !== values.length))
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'WorkerAnomalyMonitor.push: pass Float64Array values (and timestamps of the same length).',
      );
    }
    const id = await this.#id(seriesKey);
    const { scores, contributions, members } = await this.#service.update(id, values, timestamps);
    const topic = `${this.topicPrefix}.${WorkerAnomalyMonitor.topicSegment(seriesKey)}`;
    const m = members.length;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] >= this.threshold) {
        const c: Record<string, number> = {};
        for (let k = 0; k < m; k++) c[members[k]] = contributions[i * m + k];
        const ev: AnomalyEvent = {
          series: seriesKey,
          timestamp: timestamps ? timestamps[i] : i,
          value: values[i],
          score: scores[i],
          contributions: c,
        };
        this.#bus.emit(topic, ev);
      }
    }
    return scores;
  }

  /** Terminates the worker this monitor started (a service passed in is left alone). */
  close(): void {
    if (!this.#owned) return;
    try {
      this.#service[releaseProxy]();
    } catch {
      // the endpoint may already be gone
    }
    void this.#owned.terminate();
  }
}
