/**
 * The time-series storage interface. Two backends implement it: IndexedDB (via
 * idb, browsers) and memory (Node, tests). Data is columnar: one record
 * ("chunk") holds a fixed time span of one series in one retention tier.
 */

/** A stored series: metric name plus label set, with a small numeric id. */
export interface SeriesMeta {
  id: number;
  /** Unique key: name + labels, canonical. */
  key: string;
  name: string;
  /**
   * 'counter' (cumulative: increase/rate make sense), 'gauge', or
   * 'distribution' (a summary's observations: roll-up tiers only).
   */
  kind: 'counter' | 'gauge' | 'distribution';
  labels: Record<string, string>;
  /**
   * The writer slot (an open store on a shared database) whose stream this is;
   * absent for slot 0. Each writer of a series writes its own stream (its key
   * ends in `\u0000w<slot>`); queries merge a series' streams.
   */
  writer?: number;
}

/**
 * One series' points in one tier over [start, end). Raw tier columns: `ts`, `v`.
 * Roll-up tiers: `ts` (bucket start) plus the mergeable state per bucket:
 * `count`, `sum`, `min`, `max`, `mean`, `m2`, `first`, `last`, `inc`.
 */
export interface ChunkRecord {
  tier: number;
  series: number;
  start: number;
  end: number;
  cols: Record<string, Float64Array>;
  /**
   * Roll-up tiers: the serialized QuantileSketch of every row, concatenated;
   * row i is `sketches.subarray(cols.sko[i], cols.sko[i + 1])` (empty: no values).
   */
  sketches?: Uint8Array;
}

/**
 * Where a series' writer was at its last flush: counter's previous value,
 * the open chunk start per tier, and per roll-up tier the open bucket
 * `[bucketStart, count, sum, min, max, mean, m2, first, last, inc]` (or null).
 * Written in the same transaction as the chunks, so a restart resumes exactly.
 */
export interface SeriesCursor {
  id: number;
  prev: number;
  chunkStarts: number[];
  buckets: (number[] | null)[];
  /** Serialized QuantileSketch of each tier's open bucket (null: none). */
  sketches?: (Uint8Array | null)[];
  /** First-tier values not yet pushed into a sketch. */
  staged?: Float64Array;
}

/** Series metadata and chunks a backend writes in one transaction. */
export interface WriteBatch {
  series: SeriesMeta[];
  chunks: ChunkRecord[];
  cursors?: SeriesCursor[];
}

/** What a backend holds: chunks and bytes per tier. */
export interface StorageStats {
  chunks: number;
  /** Bytes of column data stored (an estimate of the on-disk size, excluding overhead). */
  bytes: number;
  series: number;
}

/** Where a `TimeSeriesStore` persists series and chunks (`MemoryBackend`, `IndexedDbBackend`). */
export interface TimeSeriesBackend {
  readonly kind: 'memory' | 'indexeddb';
  /** Names the storage other stores may share (IndexedDB: the database name) for writer slots. */
  readonly scope?: string;
  /** Puts series metadata and chunks (overwriting same keys) in one transaction. All or nothing. Throws `QUOTA_EXCEEDED` when storage is full. */
  /**
   * Writes atomically. Series ids in `batch.series` are provisional: a backend
   * shared with other writers (another tab) may store a series under another id
   * (the id it already has for that key, or the next free one) and returns the
   * changes as provisional id -> stored id; chunks and cursors of the batch are
   * stored under the new ids.
   */
  write(batch: WriteBatch): Promise<ReadonlyMap<number, number> | undefined>;
  listSeries(): Promise<SeriesMeta[]>;
  listCursors(): Promise<SeriesCursor[]>;
  /** Chunks of `series` in `tier` overlapping [from, to), by start. */
  readChunks(tier: number, series: number, from: number, to: number): Promise<ChunkRecord[]>;
  /** Deletes chunks of `tier` that end at or before `cutoff`; returns how many. */
  deleteBefore(tier: number, cutoff: number): Promise<number>;
  /** Deletes the `count` oldest chunks (by start) of `tier`; returns how many and the latest end deleted. */
  evictOldest(tier: number, count: number): Promise<{ deleted: number; upTo: number }>;
  stats(): Promise<StorageStats>;
  close(): Promise<void>;
}

/** Bytes of column data in a chunk. */
export function chunkBytes(c: ChunkRecord): number {
  let b = 0;
  for (const k in c.cols) b += c.cols[k].byteLength;
  return b + (c.sketches?.byteLength ?? 0);
}

/** Is `e` a storage-full error (DOMException QuotaExceededError or our QUOTA_EXCEEDED)? */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as { name?: string; code?: unknown; cause?: unknown };
  if (x.name === 'QuotaExceededError' || x.code === 'QUOTA_EXCEEDED' || x.code === 22) return true;
  return x.cause !== undefined && x.cause !== e && isQuotaError(x.cause);
}
