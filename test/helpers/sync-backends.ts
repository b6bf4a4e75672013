/**
 * Real backends for the sync tests, all on 127.0.0.1 ports chosen free:
 * Prometheus with the remote-write receiver (restartable on the same port and
 * data dir), VictoriaMetrics, and a fault-injection HTTP proxy that drops,
 * delays, fails (500/429/503, with and without Retry-After), cuts requests
 * mid-body and answers 502 while the backend is down.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, PROMETHEUS } from './prometheus';

export const VICTORIA_METRICS = process.env.VICTORIA_METRICS ?? 'victoria-metrics';

export interface Backend {
  url: string;
  /** Instant PromQL query. */
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Stops and starts the process again on the same port and data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

async function waitReady(url: string, child: () => ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child().exitCode !== null) throw new Error(`backend exited early:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`backend not ready after 30 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function startProcess(
  cmd: string,
  args: (port: number, dir: string) => string[],
  readyPath: string,
  prepare?: (dir: string) => void,
): Promise<Backend & { port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-sync-backend-'));
  prepare?.(dir);
  const port = await freePort();
  let out = '';
  let child: ChildProcess;
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    child = spawn(cmd, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    await waitReady(
      `${url}${readyPath}`,
      () => child,
      () => out,
    );
  };
  const kill = async () => {
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exited;
    }
  };
  await launch();
  return {
    url,
    port,
    log: () => out,
    async query(q) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const j = (await r.json()) as { status: string; data: { result: [] }; error?: string };
      if (j.status !== 'success') throw new Error(`query ${q} failed: ${j.error}`);
      return j.data.result;
    },
    async restart(downMs = 300) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Prometheus with `--web.enable-remote-write-receiver` (POST /api/v1/write). */
export function startRemoteWritePrometheus() {
  return startProcess(
    PROMETHEUS,
    (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    '/-/ready',
    (dir) => writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n'),
  );
}

/**
 * VictoriaMetrics (POST /api/v1/write). `-dedup.minScrapeInterval=1ms` keeps one
 * sample per series and millisecond, as an HA pair would be configured, so a
 * re-sent batch is idempotent there too.
 */
export function startVictoriaMetrics() {
  return startProcess(
    VICTORIA_METRICS,
    (port, dir) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      '-dedup.minScrapeInterval=1ms',
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
    ],
    '/health',
  );
}

// ------------------------------------------------------------------ fault proxy

export type FaultAction =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  /** Close the connection without forwarding. */
  | { kind: 'drop' }
  /** Forward, let the backend store it, then close the connection without answering. */
  | { kind: 'drop-response' }
  /** Read part of the body, then close the connection. */
  | { kind: 'cut' }
  | { kind: 'status'; status: number; retryAfter?: string };

export interface FaultProxy {
  url: string;
  counts: Record<string, number>;
  /** Every request's idempotency key and the action taken. */
  log: { key: string; action: string }[];
  close(): Promise<void>;
}

function forward(
  target: string,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    const u = new URL(req.url ?? '/', target);
    const headers = { ...req.headers, host: u.host };
    const r = httpRequest(u, { method: req.method, headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c) => chunks.push(c));
      up.on('end', () => {
        if (res) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        }
        resolve();
      });
    });
    r.on('error', (e) => {
      if (res)
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway: ${e.message}`);
      resolve();
    });
    r.end(body);
  });
}

/** A proxy on 127.0.0.1 to `target`; `decide(n, key)` picks the fault for the n-th request. */
export async function startFaultProxy(
  target: string,
  decide: (n: number, key: string) => FaultAction,
  /** Paths forwarded untouched, and to where (e.g. the demo pages); undefined = fault path. */
  passThrough: (path: string) => string | undefined = () => undefined,
): Promise<FaultProxy> {
  const counts: Record<string, number> = {};
  const log: { key: string; action: string }[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const other = passThrough(path);
    if (other !== undefined || req.method !== 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => void forward(other ?? target, req, Buffer.concat(chunks), res));
      return;
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    const a = decide(n++, key);
    const name =
      a.kind === 'status'
        ? `${a.status}${a.retryAfter !== undefined ? '+retry-after' : ''}`
        : a.kind;
    counts[name] = (counts[name] ?? 0) + 1;
    log.push({ key, action: name });
    if (a.kind === 'cut') {
      let got = 0;
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got > 0) req.socket.destroy();
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      switch (a.kind) {
        case 'pass':
          await forward(target, req, body, res);
          break;
        case 'delay':
          await new Promise((r) => setTimeout(r, a.ms));
          await forward(target, req, body, res);
          break;
        case 'drop':
          req.socket.destroy();
          break;
        case 'drop-response':
          await forward(target, req, body, undefined);
          req.socket.destroy();
          break;
        case 'status': {
          const h: Record<string, string> = { 'content-type': 'text/plain' };
          if (a.retryAfter !== undefined) h['retry-after'] = a.retryAfter;
          res.writeHead(a.status, h).end(`injected ${a.status}`);
          break;
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    log,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A small deterministic PRNG (mulberry32) for fault schedules. */
export { mulberry32 as seeded } from './random';
