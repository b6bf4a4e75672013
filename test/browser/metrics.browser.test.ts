/**
 * Metrics storage in real Chromium with real IndexedDB: data written and
 * flushed survives a page reload and a browser restart (same persistent
 * profile, same origin), and the store resumes its roll-ups exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPersistent } from './chromium';
import { demoSuite } from './suite';

interface Read {
  tier: string;
  last: number[];
  counts: number[];
  increase: number[];
}

const suite = demoSuite({ browser: false });
let profile: string;
let ctx: BrowserContext | undefined;

beforeAll(() => {
  profile = mkdtempSync(join(tmpdir(), 'edgewise-metrics-profile-'));
});
afterAll(async () => {
  await ctx?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  ctx = await launchPersistent(profile);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(suite.url('metrics-selftest.html'));
  await page.waitForFunction(() => document.getElementById('result')?.textContent === 'ready');
  return page;
}

const write = (page: Page, offset: number, seconds: number) =>
  page.evaluate(([o, s]) => window.__metrics!.write(o, s), [offset, seconds] as const);
const read = (page: Page, seconds: number): Promise<Read> =>
  page.evaluate((s) => window.__metrics!.read(s), seconds);

function expected(seconds: number): Omit<Read, 'tier'> {
  const last = [Number.NaN];
  for (let i = 1; i <= seconds; i++) last.push(i);
  const counts: number[] = [];
  const increase: number[] = [];
  for (let m = 0; m * 60 <= seconds; m++) {
    const lo = Math.max(1, m * 60);
    const hi = Math.min(seconds, m * 60 + 59);
    counts.push(hi - lo + 1);
    // Counter = 2 * i; the very first sample has no predecessor (increase 0).
    increase.push(2 * (hi - lo + 1) - (m === 0 ? 2 : 0));
  }
  return { last, counts, increase };
}

describe('metrics storage in Chromium (real IndexedDB)', () => {
  it('survives a page reload and a browser restart', async () => {
    let page = await openPage();
    await write(page, 0, 150);
    await page.reload();
    await page.waitForFunction(() => document.getElementById('result')?.textContent === 'ready');
    const afterReload = await read(page, 150);
    expect(afterReload.tier).toBe('raw');
    expect(afterReload).toEqual({ tier: 'raw', ...expected(150) });

    // Browser restart: close the whole persistent context, launch it again.
    await ctx!.close();
    ctx = undefined;
    page = await openPage();
    const afterRestart = await read(page, 150);
    expect(afterRestart).toEqual(afterReload);
    // Keep writing after the restart: raw points and roll-ups continue seamlessly.
    await write(page, 150, 100);
    expect(await read(page, 250)).toEqual({ tier: 'raw', ...expected(250) });
    const stats = await page.evaluate(() => window.__metrics!.stats());
    expect(stats.series).toBe(2);
    expect(stats.chunks).toBeGreaterThan(4);
  });
});
