/**
 * Sync unit tests (no real backend): remote-write protobuf and snappy, backoff
 * and Retry-After, the outbox (memory and IndexedDB via fake-indexeddb: seq
 * order, splitting, the size-cap policy, resume after reopen), the sender
 * against a scripted fetch (retries, 4xx parking, idempotency keys, offline,
 * token hygiene), the BroadcastChannel election, and the model downlink.
 */
import 'fake-indexeddb/auto';
import { uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../src/index';
import { ModelRegistry } from '../src/ml/registry';
import {
  backoffDelay,
  decodeWriteRequest,
  encodeWriteRequest,
  IndexedDbOutbox,
  isRetryableStatus,
  MemoryOutbox,
  ModelDownlink,
  type Outbox,
  parseRetryAfter,
  registerCandidate,
  remoteWriteExporter,
  Sender,
  type SeriesRecord,
  Sync,
  type SyncEvent,
  sha256Hex,
} from '../src/sync/index';
import { drain, LOCAL_ENDPOINT, localSender, scriptedFetch, until } from './helpers/sync';

const series = (
  name: string,
  t0: number,
  n: number,
  labels: Record<string, string> = {},
): SeriesRecord => ({
  type: 'series',
  name,
  labels,
  kind: 'gauge',
  ts: Float64Array.from({ length: n }, (_, i) => t0 + i * 1000),
  v: Float64Array.from({ length: n }, (_, i) => i * 0.5),
});

describe('remote write encoding', () => {
  it('round-trips WriteRequest protobuf, including negative and zero timestamps', () => {
    const req = [
      {
        labels: [
          ['__name__', 'x'],
          ['job', 'é✓'],
        ] as [string, string][],
        ts: [0, 1_700_000_000_123, -5],
        v: [1.5, Number.NaN, -0],
      },
      { labels: [['__name__', 'y']] as [string, string][], ts: [2 ** 40], v: [1e300] },
    ];
    const out = decodeWriteRequest(encodeWriteRequest(req));
    expect(out.length).toBe(2);
    expect(out[0].labels).toEqual(req[0].labels);
    expect(out[0].ts).toEqual([0, 1_700_000_000_123, -5]);
    expect(Number.isNaN(out[0].v[1])).toBe(true);
    expect(Object.is(out[0].v[2], -0)).toBe(true);
    expect(out[1]).toEqual({ labels: req[1].labels, ts: [2 ** 40], v: [1e300] });
  });

  it('matches hand-encoded bytes for a tiny request', () => {
    // WriteRequest{timeseries:[{labels:[{name:"a",value:"b"}],samples:[{value:1,timestamp:2}]}]}
    const bytes = encodeWriteRequest([{ labels: [['a', 'b']], ts: [2], v: [1] }]);
    const sample = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x02];
    const label = [0x0a, 1, 0x61, 0x12, 1, 0x62];
    const ts = [0x0a, label.length, ...label, 0x12, sample.length, ...sample];
    expect([...bytes]).toEqual([0x0a, ts.length, ...ts]);
  });

  it('snappy-compresses, sorts labels and sets the remote-write headers', () => {
    const enc = remoteWriteExporter().encode([series('m', 1000, 3, { z: '1', a: '2' })], 'k1');
    expect(enc.headers).toMatchObject({
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'Idempotency-Key': 'k1',
    });
    const dec = decodeWriteRequest(uncompress(enc.body as Uint8Array));
    expect(dec[0].labels).toEqual([
      ['__name__', 'm'],
      ['a', '2'],
      ['z', '1'],
    ]);
    expect(dec[0].ts).toEqual([1000, 2000, 3000]);
    expect(enc.points).toBe(3);
  });

  it('expands explicit histograms to cumulative le buckets, _sum and _count', () => {
    const enc = remoteWriteExporter().encode(
      [
        {
          type: 'histogram',
          name: 'h',
          labels: {},
          ts: 5000,
          count: 6,
          sum: 9,
          bounds: [1, 2.5],
          counts: [1, 2, 3],
        },
      ],
      'k',
    );
    const dec = decodeWriteRequest(uncompress(enc.body as Uint8Array));
    const m = Object.fromEntries(
      dec.map((s) => [s.labels.map((l) => l.join('=')).join(','), s.v[0]]),
    );
    expect(m).toEqual({
      '__name__=h_bucket,le=1.0': 1,
      '__name__=h_bucket,le=2.5': 3,
      '__name__=h_bucket,le=+Inf': 6,
      '__name__=h_sum': 9,
      '__name__=h_count': 6,
    });
  });
});

describe('backoff', () => {
  it('full jitter stays within [0, min(max, base * 2^n)) and caps at max', () => {
    const o = { baseMs: 100, maxMs: 1000 };
    for (let n = 0; n < 8; n++) {
      expect(backoffDelay(n, o, () => 0)).toBe(0);
      expect(backoffDelay(n, o, () => 0.999999)).toBe(
        Math.floor(0.999999 * Math.min(1000, 100 * 2 ** n)),
      );
    }
    expect(backoffDelay(60, o, () => 0.5)).toBe(500);
  });
  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2025 00:00:05 GMT', now)).toBe(0);
  });
  it('retries 408, 429 and 5xx only', () => {
    expect([400, 401, 403, 404, 408, 413, 429, 500, 503].map(isRetryableStatus)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      true,
      true,
      true,
    ]);
  });
});

let dbn = 0;
const outboxes: [string, (o?: { maxBytes?: number; maxEntryBytes?: number }) => Promise<Outbox>][] =
  [
    ['memory', async (o) => new MemoryOutbox(o)],
    ['indexeddb', async (o) => IndexedDbOutbox.open({ ...o, name: `ob-${dbn++}` })],
  ];

describe.each(outboxes)('outbox (%s)', (_, open) => {
  it('keeps append order, splits long series, deletes only what was acknowledged', async () => {
    const ob = await open({ maxEntryBytes: 1024 });
    const r1 = await ob.append([series('a', 0, 200)]);
    expect(r1.seqs.length).toBeGreaterThan(3);
    const r2 = await ob.append([series('b', 0, 2)], 'rollup');
    const all = [...r1.seqs, ...r2.seqs];
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    const head = await ob.peek(2048, 100);
    expect(head[0].seq).toBe(all[0]);
    expect(head.reduce((s, e) => s + e.bytes, 0)).toBeLessThanOrEqual(2048);
    let points = 0;
    for (const e of await ob.range(all[0], all[all.length - 1]))
      for (const r of e.records) points += (r as SeriesRecord).ts.length;
    expect(points).toBe(202);
    await ob.ack(head[0].seq, head[head.length - 1].seq);
    const s = await ob.stats();
    expect(s.entries).toBe(all.length - head.length);
    expect((await ob.peek(1e9, 1000))[0].seq).toBe(head[head.length - 1].seq + 1);
    await ob.close();
  });

  it('size cap drops the oldest raw samples first, then events, never roll-ups, and reports it', async () => {
    const ob = await open({ maxBytes: 3000, maxEntryBytes: 1000 });
    const drops: unknown[] = [];
    ob.onDrop((d) => drops.push(d));
    await ob.append([series('roll', 0, 30)], 'rollup');
    await ob.append([{ type: 'event', name: 'anomaly', labels: {}, ts: 1, value: 3 }], 'event');
    const first = await ob.append([series('raw', 0, 60)]);
    expect(first.dropped).toEqual([]);
    const second = await ob.append([series('raw', 60_000, 60)]);
    expect(second.dropped[0].kind).toBe('sample');
    const s = await ob.stats();
    expect(s.bytes).toBeLessThanOrEqual(3000);
    expect(s.dropped.sample.samples).toBeGreaterThan(0);
    expect(s.dropped.rollup.entries).toBe(0);
    const left = await ob.peek(1e9, 1000);
    expect(left.some((e) => e.kind === 'rollup')).toBe(true);
    // The oldest raw entries went first: what is left of 'raw' is its newest points.
    const rawTs = left.flatMap((e) =>
      e.records.flatMap((r) => (r.name === 'raw' ? [...(r as SeriesRecord).ts] : [])),
    );
    expect(rawTs[rawTs.length - 1]).toBe(119_000);
    expect(Math.min(...rawTs)).toBeGreaterThan(0);
    // Only roll-ups over the cap: they are kept.
    await ob.append([series('roll2', 0, 400)], 'rollup');
    const after = await ob.stats();
    expect(after.dropped.event.entries).toBe(1);
    expect((await ob.peek(1e9, 1000)).filter((e) => e.kind === 'rollup').length).toBeGreaterThan(1);
    expect(drops.length).toBeGreaterThanOrEqual(2);
    await ob.close();
  });

  it('rejects bad records and leaves the outbox unchanged', async () => {
    const ob = await open();
    await ob.append([series('ok', 0, 2)]);
    const bad = { ...series('bad', 0, 2), v: new Float64Array(1) };
    await expect(ob.append([series('x', 0, 1), bad])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      ob.append([{ ...series('y', 0, 1), ts: Float64Array.of(Number.NaN) }]),
    ).rejects.toThrow(/non-finite/);
    expect((await ob.stats()).entries).toBe(1);
    await ob.close();
  });
});

describe('IndexedDB outbox durability', () => {
  it('resumes after reopen: entries, in-flight batch and drop counts survive', async () => {
    const name = `ob-resume-${dbn++}`;
    let ob = await IndexedDbOutbox.open({ name, maxBytes: 3000, maxEntryBytes: 600 });
    await ob.append([series('a', 0, 100)]);
    const head = await ob.peek(1000, 10);
    await ob.setInflight({
      first: head[0].seq,
      last: head[head.length - 1].seq,
      key: 'k',
      attempts: 1,
    });
    const before = await ob.stats();
    await ob.close();
    ob = await IndexedDbOutbox.open({ name, maxBytes: 3000, maxEntryBytes: 600 });
    expect(await ob.stats()).toEqual(before);
    expect(await ob.getInflight()).toEqual({
      first: head[0].seq,
      last: head[head.length - 1].seq,
      key: 'k',
      attempts: 1,
    });
    const next = await ob.append([series('a', 200_000, 1)]);
    expect(next.seqs[0]).toBeGreaterThan(head[head.length - 1].seq);
    await ob.close();
  });
});

// ------------------------------------------------------------------ sender with a scripted fetch

describe('sender', () => {
  it('retries network errors, 500 and 503 (Retry-After honoured) with the same key, then acks', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('s', 0, 10)]);
    const { f, calls } = scriptedFetch((n) =>
      n === 0
        ? 'throw'
        : n === 1
          ? new Response('boom', { status: 500 })
          : n === 2
            ? new Response('busy', { status: 503, headers: { 'Retry-After': '1' } })
            : new Response(null, { status: 204 }),
    );
    const events: SyncEvent[] = [];
    const s = localSender(ob, f, { retry: { baseMs: 20, maxMs: 100 }, pollMs: 20 });
    s.on((e) => events.push(e));
    await drain(s, ob);
    expect(calls.length).toBe(4);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    const retries = events.filter((e) => e.type === 'retry') as Extract<
      SyncEvent,
      { type: 'retry' }
    >[];
    expect(retries.map((r) => r.reason)).toEqual(['network: fetch failed', 'HTTP 500', 'HTTP 503']);
    expect(retries[2].delayMs).toBe(1000);
    expect(retries[0].delayMs).toBeLessThan(20);
    expect(s.stats).toMatchObject({
      requests: 4,
      failures: 3,
      retries: 3,
      batchesSent: 1,
      pointsSent: 10,
    });
  });

  it('parks a batch rejected with 400 (no retry) and carries on with the next', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('bad', 0, 2)]);
    const { f, calls } = scriptedFetch((n) =>
      n === 0
        ? new Response('invalid labels', { status: 400 })
        : new Response(null, { status: 200 }),
    );
    const s = localSender(ob, f, { maxBatchEntries: 1, pollMs: 20 });
    const parked: SyncEvent[] = [];
    s.on((e) => e.type === 'parked' && parked.push(e));
    s.start();
    await until(() => parked.length === 1);
    await ob.append([series('good', 0, 2)]);
    s.notify();
    await until(() => calls.length === 2);
    await until(async () => (await ob.stats()).entries === 0);
    await s.stop();
    const p = parked[0] as Extract<SyncEvent, { type: 'parked' }>;
    expect(p.error.code).toBe('SYNC_REJECTED');
    expect(p.error.message).toMatch(/HTTP 400: invalid labels/);
    const pk = await ob.parked();
    expect(pk.length).toBe(1);
    expect(pk[0].entries[0].records[0].name).toBe('bad');
    expect(s.stats.retries).toBe(0);
  });

  it('treats a duplicate rejection of a re-sent remote-write batch as delivered', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('d', 0, 2)]);
    const { f, calls } = scriptedFetch((n) =>
      n === 0 ? 'throw' : new Response('out of order sample', { status: 400 }),
    );
    const s = localSender(ob, f, { retry: { baseMs: 5, maxMs: 10 } });
    await drain(s, ob);
    expect(calls.length).toBe(2);
    expect(s.stats).toMatchObject({ duplicates: 1, parked: 0, pointsSent: 2 });
    expect((await ob.parked()).length).toBe(0);
  });

  it('keeps batches under maxBatchBytes and sends the bearer token without storing it', async () => {
    const ob = await IndexedDbOutbox.open({ name: `ob-tok-${dbn++}`, maxEntryBytes: 2000 });
    await ob.append([series('big', 0, 3000, { host: 'h1' })]);
    const { f, calls } = scriptedFetch(() => new Response(null, { status: 200 }));
    const s = localSender(ob, f, { bearerToken: 'sekret-token', maxBatchBytes: 8192 });
    await drain(s, ob);
    expect(calls.length).toBeGreaterThan(3);
    let n = 0;
    for (const c of calls) {
      expect(c.auth).toBe('Bearer sekret-token');
      expect(c.body.length).toBeLessThanOrEqual(8192);
      n += decodeWriteRequest(uncompress(c.body)).reduce((a, x) => a + x.ts.length, 0);
    }
    expect(n).toBe(3000);
    // Nothing in the database mentions the token.
    await ob.setInflight({ first: 1, last: 1, key: 'x', attempts: 0 });
    const dump = JSON.stringify([await ob.stats(), await ob.getInflight(), await ob.parked()]);
    expect(dump).not.toContain('sekret');
    await ob.close();
  });

  it('pauses while navigator.onLine is false and resumes on online', async () => {
    const ob = new MemoryOutbox();
    await ob.append([series('o', 0, 1)]);
    const nav = { onLine: false };
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
    try {
      const { f, calls } = scriptedFetch(() => new Response(null, { status: 200 }));
      const s = localSender(ob, f);
      const ev: string[] = [];
      s.on((e) => ev.push(e.type));
      s.start();
      await new Promise((r) => setTimeout(r, 150));
      expect(calls.length).toBe(0);
      nav.onLine = true;
      // Browsers fire 'online' on window; Node has no such event, the sender also polls.
      (globalThis as { dispatchEvent?: (e: Event) => boolean }).dispatchEvent?.(
        new Event('online'),
      );
      await until(async () => (await ob.stats()).entries === 0);
      await s.stop();
      expect(calls.length).toBe(1);
      expect(ev).toContain('offline');
      expect(ev).toContain('online');
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('rejects bad options', () => {
    const ob = new MemoryOutbox();
    expect(() => new Sender({ endpoint: 'ftp://x', outbox: ob })).toThrow(/http\(s\) URL/);
    expect(
      () => new Sender({ endpoint: 'http://x', outbox: ob, exporter: 'csv' as 'otlp' }),
    ).toThrow(/exporter/);
    expect(() => new Sender({ endpoint: 'http://x', outbox: ob, maxBatchBytes: 10 })).toThrow(
      /maxBatchBytes/,
    );
  });

  it('BroadcastChannel fallback: several senders on one outbox, only one sends at a time', async () => {
    const ob = new MemoryOutbox({ maxEntryBytes: 300 });
    let inFlight = 0;
    let overlap = 0;
    const seen: string[] = [];
    const f = (async (_u: string, init: RequestInit) => {
      inFlight++;
      if (inFlight > 1) overlap++;
      seen.push(new Headers(init.headers).get('idempotency-key')!);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    // Same lock name for all three.
    const name = `bc-${dbn++}`;
    const group = [0, 1, 2].map(
      () =>
        new Sender({
          endpoint: LOCAL_ENDPOINT,
          outbox: ob,
          fetch: f,
          lock: 'broadcast',
          lockName: name,
          pollMs: 10,
        }),
    );
    for (const s of group) s.start();
    for (let i = 0; i < 5; i++) await ob.append([series('bc', i * 100_000, 40)]);
    await until(async () => (await ob.stats()).entries === 0, 15_000);
    const leaders = group.filter((s) => s.isLeader).length;
    await Promise.all(group.map((s) => s.stop()));
    expect(leaders).toBe(1);
    expect(overlap).toBe(0);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('Sync with OTLP', () => {
  it('keeps every OTLP JSON body under 64 KiB', async () => {
    const { f, calls } = scriptedFetch(() => new Response(null, { status: 200 }));
    const sync = await Sync.create({
      outbox: 'memory',
      endpoint: 'http://127.0.0.1:1/v1/metrics',
      exporter: 'otlp',
      fetch: f,
      lock: 'none',
    });
    await sync.append([series('otlp_big', 0, 5000, { host: 'h' })]);
    await sync.drained(20_000);
    await sync.close();
    let points = 0;
    for (const c of calls) {
      const body = c.body as unknown as string;
      expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(65536);
      points +=
        JSON.parse(body).resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints.length;
    }
    expect(points).toBe(5000);
  });
});

describe('model downlink', () => {
  const model = new TextEncoder().encode('onnx-bytes-v1');
  it('verifies SHA-256 before handing a candidate over, uses If-None-Match, refuses tampered bytes', async () => {
    const sha = await sha256Hex(model);
    let tamper = false;
    const seenInm: (string | null)[] = [];
    const f = (async (_u: string, init: RequestInit) => {
      const inm = new Headers(init.headers).get('if-none-match');
      seenInm.push(inm);
      if (inm === '"v1"' && !tamper) return new Response(null, { status: 304 });
      const body = tamper ? new TextEncoder().encode('onnx-bytes-v2!') : model;
      return new Response(body, {
        status: 200,
        headers: { ETag: tamper ? '"v2"' : '"v1"', 'X-Content-SHA256': sha },
      });
    }) as unknown as typeof fetch;
    const got: string[] = [];
    const d = new ModelDownlink({
      url: 'http://127.0.0.1:1/model',
      fetch: f,
      onCandidate: (u) => void got.push(u.sha256),
    });
    expect(await d.poll()).toBe('updated');
    expect(await d.poll()).toBe('not-modified');
    expect(seenInm).toEqual([null, '"v1"']);
    tamper = true;
    await expect(d.poll()).rejects.toMatchObject({ code: 'INTEGRITY' });
    expect(got).toEqual([sha]);
    expect(d.currentEtag).toBe('"v1"');
    // Digest header form (base64), and a response with no digest at all.
    const b64 = Buffer.from(sha, 'hex').toString('base64');
    const d2 = new ModelDownlink({
      url: 'http://127.0.0.1:1/m',
      fetch: (async () =>
        new Response(model, { headers: { Digest: `sha-256=${b64}` } })) as unknown as typeof fetch,
      onCandidate: (u) => void got.push(u.sha256),
    });
    expect(await d2.poll()).toBe('updated');
    const d3 = new ModelDownlink({
      url: 'http://127.0.0.1:1/m',
      fetch: (async () => new Response(model)) as unknown as typeof fetch,
      onCandidate: () => {},
    });
    await expect(d3.poll()).rejects.toThrow(/announces no SHA-256/);
  });
});

describe('model downlink into the ml ModelRegistry', () => {
  it('registers verified bytes as a candidate version; tampered bytes never reach the registry', async () => {
    const bytes = new TextEncoder().encode('pretend-onnx-model');
    const sha = await sha256Hex(bytes);
    let body = bytes;
    const f = (async () =>
      new Response(body, {
        headers: { 'X-Content-SHA256': sha, ETag: `"${body.length}"` },
      })) as unknown as typeof fetch;
    const registry = await ModelRegistry.open({ storage: 'memory' });
    const d = new ModelDownlink({
      url: 'http://127.0.0.1:1/m',
      fetch: f,
      onCandidate: registerCandidate(registry, 'detector'),
    });
    expect(await d.poll()).toBe('updated');
    const [rec] = await registry.list('detector');
    expect(rec).toMatchObject({ version: 1, stage: 'candidate', sha256: sha, format: 'onnx' });
    body = new TextEncoder().encode('pretend-onnx-model-TAMPERED');
    await expect(d.poll()).rejects.toMatchObject({ code: 'INTEGRITY' });
    expect((await registry.list('detector')).length).toBe(1);
  });
});

describe('createRuntime({ sync })', () => {
  /** A runtime without GPU, metric timer or endpoint, syncing into a memory outbox. */
  const localRuntime = (events?: string[]) =>
    createRuntime({
      gpu: 'off',
      metrics: { autoStart: false },
      sync: { outbox: 'memory', metricsEveryMs: 0, ...(events ? { events } : {}) },
    });
  /** The outbox entries once the bus has delivered what was emitted. */
  const outboxAfterEmit = async (rt: Awaited<ReturnType<typeof createRuntime>>) => {
    await new Promise((r) => setTimeout(r, 20));
    return rt.sync!.outbox.peek(1e9, 10);
  };

  it('without an endpoint keeps records local and sends nothing', async () => {
    const rt = await localRuntime();
    expect(rt.sync).toBeDefined();
    expect(rt.sync!.sender).toBeUndefined();
    rt.metrics.counter('hits', { help: 'h', labelNames: ['p'] }).inc({ p: '/' }, 3);
    await rt.sync!.appendMetrics(rt.metrics, 1000);
    const [e] = await rt.sync!.outbox.peek(1e9, 10);
    expect(e.records[0]).toMatchObject({ name: 'hits_total', labels: { p: '/' }, kind: 'counter' });
    expect([...(e.records[0] as SeriesRecord).v]).toEqual([3]);
    await rt.dispose();
  });

  it('forwards bus events on the configured topics to the outbox', async () => {
    const rt = await localRuntime(['alert.*']);
    rt.bus.emitSync('alert.cpu', { ts: 5000, score: 4.5, labels: { detector: 'ewma', n: 3 } });
    rt.bus.emitSync('sensor.temp', { ts: 5000, value: 20 });
    const entries = await outboxAfterEmit(rt);
    expect(entries.map((x) => [x.kind, x.records[0]])).toEqual([
      [
        'event',
        {
          type: 'event',
          name: 'edgewise_event',
          labels: { topic: 'alert.cpu', detector: 'ewma' },
          ts: 5000,
          value: 4.5,
        },
      ],
    ]);
    await rt.dispose();
  });

  it("forwards the detectors' AnomalyEvents with their score, event time and series", async () => {
    const rt = await localRuntime(['anomaly.*']);
    rt.bus.emitSync('anomaly.cpu', {
      series: 'cpu',
      timestamp: 7000,
      value: 93.5,
      score: 0.9991,
      contributions: { ewma: 0.9991 },
    });
    const entries = await outboxAfterEmit(rt);
    expect(entries.map((x) => x.records[0])).toEqual([
      {
        type: 'event',
        name: 'edgewise_anomaly',
        labels: { series: 'cpu', topic: 'anomaly.cpu' },
        ts: 7000,
        value: 0.9991,
        attributes: { value: 93.5, ewma: 0.9991 },
      },
    ]);
    await rt.dispose();
  });
});
