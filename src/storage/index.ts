/** Storage backends (the only code that touches IndexedDB). */
export {
  type EdgewiseTimeSeriesDB,
  IndexedDbBackend,
  type IndexedDbBackendOptions,
  MIGRATIONS,
  SCHEMA_VERSION,
} from './indexeddb';
export { type KvStore, openKvStore } from './kv';
export { MemoryBackend, type MemoryBackendOptions } from './memory';
