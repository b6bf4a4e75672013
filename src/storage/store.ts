/**
 * What `Metrics.create` loads with import(): the time-series store and its
 * memory and IndexedDB backends (one lazily loaded chunk).
 */
export { TimeSeriesStore } from '../metrics/timeseries';
export { IndexedDbBackend } from './indexeddb';
export { MemoryBackend } from './memory';
