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
export {
  IndexedDbModelStore,
  type IndexedDbModelStoreOptions,
  MemoryModelStore,
  MODEL_MIGRATIONS,
  MODEL_SCHEMA_VERSION,
  type ModelRecord,
  type ModelStage,
  type ModelStoreBackend,
  type ModelWrite,
  type ShadowState,
} from './models';
export * from './types';
