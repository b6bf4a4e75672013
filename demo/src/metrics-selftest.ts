// Metrics storage self-test page: the browser tests (test/browser) drive it to
// check that data written to real IndexedDB survives a reload and a browser
// restart. Everything runs on a fixed fake clock so results are exact.
import { MetricsRegistry } from '../../src/metrics/index';
import { TimeSeriesStore } from '../../src/metrics/timeseries';
import { IndexedDbBackend } from '../../src/storage/indexeddb';

const T0 = Date.UTC(2026, 0, 1);

interface Api {
  /** Samples `seconds` points (gauge = i, counter += 2) starting after `offset` seconds, then flushes. */
  write(offset: number, seconds: number): Promise<{ series: number }>;
  /** Queries raw `last` values and the 1-minute `count`s over [T0, T0 + seconds]. */
  read(
    seconds: number,
  ): Promise<{ tier: string; last: number[]; counts: number[]; increase: number[] }>;
  stats(): Promise<{ chunks: number; bytes: number; series: number }>;
}

declare global {
  interface Window {
    __metrics?: Api;
  }
}

let now = T0;
const registry = new MetricsRegistry({ now: () => now });
const gauge = registry.gauge('selftest_value', { labelNames: ['k'] }).labels({ k: 'a' });
const counter = registry.counter('selftest_events_total');
const tiers = [
  { name: 'raw', resolutionMs: 0, retentionMs: 365 * 86_400_000, chunkMs: 60_000 },
  { name: '1m', resolutionMs: 60_000, retentionMs: 365 * 86_400_000, chunkMs: 3_600_000 },
];
const open = async () =>
  TimeSeriesStore.open(registry, {
    backend: await IndexedDbBackend.open({ name: 'edgewise-selftest' }),
    intervalMs: 1000,
    tiers,
    now: () => now,
  });

window.__metrics = {
  async write(offset, seconds) {
    const store = await open();
    for (let i = 1; i <= seconds; i++) {
      now = T0 + (offset + i) * 1000;
      gauge.set(offset + i);
      counter.labels({}).value = 2 * (offset + i);
      store.sample(now);
    }
    await store.close();
    return { series: store.memoryStats().series };
  },
  async read(seconds) {
    now = T0 + (seconds + 1) * 1000;
    const store = await open();
    const raw = await store.query('selftest_value', {
      labels: { k: 'a' },
      from: T0,
      to: T0 + (seconds + 1) * 1000,
      step: 1000,
      agg: 'last',
    });
    const m = await store.query('selftest_value', {
      from: T0,
      to: T0 + (seconds + 1) * 1000,
      step: 60_000,
      agg: 'count',
    });
    const inc = await store.query('selftest_events_total', {
      from: T0,
      to: T0 + (seconds + 1) * 1000,
      step: 60_000,
      agg: 'increase',
    });
    await store.close();
    return {
      tier: raw.tier,
      last: Array.from(raw.series[0]?.values ?? []),
      counts: Array.from(m.series[0]?.values ?? []),
      increase: Array.from(inc.series[0]?.values ?? []),
    };
  },
  async stats() {
    const b = await IndexedDbBackend.open({ name: 'edgewise-selftest' });
    const s = await b.stats();
    await b.close();
    return s;
  },
};
document.getElementById('result')!.textContent = 'ready';
