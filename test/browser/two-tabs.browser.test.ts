/**
 * Two tabs of one app on one origin, in real Chromium with real IndexedDB
 * (#18.5): both open the metrics store before either writes, both write their
 * own series; both register models at once. Nothing is lost: a third page
 * reads every series with all its points and every model version with its bytes.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoSuite } from './suite';

const suite = demoSuite({ webgpu: false });

async function tab(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(suite.url('metrics-selftest.html'));
  await page.waitForFunction(() => document.getElementById('result')?.textContent === 'ready');
  return page;
}

describe('two tabs on one database (real Chromium)', () => {
  it('no series and no model version is lost when two tabs write at once', async () => {
    const ctx = await suite.browser.newContext();
    const [a, b] = [await tab(ctx), await tab(ctx)];
    // Both stores are open before either writes (the case that lost a series).
    await a.evaluate(() => window.__metrics!.openTab('a'));
    await b.evaluate(() => window.__metrics!.openTab('b'));
    await Promise.all([
      a.evaluate(() => window.__metrics!.writeTab('a', 20)),
      b.evaluate(() => window.__metrics!.writeTab('b', 20)),
    ]);
    const [va, vb] = await Promise.all([
      a.evaluate(() => window.__metrics!.registerModels(1, 3)),
      b.evaluate(() => window.__metrics!.registerModels(2, 3)),
    ]);
    const reader = await tab(ctx);
    const series = await reader.evaluate(() => window.__metrics!.readTabs(20));
    const expected = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(series).toEqual({ a: expected, b: expected });
    const models = await reader.evaluate(() => window.__metrics!.readModels());
    expect([...va, ...vb].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(models.map(([v]) => v)).toEqual([1, 2, 3, 4, 5, 6]);
    // Each version holds the bytes its tab registered (tag 1 from a, tag 2 from b).
    const tagOf = new Map(models);
    for (const v of va) expect(tagOf.get(v)).toBe(1);
    for (const v of vb) expect(tagOf.get(v)).toBe(2);
    await ctx.close();
  });
});
