/**
 * The records the sync outbox holds and the exporters encode. Columnar:
 * one record carries one series' points as parallel `ts` (ms since epoch) and
 * `v` Float64Arrays.
 */

/** What an outbox entry is, for the size-cap policy: raw samples go first, roll-ups are kept. */
export type EntryKind = 'sample' | 'rollup' | 'event';

/** Gauge or counter points of one series. `kind` 'counter' is cumulative and monotonic. */
export interface SeriesRecord {
  type: 'series';
  name: string;
  labels: Record<string, string>;
  kind: 'counter' | 'gauge';
  /** Milliseconds since the epoch, ascending. */
  ts: Float64Array;
  v: Float64Array;
}

/** One explicit-bucket histogram point (cumulative since `startTs`). */
export interface HistogramRecord {
  type: 'histogram';
  name: string;
  labels: Record<string, string>;
  ts: number;
  startTs?: number;
  count: number;
  sum: number;
  /** Upper bounds, ascending, without +Inf. */
  bounds: number[];
  /** Per-bucket counts (not cumulative), `bounds.length + 1` of them (last is the +Inf bucket). */
  counts: number[];
}

/** One OpenTelemetry base-2 exponential histogram point. */
export interface ExpHistogramRecord {
  type: 'exphistogram';
  name: string;
  labels: Record<string, string>;
  ts: number;
  startTs?: number;
  count: number;
  sum: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; counts: number[] };
  negative: { offset: number; counts: number[] };
  min?: number;
  max?: number;
}

/** An event (e.g. an anomaly) with a numeric value (e.g. its score). */
export interface EventRecord {
  type: 'event';
  name: string;
  labels: Record<string, string>;
  ts: number;
  value: number;
  attributes?: Record<string, string | number | boolean>;
}

/**
 * The event record of an anomaly (`AnomalyEvent` fields): its score at its
 * event time, labelled with its series and topic; the raw value and each
 * member's contribution go in the attributes. Used by `rt.detect` and by
 * `Sync.forwardEvents` alike.
 */
export function anomalyRecord(
  ev: {
    series: string;
    timestamp: number;
    value: number;
    score: number;
    contributions?: Record<string, number>;
  },
  topic: string,
  name = 'edgewise_anomaly',
): EventRecord {
  return {
    type: 'event',
    name,
    labels: { series: ev.series, topic },
    ts: ev.timestamp,
    value: ev.score,
    attributes: { value: ev.value, ...ev.contributions },
  };
}

/** A record to sync: a series, a histogram, an exponential histogram or an event. */
export type SyncRecord = SeriesRecord | HistogramRecord | ExpHistogramRecord | EventRecord;

/** A stored outbox entry. `seq` increases strictly in append order. */
export interface OutboxEntry {
  seq: number;
  kind: EntryKind;
  /** Size estimate (bytes) used for batching and the size cap. */
  bytes: number;
  records: SyncRecord[];
}

/** A batch being delivered: a contiguous seq range with its idempotency key. */
export interface InflightBatch {
  first: number;
  last: number;
  key: string;
  attempts: number;
  /**
   * True while an attempt may have reached the backend without a definite answer
   * (timeout, cut connection, page closed mid-request): only then does a
   * duplicate-sample rejection mean the batch was already stored.
   */
  maybeDelivered?: boolean;
}

/** An entry parked after a non-retryable rejection, kept for inspection. */
export interface ParkedBatch {
  key: string;
  first: number;
  last: number;
  status: number;
  reason: string;
  at: number;
  entries: OutboxEntry[];
}

/** Entries and samples dropped by the size cap, per kind. */
export interface DropCounts {
  entries: number;
  samples: number;
  bytes: number;
}

/**
 * What an outbox holds: entries, bytes (parked included), parked batches and what the size cap
 * dropped.
 */
export interface OutboxStats {
  entries: number;
  /** Bytes of the queued entries plus the parked ones (the size cap counts both). */
  bytes: number;
  parked: number;
  /** Bytes of the parked entries (included in `bytes`). */
  parkedBytes: number;
  /** What the size cap dropped so far, by kind. */
  dropped: Record<EntryKind, DropCounts>;
}

/** Number of points (samples, buckets count as one point) a record carries. */
export function recordPoints(r: SyncRecord): number {
  return r.type === 'series' ? r.ts.length : 1;
}

function labelBytes(labels: Record<string, string>): number {
  let b = 0;
  for (const k in labels) b += k.length + labels[k].length + 8;
  return b;
}

/** Size estimate of a record as it will be encoded (protobuf-ish upper bound). */
export function recordBytes(r: SyncRecord): number {
  const head = r.name.length + labelBytes(r.labels) + 24;
  switch (r.type) {
    case 'series':
      return head + 20 * r.ts.length;
    case 'histogram':
      return head * (r.bounds.length + 3) + 24 * (r.bounds.length + 3);
    case 'exphistogram':
      return head * 2 + 48 + 10 * (r.positive.counts.length + r.negative.counts.length);
    case 'event': {
      let b = head + 24;
      if (r.attributes)
        for (const k in r.attributes) b += k.length + String(r.attributes[k]).length + 8;
      return b;
    }
  }
}
