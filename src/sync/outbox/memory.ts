/** An `Outbox` in memory (Node, tests), with the same semantics as the IndexedDB one. */
import type {
  EntryKind,
  InflightBatch,
  OutboxEntry,
  OutboxStats,
  ParkedBatch,
  SyncRecord,
} from '../types';
import { checkOptions, DROP_ORDER, emptyDrops, entryPoints, toEntries } from './entries';
import type { AppendResult, DropEvent, Outbox, OutboxOptions } from './interface';

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
