/**
 * `Sync`: an outbox plus a sender, and helpers to enqueue what the runtime
 * produces (metric snapshots, events). `Sync.create()` with no endpoint keeps
 * everything local: records still go to the outbox (ready for when an
 * endpoint is configured), nothing leaves the device.
 */
import { EdgewiseError } from '../errors';
import type { ExponentialHistogramSeries } from '../metrics/instruments';
import type { MetricsRegistry } from '../metrics/registry';
import { IndexedDbOutbox, MemoryOutbox, type Outbox, type OutboxOptions } from './outbox';
import { Sender, type SenderOptions, type SyncEvent } from './sender';
import { anomalyRecord, type EntryKind, type SyncRecord } from './types';

/** Options of `createRuntime({ sync })` / `Sync.create`: outbox, sender and endpoint. */
export interface SyncOptions extends Omit<SenderOptions, 'endpoint' | 'outbox'>, OutboxOptions {
  /** Where to send; without it nothing leaves the device. */
  endpoint?: string;
  /** 'indexeddb' (default in browsers), 'memory' (default elsewhere) or an Outbox. */
  outbox?: 'memory' | 'indexeddb' | Outbox;
  /** IndexedDB database name of the outbox (default 'edgewise-sync'). */
  dbName?: string;
  /** Start sending at once (default true when an endpoint is set). */
  autoStart?: boolean;
  /** Send the head batch with keepalive on `pagehide` (default true in browsers). */
  flushOnPageHide?: boolean;
}

/** The runtime's sync (`rt.sync`): an outbox and, with an endpoint, a sender. */
export class Sync {
  readonly sender: Sender | undefined;
  private unhook: (() => void) | undefined;

  private constructor(
    readonly outbox: Outbox,
    sender: Sender | undefined,
  ) {
    this.sender = sender;
  }

  static async create(options: SyncOptions = {}): Promise<Sync> {
    const o = options.outbox ?? (typeof indexedDB === 'undefined' ? 'memory' : 'indexeddb');
    // JSON bodies are ~9x the protobuf estimate per point: smaller entries keep one
    // entry (the smallest batch) under maxBatchBytes.
    if (
      (options.exporter === 'otlp' || options.exporter === 'jsonl') &&
      options.maxEntryBytes === undefined
    ) {
      options = {
        ...options,
        maxEntryBytes: Math.max(256, Math.floor((options.maxBatchBytes ?? 65536) / 12)),
      };
    }
    let outbox: Outbox;
    if (o === 'memory') outbox = new MemoryOutbox(options);
    else if (o === 'indexeddb')
      outbox = await IndexedDbOutbox.open({ ...options, name: options.dbName });
    else if (typeof o === 'object' && o !== null && typeof o.append === 'function') outbox = o;
    else {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `sync: outbox must be 'memory', 'indexeddb' or an Outbox, got ${String(o)}.`,
      );
    }
    const sender = options.endpoint
      ? new Sender({ ...options, endpoint: options.endpoint, outbox })
      : undefined;
    const s = new Sync(outbox, sender);
    if (sender && (options.autoStart ?? true)) sender.start();
    const w = globalThis as unknown as EventTarget & { document?: unknown };
    if (
      sender &&
      (options.flushOnPageHide ?? true) &&
      w.document &&
      typeof w.addEventListener === 'function'
    ) {
      const onHide = () => void sender.flushOnPageHide();
      w.addEventListener('pagehide', onHide);
      s.unhook = () => w.removeEventListener('pagehide', onHide);
    }
    return s;
  }

  /** Appends records durably and wakes the sender. */
  async append(records: readonly SyncRecord[], kind: EntryKind = 'sample') {
    const r = await this.outbox.append(records, kind);
    this.sender?.notify();
    return r;
  }

  /** Appends the current value of every series of `registry` at time `t` (counters, gauges, histograms, summaries' sum/count). */
  async appendMetrics(registry: MetricsRegistry, t: number = Date.now()) {
    return this.append(snapshotRegistry(registry, t), 'sample');
  }

  /**
   * Appends every bus event on `patterns` (e.g. `['anomaly.*']`) as an event
   * record: name `edgewise_event`, labels `{ topic, ...payload.labels }`, value
   * `payload.value ?? payload.score ?? 1`, ts `payload.ts ?? payload.timestamp ?? now`.
   * An `AnomalyEvent` (`{ series, timestamp, value, score }`) becomes name
   * `edgewise_anomaly`, labels `{ topic, series }`, value its score, ts its
   * timestamp, attributes its value and contributions (the record `rt.detect`
   * appends, see `anomalyRecord`). Returns the unsubscribe.
   */
  forwardEvents(
    bus: { on(pattern: string, fn: (payload: unknown, topic: string) => unknown): () => void },
    patterns: readonly string[],
  ): () => void {
    const offs = patterns.map((p) =>
      bus.on(p, (payload, topic) =>
        this.append([eventRecord(topic, payload)], 'event').catch(() => {}),
      ),
    );
    return () => {
      for (const off of offs) off();
    };
  }

  on(fn: (e: SyncEvent) => void): () => void {
    return this.sender?.on(fn) ?? (() => {});
  }

  start(): void {
    this.sender?.start();
  }

  stop(): Promise<void> {
    return this.sender?.stop() ?? Promise.resolve();
  }

  /**
   * Resolves when the outbox is empty (everything acknowledged or parked), or
   * rejects after `timeoutMs` (default 30 s). Requires a started sender.
   */
  async drained(timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.outbox.stats();
      if (s.entries === 0 && !(await this.outbox.getInflight())) return;
      if (Date.now() > end) {
        throw new EdgewiseError(
          'INVALID_STATE',
          `sync: outbox not drained after ${timeoutMs} ms (${s.entries} entries left).`,
        );
      }
      this.sender?.notify();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.unhook?.();
    await this.stop();
    await this.outbox.close();
  }
}

/** The event record for a bus event (see `Sync.forwardEvents`). */
export function eventRecord(topic: string, payload: unknown, now: number = Date.now()): SyncRecord {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as {
    ts?: unknown;
    timestamp?: unknown;
    value?: unknown;
    score?: unknown;
    labels?: unknown;
    series?: unknown;
  };
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (typeof p.series === 'string' && finite(p.score) && finite(p.timestamp) && finite(p.value)) {
    // An AnomalyEvent: the same record rt.detect appends.
    const c = (payload as { contributions?: unknown }).contributions;
    return anomalyRecord(
      {
        series: p.series,
        timestamp: p.timestamp,
        value: p.value,
        score: p.score,
        contributions:
          typeof c === 'object' && c !== null ? (c as Record<string, number>) : undefined,
      },
      topic,
    );
  }
  const labels: Record<string, string> = { topic };
  if (typeof p.labels === 'object' && p.labels !== null) {
    for (const [k, v] of Object.entries(p.labels)) if (typeof v === 'string') labels[k] = v;
  }
  const value =
    typeof p.value === 'number'
      ? p.value
      : typeof p.score === 'number'
        ? p.score
        : typeof payload === 'number'
          ? payload
          : 1;
  const ts = finite(p.ts) ? p.ts : finite(p.timestamp) ? p.timestamp : now;
  return { type: 'event', name: 'edgewise_event', labels, ts, value };
}

/** Current values of every series in `registry` as sync records at time `t`. */
export function snapshotRegistry(registry: MetricsRegistry, t: number): SyncRecord[] {
  const out: SyncRecord[] = [];
  const one = (x: number) => Float64Array.of(x);
  for (const m of registry.collect()) {
    for (const s of m.series() as IterableIterator<{ labelValues: readonly string[] }>) {
      const labels = m.labelsOf(s as never);
      switch (m.type) {
        case 'counter':
          out.push({
            type: 'series',
            name: `${m.baseName()}_total`,
            labels,
            kind: 'counter',
            ts: one(t),
            v: one((s as unknown as { value: number }).value),
          });
          break;
        case 'gauge':
        case 'updowncounter':
          out.push({
            type: 'series',
            name: m.name,
            labels,
            kind: 'gauge',
            ts: one(t),
            v: one((s as unknown as { value: number }).value),
          });
          break;
        case 'histogram': {
          if (m.kind === 'exponential') {
            const pt = (s as unknown as ExponentialHistogramSeries).point();
            out.push({
              type: 'exphistogram',
              name: m.baseName(),
              labels,
              ts: t,
              startTs: (s as unknown as { created: number }).created,
              count: pt.count,
              sum: pt.sum,
              scale: pt.scale,
              zeroCount: pt.zeroCount,
              positive: { offset: pt.positive.offset, counts: [...pt.positive.bucketCounts] },
              negative: { offset: pt.negative.offset, counts: [...pt.negative.bucketCounts] },
              ...(pt.count > 0 && Number.isFinite(pt.min) && Number.isFinite(pt.max)
                ? { min: pt.min, max: pt.max }
                : {}),
            });
            break;
          }
          const h = s as unknown as { counts: Float64Array; sum: number; count: number };
          out.push({
            type: 'histogram',
            name: m.baseName(),
            labels,
            ts: t,
            startTs: (s as unknown as { created: number }).created,
            count: h.count,
            sum: h.sum,
            bounds: [...(m as unknown as { buckets: Float64Array }).buckets],
            counts: [...h.counts],
          });
          break;
        }
        case 'summary': {
          const h = s as unknown as { sum: number; count: number };
          out.push({
            type: 'series',
            name: `${m.baseName()}_sum`,
            labels,
            kind: 'counter',
            ts: one(t),
            v: one(h.sum),
          });
          out.push({
            type: 'series',
            name: `${m.baseName()}_count`,
            labels,
            kind: 'counter',
            ts: one(t),
            v: one(h.count),
          });
          break;
        }
      }
    }
  }
  return out;
}
