/**
 * IndexedDB time-series backend (through idb). Typed schema, versioned
 * migrations, one readwrite transaction per `write()` (a flush), and
 * QuotaExceededError mapped to `EdgewiseError('QUOTA_EXCEEDED')`.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { EdgewiseError } from '../errors';
import { type IdbMigration, type IdbUpgradeTx, openIdb } from './open';
import {
  type ChunkRecord,
  chunkBytes,
  isQuotaError,
  type SeriesCursor,
  type SeriesMeta,
  type StorageStats,
  type TimeSeriesBackend,
  type WriteBatch,
} from './types';

/** The IndexedDB schema of the time-series store (series, chunks, meta). */
export interface EdgewiseTimeSeriesDB extends DBSchema {
  series: { key: number; value: SeriesMeta; indexes: { 'by-key': string } };
  chunks: {
    key: [number, number, number];
    value: ChunkRecord;
    indexes: { 'by-tier-end': [number, number]; 'by-tier-start': [number, number] };
  };
  meta: { key: string; value: { key: string; value: unknown } };
}

/** The version-change transaction a `Migration` runs in. */
export type UpgradeTx = IdbUpgradeTx<EdgewiseTimeSeriesDB>;
/** One schema migration step of the time-series database. */
export type Migration = IdbMigration<EdgewiseTimeSeriesDB>;

/**
 * Schema migrations: entry i upgrades version i to i + 1. Append only; never
 * edit a published step.
 */
export const MIGRATIONS: readonly Migration[] = [
  // v1: series + chunks keyed [tier, series, start], expiry index by end.
  (db) => {
    const s = db.createObjectStore('series', { keyPath: 'id' });
    s.createIndex('by-key', 'key', { unique: true });
    const c = db.createObjectStore('chunks', { keyPath: ['tier', 'series', 'start'] });
    c.createIndex('by-tier-end', ['tier', 'end']);
  },
  // v2: eviction index by start, and a meta store (schema info, counters).
  (db, tx) => {
    tx.objectStore('chunks').createIndex('by-tier-start', ['tier', 'start']);
    db.createObjectStore('meta', { keyPath: 'key' });
  },
];
/** The time-series database's schema version (the number of `MIGRATIONS`). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Options of `IndexedDbBackend.open`. */
export interface IndexedDbBackendOptions {
  /** Database name (default 'edgewise-metrics'). */
  name?: string;
  /** Schema version to open (default: latest). Tests use older ones to check migrations. */
  version?: number;
  /** An IDBFactory (default globalThis.indexedDB; fake-indexeddb in Node tests). */
  factory?: IDBFactory;
  /** How long an open blocked by another tab's older connection waits before failing (default 10 s). */
  blockedTimeoutMs?: number;
}

/** The time-series store's IndexedDB backend: one transaction per flush, versioned migrations. */
export class IndexedDbBackend implements TimeSeriesBackend {
  readonly kind = 'indexeddb' as const;
  private constructor(private readonly db: IDBPDatabase<EdgewiseTimeSeriesDB>) {}

  static async open(options: IndexedDbBackendOptions = {}): Promise<IndexedDbBackend> {
    const db = await openIdb<EdgewiseTimeSeriesDB>({
      factory: options.factory,
      name: options.name ?? 'edgewise-metrics',
      migrations: MIGRATIONS,
      version: options.version,
      where: 'IndexedDbBackend',
      fallback: 'use the memory backend',
      blockedTimeoutMs: options.blockedTimeoutMs,
    });
    return new IndexedDbBackend(db);
  }

  /** The database name: stores on one database share its writer slots. */
  get scope(): string {
    return this.db.name;
  }

  get version(): number {
    return this.db.version;
  }

  async write(batch: WriteBatch): Promise<ReadonlyMap<number, number> | undefined> {
    try {
      const cursors = batch.cursors ?? [];
      const stores: ('series' | 'chunks' | 'meta')[] = ['series', 'chunks'];
      if (cursors.length) stores.push('meta');
      const tx = this.db.transaction(stores, 'readwrite');
      const s = tx.objectStore('series');
      const c = tx.objectStore('chunks');
      // Series ids are allocated here, inside the write transaction: IndexedDB runs
      // read-write transactions on the same stores one at a time, so two tabs (two
      // stores on one database) can never give one id to two series, and a key
      // another tab already stored keeps that tab's id.
      const remap = new Map<number, number>();
      if (batch.series.length) {
        const last = await s.openCursor(null, 'prev');
        let next = (last ? Number(last.key) : 0) + 1;
        for (const m of batch.series) {
          const existing = await s.index('by-key').get(m.key);
          if (existing) {
            if (existing.id !== m.id) remap.set(m.id, existing.id);
            continue;
          }
          const id = Math.max(next, 1);
          next = id + 1;
          if (id !== m.id) remap.set(m.id, id);
          await s.put({ ...m, id });
        }
      }
      const idOf = (id: number) => remap.get(id) ?? id;
      const ops: Promise<unknown>[] = [];
      for (const k of batch.chunks)
        ops.push(c.put(remap.size ? { ...k, series: idOf(k.series) } : k));
      if (cursors.length) {
        const meta = tx.objectStore('meta');
        for (const k of cursors) {
          const id = idOf(k.id);
          ops.push(meta.put({ key: `cursor/${id}`, value: id === k.id ? k : { ...k, id } }));
        }
      }
      ops.push(tx.done);
      await Promise.all(ops);
      return remap.size ? remap : undefined;
    } catch (e) {
      if (isQuotaError(e)) {
        throw new EdgewiseError('QUOTA_EXCEEDED', 'IndexedDB is full (QuotaExceededError).', {
          cause: e,
        });
      }
      throw e;
    }
  }

  async listSeries(): Promise<SeriesMeta[]> {
    return this.db.getAll('series');
  }

  async listCursors(): Promise<SeriesCursor[]> {
    if (!this.db.objectStoreNames.contains('meta')) return [];
    const rows = await this.db.getAll('meta', IDBKeyRange.bound('cursor/', 'cursor/\uffff'));
    return rows.map((r) => r.value as SeriesCursor);
  }

  async readChunks(tier: number, series: number, from: number, to: number): Promise<ChunkRecord[]> {
    // Keys are [tier, series, start]; a chunk overlapping [from, to) starts before `to`.
    const range = IDBKeyRange.bound(
      [tier, series, Number.NEGATIVE_INFINITY],
      [tier, series, to],
      false,
      true,
    );
    const all = await this.db.getAll('chunks', range);
    return all.filter((c) => c.end > from);
  }

  async deleteBefore(tier: number, cutoff: number): Promise<number> {
    const tx = this.db.transaction('chunks', 'readwrite');
    const idx = tx.store.index('by-tier-end');
    let n = 0;
    let cur = await idx.openCursor(
      IDBKeyRange.bound([tier, Number.NEGATIVE_INFINITY], [tier, cutoff]),
    );
    while (cur) {
      await cur.delete();
      n++;
      cur = await cur.continue();
    }
    await tx.done;
    return n;
  }

  async evictOldest(tier: number, count: number): Promise<{ deleted: number; upTo: number }> {
    const tx = this.db.transaction('chunks', 'readwrite');
    const idx = tx.store.index('by-tier-start');
    let deleted = 0;
    let upTo = Number.NEGATIVE_INFINITY;
    let cur = await idx.openCursor(
      IDBKeyRange.bound([tier, Number.NEGATIVE_INFINITY], [tier, Number.POSITIVE_INFINITY]),
    );
    while (cur && deleted < count) {
      upTo = Math.max(upTo, cur.value.end);
      await cur.delete();
      deleted++;
      cur = await cur.continue();
    }
    await tx.done;
    return { deleted, upTo };
  }

  async stats(): Promise<StorageStats> {
    const tx = this.db.transaction(['chunks', 'series'], 'readonly');
    let bytes = 0;
    let chunks = 0;
    let cur = await tx.objectStore('chunks').openCursor();
    while (cur) {
      bytes += chunkBytes(cur.value);
      chunks++;
      cur = await cur.continue();
    }
    const series = await tx.objectStore('series').count();
    await tx.done;
    return { chunks, bytes, series };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
