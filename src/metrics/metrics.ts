/**
 * `rt.metrics`: a MetricsRegistry with its time-series store attached
 * (sampling, retention tiers, queries) over IndexedDB or memory.
 *
 * The store and its backends are the storage part (`edgewise/storage`): they
 * load with import() when `Metrics.create` runs, so a page that only uses the
 * registry and exposition does not download them.
 */
import { EdgewiseError } from '../errors';
import type { QueryOptions, QueryResult } from '../storage/timeseries/query';
import type { StoreEvent, TimeSeriesStore } from '../storage/timeseries/store';
import type { TierSpec } from '../storage/timeseries/tiers';
import type { TimeSeriesBackend } from '../storage/types';
import { MetricsRegistry, type RegistryOptions } from './registry';

/** Options of `Metrics.create`: the registry's options plus its time-series store. */
export interface MetricsOptions extends RegistryOptions {
  /** Where samples persist: 'memory' (default in Node), 'indexeddb', or a backend instance. */
  storage?: 'memory' | 'indexeddb' | TimeSeriesBackend;
  /** IndexedDB database name (default 'edgewise-metrics'). */
  dbName?: string;
  /** Sampling interval (default 10 s). */
  intervalMs?: number;
  /** Flush interval (default 10 s). */
  flushIntervalMs?: number;
  /** Retention tiers (default raw 1 h, 1 min for 7 d, 1 h for 90 d). */
  tiers?: readonly TierSpec[];
  /** Start the sampling and flush timers (default true). */
  autoStart?: boolean;
}

/**
 * A `MetricsRegistry` with a time-series store: every series is sampled into retention tiers
 * (IndexedDB in browsers) and can be queried. `rt.metrics` of `createRuntime` is one.
 *
 * @example
 * ```ts
 * const metrics = await Metrics.create({ storage: 'memory' });
 * metrics.gauge('temperature_celsius').set(21.5);
 * const q = await metrics.query('temperature_celsius', { from: Date.now() - 3_600_000 });
 * await metrics.close();
 * ```
 */
export class Metrics extends MetricsRegistry {
  /** The time-series store (set by `Metrics.create`). */
  store!: TimeSeriesStore;

  static async create(options: MetricsOptions = {}): Promise<Metrics> {
    const m = new Metrics(options);
    const s = options.storage ?? 'memory';
    const custom = typeof s === 'object' && s !== null && typeof s.write === 'function';
    if (s !== 'memory' && s !== 'indexeddb' && !custom) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `metrics: storage must be 'memory', 'indexeddb' or a TimeSeriesBackend, got ${String(s)}.`,
      );
    }
    const { IndexedDbBackend, MemoryBackend, TimeSeriesStore } = await import('../storage/store');
    const backend: TimeSeriesBackend =
      s === 'memory'
        ? new MemoryBackend()
        : s === 'indexeddb'
          ? await IndexedDbBackend.open({ name: options.dbName })
          : (s as TimeSeriesBackend);
    m.store = await TimeSeriesStore.open(m, {
      backend,
      intervalMs: options.intervalMs,
      flushIntervalMs: options.flushIntervalMs,
      tiers: options.tiers,
    });
    if (options.autoStart ?? true) m.store.start();
    return m;
  }

  /** Columnar time series of `name` from the finest tier covering the range. */
  query(name: string, options?: QueryOptions): Promise<QueryResult> {
    return this.store.query(name, options);
  }

  /** Samples every metric now (also done every `intervalMs` once started). */
  sample(t?: number): void {
    this.store.sample(t);
  }

  /** Writes buffered samples now. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  /** Storage events: 'evicted' (quota), 'expired' (retention), 'error'. */
  onStore(fn: (e: StoreEvent) => void): () => void {
    return this.store.on(fn);
  }

  /** Stops the timers, flushes and closes the storage. */
  close(): Promise<void> {
    return this.store.close();
  }
}
