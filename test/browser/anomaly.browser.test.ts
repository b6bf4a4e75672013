import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalySelftest } from '../../demo/src/anomaly-selftest';
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

describe('anomaly detection in real Chromium (built demo, strict CSP)', () => {
  it('worker pool scoring, a hosted streaming detector, crash replacement and abort', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => {
      if (!e.message.includes('crashForTest')) problems.push(e.message);
    });
    await page.goto(`${server.url}anomaly.html`);
    await page.waitForSelector('body[data-done="1"]', { timeout: 90_000 });
    const r = (await page.evaluate(() => window.__anomaly)) as AnomalySelftest | { error: string };
    if ('error' in r) throw new Error(`anomaly self-test failed: ${r.error}`);
    expect(problems).toEqual([]);
    expect(r.poolSize).toBe(2);
    expect(r.poolEqual).toBe(true);
    expect(r.streamEqual).toBe(true);
    expect(r.events.some((e) => e.series === 'page.latency' && e.score >= 0.995)).toBe(true);
    expect(r.crashCode).toBe('WORKER_FAILED');
    expect(r.afterCrashEqual).toBe(true);
    expect(r.abortCode).toBe('ABORTED');
    console.log(
      `chromium: IsolationForest score ${Math.round(r.pointsPerSecondMain)} points/s main thread, ${Math.round(r.pointsPerSecondPool)} points/s through the 2-worker pool`,
    );
    await page.close();
  });
});
