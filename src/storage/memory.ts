/**
 * In-memory time-series backend with the same interface (and the same
 * all-or-nothing writes) as the IndexedDB one. `quotaBytes` simulates a full
 * disk for tests: a write that would exceed it throws `QUOTA_EXCEEDED` and
 * changes nothing.
 */
import { EdgewiseError } from '../errors';
import {
  type ChunkRecord,
  chunkBytes,
  type SeriesCursor,
  type SeriesMeta,
  type StorageStats,
  type TimeSeriesBackend,
  type WriteBatch,
} from './types';

const ck = (tier: number, series: number, start: number): string => `${tier}/${series}/${start}`;

function cloneChunk(c: ChunkRecord): ChunkRecord {
  const cols: Record<string, Float64Array> = {};
  for (const k in c.cols) cols[k] = c.cols[k].slice();
  const out: ChunkRecord = { tier: c.tier, series: c.series, start: c.start, end: c.end, cols };
  if (c.sketches) out.sketches = c.sketches.slice();
  return out;
}

/** Options of `MemoryBackend`. */
export interface MemoryBackendOptions {
  /** Simulated storage limit in bytes of column data (default: none). */
  quotaBytes?: number;
}

/**
 * The time-series store's in-memory backend (Node, tests); same interface as `IndexedDbBackend`.
 */
export class MemoryBackend implements TimeSeriesBackend {
  readonly kind = 'memory' as const;
  private readonly series = new Map<number, SeriesMeta>();
  private readonly byKey = new Map<string, number>();
  private nextId = 1;
  private readonly cursors = new Map<number, SeriesCursor>();
  /** Per tier: chunk key -> chunk. */
  private readonly tiers = new Map<number, Map<string, ChunkRecord>>();
  /** Per tier: a lower bound on the earliest chunk end (skips expiry scans with nothing to do). */
  private readonly minEnd = new Map<number, number>();
  private bytes = 0;
  quotaBytes: number;

  constructor(options: MemoryBackendOptions = {}) {
    this.quotaBytes = options.quotaBytes ?? Number.POSITIVE_INFINITY;
  }

  private tier(t: number): Map<string, ChunkRecord> {
    let m = this.tiers.get(t);
    if (!m) {
      m = new Map();
      this.tiers.set(t, m);
    }
    return m;
  }

  async write(batch: WriteBatch): Promise<ReadonlyMap<number, number> | undefined> {
    let delta = 0;
    for (const c of batch.chunks) {
      const old = this.tiers.get(c.tier)?.get(ck(c.tier, c.series, c.start));
      delta += chunkBytes(c) - (old ? chunkBytes(old) : 0);
    }
    if (this.bytes + delta > this.quotaBytes) {
      const e = new EdgewiseError(
        'QUOTA_EXCEEDED',
        `MemoryBackend: writing ${delta} bytes would exceed the ${this.quotaBytes}-byte quota.`,
      );
      throw e;
    }
    // Ids are allocated here, as in the IndexedDB backend (see TimeSeriesBackend.write).
    const remap = new Map<number, number>();
    for (const s of batch.series) {
      const existing = this.byKey.get(s.key);
      const id = existing ?? this.nextId++;
      if (id !== s.id) remap.set(s.id, id);
      if (existing === undefined) {
        this.byKey.set(s.key, id);
        this.series.set(id, { ...structuredClone(s), id });
      }
    }
    const idOf = (id: number) => remap.get(id) ?? id;
    for (const c of batch.cursors ?? []) this.cursors.set(idOf(c.id), { ...c, id: idOf(c.id) });
    // Takes ownership of the chunks' arrays (callers hand over fresh copies, as into IndexedDB).
    for (const c of batch.chunks) {
      if (remap.size) c.series = idOf(c.series);
      this.tier(c.tier).set(ck(c.tier, c.series, c.start), c);
      if (!(c.end >= (this.minEnd.get(c.tier) ?? Number.POSITIVE_INFINITY))) {
        this.minEnd.set(c.tier, c.end);
      }
    }
    this.bytes += delta;
    return remap.size ? remap : undefined;
  }

  async listSeries(): Promise<SeriesMeta[]> {
    return [...this.series.values()].map((s) => structuredClone(s));
  }

  async listCursors(): Promise<SeriesCursor[]> {
    return [...this.cursors.values()].map((c) => structuredClone(c));
  }

  async readChunks(tier: number, series: number, from: number, to: number): Promise<ChunkRecord[]> {
    const out: ChunkRecord[] = [];
    for (const c of this.tiers.get(tier)?.values() ?? []) {
      if (c.series === series && c.end > from && c.start < to) out.push(cloneChunk(c));
    }
    return out.sort((a, b) => a.start - b.start);
  }

  async deleteBefore(tier: number, cutoff: number): Promise<number> {
    const m = this.tiers.get(tier);
    if (!m || cutoff < (this.minEnd.get(tier) ?? Number.POSITIVE_INFINITY)) return 0;
    let n = 0;
    let minEnd = Number.POSITIVE_INFINITY;
    for (const [k, c] of m) {
      if (c.end <= cutoff) {
        this.bytes -= chunkBytes(c);
        m.delete(k);
        n++;
      } else if (c.end < minEnd) minEnd = c.end;
    }
    this.minEnd.set(tier, minEnd);
    return n;
  }

  async evictOldest(tier: number, count: number): Promise<{ deleted: number; upTo: number }> {
    const m = this.tiers.get(tier);
    if (!m) return { deleted: 0, upTo: Number.NEGATIVE_INFINITY };
    const victims = [...m.entries()].sort((a, b) => a[1].start - b[1].start).slice(0, count);
    let upTo = Number.NEGATIVE_INFINITY;
    for (const [k, c] of victims) {
      this.bytes -= chunkBytes(c);
      m.delete(k);
      upTo = Math.max(upTo, c.end);
    }
    return { deleted: victims.length, upTo };
  }

  async stats(): Promise<StorageStats> {
    let chunks = 0;
    for (const m of this.tiers.values()) chunks += m.size;
    return { chunks, bytes: this.bytes, series: this.series.size };
  }

  async close(): Promise<void> {}
}
