/**
 * An `Outbox` in IndexedDB (database `edgewise-sync`, opened through the one
 * opener, src/storage/open.ts): shared by every tab of an origin, survives
 * reloads and crashes; every operation is one transaction.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction } from 'idb';
import { EdgewiseError } from '../../errors';
import { type IdbMigration, openIdb } from '../../storage/open';
import { isQuotaError } from '../../storage/types';
import type {
  DropCounts,
  EntryKind,
  InflightBatch,
  OutboxEntry,
  OutboxStats,
  ParkedBatch,
  SyncRecord,
} from '../types';
import { checkOptions, DROP_ORDER, emptyDrops, entryPoints, toEntries } from './entries';
import type { AppendResult, DropEvent, Outbox, OutboxOptions } from './interface';

/** The IndexedDB schema of the sync outbox. */
export interface EdgewiseSyncDB extends DBSchema {
  outbox: { key: number; value: OutboxEntry; indexes: { 'by-kind': string } };
  parked: { key: string; value: ParkedBatch };
  meta: { key: string; value: { key: string; value: unknown } };
}

type Tx = IDBPTransaction<EdgewiseSyncDB, ('outbox' | 'parked' | 'meta')[], 'readwrite'>;

/** Schema of the sync database: entry i upgrades version i to i + 1 (append only). */
const SYNC_MIGRATIONS: readonly IdbMigration<EdgewiseSyncDB>[] = [
  // v1: the queue (seq auto-increment, by-kind index for the size cap), parked batches, meta.
  (db) => {
    const o = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    o.createIndex('by-kind', 'kind');
    db.createObjectStore('parked', { keyPath: 'key' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
];
/** The sync database's schema version. */
export const SYNC_SCHEMA_VERSION = SYNC_MIGRATIONS.length;

/** Options of `IndexedDbOutbox.open`. */
export interface IndexedDbOutboxOptions extends OutboxOptions {
  /** Database name (default 'edgewise-sync'). */
  name?: string;
  /** An IDBFactory (default globalThis.indexedDB; fake-indexeddb in Node tests). */
  factory?: IDBFactory;
}

/** An `Outbox` in IndexedDB (database `edgewise-sync`), shared by every tab of the origin. */
export class IndexedDbOutbox implements Outbox {
  readonly kind = 'indexeddb' as const;
  private readonly listeners = new Set<(e: DropEvent) => void>();

  private constructor(
    private readonly db: IDBPDatabase<EdgewiseSyncDB>,
    private readonly opts: Required<OutboxOptions>,
  ) {}

  static async open(options: IndexedDbOutboxOptions = {}): Promise<IndexedDbOutbox> {
    const opts = checkOptions(options);
    const db = await openIdb<EdgewiseSyncDB>({
      factory: options.factory,
      name: options.name ?? 'edgewise-sync',
      migrations: SYNC_MIGRATIONS,
      where: 'IndexedDbOutbox',
      fallback: 'use MemoryOutbox',
    });
    return new IndexedDbOutbox(db, opts);
  }

  private async metaGet<T>(tx: Tx, key: string, dflt: T): Promise<T> {
    const r = await tx.objectStore('meta').get(key);
    return r === undefined ? dflt : (r.value as T);
  }

  async append(records: readonly SyncRecord[], kind: EntryKind = 'sample'): Promise<AppendResult> {
    const es = toEntries(records, kind, this.opts.maxEntryBytes);
    const dropped: DropEvent[] = [];
    const seqs: number[] = [];
    try {
      const tx = this.db.transaction(['outbox', 'meta', 'parked'], 'readwrite') as unknown as Tx;
      const store = tx.objectStore('outbox');
      let bytes = await this.metaGet(tx, 'bytes', 0);
      let parkedBytes = await this.metaGet(tx, 'parkedBytes', 0);
      for (const e of es) {
        seqs.push((await store.add(e as OutboxEntry)) as number);
        bytes += e.bytes;
      }
      const over = () => bytes + parkedBytes > this.opts.maxBytes;
      if (over()) {
        const drops = await this.metaGet(tx, 'dropped', emptyDrops());
        // Parked batches go first (oldest first): the backend refused them already.
        const parked = (await tx.objectStore('parked').getAll()).sort((a, b) => a.at - b.at);
        for (const p of parked) {
          if (!over()) break;
          await tx.objectStore('parked').delete(p.key);
          for (const e of p.entries) {
            parkedBytes -= e.bytes;
            const d = { kind: e.kind, entries: 1, samples: entryPoints(e), bytes: e.bytes };
            dropped.push(d);
            drops[e.kind].entries += 1;
            drops[e.kind].samples += d.samples;
            drops[e.kind].bytes += d.bytes;
          }
        }
        for (const k of DROP_ORDER) {
          if (!over()) break;
          const d: DropEvent = { kind: k, entries: 0, samples: 0, bytes: 0 };
          let cur = await store.index('by-kind').openCursor(k);
          while (cur && over()) {
            bytes -= cur.value.bytes;
            d.entries++;
            d.samples += entryPoints(cur.value);
            d.bytes += cur.value.bytes;
            await cur.delete();
            cur = await cur.continue();
          }
          if (d.entries) {
            dropped.push(d);
            drops[k].entries += d.entries;
            drops[k].samples += d.samples;
            drops[k].bytes += d.bytes;
          }
        }
        await tx.objectStore('meta').put({ key: 'dropped', value: drops });
      }
      await tx.objectStore('meta').put({ key: 'bytes', value: bytes });
      await tx.objectStore('meta').put({ key: 'parkedBytes', value: Math.max(0, parkedBytes) });
      await tx.done;
    } catch (e) {
      if (isQuotaError(e)) {
        throw new EdgewiseError(
          'QUOTA_EXCEEDED',
          'outbox: IndexedDB is full (QuotaExceededError).',
          {
            cause: e,
          },
        );
      }
      throw e;
    }
    for (const d of dropped) for (const fn of this.listeners) fn(d);
    return { seqs, dropped };
  }

  async peek(maxBytes: number, maxEntries: number): Promise<OutboxEntry[]> {
    const all = await this.db.getAll('outbox', undefined, maxEntries);
    const out: OutboxEntry[] = [];
    let b = 0;
    for (const e of all) {
      if (out.length > 0 && b + e.bytes > maxBytes) break;
      out.push(e);
      b += e.bytes;
    }
    return out;
  }

  async range(first: number, last: number): Promise<OutboxEntry[]> {
    return this.db.getAll('outbox', IDBKeyRange.bound(first, last));
  }

  private async deleteRange(tx: Tx, first: number, last: number): Promise<OutboxEntry[]> {
    const store = tx.objectStore('outbox');
    const gone = await store.getAll(IDBKeyRange.bound(first, last));
    let bytes = await this.metaGet(tx, 'bytes', 0);
    for (const e of gone) bytes -= e.bytes;
    await store.delete(IDBKeyRange.bound(first, last));
    await tx.objectStore('meta').put({ key: 'bytes', value: Math.max(0, bytes) });
    await tx.objectStore('meta').delete('inflight');
    return gone;
  }

  async ack(first: number, last: number): Promise<void> {
    const tx = this.db.transaction(['outbox', 'meta'], 'readwrite') as unknown as Tx;
    await this.deleteRange(tx, first, last);
    await tx.done;
  }

  async park(batch: Omit<ParkedBatch, 'entries'>): Promise<void> {
    const tx = this.db.transaction(['outbox', 'meta', 'parked'], 'readwrite') as unknown as Tx;
    const entries = await this.deleteRange(tx, batch.first, batch.last);
    await tx.objectStore('parked').put({ ...batch, entries });
    let parkedBytes = await this.metaGet(tx, 'parkedBytes', 0);
    for (const e of entries) parkedBytes += e.bytes;
    await tx.objectStore('meta').put({ key: 'parkedBytes', value: parkedBytes });
    await tx.done;
  }

  async retryParked(key?: string): Promise<number> {
    const tx = this.db.transaction(['outbox', 'meta', 'parked'], 'readwrite') as unknown as Tx;
    const ps = tx.objectStore('parked');
    const batches = key === undefined ? await ps.getAll() : [await ps.get(key)].filter((p) => !!p);
    let bytes = await this.metaGet(tx, 'bytes', 0);
    let parkedBytes = await this.metaGet(tx, 'parkedBytes', 0);
    let n = 0;
    for (const p of batches as ParkedBatch[]) {
      await ps.delete(p.key);
      for (const e of p.entries) {
        const { seq: _old, ...rest } = e;
        await tx.objectStore('outbox').add(rest as OutboxEntry);
        bytes += e.bytes;
        parkedBytes -= e.bytes;
        n++;
      }
    }
    await tx.objectStore('meta').put({ key: 'bytes', value: bytes });
    await tx.objectStore('meta').put({ key: 'parkedBytes', value: Math.max(0, parkedBytes) });
    await tx.done;
    return n;
  }

  async getInflight(): Promise<InflightBatch | undefined> {
    const r = await this.db.get('meta', 'inflight');
    return r?.value as InflightBatch | undefined;
  }

  async setInflight(b: InflightBatch | undefined): Promise<void> {
    if (b) await this.db.put('meta', { key: 'inflight', value: b });
    else await this.db.delete('meta', 'inflight');
  }

  async parked(): Promise<ParkedBatch[]> {
    return this.db.getAll('parked');
  }

  async clearParked(): Promise<number> {
    const tx = this.db.transaction(['parked', 'meta'], 'readwrite');
    const n = await tx.objectStore('parked').count();
    await tx.objectStore('parked').clear();
    await tx.objectStore('meta').put({ key: 'parkedBytes', value: 0 });
    await tx.done;
    return n;
  }

  async stats(): Promise<OutboxStats> {
    const tx = this.db.transaction(['outbox', 'parked', 'meta'], 'readonly');
    const entries = await tx.objectStore('outbox').count();
    const parked = await tx.objectStore('parked').count();
    const queued = ((await tx.objectStore('meta').get('bytes'))?.value as number) ?? 0;
    const parkedBytes = ((await tx.objectStore('meta').get('parkedBytes'))?.value as number) ?? 0;
    const bytes = queued + parkedBytes;
    const dropped =
      ((await tx.objectStore('meta').get('dropped'))?.value as Record<EntryKind, DropCounts>) ??
      emptyDrops();
    await tx.done;
    return { entries, bytes, parked, parkedBytes, dropped };
  }

  onDrop(fn: (e: DropEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
