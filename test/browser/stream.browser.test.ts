import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/anomaly/index';
import type { HostAck, WindowResult } from '../../src/stream/index';
import { demoSuite, runSelftest, watchPage } from './suite';

const suite = demoSuite();

describe('stream processor in a Web Worker (real Chromium, strict CSP)', () => {
  it('windows events fed from the main thread over a bridged bus, same as a local run', async () => {
    const { page, problems } = await watchPage(suite.browser, { console: true });
    const r = await runSelftest<{
      worker: WindowResult[];
      local: WindowResult[];
      workerLate: number;
      localLate: number;
      events: number;
      ack: HostAck;
      anomalies: { worker: AnomalyEvent[]; local: AnomalyEvent[]; detectors: string[] };
    }>(page, suite.url('stream.html'), '__streamtest', { timeout: 90_000, name: 'stream test' });
    expect(problems).toEqual([]);
    expect(r.ack.op).toBe('flush');
    expect(r.ack.stats!.events).toBe(r.events);
    expect(r.worker.length).toBeGreaterThan(100);
    expect(r.worker).toEqual(r.local);
    expect(r.workerLate).toBe(r.localLate);
    expect(r.workerLate).toBeGreaterThan(0); // the stragglers
    // Detectors hosted with the stream in the worker: the anomaly.* events that
    // came back equal the same detection run on the page over the same results.
    expect(r.anomalies.worker.length).toBeGreaterThan(0);
    expect(r.anomalies.worker).toEqual(r.anomalies.local);
    expect(r.anomalies.detectors).toEqual(['attic', 'hall', 'kitchen']);
    // each accepted event is in size/slide = 4 windows, counted in the final results
    const fin = new Map<string, WindowResult>();
    for (const w of r.worker) fin.set(`${w.key}|${w.start}`, w);
    const total = [...fin.values()].reduce((s, w) => s + w.count, 0);
    expect(total).toBeLessThanOrEqual(4 * (r.events - r.workerLate));
    expect(total).toBeGreaterThan(4 * (r.events - r.workerLate) * 0.99);
    await page.close();
  });
});
