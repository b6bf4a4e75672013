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
export { toEntries } from './outbox/entries';
export {
  type EdgewiseSyncDB,
  IndexedDbOutbox,
  type IndexedDbOutboxOptions,
  SYNC_SCHEMA_VERSION,
} from './outbox/indexeddb';
export type { AppendResult, DropEvent, Outbox, OutboxOptions } from './outbox/interface';
export { MemoryOutbox } from './outbox/memory';
