/**
 * The durable outbox: everything to send is appended here first, with a
 * strictly increasing sequence number, and deleted only after the backend
 * acknowledged it. Two backends: IndexedDB (browsers; shared by every tab of
 * an origin, survives reloads and crashes) and memory (Node, tests).
 *
 * Size cap policy: when the stored bytes exceed `maxBytes`, the oldest raw
 * samples (`kind: 'sample'`) are dropped first, then the oldest events;
 * roll-ups are never dropped (they may hold the cap exceeded). Every drop is
 * counted in `stats().dropped` and reported to `onDrop` listeners.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction } from 'idb';
import { describeValue, EdgewiseError } from '../errors';
import { type IdbMigration, openIdb } from '../storage/open';
import { isQuotaError } from '../storage/types';
import {
  type DropCounts,
  type EntryKind,
  type InflightBatch,
  type OutboxEntry,
  type OutboxStats,
  type ParkedBatch,
  recordBytes,
  recordPoints,
  type SeriesRecord,
  type SyncRecord,
} from './types';

/** Options of an outbox: its size cap and entry size. */
export interface OutboxOptions {
  /** Size cap in (estimated) bytes; default 16 MiB. */
  maxBytes?: number;
  /** Largest entry; long series records are split (default 16 KiB). */
  maxEntryBytes?: number;
}

/** Reported to `onDrop` when the size cap drops entries. */
export interface DropEvent {
  kind: EntryKind;
  entries: number;
  samples: number;
  bytes: number;
}

/** What `append` stored: the new sequence numbers and anything dropped to stay under the cap. */
export interface AppendResult {
  /** Sequence numbers of the new entries. */
  seqs: number[];
  /** What the size cap dropped during this append (possibly some of the new entries). */
  dropped: DropEvent[];
}

/**
 * A durable queue of sync records with strictly increasing sequence numbers; the sender deletes a
 * batch only after the backend accepted it.
 */
export interface Outbox {
  readonly kind: 'memory' | 'indexeddb';
  /** Appends `records` durably as entries of `kind` (default 'sample'). */
  append(records: readonly SyncRecord[], kind?: EntryKind): Promise<AppendResult>;
  /** Entries from the head, at most `maxEntries` and `maxBytes` (but at least one). */
  peek(maxBytes: number, maxEntries: number): Promise<OutboxEntry[]>;
  /** Entries with first <= seq <= last. */
  range(first: number, last: number): Promise<OutboxEntry[]>;
  /** Deletes [first, last] (the backend acknowledged it) and clears the in-flight marker. */
  ack(first: number, last: number): Promise<void>;
  /** Moves [first, last] to the parked store (non-retryable rejection) and clears the in-flight marker. */
  park(batch: Omit<ParkedBatch, 'entries'>): Promise<void>;
  getInflight(): Promise<InflightBatch | undefined>;
  setInflight(b: InflightBatch | undefined): Promise<void>;
  parked(): Promise<ParkedBatch[]>;
  /** Deletes parked batches (after inspection). */
  clearParked(): Promise<number>;
  /**
   * Puts parked batches (all, or the one with `key`) back at the tail of the
   * queue to be sent again (e.g. after the backend was fixed). Returns the
   * number of entries re-queued.
   */
  retryParked(key?: string): Promise<number>;
  stats(): Promise<OutboxStats>;
  onDrop(fn: (e: DropEvent) => void): () => void;
  close(): Promise<void>;
}

function emptyDrops(): Record<EntryKind, DropCounts> {
  return {
    sample: { entries: 0, samples: 0, bytes: 0 },
    rollup: { entries: 0, samples: 0, bytes: 0 },
    event: { entries: 0, samples: 0, bytes: 0 },
  };
}

function checkOptions(o: OutboxOptions): Required<OutboxOptions> {
  const maxBytes = o.maxBytes ?? 16 * 1024 * 1024;
  const maxEntryBytes = o.maxEntryBytes ?? 16 * 1024;
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new EdgewiseError('INVALID_ARGUMENT', `outbox: maxBytes must be > 0, got ${maxBytes}.`);
  }
  if (!(Number.isFinite(maxEntryBytes) && maxEntryBytes >= 256)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `outbox: maxEntryBytes must be >= 256, got ${maxEntryBytes}.`,
    );
  }
  return { maxBytes, maxEntryBytes };
}

function checkRecord(r: SyncRecord): void {
  if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || r.name === '') {
    throw new EdgewiseError('INVALID_ARGUMENT', 'outbox: every record needs a non-empty name.');
  }
  if (typeof r.labels !== 'object' || r.labels === null || Array.isArray(r.labels)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `outbox: record ${r.name} needs labels (an object of string values).`,
    );
  }
  for (const k in r.labels) {
    const v = (r.labels as Record<string, unknown>)[k];
    if (typeof v !== 'string') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `outbox: record ${r.name}: label '${k}' is ${describeValue(v)}; label values must be strings (use String(value)).`,
      );
    }
  }
  if (r.type === 'series') {
    if (
      !(r.ts instanceof Float64Array) ||
      !(r.v instanceof Float64Array) ||
      r.ts.length !== r.v.length
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `outbox: series ${r.name} needs ts and v as Float64Arrays of equal length.`,
      );
    }
    for (let i = 0; i < r.ts.length; i++) {
      if (!Number.isFinite(r.ts[i])) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `outbox: series ${r.name} has a non-finite timestamp at ${i}.`,
        );
      }
    }
  } else if (r.type === 'histogram' || r.type === 'exphistogram' || r.type === 'event') {
    if (typeof r.ts !== 'number' || !Number.isFinite(r.ts)) {
      throw new EdgewiseError('INVALID_ARGUMENT', `outbox: ${r.type} ${r.name} needs a finite ts.`);
    }
    const bad = (what: string): never => {
      throw new EdgewiseError('INVALID_ARGUMENT', `outbox: ${r.type} ${r.name}: ${what}.`);
    };
    const nums = (a: unknown, what: string): void => {
      if (!Array.isArray(a) || a.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        bad(`${what} must be an array of finite numbers`);
      }
    };
    if (r.type === 'event') {
      if (typeof r.value !== 'number') bad(`value must be a number, got ${describeValue(r.value)}`);
    } else {
      if (typeof r.count !== 'number' || !(r.count >= 0)) bad('count must be a number >= 0');
      if (typeof r.sum !== 'number') bad('sum must be a number');
      if (r.type === 'histogram') {
        nums(r.bounds, 'bounds');
        nums(r.counts, 'counts');
        if (r.counts.length !== r.bounds.length + 1) {
          bad(`needs bounds.length + 1 counts (${r.bounds.length + 1}), got ${r.counts.length}`);
        }
      } else {
        if (!Number.isInteger(r.scale) || !Number.isFinite(r.zeroCount)) {
          bad('scale must be an integer and zeroCount a finite number');
        }
        for (const side of ['positive', 'negative'] as const) {
          const b = r[side] as { offset?: unknown; counts?: unknown } | undefined;
          if (!b || !Number.isInteger(b.offset)) bad(`${side}.offset must be an integer`);
          nums(b?.counts, `${side}.counts`);
        }
      }
    }
  } else {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `outbox: record type must be series, histogram, exphistogram or event, got ${String((r as { type?: unknown }).type)}.`,
    );
  }
}

/** Splits records into entries of at most `maxEntryBytes` (long series are cut). Validates first. */
export function toEntries(
  records: readonly SyncRecord[],
  kind: EntryKind,
  maxEntryBytes: number,
): Omit<OutboxEntry, 'seq'>[] {
  for (const r of records) checkRecord(r);
  const out: Omit<OutboxEntry, 'seq'>[] = [];
  let cur: SyncRecord[] = [];
  let bytes = 0;
  const push = (r: SyncRecord, b: number) => {
    if (bytes + b > maxEntryBytes && cur.length) {
      out.push({ kind, bytes, records: cur });
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += b;
  };
  for (const r of records) {
    const b = recordBytes(r);
    if (r.type === 'series' && b > maxEntryBytes && r.ts.length > 1) {
      const per = Math.max(
        1,
        Math.floor(
          (maxEntryBytes - recordBytes({ ...r, ts: new Float64Array(0), v: new Float64Array(0) })) /
            20,
        ),
      );
      for (let i = 0; i < r.ts.length; i += per) {
        const part: SeriesRecord = { ...r, ts: r.ts.slice(i, i + per), v: r.v.slice(i, i + per) };
        push(part, recordBytes(part));
      }
    } else push(r, b);
  }
  if (cur.length) out.push({ kind, bytes, records: cur });
  return out;
}

function entryPoints(e: Omit<OutboxEntry, 'seq'>): number {
  let n = 0;
  for (const r of e.records) n += recordPoints(r);
  return n;
}

const DROP_ORDER: EntryKind[] = ['sample', 'event'];

// ------------------------------------------------------------------ memory

/**
 * An `Outbox` in memory (Node, tests).
 *
 * @example
 * ```ts
 * const outbox = new MemoryOutbox();
 * await outbox.append([{ type: 'event', name: 'door_open', labels: {}, ts: Date.now(), value: 1 }], 'event');
 * (await outbox.stats()).entries; // 1
 * ```
 */
export class MemoryOutbox implements Outbox {
  readonly kind = 'memory' as const;
  private readonly opts: Required<OutboxOptions>;
  private readonly entries = new Map<number, OutboxEntry>();
  private readonly parkedBatches = new Map<string, ParkedBatch>();
  private nextSeq = 1;
  private bytes = 0;
  private parkedBytes = 0;
  private inflight: InflightBatch | undefined;
  private readonly dropped = emptyDrops();
  private readonly listeners = new Set<(e: DropEvent) => void>();

  constructor(options: OutboxOptions = {}) {
    this.opts = checkOptions(options);
  }

  async append(records: readonly SyncRecord[], kind: EntryKind = 'sample'): Promise<AppendResult> {
    const es = toEntries(records, kind, this.opts.maxEntryBytes);
    const seqs: number[] = [];
    for (const e of es) {
      // Structured clone, as IndexedDB would store it: later edits by the caller do not leak in.
      const seq = this.nextSeq++;
      this.entries.set(seq, { ...structuredClone(e), seq });
      this.bytes += e.bytes;
      seqs.push(seq);
    }
    return { seqs, dropped: this.enforceCap() };
  }

  /** Drops to the size cap: parked batches first (oldest first), then by DROP_ORDER. */
  private enforceCap(): DropEvent[] {
    const dropped: DropEvent[] = [];
    const over = () => this.bytes + this.parkedBytes > this.opts.maxBytes;
    for (const [key, p] of [...this.parkedBatches].sort((a, b) => a[1].at - b[1].at)) {
      if (!over()) break;
      this.parkedBatches.delete(key);
      for (const e of p.entries) {
        this.parkedBytes -= e.bytes;
        dropped.push({ kind: e.kind, entries: 1, samples: entryPoints(e), bytes: e.bytes });
      }
    }
    for (const k of DROP_ORDER) {
      if (!over()) break;
      const d: DropEvent = { kind: k, entries: 0, samples: 0, bytes: 0 };
      for (const [seq, e] of this.entries) {
        if (!over()) break;
        if (e.kind !== k) continue;
        this.entries.delete(seq);
        this.bytes -= e.bytes;
        d.entries++;
        d.samples += entryPoints(e);
        d.bytes += e.bytes;
      }
      if (d.entries) dropped.push(d);
    }
    for (const d of dropped) this.countDrop(d);
    return dropped;
  }

  private countDrop(d: DropEvent): void {
    const c = this.dropped[d.kind];
    c.entries += d.entries;
    c.samples += d.samples;
    c.bytes += d.bytes;
    for (const fn of this.listeners) fn(d);
  }

  async peek(maxBytes: number, maxEntries: number): Promise<OutboxEntry[]> {
    const out: OutboxEntry[] = [];
    let b = 0;
    for (const e of this.entries.values()) {
      if (out.length >= maxEntries || (out.length > 0 && b + e.bytes > maxBytes)) break;
      out.push(e);
      b += e.bytes;
    }
    return out;
  }

  async range(first: number, last: number): Promise<OutboxEntry[]> {
    return [...this.entries.values()].filter((e) => e.seq >= first && e.seq <= last);
  }

  async ack(first: number, last: number): Promise<void> {
    for (const e of await this.range(first, last)) {
      this.entries.delete(e.seq);
      this.bytes -= e.bytes;
    }
    this.inflight = undefined;
  }

  async park(batch: Omit<ParkedBatch, 'entries'>): Promise<void> {
    const entries = await this.range(batch.first, batch.last);
    this.parkedBatches.set(batch.key, { ...batch, entries });
    for (const e of entries) this.parkedBytes += e.bytes;
    await this.ack(batch.first, batch.last);
  }

  async retryParked(key?: string): Promise<number> {
    let n = 0;
    for (const [k, p] of [...this.parkedBatches]) {
      if (key !== undefined && k !== key) continue;
      this.parkedBatches.delete(k);
      for (const e of p.entries) {
        this.parkedBytes -= e.bytes;
        const seq = this.nextSeq++;
        this.entries.set(seq, { ...e, seq });
        this.bytes += e.bytes;
        n++;
      }
    }
    return n;
  }

  async getInflight(): Promise<InflightBatch | undefined> {
    return this.inflight ? { ...this.inflight } : undefined;
  }

  async setInflight(b: InflightBatch | undefined): Promise<void> {
    this.inflight = b ? { ...b } : undefined;
  }

  async parked(): Promise<ParkedBatch[]> {
    return [...this.parkedBatches.values()];
  }

  async clearParked(): Promise<number> {
    const n = this.parkedBatches.size;
    this.parkedBatches.clear();
    this.parkedBytes = 0;
    return n;
  }

  async stats(): Promise<OutboxStats> {
    return {
      entries: this.entries.size,
      bytes: this.bytes + this.parkedBytes,
      parked: this.parkedBatches.size,
      parkedBytes: this.parkedBytes,
      dropped: structuredClone(this.dropped),
    };
  }

  onDrop(fn: (e: DropEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {}
}

// ------------------------------------------------------------------ IndexedDB

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
