/**
 * Real headless Chromium for the browser tests (Debian's /usr/bin/chromium,
 * or CHROMIUM_PATH), driven by playwright-core, against the built demo served
 * on 127.0.0.1.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type LaunchOptions } from 'playwright-core';
// @ts-expect-error plain ESM script without types
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** WebGPU on Chromium's SwiftShader adapter (CPU), for the GPU parity tests. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];

function launchOptions(extraArgs: string[] = [], webgpu = true): LaunchOptions {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  return {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(webgpu ? WEBGPU_ARGS : []), ...extraArgs],
  };
}

/** A browser with a fresh, throw-away profile (WebGPU enabled unless `webgpu: false`). */
export function launchChromium(
  extraArgs: string[] = [],
  options: { webgpu?: boolean } = {},
): Promise<Browser> {
  return chromium.launch(launchOptions(extraArgs, options.webgpu ?? true));
}

/** A persistent profile in `userDataDir` (for reload / restart tests); a fresh temp dir by default. */
export function launchPersistent(
  userDataDir = mkdtempSync(join(tmpdir(), 'edgewise-profile-')),
  extraArgs: string[] = [],
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, launchOptions(extraArgs));
}

export interface DemoServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the built demo (demo/dist). `npm test` builds it first. */
export async function serveDemo(
  port = 0,
  handle?: (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => boolean,
): Promise<DemoServer> {
  const root = join(import.meta.dirname, '..', '..', 'demo', 'dist');
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(
      'demo/dist is missing: run `npm run build` (npm test does) before the browser tests.',
    );
  }
  return startServer({ root, port, handle });
}
