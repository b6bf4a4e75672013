/**
 * Time-series retention for a MetricsRegistry: every `intervalMs` each series
 * is sampled into a raw tier; roll-up tiers (default 1 min for 7 days, 1 h for
 * 90 days) keep mergeable per-bucket state (see Rollup), each fed by the
 * closed buckets of the tier below, so a roll-up of roll-ups equals a roll-up
 * of the raw data. Chunks are written through a TimeSeriesBackend (IndexedDB
 * or memory) in one transaction per flush; expired chunks are deleted on open
 * and after every flush. Memory holds one open chunk per series per tier, so
 * it stays bounded however long the store runs.
 */
import { EdgewiseError } from '../errors';
import { QuantileSketch } from '../kernels/quantile';
import { MemoryBackend } from '../storage/memory';
import {
  type ChunkRecord,
  isQuotaError,
  type SeriesCursor,
  type SeriesMeta,
  type TimeSeriesBackend,
} from '../storage/types';
import type { AnyMetric, SeriesBase } from './instruments';
import type { MetricsRegistry } from './registry';
import { AGGREGATIONS, type Aggregation, aggregate, ROLLUP_COLS, Rollup } from './rollup';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * One retention tier: name, resolution, retention, chunk length and whether it keeps quantile
 * sketches.
 */
export interface TierSpec {
  /** e.g. 'raw', '1m', '1h'. */
  name: string;
  /** Bucket width; 0 for the raw tier (the first tier, one point per sample). */
  resolutionMs: number;
  /** How long data stays. */
  retentionMs: number;
  /** Time span of one stored record (default: raw 5 min, roll-ups 60 buckets). */
  chunkMs?: number;
  /**
   * Roll-up tiers: store a QuantileSketch per bucket (p50..p999 queries).
   * Default: only the coarsest tier. Sketch tiers must be the coarsest ones.
   */
  sketch?: boolean;
}

/**
 * The default tiers: raw samples for 1 hour, 1-minute roll-ups for 7 days, 1-hour roll-ups (with
 * sketches) for 90 days.
 */
export const DEFAULT_TIERS: readonly TierSpec[] = [
  { name: 'raw', resolutionMs: 0, retentionMs: HOUR, chunkMs: 5 * MIN },
  { name: '1m', resolutionMs: MIN, retentionMs: 7 * DAY, chunkMs: HOUR, sketch: false },
  { name: '1h', resolutionMs: HOUR, retentionMs: 90 * DAY, chunkMs: DAY, sketch: true },
];

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

/** Options of `TimeSeriesStore.query`: labels, range, step and aggregation. */
export interface QueryOptions {
  /** Label subset the series must match (default: all series of the metric). */
  labels?: Record<string, string>;
  /** Range start, ms since epoch (default: now - 1 h). */
  from?: number;
  /** Range end, exclusive (default: now). */
  to?: number;
  /** Output step in ms (default: the chosen tier's resolution; raw: the sampling interval). */
  step?: number;
  /** Aggregation per step (default 'mean'): moments, counter increase/rate, or a quantile 'p50'..'p999'. */
  agg?: Aggregation | QuantileAggregation;
}

/** A query's columns: step timestamps and one value column per matching series. */
export interface QueryResult {
  /** The tier the data came from (the finest whose retention covers `from`). */
  tier: string;
  from: number;
  to: number;
  step: number;
  /** Step starts (ms). */
  timestamps: Float64Array;
  series: { labels: Record<string, string>; values: Float64Array }[];
}

/**
 * Events of a `TimeSeriesStore` (`on`): eviction under quota pressure, expiry, background errors.
 */
export type StoreEvent =
  | { type: 'evicted'; tier: string; chunks: number; upTo: number }
  | { type: 'expired'; tier: string; chunks: number }
  | { type: 'error'; error: unknown };

interface RawState {
  start: number;
  ts: Float64Array;
  v: Float64Array;
  n: number;
  dirty: boolean;
}

interface RollState {
  bucketStart: number;
  cur: Rollup;
  /** Sketch of the open bucket (created on first use; null when sketches are off). */
  sk: QuantileSketch | null;
  chunkStart: number;
  cols: Record<string, Float64Array>;
  /** Serialized sketch of each closed row of the open chunk. */
  skRows: (Uint8Array | null)[];
  n: number;
  dirty: boolean;
}

function isSeriesMeta(m: unknown): m is SeriesMeta {
  const x = m as SeriesMeta;
  return (
    typeof x === 'object' &&
    x !== null &&
    Number.isFinite(x.id) &&
    typeof x.key === 'string' &&
    typeof x.name === 'string' &&
    (x.kind === 'counter' || x.kind === 'gauge' || x.kind === 'distribution') &&
    typeof x.labels === 'object' &&
    x.labels !== null
  );
}

/** A stored chunk whose columns can be read back (IndexedDB data can be damaged by other code). */
function isChunkIntact(c: ChunkRecord, cols: readonly string[]): boolean {
  if (typeof c !== 'object' || c === null || typeof c.cols !== 'object' || c.cols === null) {
    return false;
  }
  const ts = c.cols.ts;
  if (!(ts instanceof Float64Array)) return false;
  for (const k of cols) {
    const col = c.cols[k];
    if (!(col instanceof Float64Array) || col.length < ts.length) return false;
  }
  return true;
}

interface Tracked {
  meta: SeriesMeta;
  persisted: boolean;
  prev: number;
  raw: RawState;
  roll: RollState[]; // index = tier (0 unused)
  touched: boolean;
  /** Values of the open first-tier bucket not yet pushed into its sketch (one kernel call per bucket). */
  stage: Float64Array;
  staged: number;
}

/** Concatenates row sketches into one blob plus an offsets column. */
function packSketches(
  rows: (Uint8Array | null)[],
  n: number,
): { sko: Float64Array; blob: Uint8Array } {
  const sko = new Float64Array(n + 1);
  let len = 0;
  for (let i = 0; i < n; i++) {
    sko[i] = len;
    len += rows[i]?.byteLength ?? 0;
  }
  sko[n] = len;
  const blob = new Uint8Array(len);
  for (let i = 0; i < n; i++) if (rows[i]) blob.set(rows[i]!, sko[i]);
  return { sko, blob };
}

function rowSketch(c: ChunkRecord, i: number): Uint8Array | null {
  const o = c.cols.sko;
  if (!o || !c.sketches || o[i + 1] <= o[i]) return null;
  return c.sketches.subarray(o[i], o[i + 1]);
}

/** Quantile aggregations: 'p50', 'p75', 'p90', 'p95', 'p99', 'p999'. */
export const QUANTILE_AGGREGATIONS = {
  p50: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
} as const;
export type QuantileAggregation = keyof typeof QUANTILE_AGGREGATIONS;

const keyOf = (name: string, labels: Record<string, string>): string =>
  `${name}\u0000${JSON.stringify(Object.entries(labels).sort((a, b) => (a[0] < b[0] ? -1 : 1)))}`;

function newRollCols(cap: number): Record<string, Float64Array> {
  const c: Record<string, Float64Array> = { ts: new Float64Array(cap) };
  for (const k of ROLLUP_COLS) c[k] = new Float64Array(cap);
  return c;
}

function bad(msg: string): never {
  throw new EdgewiseError('INVALID_ARGUMENT', msg);
}

function checkTiers(tiers: readonly TierSpec[], intervalMs: number): Required<TierSpec>[] {
  if (!Array.isArray(tiers) || tiers.length === 0)
    bad('TimeSeriesStore: tiers must be a non-empty array.');
  const out: Required<TierSpec>[] = [];
  tiers.forEach((t, i) => {
    const where = `TimeSeriesStore: tier ${i} ('${t?.name}')`;
    if (!(t.retentionMs > 0) || !Number.isFinite(t.retentionMs))
      bad(`${where}: retentionMs must be > 0.`);
    if (i === 0 && t.resolutionMs !== 0)
      bad(`${where}: the first tier is raw; set resolutionMs: 0.`);
    if (i > 0) {
      const prevRes = i === 1 ? intervalMs : tiers[i - 1].resolutionMs;
      if (
        !(t.resolutionMs > 0) ||
        (i > 1 && t.resolutionMs % prevRes !== 0) ||
        t.resolutionMs < prevRes
      ) {
        bad(
          `${where}: resolutionMs must be a positive multiple of the tier below (${prevRes} ms).`,
        );
      }
    }
    const chunkMs = t.chunkMs ?? (i === 0 ? 5 * MIN : t.resolutionMs * 60);
    if (!(chunkMs > 0) || (i > 0 && chunkMs % t.resolutionMs !== 0)) {
      bad(`${where}: chunkMs must be a positive multiple of resolutionMs.`);
    }
    const sketch = i > 0 && (t.sketch ?? i === tiers.length - 1);
    if (i > 1 && out[i - 1].sketch && !sketch) {
      bad(`${where}: sketch tiers must be the coarsest ones; set sketch: true here too.`);
    }
    out.push({
      name: String(t.name),
      resolutionMs: t.resolutionMs,
      retentionMs: t.retentionMs,
      chunkMs,
      sketch,
    });
  });
  return out;
}

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
  private readonly registry: MetricsRegistry;
  private readonly now: () => number;
  private readonly include: (name: string) => boolean;
  private readonly byKey = new Map<string, Tracked>();
  private readonly byHandle = new Map<SeriesBase, Tracked>();
  private readonly byHandleCount = new Map<SeriesBase, Tracked>();
  private readonly byHandleDist = new Map<SeriesBase, Tracked>();
  private pending: ChunkRecord[] = [];
  /**
   * Provisional ids of series not yet stored count down from -1, so they never
   * equal a stored id (the backend allocates positive ids when it first writes one).
   */
  private nextProvisional = -1;
  /**
   * Series whose stored open chunk or cursor could not be read at open: each
   * started a fresh open chunk (their closed chunks stay queryable).
   */
  readonly damaged: { series: string; reason: string }[] = [];
  /** Stored chunks left out of query answers because they could not be read. */
  damagedReads = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private flushing: Promise<void> | undefined;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  private constructor(registry: MetricsRegistry, options: TimeSeriesStoreOptions) {
    this.registry = registry;
    this.backend = options.backend ?? new MemoryBackend();
    this.intervalMs = options.intervalMs ?? 10_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 10_000;
    if (!(this.intervalMs > 0)) bad('TimeSeriesStore: intervalMs must be > 0.');
    if (!(this.flushIntervalMs > 0)) bad('TimeSeriesStore: flushIntervalMs must be > 0.');
    this.tiers = checkTiers(options.tiers ?? DEFAULT_TIERS, this.intervalMs);
    this.now = options.now ?? registry.now;
    this.include = options.include ?? (() => true);
    this.sketches = (options.sketches ?? true) && this.tiers.some((t) => t.sketch);
    // A tier keeps a live sketch if it or a coarser tier stores sketches (tier 1 is fed by staging instead).
    this.liveSk = this.tiers.map(
      (_, i) => this.sketches && this.tiers.slice(i).some((t) => t.sketch),
    );
    this.rowSk = this.tiers.map((t) => this.sketches && t.sketch);
    this.sketchAccuracy = options.sketchAccuracy ?? 0.01;
    if (!(this.sketchAccuracy >= 1e-5 && this.sketchAccuracy <= 0.5)) {
      bad('TimeSeriesStore: sketchAccuracy must be in [1e-5, 0.5].');
    }
  }

  /** Whether any tier keeps quantile sketches. */
  readonly sketches: boolean;
  readonly sketchAccuracy: number;
  private readonly liveSk: boolean[];
  private readonly rowSk: boolean[];

  private newSketch(): QuantileSketch {
    return new QuantileSketch({ relativeAccuracy: this.sketchAccuracy, exactLimit: 0 });
  }

  /** Pushes staged first-tier values into tier `i`'s open bucket sketch. */
  private drainStage(tr: Tracked, i: number): void {
    if (tr.staged === 0) return;
    const r = tr.roll[i];
    r.sk ??= this.newSketch();
    r.sk.push(tr.stage.subarray(0, tr.staged));
    tr.staged = 0;
  }

  /** Opens a store: restores series and open buckets from the backend, deletes expired data. */
  static async open(
    registry: MetricsRegistry,
    options: TimeSeriesStoreOptions = {},
  ): Promise<TimeSeriesStore> {
    const s = new TimeSeriesStore(registry, options);
    await s.restore();
    await s.expire();
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

  // ------------------------------------------------------------ series state

  private makeTracked(meta: SeriesMeta): Tracked {
    const rawCap = Math.ceil(this.tiers[0].chunkMs / this.intervalMs) + 2;
    const roll: RollState[] = [];
    for (let i = 1; i < this.tiers.length; i++) {
      const t = this.tiers[i];
      roll[i] = {
        bucketStart: Number.NaN,
        cur: new Rollup(),
        sk: null,
        chunkStart: Number.NaN,
        cols: newRollCols(t.chunkMs / t.resolutionMs),
        skRows: [],
        n: 0,
        dirty: false,
      };
    }
    const tr: Tracked = {
      meta,
      persisted: false,
      prev: Number.NaN,
      raw: {
        start: Number.NaN,
        ts: new Float64Array(rawCap),
        v: new Float64Array(rawCap),
        n: 0,
        dirty: false,
      },
      roll,
      touched: false,
      stage: new Float64Array(
        this.tiers.length > 1 ? Math.ceil(this.tiers[1].resolutionMs / this.intervalMs) + 2 : 0,
      ),
      staged: 0,
    };
    this.byKey.set(meta.key, tr);
    return tr;
  }

  private track(name: string, kind: SeriesMeta['kind'], labels: Record<string, string>): Tracked {
    const key = keyOf(name, labels);
    const t = this.byKey.get(key);
    if (t) return t;
    return this.makeTracked({ id: this.nextProvisional--, key, name, kind, labels });
  }

  private async restore(): Promise<void> {
    const metas = await this.backend.listSeries();
    const cursors = new Map((await this.backend.listCursors()).map((c) => [c.id, c]));
    for (const m of metas) {
      if (!isSeriesMeta(m)) {
        this.damaged.push({
          series: String((m as { key?: unknown })?.key),
          reason: 'series record',
        });
        continue;
      }
      try {
        await this.restoreSeries(m, cursors.get(m.id));
      } catch (error) {
        // A damaged cursor or open chunk costs that series its open chunk, never
        // the store: it starts a fresh one (closed chunks stay queryable).
        const tr = this.byKey.get(m.key);
        for (const r of tr?.roll ?? []) r?.sk?.dispose();
        this.makeTracked(m).persisted = true;
        this.damaged.push({
          series: m.key,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private async restoreSeries(m: SeriesMeta, c: SeriesCursor | undefined): Promise<void> {
    const tr = this.makeTracked(m);
    tr.persisted = true;
    if (!c) return;
    if (!Array.isArray(c.chunkStarts) || !Array.isArray(c.buckets)) {
      throw new EdgewiseError('CORRUPT_STATE', 'TimeSeriesStore: damaged cursor');
    }
    tr.prev = c.prev;
    if (c.staged && this.sketches) {
      if (tr.stage.length < c.staged.length) tr.stage = new Float64Array(c.staged.length);
      tr.stage.set(c.staged);
      tr.staged = c.staged.length;
    }
    for (let i = 0; i < this.tiers.length; i++) {
      const start = c.chunkStarts[i];
      const [chunk] = Number.isFinite(start)
        ? await this.backend.readChunks(i, m.id, start, start + 1)
        : [];
      if (chunk && !isChunkIntact(chunk, i === 0 ? ['ts', 'v'] : Object.keys(tr.roll[i].cols))) {
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `TimeSeriesStore: damaged chunk (tier ${i}, start ${start})`,
        );
      }
      if (i === 0) {
        if (chunk?.start === start) {
          const n = chunk.cols.ts.length;
          this.ensureRaw(tr.raw, n);
          tr.raw.ts.set(chunk.cols.ts);
          tr.raw.v.set(chunk.cols.v);
          tr.raw.n = n;
        }
        tr.raw.start = start;
        continue;
      }
      const r = tr.roll[i];
      r.chunkStart = start;
      if (chunk?.start === start) {
        const n = chunk.cols.ts.length;
        for (const k in r.cols) r.cols[k].set(chunk.cols[k].subarray(0, n));
        for (let j = 0; j < n; j++) r.skRows[j] = rowSketch(chunk, j)?.slice() ?? null;
        r.n = n;
      }
      const b = c.buckets[i];
      if (b && !(Array.isArray(b) && b.length === 10 && b.every((x) => typeof x === 'number'))) {
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `TimeSeriesStore: damaged cursor bucket (tier ${i})`,
        );
      }
      if (b) {
        r.bucketStart = b[0];
        r.cur.mergeFrom(b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]);
      }
      const sk = c.sketches?.[i];
      if (sk && this.liveSk[i]) r.sk = QuantileSketch.deserialize(sk);
    }
  }

  private ensureRaw(raw: RawState, n: number): void {
    if (raw.ts.length >= n) return;
    let cap = raw.ts.length * 2;
    while (cap < n) cap *= 2;
    const ts = new Float64Array(cap);
    const v = new Float64Array(cap);
    ts.set(raw.ts.subarray(0, raw.n));
    v.set(raw.v.subarray(0, raw.n));
    raw.ts = ts;
    raw.v = v;
  }

  // ------------------------------------------------------------ ingestion

  /** Records one value of one series at time `t` (ms). Non-finite values are kept raw but skipped by roll-ups. */
  private record(tr: Tracked, t: number, v: number): void {
    const raw = tr.raw;
    const span = this.tiers[0].chunkMs;
    const cs = Math.floor(t / span) * span;
    if (raw.start !== cs) {
      if (raw.n > 0 && raw.dirty) this.pending.push(this.rawChunk(tr));
      raw.start = cs;
      raw.n = 0;
    }
    if (raw.n === raw.ts.length) this.ensureRaw(raw, raw.n + 1);
    raw.ts[raw.n] = t;
    raw.v[raw.n] = v;
    raw.n++;
    raw.dirty = true;
    tr.touched = true;
    if (!(v > Number.NEGATIVE_INFINITY && v < Number.POSITIVE_INFINITY)) return;
    let inc = 0;
    if (tr.meta.kind === 'counter' && !Number.isNaN(tr.prev)) inc = v >= tr.prev ? v - tr.prev : v;
    tr.prev = v;
    if (this.tiers.length < 2) return;
    const r = tr.roll[1];
    const res = this.tiers[1].resolutionMs;
    const b = Math.floor(t / res) * res;
    if (r.bucketStart !== b) {
      if (r.cur.count > 0) this.closeBucket(tr, 1);
      r.bucketStart = b;
      r.cur.reset();
    }
    r.cur.add(v, inc);
    if (this.sketches) {
      if (tr.staged === tr.stage.length) {
        const bigger = new Float64Array(tr.stage.length * 2 + 8);
        bigger.set(tr.stage);
        tr.stage = bigger;
      }
      tr.stage[tr.staged++] = v;
    }
  }

  /** Adds a batch of observations (moments + sketch) at time `t` to a distribution series' roll-ups. */
  private recordDistribution(tr: Tracked, t: number, m: Rollup, sk: QuantileSketch): void {
    if (m.count === 0 || this.tiers.length < 2) return;
    tr.touched = true;
    const r = tr.roll[1];
    const res = this.tiers[1].resolutionMs;
    const b = Math.floor(t / res) * res;
    if (r.bucketStart !== b) {
      if (r.cur.count > 0) this.closeBucket(tr, 1);
      r.bucketStart = b;
      r.cur.reset();
    }
    r.cur.merge(m);
    if (this.liveSk[1]) {
      r.sk ??= this.newSketch();
      r.sk.merge(sk);
    }
  }

  /** Appends tier i's current bucket to its chunk and feeds it to tier i + 1. */
  private closeBucket(tr: Tracked, i: number): void {
    const r = tr.roll[i];
    const tier = this.tiers[i];
    const cs = Math.floor(r.bucketStart / tier.chunkMs) * tier.chunkMs;
    if (r.chunkStart !== cs) {
      if (r.n > 0 && r.dirty) this.pending.push(this.rollChunk(tr, i));
      r.chunkStart = cs;
      r.n = 0;
    }
    if (i === 1 && this.rowSk[1]) this.drainStage(tr, 1);
    r.cols.ts[r.n] = r.bucketStart;
    r.cur.writeRow(r.cols, r.n);
    r.skRows[r.n] = this.rowSk[i] && r.sk && r.sk.count > 0 ? r.sk.serialize() : null;
    r.n++;
    r.dirty = true;
    if (i + 1 < this.tiers.length) {
      const up = tr.roll[i + 1];
      const res = this.tiers[i + 1].resolutionMs;
      const b = Math.floor(r.bucketStart / res) * res;
      if (up.bucketStart !== b) {
        if (up.cur.count > 0) this.closeBucket(tr, i + 1);
        up.bucketStart = b;
        up.cur.reset();
      }
      up.cur.merge(r.cur);
      if (r.sk && r.sk.count > 0 && this.liveSk[i + 1]) {
        up.sk ??= this.newSketch();
        up.sk.merge(r.sk);
      }
      // Tier 1 without sketches: its values go straight to tier 2's open bucket.
      if (i === 1 && !this.rowSk[1] && this.liveSk[2]) this.drainStage(tr, 2);
    }
    r.sk?.reset();
  }

  private rawChunk(tr: Tracked): ChunkRecord {
    const r = tr.raw;
    r.dirty = false;
    return {
      tier: 0,
      series: tr.meta.id,
      start: r.start,
      end: r.start + this.tiers[0].chunkMs,
      cols: { ts: r.ts.slice(0, r.n), v: r.v.slice(0, r.n) },
    };
  }

  private rollChunk(tr: Tracked, i: number): ChunkRecord {
    const r = tr.roll[i];
    r.dirty = false;
    const cols: Record<string, Float64Array> = {};
    for (const k in r.cols) cols[k] = r.cols[k].slice(0, r.n);
    if (this.rowSk[i]) {
      const { sko, blob } = packSketches(r.skRows, r.n);
      cols.sko = sko;
      return {
        tier: i,
        series: tr.meta.id,
        start: r.chunkStart,
        end: r.chunkStart + this.tiers[i].chunkMs,
        cols,
        sketches: blob,
      };
    }
    return {
      tier: i,
      series: tr.meta.id,
      start: r.chunkStart,
      end: r.chunkStart + this.tiers[i].chunkMs,
      cols,
    };
  }

  /** Samples every registered metric at time `t` (default: now). */
  sample(t: number = this.now()): void {
    for (const m of this.registry.collect()) {
      if (!this.include(m.name)) continue;
      this.sampleMetric(m, t);
    }
  }

  private sampleMetric(m: AnyMetric, t: number): void {
    if (m.type === 'summary') {
      // Observations since the last sample go to the roll-ups as one batch.
      for (const s of m.series()) {
        s._sync();
        let d = this.byHandleDist.get(s);
        if (!d) {
          d = this.track(m.baseName(), 'distribution', m.labelsOf(s));
          this.byHandleDist.set(s, d);
        }
        this.recordDistribution(d, t, s._deltaMoments, s._delta);
        s._deltaMoments.reset();
        s._delta.reset();
      }
    }
    switch (m.type) {
      case 'summary':
      case 'histogram':
        for (const s of m.series() as IterableIterator<
          SeriesBase & { sum: number; count: number }
        >) {
          let a = this.byHandle.get(s);
          let b = this.byHandleCount.get(s);
          if (!a || !b) {
            const labels = m.labelsOf(s);
            a = this.track(`${m.baseName()}_sum`, 'counter', labels);
            b = this.track(`${m.baseName()}_count`, 'counter', labels);
            this.byHandle.set(s, a);
            this.byHandleCount.set(s, b);
          }
          this.record(a, t, s.sum);
          this.record(b, t, s.count);
        }
        return;
      default: {
        const kind = m.type === 'counter' ? 'counter' : 'gauge';
        const name = m.type === 'counter' ? `${m.baseName()}_total` : m.name;
        for (const s of m._series.values() as IterableIterator<SeriesBase & { value: number }>) {
          let tr = this.byHandle.get(s);
          if (!tr) {
            tr = this.track(name, kind, m.labelsOf(s));
            this.byHandle.set(s, tr);
          }
          this.record(tr, t, s.value);
        }
        const o = m._overflow as (SeriesBase & { value: number }) | undefined;
        if (o) {
          let tr = this.byHandle.get(o);
          if (!tr) {
            tr = this.track(name, kind, m.labelsOf(o));
            this.byHandle.set(o, tr);
          }
          this.record(tr, t, o.value);
        }
      }
    }
  }

  /** Records a value for a series outside the registry (e.g. replayed data). */
  recordValue(
    name: string,
    labels: Record<string, string>,
    t: number,
    v: number,
    kind: 'counter' | 'gauge' = 'gauge',
  ): void {
    this.record(this.track(name, kind, labels), t, v);
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
    const chunks = this.pending;
    this.pending = [];
    const series: SeriesMeta[] = [];
    const cursors: SeriesCursor[] = [];
    const undo: Tracked[] = [];
    for (const tr of this.byKey.values()) {
      if (!tr.touched) continue;
      tr.touched = false;
      undo.push(tr);
      if (!tr.persisted) series.push(tr.meta);
      if (tr.raw.dirty) chunks.push(this.rawChunk(tr));
      const starts = [tr.raw.start];
      const buckets: (number[] | null)[] = [null];
      const sketches: (Uint8Array | null)[] = [null];
      if (this.rowSk[1]) this.drainStage(tr, 1);
      for (let i = 1; i < this.tiers.length; i++) {
        const r = tr.roll[i];
        if (r.dirty) chunks.push(this.rollChunk(tr, i));
        starts.push(r.chunkStart);
        const c = r.cur;
        buckets.push(
          c.count > 0
            ? [r.bucketStart, c.count, c.sum, c.min, c.max, c.mean, c.m2, c.first, c.last, c.inc]
            : null,
        );
        sketches.push(r.sk && r.sk.count > 0 ? r.sk.serialize() : null);
      }
      cursors.push({
        id: tr.meta.id,
        prev: tr.prev,
        chunkStarts: starts,
        buckets,
        sketches,
        staged: tr.staged > 0 ? tr.stage.slice(0, tr.staged) : undefined,
      });
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
    await this.stop();
    await this.backend.close();
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
    for (let i = 0; i < this.tiers.length; i++) {
      if (now - this.tiers[i].retentionMs <= from) return i;
    }
    return this.tiers.length - 1;
  }

  async query(name: string, options: QueryOptions = {}): Promise<QueryResult> {
    const now = this.now();
    const to = options.to ?? now;
    const from = options.from ?? to - HOUR;
    if (typeof name !== 'string') bad('query: pass the metric name as a string.');
    if (!Number.isFinite(from) || !Number.isFinite(to) || !(from < to)) {
      bad(`query: need finite from < to (ms since epoch), got from=${from}, to=${to}.`);
    }
    const agg = options.agg ?? 'mean';
    const q = Object.hasOwn(QUANTILE_AGGREGATIONS, agg)
      ? QUANTILE_AGGREGATIONS[agg as QuantileAggregation]
      : undefined;
    if (q === undefined && !AGGREGATIONS.includes(agg as Aggregation)) {
      bad(
        `query: agg '${String(agg)}' is not supported; use one of ${[...AGGREGATIONS, ...Object.keys(QUANTILE_AGGREGATIONS)].join(', ')}.`,
      );
    }
    let ti = this.tierFor(from, now);
    // Summaries' observations live in roll-up tiers only.
    if (ti === 0 && this.tiers.length > 1 && this.hasDistribution(name)) ti = 1;
    if (q !== undefined && ti > 0 && !this.rowSk[ti]) {
      // Quantiles come from the finest covering tier that keeps sketches.
      const j = this.rowSk.findIndex((x, k) => x && k > ti);
      if (j > 0) ti = j;
    }
    if (q !== undefined && ti > 0 && !this.rowSk[ti]) {
      bad(
        `query: '${agg}' on the '${this.tiers[ti].name}' tier needs roll-up sketches; open the store with sketches: true.`,
      );
    }
    const tier = this.tiers[ti];
    const step = options.step ?? (ti === 0 ? this.intervalMs : tier.resolutionMs);
    if (!(step > 0) || !Number.isFinite(step))
      bad(`query: step must be a positive number of ms, got ${step}.`);
    const steps = Math.ceil((to - from) / step);
    if (steps > 11_000) bad(`query: ${steps} steps is too many (max 11000); pass a larger step.`);
    const timestamps = new Float64Array(steps);
    for (let i = 0; i < steps; i++) timestamps[i] = from + i * step;
    const want = options.labels ?? {};
    const out: QueryResult['series'] = [];
    for (const tr of this.byKey.values()) {
      if (tr.meta.name !== name) continue;
      let ok = true;
      for (const k in want) if (tr.meta.labels[k] !== String(want[k])) ok = false;
      if (!ok) continue;
      const chunks = await this.chunksFor(tr, ti, from, to);
      if (q !== undefined) {
        out.push({
          labels: { ...tr.meta.labels },
          values: this.quantileSteps(tr, ti, chunks, from, to, step, q),
        });
        continue;
      }
      const acc = Array.from({ length: steps }, () => new Rollup());
      const add = (ts: number, fn: (r: Rollup) => void) => {
        if (ts < from || ts >= to) return;
        fn(acc[Math.floor((ts - from) / step)]);
      };
      if (ti === 0) {
        let prev = Number.NaN;
        for (const c of chunks) {
          const { ts, v } = c.cols;
          for (let i = 0; i < ts.length; i++) {
            const x = v[i];
            if (!(x > Number.NEGATIVE_INFINITY && x < Number.POSITIVE_INFINITY)) continue;
            const inc =
              tr.meta.kind === 'counter' && !Number.isNaN(prev) ? (x >= prev ? x - prev : x) : 0;
            prev = x;
            add(ts[i], (r) => r.add(x, inc));
          }
        }
      } else {
        for (const c of chunks) {
          for (let i = 0; i < c.cols.ts.length; i++)
            add(c.cols.ts[i], (r) => r.mergeRow(c.cols, i));
        }
        for (const [b, r] of this.partialBuckets(tr, ti)) add(b, (a) => a.merge(r));
      }
      const values = new Float64Array(steps);
      for (let i = 0; i < steps; i++) values[i] = aggregate(acc[i], agg as Aggregation, step);
      out.push({ labels: { ...tr.meta.labels }, values });
    }
    return { tier: tier.name, from, to, step, timestamps, series: out };
  }

  /**
   * Quantile `q` per step: exact on the raw tier (numpy 'lower': sorted value at
   * rank floor(q (n - 1))), from merged bucket sketches on roll-up tiers.
   */
  private quantileSteps(
    tr: Tracked,
    ti: number,
    chunks: ChunkRecord[],
    from: number,
    to: number,
    step: number,
    q: number,
  ): Float64Array {
    const steps = Math.ceil((to - from) / step);
    const values = new Float64Array(steps).fill(Number.NaN);
    const slot = (ts: number) => (ts < from || ts >= to ? -1 : Math.floor((ts - from) / step));
    if (ti === 0) {
      const bins: number[][] = Array.from({ length: steps }, () => []);
      for (const c of chunks) {
        const { ts, v } = c.cols;
        for (let i = 0; i < ts.length; i++) {
          const k = slot(ts[i]);
          const x = v[i];
          if (k >= 0 && x > Number.NEGATIVE_INFINITY && x < Number.POSITIVE_INFINITY)
            bins[k].push(x);
        }
      }
      for (let k = 0; k < steps; k++) {
        const b = bins[k];
        if (!b.length) continue;
        b.sort((x, y) => x - y);
        values[k] = b[Math.floor(q * (b.length - 1))];
      }
      return values;
    }
    const acc = new Map<number, QuantileSketch>();
    const at = (k: number) => {
      let a = acc.get(k);
      if (!a) {
        a = this.newSketch();
        acc.set(k, a);
      }
      return a;
    };
    try {
      for (const c of chunks) {
        for (let i = 0; i < c.cols.ts.length; i++) {
          const k = slot(c.cols.ts[i]);
          const bytes = k >= 0 ? rowSketch(c, i) : null;
          if (!bytes) continue;
          const sk = QuantileSketch.deserialize(bytes);
          at(k).merge(sk);
          sk.dispose();
        }
      }
      // Open buckets: this tier's and the tiers' below, and the staged first-tier values.
      const res = this.tiers[ti].resolutionMs;
      for (let j = ti; j >= 1; j--) {
        const r = tr.roll[j];
        if (!(r.cur.count > 0)) continue;
        const k = slot(Math.floor(r.bucketStart / res) * res);
        if (k < 0) continue;
        if (r.sk && r.sk.count > 0) at(k).merge(r.sk);
        if (j === 1 && tr.staged > 0) at(k).push(tr.stage.subarray(0, tr.staged));
      }
      for (const [k, a] of acc) if (a.count > 0) values[k] = a.quantile(q);
    } finally {
      for (const a of acc.values()) a.dispose();
    }
    return values;
  }

  private hasDistribution(name: string): boolean {
    for (const tr of this.byKey.values())
      if (tr.meta.name === name && tr.meta.kind === 'distribution') return true;
    return false;
  }

  /** Stored chunks overlapping [from, to), with buffered (unflushed) ones replacing stored copies. */
  private async chunksFor(
    tr: Tracked,
    ti: number,
    from: number,
    to: number,
  ): Promise<ChunkRecord[]> {
    const byStart = new Map<number, ChunkRecord>();
    if (tr.persisted) {
      for (const c of await this.backend.readChunks(ti, tr.meta.id, from, to)) {
        // A damaged stored chunk is left out of the answer (and counted), not thrown.
        if (isChunkIntact(c, ti === 0 ? ['ts', 'v'] : ['ts'])) byStart.set(c.start, c);
        else this.damagedReads++;
      }
    }
    for (const c of this.pending)
      if (c.series === tr.meta.id && c.tier === ti) byStart.set(c.start, c);
    if (ti === 0 && tr.raw.n > 0) {
      const r = tr.raw;
      byStart.set(r.start, {
        tier: 0,
        series: tr.meta.id,
        start: r.start,
        end: r.start + this.tiers[0].chunkMs,
        cols: { ts: r.ts.subarray(0, r.n), v: r.v.subarray(0, r.n) },
      });
    } else if (ti > 0 && tr.roll[ti].n > 0) {
      const r = tr.roll[ti];
      const cols: Record<string, Float64Array> = {};
      for (const k in r.cols) cols[k] = r.cols[k].subarray(0, r.n);
      const c: ChunkRecord = { tier: ti, series: tr.meta.id, start: r.chunkStart, end: 0, cols };
      if (this.rowSk[ti]) {
        const { sko, blob } = packSketches(r.skRows, r.n);
        cols.sko = sko;
        c.sketches = blob;
      }
      byStart.set(r.chunkStart, c);
    }
    return [...byStart.values()].sort((a, b) => a.start - b.start);
  }

  /** Buckets of tier `ti` still open in memory (its own plus the open buckets of the tiers below). */
  private partialBuckets(tr: Tracked, ti: number): Map<number, Rollup> {
    const res = this.tiers[ti].resolutionMs;
    const m = new Map<number, Rollup>();
    for (let j = ti; j >= 1; j--) {
      const r = tr.roll[j];
      if (r.cur.count === 0) continue;
      const b = Math.floor(r.bucketStart / res) * res;
      let a = m.get(b);
      if (!a) {
        a = new Rollup();
        m.set(b, a);
      }
      a.merge(r.cur);
    }
    return m;
  }
}
