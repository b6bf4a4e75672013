/**
 * `edgewise/storage`: persistence. The time-series store (sampling, retention
 * tiers, roll-ups, queries) and its backends (memory, IndexedDB), the model
 * store of the ML registry and a small key-value store. The only code that
 * touches IndexedDB. Not part of the core bundle: `Metrics.create` (and so
 * `createRuntime`) loads what it needs with import().
 *
 * @module edgewise/storage
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export {
  type EdgewiseTimeSeriesDB,
  IndexedDbBackend,
  type IndexedDbBackendOptions,
  MIGRATIONS,
  type Migration,
  SCHEMA_VERSION,
  type UpgradeTx,
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
  type ModelsDB,
  type ModelWrite,
  type ShadowState,
} from './models';
export type { IdbMigration, IdbUpgradeTx } from './open';
export type { QueryOptions, QueryResult } from './timeseries/query';
export { AGGREGATIONS, type Aggregation, Rollup } from './timeseries/rollup';
export type {
  SampledSeries,
  SampleSink,
  SampleSlot,
  SampleSource,
} from './timeseries/source';
export {
  type StoreEvent,
  TimeSeriesStore,
  type TimeSeriesStoreOptions,
} from './timeseries/store';
export { DEFAULT_TIERS, type TierSpec } from './timeseries/tiers';
export * from './types';
