/** What every outbox backend is: the `Outbox` interface, its options and its drop events. */
import type {
  EntryKind,
  InflightBatch,
  OutboxEntry,
  OutboxStats,
  ParkedBatch,
  SyncRecord,
} from '../types';

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
