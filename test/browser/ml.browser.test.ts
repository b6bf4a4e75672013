/**
 * ML in real Chromium: ONNX inference in a Web Worker with the wasm and the
 * WebGPU (SwiftShader, --enable-unsafe-webgpu) execution providers and the
 * fallback between them; the exported Isolation Forest; the model registry on
 * real IndexedDB across a browser restart (persistent profile), rollback and
 * tamper refusal.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServer, launchChromium, launchPersistent, serveDemo } from './chromium';

interface OnnxReport {
  providers: Record<string, string>;
  fallbacks: { provider: string; error: string }[];
  aeOutErr: number;
  aeReconErr: number;
  treesErr: number;
  forestErr: number;
  forestRowsPerSec: number;
  aeRowsPerSec: number;
  sha: string;
}

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

async function run(b: Browser, query: string): Promise<OnnxReport> {
  const page = await b.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}ml-selftest.html?${query}`);
  await page.waitForSelector('body[data-done="1"]', { timeout: 120_000 });
  const res = (await page.evaluate(() => window.__mlSelftest)) as OnnxReport | { error: string };
  await page.close();
  if ('error' in res) throw new Error(`ml self-test (${query}) failed: ${res.error}`);
  expect(errors).toEqual([]);
  return res;
}

function checkNumbers(r: OnnxReport): void {
  expect(r.aeOutErr).toBeLessThan(1e-5);
  expect(r.aeReconErr).toBeLessThan(1e-5);
  expect(r.treesErr).toBe(0);
  expect(r.forestErr).toBeLessThan(1e-6);
  expect(r.sha).toMatch(/SHA-256 mismatch/);
}

describe('ONNX inference in a Chromium Web Worker', () => {
  it('wasm: fixtures match numpy, exported forest matches the WASM scorer to 1e-6, SHA mismatch refused', async () => {
    const r = await run(browser, 'mode=onnx&eps=wasm');
    expect(r.providers).toEqual({ autoencoder: 'wasm', trees: 'wasm', forest: 'wasm' });
    checkNumbers(r);
    console.log(
      `[ml browser] wasm: forest ${r.forestRowsPerSec.toFixed(0)} rows/s, autoencoder ${r.aeRowsPerSec.toFixed(0)} rows/s`,
    );
  });

  it("['webgpu', 'wasm'] on SwiftShader: the autoencoder runs on webgpu; results and fallback reported", async () => {
    const r = await run(browser, 'mode=onnx&eps=webgpu,wasm');
    expect(r.providers.autoencoder).toBe('webgpu');
    // ai.onnx.ml ops have no WebGPU kernels: ORT assigns them to its CPU fallback inside the session
    expect(['webgpu', 'wasm']).toContain(r.providers.forest);
    checkNumbers(r);
    console.log(
      `[ml browser] webgpu: forest ${r.forestRowsPerSec.toFixed(0)} rows/s, autoencoder ${r.aeRowsPerSec.toFixed(0)} rows/s`,
    );
  });

  it('without WebGPU the list falls back to wasm and reports why', async () => {
    const b = await launchChromium([], { webgpu: false });
    try {
      const r = await run(b, 'mode=onnx&eps=webgpu,wasm');
      expect(r.providers.autoencoder).toBe('wasm');
      expect(r.fallbacks.map((f) => f.provider)).toEqual(['webgpu']);
      checkNumbers(r);
    } finally {
      await b.close();
    }
  });
});

describe('offline', () => {
  it("ONNX inference works offline from the service worker's cache after one visit", async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(`${server.url}ml-selftest.html?mode=sw`);
      await page.waitForSelector('body[data-done="1"]', { timeout: 120_000 });
      await page.goto(`${server.url}ml-selftest.html?mode=sw`);
      await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
      expect(
        await page.evaluate(() => (window.__mlSelftest as { controlled: boolean }).controlled),
      ).toBe(true);
      await ctx.setOffline(true);
      await page.goto(`${server.url}ml-selftest.html?mode=onnx&eps=wasm`);
      await page.waitForSelector('body[data-done="1"]', { timeout: 120_000 });
      const r = (await page.evaluate(() => window.__mlSelftest)) as OnnxReport | { error: string };
      if ('error' in r) throw new Error(r.error);
      expect(r.providers.autoencoder).toBe('wasm');
      checkNumbers(r);
    } finally {
      await ctx.close();
    }
  });
});

describe('model registry on real IndexedDB', () => {
  it('survives a browser restart; rollback; tampered bytes refused', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'edgewise-ml-'));
    let ctx = await launchPersistent(dir);
    let page = await ctx.newPage();
    await page.goto(`${server.url}ml-selftest.html?mode=registry&step=write`);
    await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
    const w = (await page.evaluate(() => window.__mlSelftest)) as
      | { list: { version: number; stage: string }[] }
      | { error: string };
    if ('error' in w) throw new Error(w.error);
    expect(w.list.map((r) => [r.version, r.stage])).toEqual([
      [1, 'archived'],
      [2, 'production'],
    ]);
    await ctx.close();
    ctx = await launchPersistent(dir);
    page = await ctx.newPage();
    await page.goto(`${server.url}ml-selftest.html?mode=registry&step=read`);
    await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
    const r = (await page.evaluate(() => window.__mlSelftest)) as
      | {
          list: { version: number; sha256: string }[];
          loaded: number;
          score: number[];
          rolledBackTo: number;
          tamper: string;
        }
      | { error: string };
    await ctx.close();
    if ('error' in r) throw new Error(r.error);
    expect(r.list).toHaveLength(2);
    expect(r.list[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.loaded).toBe(2);
    expect(r.score).toHaveLength(2);
    expect(r.rolledBackTo).toBe(1);
    expect(r.tamper).toMatch(/^CORRUPT_STATE: .*integrity check/);
  });
});
