/**
 * Runs streaming detectors on a stream processor's window results: subscribe
 * to `input` (default 'stream.window', where `StreamProcessor` and
 * `hostStream` publish), score one field of each result per key with a
 * `StreamingDetector` (created per key on first use), and emit
 * `anomaly.<key>` events ({@link AnomalyEvent}) on the same bus. Inside the
 * stream worker, `serveWindowDetection` (src/threads/stream/service.ts) runs
 * it on the worker-side bus of `hostStream(self)`.
 */
import { describeValue, EdgewiseError } from '../errors';
import type { EventBus } from '../events/bus';
import type { AnomalyEvent } from '../events/topic-map';
import type { WindowResult } from '../stream/types';
import { StreamingDetector, type StreamingDetectorOptions } from './ensemble-stream';
import type { DetectorSnapshot } from './streaming';

/** Options of `detectOnWindows`. */
export interface WindowDetectionOptions {
  /** Topic of the window results (default 'stream.window'). */
  input?: string;
  /** Which aggregate is scored (default 'mean'). */
  field?: 'mean' | 'sum' | 'count' | 'min' | 'max' | 'std' | 'variance';
  /** Score at or above which an event is emitted (default 0.99). */
  threshold?: number;
  /** Topic prefix of the events (default 'anomaly'). */
  topicPrefix?: string;
  /** Options of each per-key detector. */
  detector?: Omit<StreamingDetectorOptions, 'members'>;
}

/** The handle `detectOnWindows` returns: snapshot, restore and dispose. */
export interface WindowDetection {
  /** Snapshots of every key's detector (structured-clone / JSON safe). */
  snapshot(): Record<string, DetectorSnapshot>;
  /** Restores detectors from `snapshot()` (keys not in it start fresh). */
  restore(snapshots: Record<string, DetectorSnapshot>): void;
  dispose(): void;
}

const FIELDS = ['mean', 'sum', 'count', 'min', 'max', 'std', 'variance'];

/**
 * Scores each key's window results on `bus` (topic `stream.window`) with a per-key
 * `StreamingDetector` and emits `anomaly.<key>` events on the same bus.
 */
export function detectOnWindows(
  bus: EventBus,
  options: WindowDetectionOptions = {},
): WindowDetection {
  const input = options.input ?? 'stream.window';
  const field = options.field ?? 'mean';
  const threshold = options.threshold ?? 0.99;
  const prefix = options.topicPrefix ?? 'anomaly';
  if (!FIELDS.includes(field)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `detectOnWindows: field must be one of ${FIELDS.join(', ')}, got ${describeValue(field)}.`,
    );
  }
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `detectOnWindows: threshold must be in [0, 1], got ${describeValue(threshold)}.`,
    );
  }
  const detectors = new Map<string, StreamingDetector>();
  const get = (key: string): StreamingDetector => {
    let d = detectors.get(key);
    if (!d) {
      d = new StreamingDetector(options.detector);
      detectors.set(key, d);
    }
    return d;
  };
  const sub = bus.on<WindowResult>(input, (r) => {
    // late re-fires replace a window already scored: do not learn it twice
    if (!r || r.update || r.count === 0) return;
    const key = String(r.key);
    const value = r[field];
    const d = get(key);
    const score = d.update(value, r.end);
    if (score >= threshold) {
      const contributions: Record<string, number> = {};
      d.memberNames.forEach((m, i) => {
        contributions[m] = d.contributions[i];
      });
      const ev: AnomalyEvent = { series: key, timestamp: r.end, value, score, contributions };
      bus.emit(`${prefix}.${key.replace(/[.*#\s]/g, '_') || '_'}`, ev);
    }
  });
  return {
    snapshot: () => Object.fromEntries([...detectors].map(([k, d]) => [k, d.snapshot()])),
    restore: (snaps) => {
      // all or nothing: every key's detector is restored before any is used
      const restored = Object.entries(snaps).map(
        ([k, s]) => [k, new StreamingDetector(options.detector).restore(s)] as const,
      );
      for (const [k, d] of restored) detectors.set(k, d);
    },
    dispose: () => {
      sub();
      detectors.clear();
    },
  };
}
