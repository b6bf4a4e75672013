import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServer, launchChromium, serveDemo } from './chromium';

interface Report {
  where: string;
  status: { available: boolean; reason?: string };
  backends: string[];
  maxRelErr: Record<string, number>;
}

let server: DemoServer;
let browser: Browser;
beforeAll(async () => {
  server = await serveDemo();
  browser = await launchChromium(); // CHROMIUM_ARGS include --enable-unsafe-webgpu
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('WebGPU in real Chromium (SwiftShader adapter), main thread and Web Worker', () => {
  it('GPU ops match their CPU twins in both contexts', async () => {
    const seed = (Date.now() ^ (Math.random() * 2 ** 30)) % 1e9;
    console.log(`[gpu browser] seed ${seed}`);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}gpu-selftest.html?seed=${seed}`);
    await page.waitForSelector('body[data-done="1"]', { timeout: 90_000 });
    const res = (await page.evaluate(() => window.__gpuSelftest)) as
      | { reports: Report[]; anomalyWorker: { backend: string; maxAbsErr: number } }
      | { error: string };
    if ('error' in res) throw new Error(`gpu self-test failed (seed ${seed}): ${res.error}`);
    expect(errors).toEqual([]);
    expect(res.reports.map((r) => r.where)).toEqual(['main', 'worker']);
    // Isolation Forest scored on the GPU inside the anomaly worker matches its WASM scorer.
    expect(res.anomalyWorker.backend).toBe('webgpu');
    expect(res.anomalyWorker.maxAbsErr).toBeLessThan(1e-6);
    for (const r of res.reports) {
      expect(r.status.available, `${r.where}: ${r.status.reason}`).toBe(true);
      expect(r.backends).toEqual(['webgpu', 'webgpu', 'webgpu', 'webgpu']);
      expect(r.maxRelErr.mean).toBeLessThan(1e-5);
      expect(r.maxRelErr.variance).toBeLessThan(1e-4);
      expect(r.maxRelErr.max).toBe(0);
      expect(r.maxRelErr.denseOutput).toBeLessThan(1e-4);
      expect(r.maxRelErr.reconstruction).toBeLessThan(1e-4);
      expect(r.maxRelErr.knnDistance).toBeLessThan(1e-5);
      expect(r.maxRelErr.lof).toBeLessThan(1e-4);
      expect(r.maxRelErr.forestScore).toBeLessThan(1e-6);
    }
    await page.close();
  });

  it("without WebGPU, 'auto' falls back to WASM and says why", async () => {
    const b = await launchChromium([], { webgpu: false });
    try {
      const page = await b.newPage();
      await page.goto(`${server.url}gpu-selftest.html?mode=fallback`);
      await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
      const res = (await page.evaluate(() => window.__gpuSelftest)) as {
        fallback: { available: boolean; backend: string; reason: string; agrees: boolean };
      };
      expect(res.fallback.available).toBe(false);
      expect(res.fallback.backend).toBe('wasm');
      expect(res.fallback.reason).toMatch(/no WebGPU/);
      expect(res.fallback.agrees).toBe(true);
      await page.close();
    } finally {
      await b.close();
    }
  });
});
