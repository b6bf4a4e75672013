import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../src/anomaly/index';
import type { HostAck, WindowResult } from '../../src/stream/index';
import { type DemoServer, launchChromium, serveDemo } from './chromium';

let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  server = await serveDemo();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('stream processor in a Web Worker (real Chromium, strict CSP)', () => {
  it('windows events fed from the main thread over a bridged bus, same as a local run', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${server.url}stream.html`);
    await page.waitForSelector('body[data-done="1"]', { timeout: 90_000 });
    const r = (await page.evaluate(() => window.__streamtest)) as
      | {
          worker: WindowResult[];
          local: WindowResult[];
          workerLate: number;
          localLate: number;
          events: number;
          ack: HostAck;
          anomalies: { worker: AnomalyEvent[]; local: AnomalyEvent[]; detectors: string[] };
        }
      | { error: string };
    expect(problems).toEqual([]);
    if ('error' in r) throw new Error(r.error);
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
