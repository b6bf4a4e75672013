/**
 * One setup for the browser test files, so each states only its pages and
 * assertions: `demoSuite()` serves the built demo and launches one Chromium
 * for the file (closed after it); `routeSuite()` does the same with a server
 * of the file's own routes; `watchPage()` opens a page that records page
 * errors (and console errors, CSP violations when asked); `runSelftest()`
 * loads a self-test page and returns the result it publishes on `window`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type DemoServer, launchChromium, serveDemo } from './chromium';

/** The server and browser of one test file; valid inside its tests. */
export interface BrowserSuite {
  readonly server: DemoServer;
  /** The shared Chromium (absent with `browser: false`). */
  readonly browser: Browser;
  /** `path` on the server ('anomaly.html' -> 'http://127.0.0.1:port/anomaly.html'). */
  url(path?: string): string;
}

export interface SuiteOptions {
  /** Launch Chromium with WebGPU (default true). */
  webgpu?: boolean;
  /** Extra Chromium arguments. */
  args?: string[];
  /** Launch a shared Chromium (default true; false for files that launch persistent profiles). */
  browser?: boolean;
}

function suite(start: () => Promise<DemoServer>, options: SuiteOptions): BrowserSuite {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await start();
    if (options.browser ?? true) {
      browser = await launchChromium(options.args ?? [], { webgpu: options.webgpu ?? true });
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`browser suite: no ${what} (used outside a test?)`);
    return v;
  };
  return {
    get server() {
      return need(server, 'server');
    },
    get browser() {
      return need(browser, 'browser (browser: false)');
    },
    url(path = '') {
      return `${need(server, 'server').url}${path}`;
    },
  };
}

/** Serves the built demo (demo/dist, strict CSP) and launches one Chromium for this test file. */
export function demoSuite(options: SuiteOptions = {}): BrowserSuite {
  return suite(() => serveDemo(), options);
}

/** A response of `routeSuite`: the body and its content type. */
export interface Route {
  body: string | Uint8Array;
  type?: string;
}

/**
 * Serves `route(path)` on 127.0.0.1 (404 where it returns undefined) and
 * launches one Chromium for this test file.
 */
export function routeSuite(
  route: (path: string) => Route | undefined,
  options: SuiteOptions = {},
): BrowserSuite {
  return suite(async () => {
    const server = createServer((req, res) => {
      const r = route(new URL(req.url ?? '/', 'http://x').pathname);
      if (!r) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': r.type ?? 'text/javascript' });
      res.end(r.body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}/`,
      port,
      close: () => new Promise<void>((ok) => server.close(() => ok())),
    };
  }, options);
}

export interface WatchOptions {
  /** Count `console.error` messages as problems too (default false). */
  console?: boolean;
  /** Messages that are expected and not problems. */
  ignore?: (message: string, kind: 'pageerror' | 'console') => boolean;
  /** Prefix problems with 'pageerror: ' / 'console: ' (default false). */
  label?: boolean;
  /** Record Content-Security-Policy violations (`cspViolations()`), with the blocked URI if `'uri'`. */
  csp?: boolean | 'uri';
}

/** A page and what went wrong in it. */
export interface WatchedPage {
  page: Page;
  /** Page errors (and console errors with `console: true`), in order. */
  problems: string[];
  /** CSP violations so far (`csp` option): the violated directive (and blocked URI). */
  cspViolations(): Promise<string[]>;
}

/** A new page of `target` that records its problems (see `WatchOptions`). */
export async function watchPage(
  target: Browser | BrowserContext,
  options: WatchOptions = {},
): Promise<WatchedPage> {
  const page = await target.newPage();
  const problems: string[] = [];
  const add = (kind: 'pageerror' | 'console', message: string): void => {
    if (options.ignore?.(message, kind)) return;
    problems.push(options.label ? `${kind}: ${message}` : message);
  };
  page.on('pageerror', (e) => add('pageerror', e.message));
  if (options.console) {
    page.on('console', (m) => {
      if (m.type() === 'error') add('console', m.text());
    });
  }
  // Two argument-free scripts: an init script given an argument broke the demo's
  // offline replay (service worker) in the demo suite.
  if (options.csp === 'uri') {
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __csp: string[] }).__csp ??= [];
        (window as unknown as { __csp: string[] }).__csp.push(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
  } else if (options.csp) {
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __csp: string[] }).__csp ??= [];
        (window as unknown as { __csp: string[] }).__csp.push(e.violatedDirective);
      });
    });
  }
  return {
    page,
    problems,
    cspViolations: () =>
      page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []),
  };
}

/**
 * Loads a self-test page at `url`, waits for `body[data-done="1"]` and returns
 * `window[key]`; a result `{ error }` (the page's own failure) throws
 * `${name} failed: ${error}`.
 */
export async function runSelftest<T>(
  page: Page,
  url: string,
  key: string,
  options: { timeout?: number; name?: string } = {},
): Promise<T> {
  await page.goto(url);
  await page.waitForSelector('body[data-done="1"]', { timeout: options.timeout ?? 60_000 });
  return selftestResult<T>(page, key, options.name);
}

/** `window[key]` of a finished self-test page; throws on a result `{ error }`. */
export async function selftestResult<T>(page: Page, key: string, name = 'self-test'): Promise<T> {
  const r = (await page.evaluate((k) => (window as unknown as Record<string, unknown>)[k], key)) as
    | T
    | { error: string }
    | undefined;
  if (r === undefined || r === null)
    throw new Error(`${name}: the page published no window.${key}`);
  if (typeof r === 'object' && 'error' in r) {
    throw new Error(`${name} failed: ${(r as { error: string }).error}`);
  }
  return r as T;
}
