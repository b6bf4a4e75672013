// Sync self-test page: the browser tests (test/browser/sync.browser.test.ts)
// open it in several tabs of one origin, append samples to the shared
// IndexedDB outbox and let the one tab holding the Web Lock send them.
import { type OutboxStats, type SenderStats, type SeriesRecord, Sync } from 'edgewise/sync';

interface Api {
  open(o: { endpoint: string; maxBatchBytes?: number }): Promise<string>;
  /** Appends samples [from, to) of `series` metric `name`: ts = t0 + i * 1000, value = i. */
  append(name: string, series: string, t0: number, from: number, to: number): Promise<void>;
  stats(): Promise<{
    outbox: OutboxStats;
    inflight: boolean;
    sender: SenderStats;
    leader: boolean;
  }>;
}

declare global {
  interface Window {
    __sync?: Api;
  }
}

let sync: Sync | undefined;

window.__sync = {
  async open(o) {
    sync = await Sync.create({
      outbox: 'indexeddb',
      endpoint: o.endpoint,
      lock: 'auto',
      retry: { baseMs: 20, maxMs: 500 },
      pollMs: 50,
      timeoutMs: 5000,
      maxBatchBytes: o.maxBatchBytes ?? 4096,
      maxEntryBytes: 1024,
    });
    return sync.sender!.isLeader ? 'leader' : 'follower';
  },
  async append(name, series, t0, from, to) {
    const n = to - from;
    const r: SeriesRecord = {
      type: 'series',
      name,
      labels: { series },
      kind: 'gauge',
      ts: Float64Array.from({ length: n }, (_, k) => t0 + (from + k) * 1000),
      v: Float64Array.from({ length: n }, (_, k) => from + k),
    };
    await sync!.append([r]);
  },
  async stats() {
    return {
      outbox: await sync!.outbox.stats(),
      inflight: (await sync!.outbox.getInflight()) !== undefined,
      sender: sync!.sender!.stats,
      leader: sync!.sender!.isLeader,
    };
  },
};
document.getElementById('result')!.textContent = 'ready';
