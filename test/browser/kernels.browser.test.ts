import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../fixtures/moments.json';
import type { MomentsCase } from '../helpers/fixtures';
import { relErr } from '../helpers/fixtures';
import { type DemoServer, launchChromium, serveDemo } from './chromium';

interface Summary {
  count: number;
  mean: number;
  variance: number;
  min: number;
  max: number;
  skewness: number;
  kurtosis: number;
  rejected: number;
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

function check(s: Summary, c: MomentsCase): void {
  expect(s.count).toBe(c.count);
  expect(s.rejected).toBe(c.rejected);
  if (c.count === 0) return;
  expect(relErr(s.mean, c.mean!)).toBeLessThanOrEqual(1e-12);
  if (c.variance === 0) expect(s.variance).toBe(0);
  else expect(relErr(s.variance, c.variance!)).toBeLessThanOrEqual(1e-12);
  expect(s.min).toBe(c.min);
  expect(s.max).toBe(c.max);
  if (c.skewness !== undefined) {
    expect(Math.abs(s.skewness - c.skewness)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(c.skewness)),
    );
    expect(Math.abs(s.kurtosis - c.kurtosis!)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(c.kurtosis!)),
    );
  }
}

describe('Moments in real Chromium (built demo, strict CSP)', () => {
  it('main thread and Web Worker match the numpy/scipy fixtures', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${server.url}selftest.html`);
    await page.waitForSelector('body[data-done="1"]', { timeout: 60_000 });
    const result = (await page.evaluate(() => window.__selftest)) as
      | { main: Summary[]; worker: Summary[]; merged: Summary[] }
      | { error: string };
    expect(problems).toEqual([]);
    if ('error' in result) throw new Error(`self-test page failed: ${result.error}`);
    const cases = fixture.cases as MomentsCase[];
    expect(result.main).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      check(result.main[i], c);
      check(result.worker[i], c);
      // worker state (+) empty (+) main-thread state == the data twice
      const twice = result.merged[i];
      expect(twice.count).toBe(2 * c.count);
      expect(twice.rejected).toBe(2 * c.rejected);
      if (c.count > 0) expect(relErr(twice.mean, c.mean!)).toBeLessThanOrEqual(1e-12);
    });
    await page.close();
  });
});
