// Metrics storage self-test page: the browser tests (test/browser) drive it to
// check that data written to real IndexedDB survives a reload and a browser
// restart. Everything runs on a fixed fake clock so results are exact.
import { Metrics } from '../../src/metrics/index';
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
const tiers = [
  { name: 'raw', resolutionMs: 0, retentionMs: 365 * 86_400_000, chunkMs: 60_000 },
  { name: '1m', resolutionMs: 60_000, retentionMs: 365 * 86_400_000, chunkMs: 3_600_000 },
];
// What rt.metrics is with createRuntime({ storage: 'indexeddb' }), on a fake clock.
const open = async () => {
  const m = await Metrics.create({
    storage: 'indexeddb',
    dbName: 'edgewise-selftest',
    intervalMs: 1000,
    tiers,
    now: () => now,
    autoStart: false,
  });
  return {
    m,
    gauge: m.gauge('selftest_value', { labelNames: ['k'] }).labels({ k: 'a' }),
    counter: m.counter('selftest_events_total').labels({}),
  };
};

window.__metrics = {
  async write(offset, seconds) {
    const { m, gauge, counter } = await open();
    for (let i = 1; i <= seconds; i++) {
      now = T0 + (offset + i) * 1000;
      gauge.set(offset + i);
      counter.value = 2 * (offset + i);
      m.sample(now);
    }
    await m.close();
    return { series: m.store.memoryStats().series };
  },
  async read(seconds) {
    now = T0 + (seconds + 1) * 1000;
    const { m: store } = await open();
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
