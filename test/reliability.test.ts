/**
 * Issue #18 findings, each reproduced: background timers never throw into the
 * host, bad outbox records are refused before they can corrupt the queue, and a
 * definite 5xx followed by a 400 is never counted as delivered.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { EdgewiseError } from '../src/errors';
import { EventBus } from '../src/events/index';
import { createRuntime } from '../src/index';
import { MetricsRegistry } from '../src/metrics/registry';
import { ModelRegistry } from '../src/ml/registry';
import { pearson, quantile } from '../src/stats/index';
import { IndexedDbBackend } from '../src/storage/indexeddb';
import { TimeSeriesStore } from '../src/storage/timeseries/store';
import { StreamProcessor } from '../src/stream/index';
import {
  IndexedDbOutbox,
  MemoryOutbox,
  Sender,
  type SeriesRecord,
  type SyncRecord,
  snapshotRegistry,
} from '../src/sync/index';
import { expectCodeAsync } from './helpers/errors';
import { drain, localSender, scriptedFetch, until } from './helpers/sync';

const series = (name: string, labels: Record<string, unknown> = {}): SeriesRecord =>
  ({
    type: 'series',
    name,
    labels,
    kind: 'gauge',
    ts: Float64Array.of(1000, 2000),
    v: Float64Array.of(1, 2),
  }) as SeriesRecord;

describe('background work never throws into the host (#18.1)', () => {
  it('syncs an exponential histogram as an exponential record instead of crashing the timer', async () => {
    const reg = new MetricsRegistry({ now: () => 5000 });
    const h = reg.histogram('latency_seconds', { help: 'l', kind: 'exponential' });
    for (const v of [0.1, 0.2, 0.4, 3]) h.observe(v);
    const recs = snapshotRegistry(reg, 5000);
    expect(recs).toHaveLength(1);
    const r = recs[0] as Extract<SyncRecord, { type: 'exphistogram' }>;
    expect(r.type).toBe('exphistogram');
    expect(r.count).toBe(4);
    expect(r.sum).toBeCloseTo(3.7, 12);
    const bucketTotal =
      r.zeroCount +
      r.positive.counts.reduce((a, b) => a + b, 0) +
      r.negative.counts.reduce((a, b) => a + b, 0);
    expect(bucketTotal).toBe(4);
    expect([r.min, r.max]).toEqual([0.1, 3]);
    // And the outbox accepts it (its validation checks the bucket arrays).
    const ob = new MemoryOutbox();
    await ob.append(recs);
    expect((await ob.stats()).entries).toBe(1);
  });

  it('createRuntime({ sync }) with an exponential histogram keeps running and syncs it', async () => {
    const rt = await createRuntime({
      gpu: 'off',
      metrics: { autoStart: false },
      sync: { outbox: 'memory', metricsEveryMs: 10 },
    });
    rt.metrics.histogram('h_seconds', { help: 'h', kind: 'exponential' }).observe(0.5);
    await until(async () => (await rt.sync!.outbox.stats()).entries > 0);
    const [e] = await rt.sync!.outbox.peek(1e9, 1);
    expect(e.records[0].type).toBe('exphistogram');
    await rt.dispose();
  });

  it('a gauge callback that throws keeps its previous values and is reported; others still expose', () => {
    const reg = new MetricsRegistry();
    let fail = false;
    reg.gauge('temp', {
      help: 't',
      labelNames: ['room'],
      observe: (record) => {
        record(20, { room: 'a' });
        if (fail) throw new Error('sensor gone');
        record(21, { room: 'b' });
      },
    });
    reg.counter('ok', { help: 'o' }).inc(2);
    const errors: unknown[] = [];
    reg.onCallbackError((e) => errors.push(e.error));
    const before = reg.expositionSync();
    expect(before).toContain('temp{room="b"} 21');
    fail = true;
    const after = reg.expositionSync();
    expect(after).toBe(before); // previous values kept, nothing half-applied
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('sensor gone');
    expect(after).toContain('ok_total 2');
  });

  it("a throwing gauge callback does not kill the time-series store's sampling timer", async () => {
    const rt = await createRuntime({ gpu: 'off', metrics: { intervalMs: 5 } });
    let calls = 0;
    rt.metrics.gauge('bad', {
      help: 'b',
      observe: () => {
        calls++;
        throw new Error('boom');
      },
    });
    const reported: unknown[] = [];
    rt.metrics.onCallbackError((e) => reported.push(e.error));
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      await until(() => calls >= 3); // the timer kept firing after the first throw
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(reported.length).toBeGreaterThanOrEqual(3);
    await rt.dispose();
  });
});

describe('outbox validation (#18.3)', () => {
  it('refuses a numeric label value with a typed error and keeps what was queued', async () => {
    for (const ob of [new MemoryOutbox(), await IndexedDbOutbox.open({ name: 'rel-ob-1' })]) {
      await ob.append([series('good')]);
      const before = await ob.stats();
      expect(Number.isFinite(before.bytes)).toBe(true);
      await expectCodeAsync(
        ob.append([series('bad', { i: 5 })]),
        'INVALID_ARGUMENT',
        /label 'i'.*String\(value\)/,
      );
      expect(await ob.stats()).toEqual(before);
      await ob.append([series('later')]);
      const after = await ob.stats();
      expect(after.entries).toBe(2);
      expect(Number.isFinite(after.bytes)).toBe(true);
      await ob.close?.();
    }
  });

  it('refuses histograms whose counts do not match their bounds', async () => {
    const ob = new MemoryOutbox();
    const bad = {
      type: 'histogram',
      name: 'h',
      labels: {},
      ts: 1,
      count: 1,
      sum: 1,
      bounds: [1, 2],
      counts: [1],
    } as SyncRecord;
    await expect(ob.append([bad])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await ob.stats()).entries).toBe(0);
  });
});

describe('delivery accounting (#18.4)', () => {
  const run = async (script: (n: number) => Response | 'throw') => {
    const ob = new MemoryOutbox();
    await ob.append([series('d')]);
    const { f, calls } = scriptedFetch(script);
    const s = localSender(ob, f, { retry: { baseMs: 2, maxMs: 5 } });
    await drain(s, ob, async () => (await ob.stats()).entries === 0 && calls.length >= 2);
    return { stats: s.stats, parked: await ob.parked() };
  };

  it('a 503 then a 400 "out of bounds" parks the batch: nothing was stored, nothing counted sent', async () => {
    const r = await run((n) =>
      n === 0
        ? new Response('busy', { status: 503 })
        : new Response('out of bounds', { status: 400 }),
    );
    expect(r.stats).toMatchObject({ duplicates: 0, pointsSent: 0, parked: 1 });
    expect(r.parked).toHaveLength(1);
  });

  it('a 503 then a 400 "out of order sample" also parks: the 503 was a definite answer', async () => {
    const r = await run((n) =>
      n === 0
        ? new Response('busy', { status: 503 })
        : new Response('out of order sample', { status: 400 }),
    );
    expect(r.stats).toMatchObject({ duplicates: 0, pointsSent: 0, parked: 1 });
  });

  it('a lost answer (network error) then "out of order sample" is a delivered duplicate', async () => {
    const r = await run((n) =>
      n === 0 ? 'throw' : new Response('out of order sample', { status: 400 }),
    );
    expect(r.stats).toMatchObject({ duplicates: 1, pointsSent: 2, parked: 0 });
  });
});

describe('two writers on one database (#18.5)', () => {
  const S = 1000;
  const tab = async (name: string, metric: string, label: string) => {
    let now = 1_700_000_000_000;
    const reg = new MetricsRegistry({ now: () => now });
    const g = reg.gauge(metric, { help: 'g', labelNames: ['tab'] });
    const store = await TimeSeriesStore.open(reg, {
      backend: await IndexedDbBackend.open({ name }),
      intervalMs: S,
      now: () => now,
    });
    const write = async (values: number[]) => {
      for (const v of values) {
        g.set({ tab: label }, v);
        store.sample(now);
        now += S;
      }
      await store.flush();
    };
    return { store, write, at: () => now };
  };

  for (const same of [false, true]) {
    it(`two stores opened before either writes keep both series (${same ? 'same' : 'different'} metric)`, async () => {
      const db = `rel-two-tabs-${same}`;
      const a = await tab(db, 'temp', 'a');
      const b = await tab(db, same ? 'temp' : 'load', 'b');
      await a.write([1, 2, 3]);
      await b.write([10, 20, 30]);
      await a.write([4]);
      await b.write([40]);
      await a.store.close();
      await b.store.close();
      // Reopen (a reload): both tabs' series are there with all their points.
      const reg = new MetricsRegistry();
      const store = await TimeSeriesStore.open(reg, {
        backend: await IndexedDbBackend.open({ name: db }),
        intervalMs: S,
        now: a.at,
      });
      const from = 1_700_000_000_000 - S;
      const to = a.at() + S;
      const qa = await store.query('temp', {
        labels: { tab: 'a' },
        from,
        to,
        step: S,
        agg: 'last',
      });
      const qb = await store.query(same ? 'temp' : 'load', {
        labels: { tab: 'b' },
        from,
        to,
        step: S,
        agg: 'last',
      });
      expect(qa.series).toHaveLength(1);
      expect(qb.series).toHaveLength(1);
      expect([...qa.series[0].values].filter(Number.isFinite)).toEqual([1, 2, 3, 4]);
      expect([...qb.series[0].values].filter(Number.isFinite)).toEqual([10, 20, 30, 40]);
      await store.close();
    });
  }
});

describe('two model registries on one database (#18.5)', () => {
  it('registering at once in two registries gives distinct versions; no model is lost', async () => {
    const a = await ModelRegistry.open({ name: 'rel-models' });
    const b = await ModelRegistry.open({ name: 'rel-models' });
    const bytes = (i: number) => Uint8Array.from({ length: 64 }, (_, j) => (i * 31 + j) & 255);
    const recs = await Promise.all([
      a.register('cpu', bytes(1), { format: 'onnx' }),
      b.register('cpu', bytes(2), { format: 'onnx' }),
      a.register('cpu', bytes(3), { format: 'onnx' }),
      b.register('cpu', bytes(4), { format: 'onnx' }),
    ]);
    expect(recs.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    const c = await ModelRegistry.open({ name: 'rel-models' });
    for (const [i, r] of recs.entries()) {
      expect([...(await c.load('cpu', { version: r.version })).bytes]).toEqual([...bytes(i + 1)]);
    }
  });

  it('import refuses a record whose version is not an integer, and stores nothing', async () => {
    const src = await ModelRegistry.open({ storage: 'memory' });
    await src.register('m', Uint8Array.of(1, 2, 3), { format: 'onnx' });
    const doc = JSON.parse(new TextDecoder().decode(await src.export()));
    doc.models[0].record.version = 'x';
    const dst = await ModelRegistry.open({ storage: 'memory' });
    await expect(dst.import(new TextEncoder().encode(JSON.stringify(doc)))).rejects.toMatchObject({
      code: 'CORRUPT_STATE',
    });
    expect(await dst.list()).toEqual([]);
    const rec = await dst.register('m', Uint8Array.of(4), { format: 'onnx' });
    expect(rec.version).toBe(1);
  });
});

describe('IndexedDB opens never hang (#18.11)', () => {
  it('an open blocked by a foreign connection fails with a typed error; our own old connection never blocks', async () => {
    // Our own older connection closes itself when a newer schema needs the database.
    const old = await IndexedDbBackend.open({ name: 'rel-blocked-own', version: 1 });
    const upgraded = await IndexedDbBackend.open({
      name: 'rel-blocked-own',
      blockedTimeoutMs: 200,
    });
    expect(upgraded.version).toBeGreaterThan(1);
    expect(old).toBeDefined();
    // A connection that ignores versionchange (another app's code) blocks: typed error, no hang.
    const foreign = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('rel-blocked-foreign', 1);
      r.onupgradeneeded = () => {
        const db = r.result;
        db.createObjectStore('series', { keyPath: 'id' }).createIndex('by-key', 'key', {
          unique: true,
        });
        db.createObjectStore('chunks', { keyPath: ['tier', 'series', 'start'] }).createIndex(
          'by-tier-end',
          ['tier', 'end'],
        );
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const t0 = Date.now();
    await expect(
      IndexedDbBackend.open({ name: 'rel-blocked-foreign', blockedTimeoutMs: 150 }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE', message: /blocked by another tab/ });
    expect(Date.now() - t0).toBeLessThan(5000);
    foreign.close();
    // Once the other connection is gone the database opens and upgrades normally.
    const again = await IndexedDbBackend.open({ name: 'rel-blocked-foreign' });
    expect(again.version).toBeGreaterThan(1);
  });
});

describe('damaged stored data (#18.11)', () => {
  it('a damaged open chunk costs that series its open chunk, not the store', async () => {
    const name = 'rel-damaged';
    let now = 1_700_000_000_000;
    const reg = new MetricsRegistry({ now: () => now });
    const g = reg.gauge('t', { help: 't', labelNames: ['k'] });
    const store = await TimeSeriesStore.open(reg, {
      backend: await IndexedDbBackend.open({ name }),
      intervalMs: 1000,
      now: () => now,
    });
    for (let i = 0; i < 5; i++) {
      g.set({ k: 'a' }, i);
      g.set({ k: 'b' }, 10 + i);
      store.sample(now);
      now += 1000;
    }
    await store.close();
    // Another piece of code damages series a's open raw chunk.
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => {
        const db = r.result;
        const tx = db.transaction('chunks', 'readwrite');
        const os = tx.objectStore('chunks');
        const cur = os.openCursor();
        let done = false;
        cur.onsuccess = () => {
          const c = cur.result;
          if (!c || done) return;
          const v = c.value as { tier: number; cols: unknown };
          if (v.tier === 0) {
            done = true;
            c.update({ ...v, cols: { ts: 'garbage' } });
          } else c.continue();
        };
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
      r.onerror = () => reject(r.error);
    });
    const reg2 = new MetricsRegistry({ now: () => now });
    const again = await TimeSeriesStore.open(reg2, {
      backend: await IndexedDbBackend.open({ name }),
      intervalMs: 1000,
      now: () => now,
    });
    expect(again.damaged).toHaveLength(1);
    const from = 1_700_000_000_000 - 1000;
    const q = await again.query('t', { from, to: now + 1000, step: 1000, agg: 'last' });
    const byK = new Map(q.series.map((s) => [s.labels.k, [...s.values].filter(Number.isFinite)]));
    // One of the two series lost its (damaged) open chunk; the other is intact.
    const lens = [...byK.values()].map((v) => v.length).sort();
    expect(lens).toEqual([0, 5]);
    await again.close();
  });
});

describe('sync secrets and Retry-After (#18.7, #18.13)', () => {
  it('credentials in the endpoint never reach messages, events or lock names', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('d')]);
    const endpoint = 'https://user:s3cret@metrics.example.com/api/v1/write?api_key=k3y';
    const { f } = scriptedFetch((n) =>
      n === 0 ? new Response('busy', { status: 503 }) : new Response('no', { status: 400 }),
    );
    const s = localSender(ob, f, { endpoint, retry: { baseMs: 2, maxMs: 5 } });
    const seen: string[] = [];
    s.on((e) => seen.push(JSON.stringify(e, (_k, v) => (v instanceof Error ? v.message : v))));
    s.start();
    await until(async () => (await ob.parked()).length === 1);
    await s.stop();
    const all = [...seen, ...(await ob.parked()).map((p) => JSON.stringify(p)), s.where].join('\n');
    expect(all).toContain('metrics.example.com');
    expect(all).not.toMatch(/s3cret|k3y|user:/);
  });

  it('refuses a bearer token over plain http to a non-local host', () => {
    const make = (endpoint: string, extra = {}) =>
      new Sender({
        endpoint,
        outbox: new MemoryOutbox(),
        bearerToken: 't',
        lock: 'none',
        ...extra,
      });
    expect(() => make('http://metrics.example.com/w')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/https/),
      }),
    );
    expect(() => make('http://127.0.0.1:9090/w')).not.toThrow();
    expect(() => make('https://metrics.example.com/w')).not.toThrow();
    expect(() => make('http://metrics.example.com/w', { allowInsecureAuth: true })).not.toThrow();
  });

  it('Retry-After: 0 on a 503 storm still backs off (bounded request rate)', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('d')]);
    const { f, calls } = scriptedFetch(
      () => new Response('busy', { status: 503, headers: { 'Retry-After': '0' } }),
    );
    const s = localSender(ob, f, { retry: { baseMs: 50, maxMs: 200 } });
    s.start();
    await new Promise((r) => setTimeout(r, 500));
    await s.stop();
    // At least 50 ms between requests: no more than ~10 in 500 ms (was hundreds).
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.length).toBeLessThanOrEqual(11);
  });
});

describe('refused batches (#18.7)', () => {
  // A backend that refuses any request containing the metric 'bad' (JSON lines bodies).
  const picky = () => {
    const bodies: string[] = [];
    const f = (async (_url: string, init: RequestInit) => {
      const body = String(init.body);
      bodies.push(body);
      return body.includes('"name":"bad"')
        ? new Response('invalid metric name', { status: 400 })
        : new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    return { f, bodies };
  };

  it('one bad entry is isolated: the good entries of its batch are delivered, only it is parked', async () => {
    const ob = new MemoryOutbox();
    for (const n of ['a', 'b', 'bad', 'c', 'd']) await ob.append([series(n)]);
    const { f, bodies } = picky();
    const s = localSender(ob, f, { exporter: 'jsonl' });
    await drain(s, ob);
    const delivered = bodies
      .filter((b) => !b.includes('"name":"bad"'))
      .flatMap((b) => b.trim().split('\n'))
      .map((l) => JSON.parse(l).name);
    expect([...new Set(delivered)].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(s.stats.pointsSent).toBe(8); // 4 good series x 2 points, none lost
    const parked = await ob.parked();
    expect(parked).toHaveLength(1);
    expect(parked[0].entries.map((e) => e.records[0].name)).toEqual(['bad']);
    expect(s.stats.splits).toBeGreaterThan(0);
  });

  it('401/403 keep the batch and retry until the credentials work', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('x')]);
    const { f, calls } = scriptedFetch((n) =>
      n < 2 ? new Response('forbidden', { status: n === 0 ? 401 : 403 }) : new Response(null),
    );
    const s = localSender(ob, f, { retry: { baseMs: 2, maxMs: 5 } });
    await drain(s, ob);
    expect(calls.length).toBe(3);
    expect(s.stats).toMatchObject({ parked: 0, pointsSent: 2 });
    expect(await ob.parked()).toEqual([]);
  });

  it('parked data counts in stats.bytes and the cap, and can be retried', async () => {
    for (const ob of [new MemoryOutbox(), await IndexedDbOutbox.open({ name: 'rel-parked' })]) {
      await ob.append([series('p1')]);
      const [e] = await ob.peek(1e9, 1);
      await ob.park({ key: 'k1', first: e.seq, last: e.seq, status: 400, reason: 'no', at: 1 });
      const st = await ob.stats();
      expect(st).toMatchObject({ entries: 0, parked: 1, parkedBytes: e.bytes, bytes: e.bytes });
      expect(await ob.retryParked()).toBe(1);
      expect(await ob.stats()).toMatchObject({ entries: 1, parked: 0, parkedBytes: 0 });
      const [again] = await ob.peek(1e9, 1);
      expect(again.records[0].name).toBe('p1');
      await ob.close();
    }
    // The cap: parked data is dropped first (oldest first), and counted.
    const ob = new MemoryOutbox({ maxBytes: 600, maxEntryBytes: 256 });
    await ob.append([series('old')]);
    const [old] = await ob.peek(1e9, 1);
    await ob.park({ key: 'k', first: old.seq, last: old.seq, status: 400, reason: 'no', at: 1 });
    for (let i = 0; i < 12; i++) await ob.append([series(`n${i}`)]);
    const st = await ob.stats();
    expect(st.bytes).toBeLessThanOrEqual(600);
    expect(st.parked).toBe(0);
    expect(st.dropped.sample.entries).toBeGreaterThanOrEqual(1);
  });
});

describe('values of the wrong type (#18.12)', () => {
  it('counter/gauge/updown amounts must be numbers: "5" is refused, nothing changes', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c', { help: 'h' });
    const g = r.gauge('g', { help: 'g' });
    const u = r.upDownCounter('u', { help: 'u' });
    c.inc(2);
    for (const f of [
      () => c.inc('5' as never),
      () => c.labels({}).inc('5' as never),
      () => g.labels({}).inc('5' as never),
      () => g.labels({}).dec('5' as never),
      () => u.labels({}).add('5' as never),
    ]) {
      expect(f).toThrow(EdgewiseError);
    }
    const text = r.expositionSync();
    expect(text).toContain('c_total 2\n');
    expect(text).toMatch(/\ng 0\n/);
    expect(text).toMatch(/\nu 0\n/);
  });

  it('statistics refuse ±Infinity with a typed error naming the position', () => {
    expect(() => quantile([1, Number.POSITIVE_INFINITY], 0.5)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/x\[1\]/),
      }),
    );
    expect(() => pearson([1, 2, 3], [1, Number.NEGATIVE_INFINITY, 2])).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/y\[1\]/),
      }),
    );
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe('stream callbacks never break the stream (#18: no callback of ours throws into the host)', () => {
  it('an onResult that throws is reported on the bus error topic; every window still fires', async () => {
    const bus = new EventBus();
    const errors: unknown[] = [];
    bus.on('error', (e) => {
      errors.push(e);
    });
    const seen: number[] = [];
    const p = new StreamProcessor({
      window: { type: 'tumbling', size: 10 },
      bus,
      onResult: (r) => {
        seen.push(r.start);
        if (r.start === 10) throw new Error('consumer bug');
      },
    });
    for (const t of [1, 12, 25, 37]) p.push({ timestamp: t, value: t, key: 'k' });
    p.flush();
    await bus.flush();
    expect(seen).toEqual([0, 10, 20, 30]);
    expect(p.stats.callbackErrors).toBe(1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as { source: string; error: Error }).error.message).toBe('consumer bug');
  });
});
