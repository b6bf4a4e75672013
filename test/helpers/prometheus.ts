/**
 * Helpers for the tests that run Debian's real Prometheus tools: `promtool`
 * (`check metrics`, `tsdb create-blocks-from openmetrics`) and a `prometheus`
 * server on a free 127.0.0.1 port with a temp storage dir. `.ci/run` installs
 * the `prometheus` package.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
export const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';

export interface ToolResult {
  status: number | null;
  output: string;
}

/** `promtool check metrics` on `text` (stdin); status 0 means valid and lint-clean. */
export function promtoolCheckMetrics(text: string): ToolResult {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error)
    throw new Error(`cannot run ${PROMTOOL}: ${r.error.message} (apt-get install -y prometheus)`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * Parses OpenMetrics text with Prometheus's OpenMetrics parser through
 * `promtool tsdb create-blocks-from openmetrics`. That importer needs a
 * timestamp on every sample, so one is appended to each sample line first.
 */
export function promtoolParseOpenMetrics(text: string, ts = 1_700_000_000): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-om-'));
  try {
    const stamped = text
      .split('\n')
      .map((l) => (l === '' || l.startsWith('#') ? l : `${l} ${ts}`))
      .join('\n');
    const file = join(dir, 'in.om');
    writeFileSync(file, stamped);
    const r = spawnSync(
      PROMTOOL,
      ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'out')],
      {
        encoding: 'utf8',
      },
    );
    if (r.error) throw new Error(`cannot run ${PROMTOOL}: ${r.error.message}`);
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface PrometheusServer {
  url: string;
  /** Instant PromQL query; returns the `data.result` vector. */
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
  log(): string;
}

/** Starts Prometheus scraping `target` (host:port) at `metricsPath` every second. */
export async function startPrometheus(
  target: string,
  metricsPath = '/metrics',
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-prom-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: edgewise',
      `    metrics_path: ${metricsPath}`,
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // Wait until ready.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${log}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    log: () => log,
    stop,
    async query(q) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const j = (await r.json()) as { status: string; data: { result: [] }; error?: string };
      if (j.status !== 'success') throw new Error(`query ${q} failed: ${j.error}`);
      return j.data.result;
    },
  };
}
