/**
 * The BroadcastChannel election (the fallback where Web Locks are missing):
 * instances that start at nearly the same time, on a busy event loop, must
 * never lead at once. Real BroadcastChannel (Node's), short heartbeats.
 */
import { describe, expect, it } from 'vitest';
import { runAsLeader } from '../src/sync/leader';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Three instances started `stagger` ms apart at most; the most that led at once. */
async function trial(hb: number, stagger: number, seed: number): Promise<number> {
  const name = `leader-${seed}-${stagger}`;
  let leading = 0;
  let most = 0;
  const stop = new AbortController();
  const runs: Promise<void>[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(((seed * 7 + i * 13) % 10) * (stagger / 10));
    runs.push(
      runAsLeader(
        name,
        'broadcast',
        stop.signal,
        async (signal) => {
          leading++;
          most = Math.max(most, leading);
          await new Promise<void>((r) =>
            signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }),
          );
          leading--;
        },
        hb,
      ),
    );
  }
  await sleep(hb * 8);
  const led = most;
  stop.abort();
  await Promise.all(runs);
  return led;
}

describe('broadcast election', () => {
  it('40 groups of 3 started together or staggered: one leader at a time, and one always found', async () => {
    for (const stagger of [0, 10, 20, 30]) {
      // 40 groups at once keep the event loop busy, which is what let two
      // claims cross (each instance had already reset the other's claim)
      const most = await Promise.all(Array.from({ length: 40 }, (_, s) => trial(20, stagger, s)));
      expect(most.filter((m) => m > 1).length, `stagger ${stagger}: groups with two leaders`).toBe(
        0,
      );
      expect(most.filter((m) => m === 0).length, `stagger ${stagger}: groups with none`).toBe(0);
    }
  });
});
