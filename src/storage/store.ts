/**
 * What `Metrics.create` loads with import(): the time-series store and its
 * memory and IndexedDB backends (one lazily loaded chunk).
 */

export { IndexedDbBackend } from './indexeddb';
export { MemoryBackend } from './memory';
export { TimeSeriesStore } from './timeseries/store';
