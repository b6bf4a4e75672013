/**
 * Two tabs of one app on one origin, in real Chromium with real IndexedDB
 * (#18.5): both open the metrics store before either writes, both write their
 * own series; both register models at once. Nothing is lost: a third page
 * reads every series with all its points and every model version with its bytes.
 * Two tabs writing the SAME series at once, one killed, then the other: every
 * sample of both is read back exactly once, raw and rolled up.
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

  it('two tabs writing the same series at once: every sample is stored exactly once', async () => {
    const ctx = await suite.browser.newContext();
    const [a, b] = [await tab(ctx), await tab(ctx)];
    // Each tab holds a writer slot (a Web Lock) while its store is open.
    expect(await a.evaluate(() => window.__metrics!.openSame('a'))).toBe(0);
    expect(await b.evaluate(() => window.__metrics!.openSame('b'))).toBe(1);
    // 150 s of one series from both tabs at once (a on the second, b half a
    // second later), flushing every 7 and every 11 samples: 3 raw chunks and
    // 3 one-minute buckets written by both.
    const N = 150;
    await Promise.all([
      a.evaluate((n) => window.__metrics!.writeSame('a', 0, n, 0, 7), N),
      b.evaluate((n) => window.__metrics!.writeSame('b', 0, n, 500, 11), N),
    ]);
    // Step k of 500 ms holds exactly one sample, of value k / 2.
    const rawCount = Array.from({ length: 2 * N }, () => 1);
    const rawSum = Array.from({ length: 2 * N }, (_, k) => k / 2);
    // Minute j: a's i and b's i + 0.5 for i in [60j, 60j + 60).
    const minute = (j: number, from = 60 * j, to = Math.min(N, 60 * j + 60)) => {
      let s = 0;
      for (let i = from; i < to; i++) s += 2 * i + 0.5;
      return s;
    };
    // Tab a is killed (closed without closing its store): its Web Lock is
    // released, so a new tab gets slot 0 and resumes a's stream.
    await a.close();
    const r1 = await (await tab(ctx)).evaluate((n) => window.__metrics!.readSame(n, 500), N);
    expect(r1.slot).toBe(0);
    expect(r1.count).toEqual(rawCount);
    expect(r1.sum).toEqual(rawSum);
    // Minutes 0 and 1 are closed in both streams; minute 2 is still open in
    // tab b, so only a's half (resumed from its cursor) is visible.
    let aOnly = 0;
    for (let i = 120; i < N; i++) aOnly += i;
    expect(r1.minCount).toEqual([120, 120, 30]);
    expect(r1.minSum).toEqual([minute(0), minute(1), aOnly]);
    // Tab b is killed too: the next reader finishes b's open bucket (slot 1 is
    // free, so no store holds it) and sees every sample in the roll-up.
    await b.close();
    const r2 = await (await tab(ctx)).evaluate((n) => window.__metrics!.readSame(n, 500), N);
    expect(r2.slot).toBe(0);
    expect(r2.count).toEqual(rawCount);
    expect(r2.sum).toEqual(rawSum);
    expect(r2.minCount).toEqual([120, 120, 60]);
    expect(r2.minSum).toEqual([minute(0), minute(1), minute(2)]);
    await ctx.close();
  });
});
