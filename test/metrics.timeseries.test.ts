/**
 * Time-series retention: roll-ups against a direct computation from the raw
 * samples, roll-up of roll-ups, tier choice, persistence through IndexedDB
 * (fake-indexeddb) with schema migrations, expiry, quota eviction, and a
 * simulated week-long kiosk run with bounded memory and storage.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/metrics/index';
import { IndexedDbBackend } from '../src/storage/indexeddb';
import { MemoryBackend } from '../src/storage/memory';
import { type StoreEvent, TimeSeriesStore } from '../src/storage/timeseries/store';
import type { TierSpec } from '../src/storage/timeseries/tiers';
import { expectCodeAsync } from './helpers/errors';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

/** Small tiers so a few simulated hours exercise all three. */
const TIERS: TierSpec[] = [
  { name: 'raw', resolutionMs: 0, retentionMs: 10 * MIN, chunkMs: 5 * MIN },
  { name: '1m', resolutionMs: MIN, retentionMs: HOUR, chunkMs: 15 * MIN, sketch: true },
  { name: '1h', resolutionMs: HOUR, retentionMs: 30 * DAY, chunkMs: 6 * HOUR, sketch: true },
];

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

interface Sim {
  now: () => number;
  reg: MetricsRegistry;
  /** Every sample: [t, gauge value, counter value]. */
  samples: [number, number, number][];
  step(store: TimeSeriesStore, seconds: number): Promise<void>;
}

function sim(start = T0): Sim {
  let now = start;
  const reg = new MetricsRegistry({ now: () => now });
  const g = reg
    .gauge('temp_celsius', { unit: 'celsius', labelNames: ['room'] })
    .labels({ room: 'a' });
  const c = reg.counter('events_total', { labelNames: ['room'] }).labels({ room: 'a' });
  const rnd = lcg(7);
  const samples: [number, number, number][] = [];
  return {
    now: () => now,
    reg,
    samples,
    async step(store, seconds) {
      for (let i = 0; i < seconds; i++) {
        now += S;
        g.set(20 + 5 * Math.sin(now / 600_000) + rnd());
        // A counter reset every ~50 min exercises the reset rule.
        if (Math.floor(now / S) % 3000 === 0) c.value = 0;
        else c.inc(Math.floor(rnd() * 10));
        store.sample(now);
        samples.push([now, g.value, c.value]);
        if (i % 120 === 119) await store.flush();
      }
    },
  };
}

/** Reference per bucket straight from the raw samples (two-pass mean/variance). */
function reference(
  samples: [number, number, number][],
  from: number,
  to: number,
  width: number,
  col: 1 | 2,
) {
  const n = Math.ceil((to - from) / width);
  const out = Array.from({ length: n }, () => ({ xs: [] as number[], incs: [] as number[] }));
  let prev = Number.NaN;
  for (const s of samples) {
    const v = s[col];
    const inc = Number.isNaN(prev) ? 0 : v >= prev ? v - prev : v;
    prev = v;
    if (s[0] < from || s[0] >= to) continue;
    const b = out[Math.floor((s[0] - from) / width)];
    b.xs.push(v);
    b.incs.push(inc);
  }
  return out.map(({ xs, incs }) => {
    if (!xs.length) return null;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    return {
      count: xs.length,
      mean,
      std: Math.sqrt(variance),
      min: Math.min(...xs),
      max: Math.max(...xs),
      sum: xs.reduce((a, b) => a + b, 0),
      first: xs[0],
      last: xs[xs.length - 1],
      increase: incs.reduce((a, b) => a + b, 0),
    };
  });
}

const close = (a: number, b: number, rel = 1e-9) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

async function checkAgainstReference(
  store: TimeSeriesStore,
  samples: [number, number, number][],
  from: number,
  to: number,
  step: number,
  tier: string,
) {
  const aggs = ['mean', 'min', 'max', 'sum', 'count', 'first', 'last', 'stddev'] as const;
  const ref = reference(samples, from, to, step, 1);
  for (const agg of aggs) {
    const q = await store.query('temp_celsius', { labels: { room: 'a' }, from, to, step, agg });
    expect(q.tier).toBe(tier);
    expect(q.series.length).toBe(1);
    const v = q.series[0].values;
    expect(v.length).toBe(ref.length);
    ref.forEach((r, i) => {
      if (!r) {
        expect(agg === 'count' ? v[i] === 0 : Number.isNaN(v[i])).toBe(true);
        return;
      }
      const want = {
        mean: r.mean,
        min: r.min,
        max: r.max,
        sum: r.sum,
        count: r.count,
        first: r.first,
        last: r.last,
        stddev: r.std,
      }[agg];
      close(v[i], want, agg === 'stddev' ? 1e-7 : 1e-9);
    });
  }
  // Quantiles: exact on raw; within the sketch's 1% relative accuracy on roll-ups.
  const bins = Array.from({ length: ref.length }, () => [] as number[]);
  for (const [t, v] of samples)
    if (t >= from && t < to) bins[Math.floor((t - from) / step)].push(v);
  for (const [agg, q] of [
    ['p50', 0.5],
    ['p90', 0.9],
    ['p99', 0.99],
  ] as const) {
    const got = (await store.query('temp_celsius', { from, to, step, agg })).series[0].values;
    bins.forEach((b, i) => {
      if (!b.length) {
        expect(Number.isNaN(got[i])).toBe(true);
        return;
      }
      const want = [...b].sort((x, y) => x - y)[Math.floor(q * (b.length - 1))];
      if (tier === 'raw') expect(got[i]).toBe(want);
      else expect(Math.abs(got[i] - want) / want).toBeLessThanOrEqual(0.01);
    });
  }
  const cref = reference(samples, from, to, step, 2);
  const inc = await store.query('events_total', { from, to, step, agg: 'increase' });
  const rate = await store.query('events_total', { from, to, step, agg: 'rate' });
  cref.forEach((r, i) => {
    if (!r) return;
    expect(inc.series[0].values[i]).toBe(r.increase);
    close(rate.series[0].values[i], r.increase / (step / 1000));
  });
}

describe('TimeSeriesStore roll-ups', () => {
  it('every tier matches the raw samples; roll-up of roll-ups equals roll-up of raw', async () => {
    const s = sim();
    const store = await TimeSeriesStore.open(s.reg, { tiers: TIERS, intervalMs: S });
    await s.step(store, 3 * 3600 + 1234); // includes partial (open) buckets at the end
    const now = s.now();
    // Raw tier: last 10 minutes, step = 1 s and 30 s.
    await checkAgainstReference(store, s.samples, now - 9 * MIN, now + 1, S, 'raw');
    await checkAgainstReference(store, s.samples, now - 9 * MIN, now + 1, 30 * S, 'raw');
    // 1-minute tier (from inside its 1 h retention, before raw's 10 min).
    const m0 = Math.floor((now - 50 * MIN) / MIN) * MIN;
    await checkAgainstReference(store, s.samples, m0, now + 1, MIN, '1m');
    await checkAgainstReference(store, s.samples, m0, now + 1, 10 * MIN, '1m');
    // 1-hour tier, fed by closed 1-minute buckets, compared with the raw data directly.
    await checkAgainstReference(store, s.samples, T0, now + 1, HOUR, '1h');
    await checkAgainstReference(store, s.samples, T0, now + 1, 2 * HOUR, '1h');
  });

  it('tier choice: finest tier whose retention covers `from`', async () => {
    const s = sim();
    const store = await TimeSeriesStore.open(s.reg, { tiers: TIERS, intervalMs: S });
    await s.step(store, 10);
    const now = s.now();
    expect(store.tierFor(now - 5 * MIN)).toBe(0);
    expect(store.tierFor(now - 30 * MIN)).toBe(1);
    expect(store.tierFor(now - 2 * DAY)).toBe(2);
    expect(store.tierFor(now - 365 * DAY)).toBe(2);
    const q = await store.query('temp_celsius', { from: now - 5 * S, to: now + 1 });
    expect(q.step).toBe(S);
    expect(Array.from(q.timestamps)).toEqual([0, 1, 2, 3, 4, 5].map((i) => now - 5 * S + i * S));
  });

  it('default tiers: sketches only on the 1 h tier; quantile queries fall through to it', async () => {
    const s = sim();
    const store = await TimeSeriesStore.open(s.reg, { intervalMs: S });
    await s.step(store, 2 * 3600 + 100);
    const now = s.now();
    const from = T0;
    const mean = await store.query('temp_celsius', { from, to: now + 1, step: HOUR });
    expect(mean.tier).toBe('1m');
    const p99 = await store.query('temp_celsius', { from, to: now + 1, step: HOUR, agg: 'p99' });
    expect(p99.tier).toBe('1h');
    const bins = [0, 1, 2].map((h) =>
      s.samples.filter(([t]) => t >= T0 + h * HOUR && t < T0 + (h + 1) * HOUR).map((x) => x[1]),
    );
    bins.forEach((b, i) => {
      const want = [...b].sort((x, y) => x - y)[Math.floor(0.99 * (b.length - 1))];
      expect(Math.abs(p99.series[0].values[i] - want) / want).toBeLessThanOrEqual(0.01);
    });
    const none = await TimeSeriesStore.open(s.reg, { intervalMs: S, sketches: false });
    await expect(
      none.query('temp_celsius', { from, to: now, step: HOUR, agg: 'p99' }),
    ).rejects.toThrow(/sketch/);
  });

  it('summaries: observations roll up as distributions (moments + sketch per bucket)', async () => {
    let now = T0;
    const reg = new MetricsRegistry({ now: () => now });
    const sm = reg.summary('rpc_seconds', { labelNames: ['m'] }).labels({ m: 'get' });
    const store = await TimeSeriesStore.open(reg, { tiers: TIERS, intervalMs: S });
    const rnd = lcg(11);
    const obs: [number, number][] = [];
    for (let i = 0; i < 2 * 3600 + 300; i++) {
      now += S;
      const k = Math.floor(rnd() * 5); // 0..4 observations per second
      for (let j = 0; j < k; j++) {
        const v = Math.exp(4 * rnd());
        sm.observe(v);
        obs.push([now, v]);
      }
      store.sample(now);
      if (i % 600 === 599) await store.flush();
    }
    for (const [from, step, tier] of [
      [T0 + 70 * MIN, MIN, '1m'],
      [T0, HOUR, '1h'],
    ] as const) {
      const to = now + 1;
      const n = Math.ceil((to - from) / step);
      const bins = Array.from({ length: n }, () => [] as number[]);
      for (const [t, v] of obs)
        if (t >= from && t < to) bins[Math.floor((t - from) / step)].push(v);
      const count = await store.query('rpc_seconds', { from, to, step, agg: 'count' });
      const mean = await store.query('rpc_seconds', { from, to, step, agg: 'mean' });
      const p99 = await store.query('rpc_seconds', { from, to, step, agg: 'p99' });
      expect(count.tier).toBe(tier);
      bins.forEach((b, i) => {
        expect(count.series[0].values[i]).toBe(b.length);
        if (!b.length) return;
        close(mean.series[0].values[i], b.reduce((x, y) => x + y, 0) / b.length);
        const want = [...b].sort((x, y) => x - y)[Math.floor(0.99 * (b.length - 1))];
        expect(Math.abs(p99.series[0].values[i] - want) / want).toBeLessThanOrEqual(0.01);
      });
    }
    // _count is sampled as a counter too.
    const c = await store.query('rpc_seconds_count', {
      from: T0,
      to: now + 1,
      step: 3 * HOUR,
      agg: 'last',
    });
    expect(c.series[0].values[0]).toBe(obs.length);
  });

  it('histograms are sampled as _sum and _count; labels filter series', async () => {
    let now = T0;
    const reg = new MetricsRegistry({ now: () => now });
    const h = reg.histogram('lat_seconds', { labelNames: ['r'], buckets: [1] });
    const store = await TimeSeriesStore.open(reg, { tiers: TIERS, intervalMs: S });
    for (let i = 0; i < 10; i++) {
      now += S;
      h.observe({ r: 'x' }, 0.5);
      h.observe({ r: 'y' }, 2);
      store.sample();
    }
    const q = await store.query('lat_seconds_count', {
      from: T0,
      to: now + 1,
      step: 20 * S,
      agg: 'last',
    });
    expect(q.series.map((x) => [x.labels.r, x.values[0]])).toEqual([
      ['x', 10],
      ['y', 10],
    ]);
    const y = await store.query('lat_seconds_sum', {
      labels: { r: 'y' },
      from: T0,
      to: now + 1,
      step: 20 * S,
      agg: 'increase',
    });
    expect(y.series.length).toBe(1);
    expect(y.series[0].values[0]).toBe(18); // 10 samples of a counter going 2, 4, ..., 20
  });

  it('rejects bad queries and tier specs with INVALID_ARGUMENT', async () => {
    const s = sim();
    const store = await TimeSeriesStore.open(s.reg, { tiers: TIERS, intervalMs: S });
    await expectCodeAsync(store.query('temp_celsius', { from: 10, to: 5 }), 'INVALID_ARGUMENT');
    await expectCodeAsync(
      store.query('temp_celsius', { from: 0, to: 5, step: 0 }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(
      store.query('temp_celsius', { from: 0, to: 1e9, step: 1 }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(
      store.query('temp_celsius', { agg: 'median' as 'mean' }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(
      TimeSeriesStore.open(s.reg, { tiers: [{ name: 'x', resolutionMs: 5, retentionMs: 1 }] }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(
      TimeSeriesStore.open(s.reg, {
        tiers: [
          TIERS[0],
          { name: '7s', resolutionMs: 7 * S, retentionMs: HOUR },
          { name: '10s', resolutionMs: 10 * S, retentionMs: DAY },
        ],
      }),
      'INVALID_ARGUMENT',
    );
    await expectCodeAsync(TimeSeriesStore.open(s.reg, { intervalMs: 0 }), 'INVALID_ARGUMENT');
  });
});

describe('persistence and retention', () => {
  it('IndexedDB (fake-indexeddb): a restarted store resumes exactly where it left off', async () => {
    const name = `ew-resume-${Math.random()}`;
    // Uninterrupted reference run on the memory backend.
    const a = sim();
    const ref = await TimeSeriesStore.open(a.reg, { tiers: TIERS, intervalMs: S });
    await a.step(ref, 5000);
    // Same data, with a restart (new registry object, new store, reopened DB) in the middle.
    const b = sim();
    const db1 = await IndexedDbBackend.open({ name });
    const s1 = await TimeSeriesStore.open(b.reg, { tiers: TIERS, intervalMs: S, backend: db1 });
    await b.step(s1, 2777);
    await s1.close();
    const db2 = await IndexedDbBackend.open({ name });
    const s2 = await TimeSeriesStore.open(b.reg, { tiers: TIERS, intervalMs: S, backend: db2 });
    // The restored store serves the data written before the restart.
    const early = await s2.query('temp_celsius', {
      from: b.now() - 5 * MIN,
      to: b.now() + 1,
      agg: 'last',
    });
    expect(early.series[0].values.at(-1)).toBe(b.samples.at(-1)![1]);
    // Counter continuity: the counter object is the same, so keep going.
    await b.step(s2, 5000 - 2777);
    await s2.flush();
    const now = b.now();
    for (const [from, step] of [
      [now - 9 * MIN, S],
      [Math.floor((now - 50 * MIN) / MIN) * MIN, MIN],
      [T0, HOUR],
    ]) {
      for (const agg of ['mean', 'max', 'count', 'last', 'p50', 'p99'] as const) {
        const x = await ref.query('temp_celsius', { from, to: now + 1, step, agg });
        const y = await s2.query('temp_celsius', { from, to: now + 1, step, agg });
        expect(y.tier).toBe(x.tier);
        expect(Array.from(y.series[0].values)).toEqual(Array.from(x.series[0].values));
      }
      const x = await ref.query('events_total', { from, to: now + 1, step, agg: 'increase' });
      const y = await s2.query('events_total', { from, to: now + 1, step, agg: 'increase' });
      expect(Array.from(y.series[0].values)).toEqual(Array.from(x.series[0].values));
    }
    await s2.close();
  });

  it('schema migrations: a v1 database upgrades to the latest version keeping its data', async () => {
    const name = `ew-migrate-${Math.random()}`;
    const v1 = await IndexedDbBackend.open({ name, version: 1 });
    expect(v1.version).toBe(1);
    await v1.write({
      series: [{ id: 1, key: 'k', name: 'm', kind: 'gauge', labels: {} }],
      chunks: [
        {
          tier: 0,
          series: 1,
          start: 0,
          end: 100,
          cols: { ts: new Float64Array([1, 2]), v: new Float64Array([3, 4]) },
        },
      ],
    });
    await v1.close();
    const v2 = await IndexedDbBackend.open({ name });
    expect(v2.version).toBe(2);
    expect((await v2.listSeries()).map((x) => x.name)).toEqual(['m']);
    const [c] = await v2.readChunks(0, 1, 0, 100);
    expect(Array.from(c.cols.v)).toEqual([3, 4]);
    // v2 added the eviction index and the cursor store.
    expect((await v2.evictOldest(0, 1)).deleted).toBe(1);
    expect(await v2.listCursors()).toEqual([]);
    await v2.close();
    await expectCodeAsync(IndexedDbBackend.open({ name, version: 9 }), 'UNSUPPORTED_VERSION');
  });

  it('expired chunks are deleted on schedule and on open', async () => {
    const mem = new MemoryBackend();
    const name = `ew-exp-${Math.random()}`;
    for (const open of [async () => mem, () => IndexedDbBackend.open({ name })]) {
      const backend = await open();
      const s = sim();
      const events: StoreEvent[] = [];
      const store = await TimeSeriesStore.open(s.reg, { tiers: TIERS, intervalMs: S, backend });
      store.on((e) => events.push(e));
      await s.step(store, 2 * 3600);
      await store.flush();
      const raw = await backend.readChunks(0, 1, 0, Number.POSITIVE_INFINITY);
      // Raw keeps at most retention + one chunk span.
      expect(Math.min(...raw.map((c) => c.end))).toBeGreaterThan(s.now() - 10 * MIN);
      const oneMin = await backend.readChunks(1, 1, 0, Number.POSITIVE_INFINITY);
      expect(Math.min(...oneMin.map((c) => c.end))).toBeGreaterThan(s.now() - HOUR);
      expect(events.some((e) => e.type === 'expired' && e.tier === 'raw')).toBe(true);
      // Time passes while closed: opening deletes what expired meanwhile.
      await store.close();
      const later = s.now() + 2 * HOUR;
      const r2 = new MetricsRegistry({ now: () => later });
      const b2 = await open();
      const reopened = await TimeSeriesStore.open(r2, { tiers: TIERS, intervalMs: S, backend: b2 });
      expect(await b2.readChunks(0, 1, 0, Number.POSITIVE_INFINITY)).toEqual([]);
      expect(await b2.readChunks(1, 1, 0, Number.POSITIVE_INFINITY)).toEqual([]);
      expect((await b2.readChunks(2, 1, 0, Number.POSITIVE_INFINITY)).length).toBeGreaterThan(0);
      await reopened.close();
    }
  });

  it('on QuotaExceeded the oldest raw data is evicted first, reported, and nothing newer is lost', async () => {
    const backend = new MemoryBackend();
    const s = sim();
    const events: StoreEvent[] = [];
    const store = await TimeSeriesStore.open(s.reg, { tiers: TIERS, intervalMs: S, backend });
    store.on((e) => events.push(e));
    await s.step(store, 20 * 60);
    await store.flush();
    const before = await backend.stats();
    backend.quotaBytes = before.bytes + 1000; // the disk is nearly full
    await s.step(store, 6 * 60);
    await store.flush();
    const ev = events.filter((e) => e.type === 'evicted');
    expect(ev.length).toBeGreaterThan(0);
    expect(ev.every((e) => e.type === 'evicted' && e.tier === 'raw')).toBe(true);
    expect((await backend.stats()).bytes).toBeLessThanOrEqual(backend.quotaBytes);
    // Roll-ups are intact, and the newest raw data is all there.
    const now = s.now();
    const q = await store.query('temp_celsius', {
      from: now - 3 * MIN,
      to: now + 1,
      step: S,
      agg: 'last',
    });
    const want = s.samples.filter(([t]) => t >= now - 3 * MIN);
    expect(Array.from(q.series[0].values).filter((x) => !Number.isNaN(x))).toEqual(
      want.map((x) => x[1]),
    );
    const m = await store.query('temp_celsius', { from: T0, to: now + 1, step: MIN, agg: 'count' });
    const full = Math.floor((now - T0) / MIN) - 1;
    expect(
      Array.from(m.series[0].values)
        .slice(1, full)
        .every((c) => c === 60),
    ).toBe(true);
  });
});

describe('IndexedDB quota errors', () => {
  it('a QuotaExceededError from IndexedDB becomes QUOTA_EXCEEDED and triggers raw eviction', async () => {
    const backend = await IndexedDbBackend.open({ name: `ew-quota-${Math.random()}` });
    const s = sim();
    const store = await TimeSeriesStore.open(s.reg, { tiers: TIERS, intervalMs: S, backend });
    const events: StoreEvent[] = [];
    store.on((e) => events.push(e));
    await s.step(store, 15 * 60);
    await store.flush();
    // The next write fails once the way a full disk does in a browser.
    const db = (backend as unknown as { db: { transaction: (...a: unknown[]) => unknown } }).db;
    const real = db.transaction.bind(db);
    let fail = 1;
    db.transaction = (...a: unknown[]) => {
      if (a[1] === 'readwrite' && Array.isArray(a[0]) && fail-- > 0) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return real(...a);
    };
    await s.step(store, 60);
    await store.flush();
    const ev = events.filter((e) => e.type === 'evicted');
    expect(ev.length).toBe(1);
    expect(ev[0].type === 'evicted' && ev[0].tier).toBe('raw');
    const now = s.now();
    const q = await store.query('temp_celsius', {
      from: now - 60 * S,
      to: now + 1,
      step: S,
      agg: 'last',
    });
    expect(Array.from(q.series[0].values).filter((x) => !Number.isNaN(x)).length).toBe(61);
    fail = 1;
    await expectCodeAsync(backend.write({ series: [], chunks: [] }), 'QUOTA_EXCEEDED');
    db.transaction = real;
    await store.close();
  });
});

describe('a kiosk running for a week', () => {
  it('7 days at 1 s for 100 series: memory and storage stay within the retention bound', async () => {
    let now = T0;
    const reg = new MetricsRegistry({ now: () => now });
    const g = reg.gauge('sensor', { labelNames: ['id'] });
    const hs = Array.from({ length: 100 }, (_, i) => g.labels({ id: String(i) }));
    const backend = new MemoryBackend();
    const store = await TimeSeriesStore.open(reg, {
      backend,
      intervalMs: S,
      flushIntervalMs: 15 * MIN,
    });
    const mem: number[] = [];
    const stored: number[] = [];
    const heap: number[] = [];
    for (let day = 0; day < 7; day++) {
      for (let sec = 0; sec < 86_400; sec++) {
        now += S;
        for (let i = 0; i < 100; i++) hs[i].value = ((sec * 31 + i * 17) % 1000) / 10;
        store.sample(now);
        if (sec % 900 === 899) await store.flush();
      }
      mem.push(store.memoryStats().bufferedBytes);
      stored.push((await backend.stats()).bytes);
      heap.push(process.memoryUsage().heapUsed);
    }
    // Buffers: one open chunk per series per tier (the 1 h tier's holds up to 24
    // bucket sketches of ~2.8 KB here) plus one live sketch, the same every day.
    expect(new Set(mem).size).toBe(1);
    expect(mem[0]).toBeLessThan(100 * 100e3);
    expect(store.memoryStats().pendingChunks).toBe(0);
    // Storage bound from the default tiers (raw 1 h in 5 min chunks of 16 B points,
    // 1 min for 7 d in 1 h chunks and 1 h for 90 d in 1 d chunks, 80 B per bucket,
    // plus at most 4 KB of sketch per 1 h bucket: these values span 0..100, about 350
    // buckets at 1%), each tier holding at most retention + one chunk.
    const bound =
      100 * ((90 * DAY + DAY) / HOUR) * 4096 +
      100 *
        (((HOUR + 5 * MIN) / S) * 16 +
          ((7 * DAY + HOUR) / MIN) * 80 +
          ((90 * DAY + DAY) / HOUR) * 80);
    for (const b of stored) expect(b).toBeLessThanOrEqual(bound);
    // Raw data stopped growing after the first hour.
    const rawChunks = (await backend.readChunks(0, 1, 0, Number.POSITIVE_INFINITY)).length;
    expect(rawChunks).toBeLessThanOrEqual(13);
    // Heap does not grow with run time beyond what the retained roll-ups need (~10 MB/day here).
    expect(heap[6] - heap[1]).toBeLessThan(120e6);
    const q = await store.query('sensor', {
      from: now - 6 * DAY,
      to: now,
      step: DAY,
      agg: 'count',
    });
    expect(q.tier).toBe('1m');
    expect(q.series.length).toBe(100);
    expect(Array.from(q.series[0].values)).toEqual(Array(6).fill(86_400));
  }, 240_000); // 60 M samples: a load test of the bound, not a speed test (speed lives in npm run bench)
});
