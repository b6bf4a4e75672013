/**
 * Sync in real Chromium against a real Prometheus (remote-write receiver):
 * several tabs of one origin share the IndexedDB outbox and only the tab
 * holding the Web Lock sends, so every batch goes out once; a tab whose
 * renderer crashes (CDP Page.crash) in the middle of a delayed request is
 * reopened and re-sends the same batch with the same key; the browser goes
 * offline for a while. Checked with PromQL: every sample exactly
 * once, outbox empty. The page and /api/v1/write share one origin through the
 * fault proxy (the demo's CSP allows connect-src 'self' only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  type FaultAction,
  type FaultProxy,
  startFaultProxy,
  startRemoteWritePrometheus,
} from '../helpers/sync-backends';
import { launchPersistent } from './chromium';
import { demoSuite } from './suite';

const demo = demoSuite({ browser: false });
let prom: Backend;
let proxy: FaultProxy;
let ctx: BrowserContext;
let profile: string;
let mode: FaultAction = { kind: 'pass' };

beforeAll(async () => {
  prom = await startRemoteWritePrometheus();
  proxy = await startFaultProxy(
    prom.url,
    () => mode,
    (p) => (p.startsWith('/api/') ? undefined : demo.url()),
  );
  profile = mkdtempSync(join(tmpdir(), 'edgewise-sync-profile-'));
  ctx = await launchPersistent(profile);
});
afterAll(async () => {
  await ctx?.close();
  await proxy?.close();
  await prom?.stop();
  rmSync(profile, { recursive: true, force: true });
});

async function openTab(): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${proxy.url}/sync-selftest.html`);
  await page.waitForFunction(() => document.getElementById('result')?.textContent === 'ready');
  await page.evaluate((endpoint) => window.__sync!.open({ endpoint }), `${proxy.url}/api/v1/write`);
  return page;
}

const append = (p: Page, name: string, series: string, t0: number, from: number, to: number) =>
  p.evaluate(([n, s, t, a, b]) => window.__sync!.append(n, s, t, a, b), [
    name,
    series,
    t0,
    from,
    to,
  ] as const);
const stats = (p: Page) => p.evaluate(() => window.__sync!.stats());

async function drained(p: Page, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await stats(p);
    if (s.outbox.entries === 0 && !s.inflight) return;
    if (Date.now() > end) throw new Error(`outbox not drained: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function countPerSeries(name: string): Promise<Record<string, number>> {
  const r = await prom.query(`count_over_time(${name}[2h])`);
  return Object.fromEntries(r.map((x) => [x.metric.series, Number(x.value[1])]));
}

describe('sync in Chromium (real IndexedDB, Web Locks, real Prometheus)', () => {
  it('three tabs syncing at once send each batch once', async () => {
    const t0 = Date.now() - 30 * 60_000;
    const tabs = [await openTab(), await openTab(), await openTab()];
    const before = proxy.log.length;
    for (let k = 0; k < 4; k++) {
      await Promise.all(
        tabs.map((p, i) => append(p, 'edgewise_tabs_test', `tab${i}`, t0, k * 50, (k + 1) * 50)),
      );
    }
    await drained(tabs[0]);
    const all = await Promise.all(tabs.map(stats));
    const keys = proxy.log.slice(before).map((l) => l.key);
    const senders = all.filter((s) => s.sender.requests > 0).length;
    console.log(
      `[sync tabs] 3 tabs, ${keys.length} requests, ${new Set(keys).size} distinct batches, ` +
        `requests per tab ${all.map((s) => s.sender.requests).join('/')}, leaders ${all.map((s) => s.leader).join('/')}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(senders).toBe(1);
    expect(all.filter((s) => s.leader).length).toBe(1);
    expect(await countPerSeries('edgewise_tabs_test')).toEqual({ tab0: 200, tab1: 200, tab2: 200 });
    for (const p of tabs) await p.close();
  });

  it('a tab crashed mid-request is reopened and resumes; offline for a while; every sample once', async () => {
    const t0 = Date.now() - 20 * 60_000;
    mode = { kind: 'delay', ms: 1500 };
    let page = await openTab();
    const before = proxy.log.length;
    await append(page, 'edgewise_crash_test', 'a', t0, 0, 300);
    // Wait until a request is held in the proxy, then close the tab under it.
    const end = Date.now() + 20_000;
    while (proxy.log.length === before && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect(proxy.log.length).toBeGreaterThan(before);
    // Crash the tab's renderer (CDP Page.crash), as a real tab crash: no pagehide, no cleanup.
    const crashed = new Promise<void>((r) => page.once('crash', () => r()));
    const cdp = await ctx.newCDPSession(page);
    void cdp.send('Page.crash').catch(() => {});
    await crashed;
    await page.close().catch(() => {});
    mode = { kind: 'pass' };
    page = await openTab();
    await ctx.setOffline(true);
    await append(page, 'edgewise_crash_test', 'a', t0, 300, 400);
    await new Promise((r) => setTimeout(r, 800));
    const offline = await stats(page);
    await ctx.setOffline(false);
    await drained(page);
    const s = await stats(page);
    const keys = proxy.log.slice(before).map((l) => l.key);
    const found = await countPerSeries('edgewise_crash_test');
    console.log(
      `[sync crash] emitted 400 samples, found ${found.a}; requests ${keys.length} ` +
        `(${keys.length - new Set(keys).size} re-sends of a batch), reopened tab: ${JSON.stringify(s.sender)}; ` +
        `entries while offline ${offline.outbox.entries}`,
    );
    expect(offline.outbox.entries).toBeGreaterThan(0);
    // The batch in flight at the crash went out again with the same idempotency key.
    expect(keys.length - new Set(keys).size).toBeGreaterThanOrEqual(1);
    expect(found).toEqual({ a: 400 });
    expect(s.outbox.entries).toBe(0);
    expect(s.outbox.parked).toBe(0);
    await page.close();
  });
});
