/**
 * ML in real Chromium: ONNX inference in a Web Worker with the wasm and the
 * WebGPU (SwiftShader, --enable-unsafe-webgpu) execution providers and the
 * fallback between them; the exported Isolation Forest; the model registry on
 * real IndexedDB across a browser restart (persistent profile), rollback and
 * tamper refusal.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launchChromium, launchPersistent } from './chromium';
import { demoSuite, runSelftest, selftestResult, watchPage } from './suite';

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

const suite = demoSuite();

async function run(b: Browser, query: string): Promise<OnnxReport> {
  const { page, problems: errors } = await watchPage(b);
  let res: OnnxReport;
  try {
    res = await runSelftest<OnnxReport>(
      page,
      suite.url(`ml-selftest.html?${query}`),
      '__mlSelftest',
      {
        timeout: 120_000,
        name: `ml self-test (${query})`,
      },
    );
  } finally {
    await page.close();
  }
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
    const r = await run(suite.browser, 'mode=onnx&eps=wasm');
    expect(r.providers).toEqual({ autoencoder: 'wasm', trees: 'wasm', forest: 'wasm' });
    checkNumbers(r);
    console.log(
      `[ml browser] wasm: forest ${r.forestRowsPerSec.toFixed(0)} rows/s, autoencoder ${r.aeRowsPerSec.toFixed(0)} rows/s`,
    );
  });

  it("['webgpu', 'wasm'] on SwiftShader: the autoencoder runs on webgpu; results and fallback reported", async () => {
    const r = await run(suite.browser, 'mode=onnx&eps=webgpu,wasm');
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
    const ctx = await suite.browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(suite.url('ml-selftest.html?mode=sw'));
      await page.waitForSelector('body[data-done="1"]', { timeout: 120_000 });
      await page.goto(suite.url('ml-selftest.html?mode=sw'));
      await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
      expect(
        await page.evaluate(() => (window.__mlSelftest as { controlled: boolean }).controlled),
      ).toBe(true);
      await ctx.setOffline(true);
      const r = await runSelftest<OnnxReport>(
        page,
        suite.url('ml-selftest.html?mode=onnx&eps=wasm'),
        '__mlSelftest',
        { timeout: 120_000, name: 'ml self-test offline' },
      );
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
    const w = await runSelftest<{ list: { version: number; stage: string }[] }>(
      page,
      suite.url('ml-selftest.html?mode=registry&step=write'),
      '__mlSelftest',
      { name: 'registry write' },
    );
    expect(w.list.map((r) => [r.version, r.stage])).toEqual([
      [1, 'archived'],
      [2, 'production'],
    ]);
    await ctx.close();
    ctx = await launchPersistent(dir);
    page = await ctx.newPage();
    await page.goto(suite.url('ml-selftest.html?mode=registry&step=read'));
    await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
    const r = await selftestResult<{
      list: { version: number; sha256: string }[];
      loaded: number;
      score: number[];
      rolledBackTo: number;
      tamper: string;
    }>(page, '__mlSelftest', 'registry read').finally(() => ctx.close());
    expect(r.list).toHaveLength(2);
    expect(r.list[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.loaded).toBe(2);
    expect(r.score).toHaveLength(2);
    expect(r.rolledBackTo).toBe(1);
    expect(r.tamper).toMatch(/^CORRUPT_STATE: .*integrity check/);
  });
});
