/**
 * Sync against real backends (Debian's prometheus with the remote-write
 * receiver, and victoria-metrics), through a fault-injection proxy that drops,
 * delays, fails with 500/429/503 (with and without Retry-After), cuts requests
 * mid-body, while the backend restarts, the client goes offline and the sender
 * "crashes" (stopped mid-run, a new one resumes from the reopened IndexedDB
 * outbox). Checked with PromQL: every sample is in the backend exactly once,
 * with its value, and the outbox is empty. Counts are printed.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexedDbOutbox, Sender, type SeriesRecord, type SyncEvent } from '../src/sync/index';
import {
  type Backend,
  type FaultAction,
  seeded,
  startFaultProxy,
  startRemoteWritePrometheus,
  startVictoriaMetrics,
} from './helpers/sync-backends';

const SERIES = 12;
const PER_SERIES = 250;
const STEP = 5000;

/** Sample i of series s: ts in the last hour (the backends' in-order window), exact values. */
function chunkFor(name: string, t0: number, from: number, to: number): SeriesRecord[] {
  const out: SeriesRecord[] = [];
  for (let s = 0; s < SERIES; s++) {
    const n = to - from;
    out.push({
      type: 'series',
      name,
      labels: { series: String(s), host: 'edge-1' },
      kind: 'gauge',
      ts: Float64Array.from({ length: n }, (_, k) => t0 + (from + k) * STEP),
      v: Float64Array.from({ length: n }, (_, k) => s * 1000 + from + k),
    });
  }
  return out;
}

const expectedSum = (s: number) => s * 1000 * PER_SERIES + (PER_SERIES * (PER_SERIES - 1)) / 2;

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function checkExactlyOnce(b: Backend, name: string): Promise<{ found: number }> {
  const counts = await b.query(`count_over_time(${name}[2h])`);
  const sums = await b.query(`sum_over_time(${name}[2h])`);
  expect(counts.length).toBe(SERIES);
  let found = 0;
  for (const c of counts) {
    found += Number(c.value[1]);
    expect(Number(c.value[1])).toBe(PER_SERIES);
  }
  for (const s of sums) expect(Number(s.value[1])).toBe(expectedSum(Number(s.metric.series)));
  return { found };
}

let prom: Backend;
let vm: Backend;
beforeAll(async () => {
  [prom, vm] = await Promise.all([startRemoteWritePrometheus(), startVictoriaMetrics()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([prom?.stop(), vm?.stop()]);
});

describe('remote write to real backends', () => {
  it('Prometheus: zero lost, zero duplicated under drops, delays, 5xx/429/503, cuts, a restart, offline and a crash', async () => {
    const rnd = seeded(7);
    const faults: FaultAction[] = [
      { kind: 'drop' },
      { kind: 'drop-response' },
      { kind: 'cut' },
      { kind: 'delay', ms: 200 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503, retryAfter: '0' },
      { kind: 'status', status: 429 },
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 408 },
    ];
    // First requests: one of each fault, in order; then 35 % faults at random.
    const proxy = await startFaultProxy(prom.url, (n) =>
      n < faults.length * 2
        ? n % 2 === 0
          ? faults[n / 2]
          : { kind: 'pass' }
        : rnd() < 0.35
          ? faults[Math.floor(rnd() * faults.length)]
          : { kind: 'pass' },
    );
    const dbName = 'sync-fault-prom';
    const name = 'edgewise_fault_test';
    const t0 = Date.now() - 50 * 60_000;
    const nav = { onLine: true };
    Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
    const totals = {
      requests: 0,
      failures: 0,
      retries: 0,
      duplicates: 0,
      pointsSent: 0,
      batches: 0,
    };
    const mkSender = (outbox: IndexedDbOutbox) => {
      const s = new Sender({
        endpoint: `${proxy.url}/api/v1/write`,
        outbox,
        lock: 'none',
        maxBatchBytes: 3 * 1024,
        retry: { baseMs: 20, maxMs: 1000 },
        timeoutMs: 3000,
        pollMs: 25,
        random: seeded(11),
      });
      return s;
    };
    const add = (s: Sender) => {
      const st = s.stats;
      totals.requests += st.requests;
      totals.failures += st.failures;
      totals.retries += st.retries;
      totals.duplicates += st.duplicates;
      totals.pointsSent += st.pointsSent;
      totals.batches += st.batchesSent;
    };
    let outbox = await IndexedDbOutbox.open({ name: dbName, maxEntryBytes: 1024 });
    let sender = mkSender(outbox);
    const parked: SyncEvent[] = [];
    sender.on((e) => e.type === 'parked' && parked.push(e));
    sender.start();
    try {
      const steps = 10;
      const per = PER_SERIES / steps;
      for (let k = 0; k < steps; k++) {
        await outbox.append(chunkFor(name, t0, k * per, (k + 1) * per));
        sender.notify();
        if (k === 3) await prom.restart(400); // backend restart mid-run (proxy answers 502 meanwhile)
        if (k === 5) {
          nav.onLine = false; // client offline for a while
          await new Promise((r) => setTimeout(r, 600));
          nav.onLine = true;
        }
        if (k === 7) {
          // "Crash": stop this sender mid-run and close the DB; a new one resumes.
          const stopping = sender.stop();
          await stopping;
          add(sender);
          await outbox.close();
          outbox = await IndexedDbOutbox.open({ name: dbName, maxEntryBytes: 1024 });
          sender = mkSender(outbox);
          sender.on((e) => e.type === 'parked' && parked.push(e));
          sender.start();
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await until(
        async () => (await outbox.stats()).entries === 0 && !(await outbox.getInflight()),
        60_000,
        'outbox drained',
      );
      await sender.stop();
      add(sender);
      const st = await outbox.stats();
      expect(st.entries).toBe(0);
      expect(st.parked).toBe(0);
      expect(parked).toEqual([]);
      const { found } = await checkExactlyOnce(prom, name);
      const emitted = SERIES * PER_SERIES;
      console.log(
        `[sync fault test, Prometheus] emitted ${emitted} samples; found ${found}; ` +
          `requests ${totals.requests} (failed ${totals.failures}, retries ${totals.retries}, ` +
          `re-sent batches acknowledged as duplicates ${totals.duplicates}); batches ${totals.batches}; ` +
          `samples sent ${totals.pointsSent}; proxy actions ${JSON.stringify(proxy.counts)}`,
      );
      expect(found).toBe(emitted);
      expect(totals.failures).toBeGreaterThan(10);
      for (const f of ['drop', 'drop-response', 'cut', '500', '503', '429+retry-after', '408']) {
        expect(proxy.counts[f] ?? 0).toBeGreaterThan(0);
      }
    } finally {
      await sender.stop();
      await outbox.close();
      await proxy.close();
      delete (globalThis as { navigator?: unknown }).navigator;
    }
  }, 120_000);

  it('VictoriaMetrics: every sample once, including re-sent batches whose answer was lost', async () => {
    let n = 0;
    const proxy = await startFaultProxy(vm.url, () =>
      n++ % 3 === 0 ? { kind: 'drop-response' } : { kind: 'pass' },
    );
    const outbox = await IndexedDbOutbox.open({ name: 'sync-vm', maxEntryBytes: 2048 });
    const sender = new Sender({
      endpoint: `${proxy.url}/api/v1/write`,
      outbox,
      lock: 'none',
      maxBatchBytes: 16 * 1024,
      retry: { baseMs: 10, maxMs: 100 },
      pollMs: 25,
    });
    const name = 'edgewise_vm_test';
    try {
      await outbox.append(chunkFor(name, Date.now() - 40 * 60_000, 0, PER_SERIES));
      sender.start();
      await until(async () => (await outbox.stats()).entries === 0, 60_000, 'outbox drained');
      await sender.stop();
      await fetch(`${vm.url}/internal/force_flush`);
      const { found } = await checkExactlyOnce(vm, name);
      console.log(
        `[sync VictoriaMetrics] emitted ${SERIES * PER_SERIES}, found ${found}; requests ${sender.stats.requests}, ` +
          `lost answers ${proxy.counts['drop-response'] ?? 0}, retries ${sender.stats.retries}`,
      );
      expect(proxy.counts['drop-response']).toBeGreaterThan(0);
    } finally {
      await sender.stop();
      await outbox.close();
      await proxy.close();
    }
  }, 90_000);
});
