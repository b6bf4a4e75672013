import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/stream/csv';
import { launchChromium, serveDemo } from './chromium';
import { demoSuite, watchPage } from './suite';

const suite = demoSuite();
const shots = join(import.meta.dirname, '..', '..', 'test-results');

beforeAll(() => {
  mkdirSync(shots, { recursive: true });
});

/** A page that records page errors and CSP violations. */
async function open(ctx: BrowserContext, query = ''): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await watchPage(ctx, {
    console: true,
    label: true,
    csp: 'uri',
    ignore: (m, kind) =>
      kind === 'console' && /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/.test(m),
  });
  await page.goto(suite.url(query));
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  return { page, problems };
}

const cspViolations = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

describe('demo dashboard in Chromium', () => {
  it('replays the machine-temperature series, charts it, and flags the labelled failure', async () => {
    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const { page, problems } = await open(ctx, '?autoplay=1&speed=max');
    await page.waitForFunction(() => document.body.dataset.position === '22695', undefined, {
      timeout: 90_000,
    });
    // the chart has drawn: uPlot canvas of the chart's width
    const canvas = await page.$eval('#chart canvas', (c) => (c as HTMLCanvasElement).width);
    expect(canvas).toBeGreaterThan(500);
    const stamps = await page.$$eval('#anomalies li', (lis) =>
      lis.map((li) => Number((li as HTMLElement).dataset.timestamp)),
    );
    expect(stamps.length).toBeGreaterThan(0);
    // NAB's last labelled window of this file is the failure: 2014-02-07 14:55 .. 2014-02-09 14:05
    const failStart = parseTimestamp('2014-02-07 14:55:00');
    const failEnd = parseTimestamp('2014-02-09 14:05:00');
    expect(stamps.some((t) => t >= failStart - 12 * 3600_000 && t <= failEnd)).toBe(true);
    // window results and the exposition are live
    expect(await page.$$eval('#windows tr', (r) => r.length)).toBeGreaterThan(0);
    await page.waitForFunction(() =>
      /edgewise_demo_records_total\{series="machine_temperature_system_failure.csv"\} 22695/.test(
        document.querySelector('#exposition')?.textContent ?? '',
      ),
    );
    await page.screenshot({ path: join(shots, 'dashboard-1280x720.png'), fullPage: true });
    expect(await cspViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('compares two windows with a Welch test', async () => {
    const ctx = await suite.browser.newContext();
    const { page } = await open(ctx);
    await page.click('#stats-form button[type=submit]');
    const p = Number(await page.getAttribute('#stats-test', 'data-pvalue'));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
    expect(await page.textContent('#stats-test')).toMatch(/Welch t = /);
    await ctx.close();
  });

  it('loads a CSV with bad rows: line-numbered errors, valid rows replayed', async () => {
    const ctx = await suite.browser.newContext();
    const { page, problems } = await open(ctx);
    const rows = [
      'timestamp,value',
      '2024-01-01 00:00:00,1.5',
      'not a date,2',
      '2024-01-01 00:10:00,abc',
      '2024-01-01 00:15:00,3',
      '1,2,3,4',
    ];
    for (let i = 0; i < 500; i++) rows.push(`${1704068100000 + i * 60_000},${Math.sin(i / 10)}`);
    rows.push('2024-02-01 00:00:00,<img src=x onerror=alert(1)>');
    await page.setInputFiles('#csv', {
      name: 'mine <b>.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(rows.join('\n')),
    });
    await page.waitForSelector('#csv-errors:not([hidden])');
    const errs = await page.$$eval('#csv-error-list li', (lis) => lis.map((l) => l.textContent));
    expect(errs).toEqual([
      expect.stringMatching(/^line 3: timestamp "not a date"/),
      expect.stringMatching(/^line 4: value "abc"/),
      expect.stringMatching(/^line 6: expected 2 or 3 columns/),
      expect.stringMatching(/^line 507: value "<img src=x onerror=alert\(1\)>"/),
    ]);
    expect(await page.textContent('#status')).toMatch(/502 rows loaded, 4 rows skipped/);
    // untrusted names are text, never markup
    expect(await page.$$eval('#dataset option', (o) => o.map((x) => x.textContent))).toContain(
      'mine <b>.csv',
    );
    expect(await page.$('#dataset b')).toBeNull();
    expect(await page.$('#csv-error-list img')).toBeNull();
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('trains in the ML worker with progress, registers, promotes, shadows, rolls back, and cancels', async () => {
    const ctx = await suite.browser.newContext();
    const { page, problems } = await open(ctx);
    const trainOnce = async (): Promise<void> => {
      await page.evaluate(() => {
        document.body.dataset.training = '';
      });
      await page.click('#train');
      await page.waitForFunction(
        () => ['done', 'failed'].includes(document.body.dataset.training ?? ''),
        undefined,
        {
          timeout: 90_000,
        },
      );
      expect(await page.textContent('#train-status')).toMatch(/^Registered demo\./);
    };
    const stages = (): Promise<Record<string, string>> =>
      page.$$eval('#models tbody tr', (rows) =>
        Object.fromEntries(
          rows.map((r) => [(r as HTMLElement).dataset.version, (r as HTMLElement).dataset.stage]),
        ),
      );
    await trainOnce();
    expect(await page.$eval('#train-progress', (p) => (p as HTMLProgressElement).value)).toBe(1);
    expect(await page.$$eval('#train-top li', (l) => l.length)).toBe(5);
    // NAB's labels give the model an AUC in the registry
    const auc = Number(
      await page.$eval('#models tbody tr td:nth-child(3)', (td) => td.textContent),
    );
    expect(auc).toBeGreaterThan(0.5);
    expect(await stages()).toEqual({ 1: 'candidate' });
    await page.click('#models tr[data-version="1"] button.promote');
    await page.waitForFunction(
      () =>
        document.querySelector('#models tr[data-version="1"]')?.getAttribute('data-stage') ===
        'production',
    );
    await trainOnce();
    expect(await stages()).toEqual({ 1: 'production', 2: 'candidate' });
    await page.click('#models tr[data-version="2"] button.shadow');
    await page.waitForFunction(() =>
      document.querySelector('#shadow')?.hasAttribute('data-agreement'),
    );
    const agreement = Number(await page.getAttribute('#shadow', 'data-agreement'));
    expect(agreement).toBeGreaterThan(0.5);
    expect(agreement).toBeLessThanOrEqual(1);
    await page.click('#models tr[data-version="2"] button.promote');
    await page.waitForFunction(
      () =>
        document.querySelector('#models tr[data-version="2"]')?.getAttribute('data-stage') ===
        'production',
    );
    await page.click('#rollback');
    await page.waitForFunction(
      () =>
        document.querySelector('#models tr[data-version="1"]')?.getAttribute('data-stage') ===
        'production',
    );
    // Start and cancel in the same task: the job stops at its next check.
    await page.evaluate(() => {
      document.querySelector<HTMLButtonElement>('#train')!.click();
      document.querySelector<HTMLButtonElement>('#cancel-train')!.click();
    });
    await page.waitForFunction(() =>
      ['cancelled', 'done'].includes(document.body.dataset.training ?? ''),
    );
    expect(await page.getAttribute('body', 'data-training')).toBe('cancelled');
    expect(await page.textContent('#train-status')).toBe('Training cancelled.');
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('works offline after the first visit, with its state restored from IndexedDB', async () => {
    const ctx = await suite.browser.newContext();
    const { page } = await open(ctx, '?autoplay=1&speed=2000');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => Number(document.body.dataset.position) > 3000, undefined, {
      timeout: 60_000,
    });
    await page.click('#play'); // pause
    await page.waitForTimeout(300);
    const before = Number(await page.getAttribute('body', 'data-position'));
    await page.evaluate(() => new Promise((r) => setTimeout(r, 2500))); // periodic save
    // load once more online (no autoplay) so the service worker controls the page
    await page.goto(suite.url());
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await ctx.setOffline(true);
    await page.goto(suite.url());
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    const after = Number(await page.getAttribute('body', 'data-position'));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(before + 4000);
    expect(await page.textContent('#backends')).toMatch(/Kernels: wasm-simd/);
    // and it keeps working offline
    await page.click('#play');
    await page.waitForFunction((a) => Number(document.body.dataset.position) > a, after, {
      timeout: 30_000,
    });
    await ctx.close();
  });

  it('kiosk mode autoplays, and resumes where it was after a reload', async () => {
    const ctx = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, problems } = await open(ctx, '?kiosk=1&speed=2000');
    expect(await page.evaluate(() => document.body.classList.contains('kiosk'))).toBe(true);
    await page.waitForFunction(() => Number(document.body.dataset.position) > 4000, undefined, {
      timeout: 60_000,
    });
    await page.evaluate(() => new Promise((r) => setTimeout(r, 2500)));
    await page.screenshot({ path: join(shots, 'kiosk-390x844.png'), fullPage: true });
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    const resumed = Number(await page.getAttribute('body', 'data-position'));
    expect(resumed).toBeGreaterThan(3000);
    expect(await cspViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('renders at a phone-sized viewport', async () => {
    const ctx = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page } = await open(ctx, '?autoplay=1&speed=max');
    await page.waitForFunction(() => Number(document.body.dataset.position) > 5000, undefined, {
      timeout: 60_000,
    });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(shots, 'dashboard-390x844.png'), fullPage: true });
    await ctx.close();
  });
});

describe('demo sync panel', () => {
  it('syncs metric samples to a same-origin remote-write endpoint and shows the outbox', async () => {
    const bodies: { encoding: string | undefined; bytes: number }[] = [];
    const srv = await serveDemo(0, (req, res) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/api/v1/write')) return false;
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
      });
      req.on('end', () => {
        bodies.push({ encoding: req.headers['content-encoding'] as string | undefined, bytes: n });
        res.writeHead(204).end();
      });
      return true;
    });
    const b = await launchChromium();
    try {
      const page = await b.newPage();
      await page.goto(
        `${srv.url}?autoplay=1&speed=200&sync=${encodeURIComponent(`${srv.url}api/v1/write`)}`,
      );
      await page.waitForSelector('body[data-ready="1"]');
      await page.waitForFunction(
        () => Number(document.querySelector<HTMLElement>('#sync-stats')?.dataset.pointsSent) > 0,
        undefined,
        {
          timeout: 60_000,
        },
      );
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies[0].encoding).toBe('snappy');
      expect(await page.textContent('#sync-stats')).toMatch(/Outbox.*entries/);
      await page.close();
    } finally {
      await b.close();
      await srv.close();
    }
  });
});
