// Metrics storage self-test page: the browser tests (test/browser) drive it to
// check that data written to real IndexedDB survives a reload and a browser
// restart. Everything runs on a fixed fake clock so results are exact.
import { Metrics } from 'edgewise/metrics';
import { ModelRegistry } from 'edgewise/ml';
import { IndexedDbBackend } from 'edgewise/storage';

const T0 = Date.UTC(2026, 0, 1);

interface Api {
  /** Samples `seconds` points (gauge = i, counter += 2) starting after `offset` seconds, then flushes. */
  write(offset: number, seconds: number): Promise<{ series: number }>;
  /** Queries raw `last` values and the 1-minute `count`s over [T0, T0 + seconds]. */
  read(
    seconds: number,
  ): Promise<{ tier: string; last: number[]; counts: number[]; increase: number[] }>;
  stats(): Promise<{ chunks: number; bytes: number; series: number }>;
  /**
   * Two tabs: opens a store on the shared database 'edgewise-two-tabs' now and
   * returns a writer that samples `n` values of `tab_value{tab=<tab>}` and flushes.
   */
  openTab(tab: string): Promise<void>;
  writeTab(tab: string, n: number): Promise<void>;
  /** Every tab's values in the shared database (read by a fresh store). */
  readTabs(n: number): Promise<Record<string, number[]>>;
  /** Registers `n` models named 'shared' in the shared model registry; returns the versions. */
  registerModels(tag: number, n: number): Promise<number[]>;
  /** Every version of 'shared' with the first byte of its (verified) bytes. */
  readModels(): Promise<[number, number][]>;
  /**
   * Same series from several tabs: opens a store on 'edgewise-two-tabs-same'
   * and returns the writer slot it holds.
   */
  openSame(tab: string): Promise<number>;
  /**
   * Samples `same_value{room="hall"}` at T0 + i s + `offsetMs` for i in
   * [from, to), value i + offsetMs / 1000, flushing every `every` samples.
   */
  writeSame(tab: string, from: number, to: number, offsetMs: number, every: number): Promise<void>;
  /**
   * A store opened now on the shared database: its writer slot, raw per-step
   * counts and sums over [T0, T0 + seconds) in `stepMs` steps, and the
   * per-minute counts and sums of the 1-minute tier.
   */
  readSame(
    seconds: number,
    stepMs: number,
  ): Promise<{
    slot: number;
    count: number[];
    sum: number[];
    minCount: number[];
    minSum: number[];
  }>;
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

const base: Pick<Api, 'write' | 'read' | 'stats'> = {
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
const tabs = new Map<string, Awaited<ReturnType<typeof Metrics.create>>>();
const openShared = () =>
  Metrics.create({
    storage: 'indexeddb',
    dbName: 'edgewise-two-tabs',
    intervalMs: 1000,
    tiers,
    now: () => now,
    autoStart: false,
  });
const openTab = async (tab: string): Promise<void> => {
  tabs.set(tab, await openShared());
};
const writeTab = async (tab: string, n: number): Promise<void> => {
  const m = tabs.get(tab)!;
  const g = m.gauge('tab_value', { labelNames: ['tab'] }).labels({ tab });
  for (let i = 1; i <= n; i++) {
    now = T0 + i * 1000;
    g.set(i);
    m.sample(now);
  }
  await m.flush();
};
const readTabs = async (n: number): Promise<Record<string, number[]>> => {
  now = T0 + (n + 1) * 1000;
  const m = await openShared();
  const q = await m.query('tab_value', { from: T0, to: now, step: 1000, agg: 'last' });
  await m.close();
  return Object.fromEntries(
    q.series.map((s) => [s.labels.tab, Array.from(s.values).filter(Number.isFinite)]),
  );
};
const registerModels = async (tag: number, n: number): Promise<number[]> => {
  const reg = await ModelRegistry.open({ name: 'edgewise-two-tabs-models' });
  const out = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      reg.register('shared', Uint8Array.of(tag, i, 1, 2, 3), { format: 'onnx' }),
    ),
  );
  return out.map((r) => r.version);
};
const readModels = async (): Promise<[number, number][]> => {
  const reg = await ModelRegistry.open({ name: 'edgewise-two-tabs-models' });
  const out: [number, number][] = [];
  for (const r of await reg.list('shared')) {
    out.push([r.version, (await reg.load('shared', { version: r.version })).bytes[0]]);
  }
  return out;
};
/** A tab's view of the same-series database (its own store and writer slot). */
const openSameDb = () =>
  Metrics.create({
    storage: 'indexeddb',
    dbName: 'edgewise-two-tabs-same',
    intervalMs: 1000,
    tiers,
    now: () => now,
    autoStart: false,
  });
const openSame = async (tab: string): Promise<number> => {
  const m = await openSameDb();
  tabs.set(tab, m);
  return m.store.writerSlot;
};
const writeSame = async (
  tab: string,
  from: number,
  to: number,
  offsetMs: number,
  every: number,
): Promise<void> => {
  const m = tabs.get(tab)!;
  const g = m.gauge('same_value', { labelNames: ['room'] }).labels({ room: 'hall' });
  for (let i = from; i < to; i++) {
    now = T0 + i * 1000 + offsetMs;
    g.set(i + offsetMs / 1000);
    m.sample(now);
    if ((i + 1) % every === 0) await m.flush();
  }
  await m.flush();
};
const readSame = async (seconds: number, stepMs: number) => {
  now = T0 + seconds * 1000;
  const m = await openSameDb();
  const to = T0 + seconds * 1000;
  const q = (agg: 'count' | 'sum', step: number) =>
    m
      .query('same_value', { from: T0, to, step, agg })
      .then((r) => (r.series.length === 1 ? Array.from(r.series[0].values) : []));
  const [count, sum] = [await q('count', stepMs), await q('sum', stepMs)];
  // The 1-minute tier: a clock past the raw tier's retention.
  now = T0 + 366 * 86_400_000;
  const [minCount, minSum] = [await q('count', 60_000), await q('sum', 60_000)];
  now = T0 + seconds * 1000;
  const slot = m.store.writerSlot;
  await m.close();
  return { slot, count, sum, minCount, minSum };
};
window.__metrics = {
  ...base,
  openTab,
  writeTab,
  readTabs,
  registerModels,
  readModels,
  openSame,
  writeSame,
  readSame,
};
document.getElementById('result')!.textContent = 'ready';
