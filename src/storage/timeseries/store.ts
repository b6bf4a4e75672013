/**
 * Time-series retention for a sample source (a MetricsRegistry): every
 * `intervalMs` each series is sampled into a raw tier; roll-up tiers (default
 * 1 min for 7 days, 1 h for 90 days) keep mergeable per-bucket state (see
 * Rollup), each fed by the closed buckets of the tier below, so a roll-up of
 * roll-ups equals a roll-up of the raw data. Chunks are written through a
 * TimeSeriesBackend (IndexedDB or memory) in one transaction per flush; expired
 * chunks are deleted on open and after every flush. Memory holds one open
 * chunk per series per tier, so it stays bounded however long the store runs.
 *
 * Several stores on one database (tabs) may write the same series: each holds
 * a writer slot and writes its own stream of the series; queries merge the
 * streams (writers.ts, docs/reliability.md "Two tabs, one database").
 *
 * The parts: tiers.ts (tier layout), buckets.ts (series state and chunk
 * encoding), ingest.ts (the roll-up cascade), query.ts (range queries),
 * writers.ts (writer slots).
 */
import { MemoryBackend } from '../memory';
import {
  type ChunkRecord,
  isQuotaError,
  type SeriesCursor,
  type SeriesMeta,
  type TimeSeriesBackend,
} from '../types';
import {
  applyCursor,
  baseKeyOf,
  cursorOf,
  isSeriesMeta,
  keyOf,
  newSeries,
  rawChunk,
  rollChunk,
  type Series,
  streamKey,
  writerOf,
} from './buckets';
import { closeOpenBuckets, drainStage, record, recordDistribution } from './ingest';
import { type QueryOptions, type QueryResult, type QueryState, query, tierFor } from './query';
import type { SampleSink, SampleSlot, SampleSource } from './source';
import { bad, DEFAULT_TIERS, planTiers, type TierPlan, type TierSpec } from './tiers';
import { claimWriter, tryClaimWriter, type WriterSlot } from './writers';

/** Options of `TimeSeriesStore.open`. */
export interface TimeSeriesStoreOptions {
  backend?: TimeSeriesBackend;
  /** Sampling interval (default 10 s). */
  intervalMs?: number;
  /** How often buffered points are written (default 10 s). */
  flushIntervalMs?: number;
  tiers?: readonly TierSpec[];
  /** Clock (default: the registry's). */
  now?: () => number;
  /** Which metrics to sample (default: all). */
  include?: (metricName: string) => boolean;
  /** Set false to keep no quantile sketches at all (default: per tier, see TierSpec.sketch). */
  sketches?: boolean;
  /** Relative accuracy of the roll-up sketches (default 0.01). */
  sketchAccuracy?: number;
}

/**
 * Events of a `TimeSeriesStore` (`on`): eviction under quota pressure, expiry, background errors.
 */
export type StoreEvent =
  | { type: 'evicted'; tier: string; chunks: number; upTo: number }
  | { type: 'expired'; tier: string; chunks: number }
  | { type: 'error'; error: unknown };

/**
 * Samples a registry's series into retention tiers (raw, then exact roll-ups), persists them in a
 * backend and answers range queries.
 *
 * @example
 * ```ts
 * const store = await TimeSeriesStore.open(registry, { backend: new MemoryBackend() });
 * store.sample(); // or store.start(): a timer samples every intervalMs
 * const r = await store.query('temperature_celsius', { from: Date.now() - 60_000 });
 * await store.close();
 * ```
 */
export class TimeSeriesStore {
  readonly backend: TimeSeriesBackend;
  readonly tiers: readonly Required<TierSpec>[];
  readonly intervalMs: number;
  readonly flushIntervalMs: number;
  /** Whether any tier keeps quantile sketches. */
  readonly sketches: boolean;
  readonly sketchAccuracy: number;
  /**
   * Series whose stored open chunk or cursor could not be read at open: each
   * started a fresh open chunk (their closed chunks stay queryable).
   */
  readonly damaged: { series: string; reason: string }[] = [];
  /** Stored chunks left out of query answers because they could not be read. */
  damagedReads = 0;
  private readonly plan: TierPlan;
  private readonly source: SampleSource;
  private readonly now: () => number;
  private readonly include: (name: string) => boolean;
  /** This store's streams, by series key (name + labels). */
  private readonly byKey = new Map<string, Series>();
  /** The writer slot this store holds while open (see writers.ts). */
  private writer: WriterSlot = { slot: 0, release: () => {} };
  /** Per sampling slot: the source's series object -> its store series. */
  private readonly byValue = new Map<object, Series>();
  private readonly byCount = new Map<object, Series>();
  private readonly byDist = new Map<object, Series>();
  private pending: ChunkRecord[] = [];
  /**
   * Provisional ids of series not yet stored count down from -1, so they never
   * equal a stored id (the backend allocates positive ids when it first writes one).
   */
  private nextProvisional = -1;
  private timers: ReturnType<typeof setInterval>[] = [];
  private flushing: Promise<void> | undefined;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly sink: SampleSink;
  private readonly queries: QueryState;

  private constructor(source: SampleSource, options: TimeSeriesStoreOptions) {
    this.source = source;
    this.backend = options.backend ?? new MemoryBackend();
    this.intervalMs = options.intervalMs ?? 10_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 10_000;
    if (!(this.intervalMs > 0)) bad('TimeSeriesStore: intervalMs must be > 0.');
    if (!(this.flushIntervalMs > 0)) bad('TimeSeriesStore: flushIntervalMs must be > 0.');
    this.plan = planTiers(
      options.tiers ?? DEFAULT_TIERS,
      this.intervalMs,
      options.sketches,
      options.sketchAccuracy,
    );
    this.tiers = this.plan.tiers;
    this.sketches = this.plan.sketches;
    this.sketchAccuracy = this.plan.sketchAccuracy;
    this.now = options.now ?? source.now;
    this.include = options.include ?? (() => true);
    const store = this;
    this.sink = {
      find: (handle, slot) => this.handles(slot).get(handle),
      open: (handle, slot, name, kind, labels) => {
        const tr = this.track(name, kind, labels);
        this.handles(slot).set(handle, tr);
        return tr;
      },
      value: (s, t, v) => record(this.plan, this.pending, s as Series, t, v),
      observations: (s, t, m, sk) =>
        recordDistribution(this.plan, this.pending, s as Series, t, m, sk),
    };
    this.queries = {
      plan: this.plan,
      backend: this.backend,
      get pending() {
        return store.pending;
      },
      get series() {
        return store.byKey.values();
      },
      others: async () =>
        (await this.backend.listSeries()).filter(
          (m) => isSeriesMeta(m) && writerOf(m) !== this.writer.slot,
        ),
      now: () => this.now(),
      damagedRead: () => {
        this.damagedReads++;
      },
    };
  }

  /** Opens a store: restores series and open buckets from the backend, deletes expired data. */
  static async open(
    source: SampleSource,
    options: TimeSeriesStoreOptions = {},
  ): Promise<TimeSeriesStore> {
    const s = new TimeSeriesStore(source, options);
    s.writer = await claimWriter(s.backend.scope ?? s.backend);
    try {
      await s.restore();
      await s.expire();
    } catch (error) {
      s.writer.release();
      throw error;
    }
    return s;
  }

  on(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    for (const f of this.listeners) {
      try {
        f(e);
      } catch {
        // A listener's failure must not stop the store's timers or the other listeners.
      }
    }
  }

  // ------------------------------------------------------------ series

  /**
   * The writer slot this store holds: several stores (tabs) writing one series
   * each write their own stream of it, and queries merge the streams.
   */
  get writerSlot(): number {
    return this.writer.slot;
  }

  private makeSeries(meta: SeriesMeta): Series {
    const tr = newSeries(this.plan, meta);
    this.byKey.set(baseKeyOf(meta), tr);
    return tr;
  }

  private handles(slot: SampleSlot): Map<object, Series> {
    return slot === 'value' ? this.byValue : slot === 'count' ? this.byCount : this.byDist;
  }

  private track(name: string, kind: SeriesMeta['kind'], labels: Record<string, string>): Series {
    const key = keyOf(name, labels);
    const t = this.byKey.get(key);
    if (t) return t;
    const slot = this.writer.slot;
    const meta: SeriesMeta = {
      id: this.nextProvisional--,
      key: streamKey(key, slot),
      name,
      kind,
      labels,
    };
    if (slot > 0) meta.writer = slot;
    return this.makeSeries(meta);
  }

  private async restore(): Promise<void> {
    const metas = await this.backend.listSeries();
    const cursors = new Map((await this.backend.listCursors()).map((c) => [c.id, c]));
    const others = new Map<number, SeriesMeta[]>();
    for (const m of metas) {
      if (!isSeriesMeta(m)) {
        this.damaged.push({
          series: String((m as { key?: unknown })?.key),
          reason: 'series record',
        });
        continue;
      }
      const w = writerOf(m);
      if (w !== this.writer.slot) {
        others.set(w, [...(others.get(w) ?? []), m]);
        continue;
      }
      try {
        const tr = this.makeSeries(m);
        tr.persisted = true;
        const c = cursors.get(m.id);
        if (c) await applyCursor(this.plan, tr, c, this.backend);
      } catch (error) {
        // A damaged cursor or open chunk costs that series its open chunk, never
        // the store: it starts a fresh one (closed chunks stay queryable).
        const tr = this.byKey.get(baseKeyOf(m));
        for (const r of tr?.roll ?? []) r?.sk?.dispose();
        this.makeSeries(m).persisted = true;
        this.damaged.push({
          series: m.key,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    await this.finishOrphans(others, cursors);
  }

  /**
   * Streams of writer slots no open store holds (a tab that closed or died
   * while another held a lower slot): their open roll-up buckets, kept only in
   * their cursors, are closed into rows now so they are never lost. Their raw
   * chunks are complete already. A writer that later takes the slot continues
   * from the finished cursor.
   */
  private async finishOrphans(
    others: Map<number, SeriesMeta[]>,
    cursors: Map<number, SeriesCursor>,
  ): Promise<void> {
    if (this.tiers.length < 2) return;
    for (const [w, metas] of others) {
      const claim = await tryClaimWriter(this.backend.scope ?? this.backend, w);
      if (!claim) continue; // its store is open: it finishes its own buckets
      try {
        const chunks: ChunkRecord[] = [];
        const done: SeriesCursor[] = [];
        for (const m of metas) {
          const c = cursors.get(m.id);
          if (!c || !Array.isArray(c.buckets) || !c.buckets.some((b) => b)) continue;
          const tr = newSeries(this.plan, m);
          try {
            await applyCursor(this.plan, tr, c, this.backend);
            closeOpenBuckets(this.plan, chunks, tr);
            for (let i = 1; i < this.tiers.length; i++) {
              if (tr.roll[i].dirty) chunks.push(rollChunk(this.plan, tr, i));
            }
            done.push(cursorOf(this.plan, tr));
          } catch {
            // A damaged cursor or chunk of another writer is left as it is.
          } finally {
            for (const r of tr.roll) r?.sk?.dispose();
          }
        }
        if (done.length) await this.backend.write({ series: [], chunks, cursors: done });
      } finally {
        claim.release();
      }
    }
  }

  // ------------------------------------------------------------ ingestion

  /** Samples every registered metric at time `t` (default: now). */
  sample(t: number = this.now()): void {
    this.source.sampleInto(this.sink, t, this.include);
  }

  /** Records a value for a series outside the registry (e.g. replayed data). */
  recordValue(
    name: string,
    labels: Record<string, string>,
    t: number,
    v: number,
    kind: 'counter' | 'gauge' = 'gauge',
  ): void {
    record(this.plan, this.pending, this.track(name, kind, labels), t, v);
  }

  // ------------------------------------------------------------ flush, expiry, eviction

  /** Writes everything buffered in one transaction; on a full disk evicts the oldest raw data first. */
  flush(): Promise<void> {
    const run = async () => {
      if (this.flushing) await this.flushing.catch(() => {});
      await this.flushOnce();
      await this.expire();
    };
    const p = run();
    this.flushing = p;
    return p.finally(() => {
      if (this.flushing === p) this.flushing = undefined;
    });
  }

  private async flushOnce(): Promise<void> {
    const plan = this.plan;
    const chunks = this.pending;
    this.pending = [];
    const series: SeriesMeta[] = [];
    const cursors: SeriesCursor[] = [];
    const undo: Series[] = [];
    for (const tr of this.byKey.values()) {
      if (!tr.touched) continue;
      tr.touched = false;
      undo.push(tr);
      if (!tr.persisted) series.push(tr.meta);
      if (tr.raw.dirty) chunks.push(rawChunk(plan, tr));
      if (plan.rowSk[1]) drainStage(plan, tr, 1);
      for (let i = 1; i < plan.tiers.length; i++) {
        if (tr.roll[i].dirty) chunks.push(rollChunk(plan, tr, i));
      }
      cursors.push(cursorOf(plan, tr));
    }
    if (chunks.length === 0 && series.length === 0 && cursors.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      try {
        const remap = await this.backend.write({ series, chunks, cursors });
        for (const tr of undo) tr.persisted = true;
        if (remap) this.applyRemap(remap);
        return;
      } catch (e) {
        if (!isQuotaError(e) || attempt > 10_000 || !(await this.evictOne())) {
          // Keep what we could not write; it is retried on the next flush.
          for (const c of chunks) {
            const open = c.tier === 0 ? undo.find((t) => t.meta.id === c.series)?.raw : undefined;
            if (!open || open.start !== c.start) this.pending.push(c);
            else open.dirty = true;
          }
          for (const tr of undo) tr.touched = true;
          this.emit({ type: 'error', error: e });
          throw e;
        }
      }
    }
  }

  /**
   * The backend stored some new series under other ids (another writer on the
   * same database got there first): adopt them, including in chunks closed while
   * the write was in flight.
   */
  private applyRemap(remap: ReadonlyMap<number, number>): void {
    for (const tr of this.byKey.values()) {
      const id = remap.get(tr.meta.id);
      if (id !== undefined) tr.meta = { ...tr.meta, id };
    }
    for (const c of this.pending) {
      const id = remap.get(c.series);
      if (id !== undefined) c.series = id;
    }
  }

  /** Evicts the oldest stored chunks of the lowest tier that has any. */
  private async evictOne(): Promise<boolean> {
    const perStep = Math.max(1, this.byKey.size);
    for (let i = 0; i < this.tiers.length; i++) {
      const r = await this.backend.evictOldest(i, perStep);
      if (r.deleted > 0) {
        this.emit({ type: 'evicted', tier: this.tiers[i].name, chunks: r.deleted, upTo: r.upTo });
        return true;
      }
    }
    return false;
  }

  /** Deletes chunks past each tier's retention (runs on open and after every flush). */
  async expire(now: number = this.now()): Promise<void> {
    for (let i = 0; i < this.tiers.length; i++) {
      const n = await this.backend.deleteBefore(i, now - this.tiers[i].retentionMs);
      if (n > 0) this.emit({ type: 'expired', tier: this.tiers[i].name, chunks: n });
    }
  }

  /** Starts sampling every `intervalMs` and flushing every `flushIntervalMs`. */
  start(): void {
    if (this.timers.length) return;
    const a = setInterval(() => {
      // A timer of ours must never throw into the host: report and keep sampling.
      try {
        this.sample();
      } catch (error) {
        this.emit({ type: 'error', error });
      }
    }, this.intervalMs);
    const b = setInterval(() => {
      this.flush().catch((error) => this.emit({ type: 'error', error }));
    }, this.flushIntervalMs);
    for (const t of [a, b]) (t as { unref?: () => void }).unref?.();
    this.timers = [a, b];
  }

  /** Stops the timers and flushes. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flush();
  }

  async close(): Promise<void> {
    try {
      await this.stop();
      await this.backend.close();
    } finally {
      this.writer.release();
    }
    for (const tr of this.byKey.values()) {
      for (let i = 1; i < this.tiers.length; i++) {
        tr.roll[i].sk?.dispose();
        tr.roll[i].sk = null;
      }
    }
  }

  /** Series tracked and bytes of point buffers held in memory (bounded: one open chunk per series per tier). */
  memoryStats(): { series: number; bufferedBytes: number; pendingChunks: number } {
    let bytes = 0;
    for (const tr of this.byKey.values()) {
      bytes += tr.raw.ts.byteLength + tr.raw.v.byteLength + tr.stage.byteLength;
      for (let i = 1; i < this.tiers.length; i++) {
        const r = tr.roll[i];
        for (const k in r.cols) bytes += r.cols[k].byteLength;
        for (let j = 0; j < r.n; j++) bytes += r.skRows[j]?.byteLength ?? 0;
        bytes += r.sk?.byteSize ?? 0;
      }
    }
    for (const c of this.pending) for (const k in c.cols) bytes += c.cols[k].byteLength;
    return { series: this.byKey.size, bufferedBytes: bytes, pendingChunks: this.pending.length };
  }

  // ------------------------------------------------------------ queries

  /** The tier a query over [from, now] reads: the finest whose retention covers `from`. */
  tierFor(from: number, now: number = this.now()): number {
    return tierFor(this.plan, from, now);
  }

  /** Columnar time series of metric `name` from the finest tier covering the range. */
  query(name: string, options: QueryOptions = {}): Promise<QueryResult> {
    return query(this.queries, name, options);
  }
}
