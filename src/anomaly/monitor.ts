/**
 * Hosts streaming detectors in a worker and emits anomaly events onto a bus.
 *
 * `push(seriesKey, values, timestamps)` sends a batch to the worker's
 * StreamingDetector for that series (created on first use, or restored from a
 * snapshot), and for every record whose score is >= `threshold` emits
 * `anomaly.<seriesKey>` with { series, timestamp, value, score, contributions }.
 */
import { installErrorTransfer, type Remote } from '../comlink';
import { describeValue, EdgewiseError } from '../errors';
import type { AnomalyService } from './service';
import type { DetectorSnapshot } from './streaming';

export interface AnomalyEvent {
  series: string;
  timestamp: number;
  value: number;
  score: number;
  /** Each member detector's calibrated score for this record. */
  contributions: Record<string, number>;
}

export interface BusLike {
  emit(topic: string, payload?: unknown): unknown;
}

export interface MonitorOptions {
  /** Score at or above which an event is emitted (default 0.99). */
  threshold?: number;
  /** Topic prefix (default 'anomaly'). */
  topicPrefix?: string;
}

export class WorkerAnomalyMonitor {
  readonly #service: Remote<AnomalyService>;
  readonly #bus: BusLike;
  readonly #ids = new Map<string, Promise<number>>();
  readonly threshold: number;
  readonly topicPrefix: string;

  constructor(service: Remote<AnomalyService>, bus: BusLike, options: MonitorOptions = {}) {
    installErrorTransfer(); // the service may come from the caller's own wrap()
    this.#service = service;
    this.#bus = bus;
    this.threshold = options.threshold ?? 0.99;
    this.topicPrefix = options.topicPrefix ?? 'anomaly';
    if (!(this.threshold >= 0 && this.threshold <= 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `WorkerAnomalyMonitor: threshold must be in [0, 1], got ${describeValue(options.threshold)}.`,
      );
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
}
