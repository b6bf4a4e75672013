/**
 * Node only, optional: a tiny `/metrics` endpoint so a real Prometheus can
 * scrape a process running Edgewise. `node:http` is imported lazily through a
 * computed specifier, so browser bundles neither pull it in nor warn about it.
 */
import type { ExpositionFormat, MetricsRegistry } from './registry';
import { CONTENT_TYPES } from './registry';

/** The parts of node's IncomingMessage the handler uses. */
export interface RequestLike {
  url?: string;
  method?: string;
  headers: Record<string, string | string[] | undefined>;
}
/** The parts of node's ServerResponse the handler uses. */
export interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * A request handler serving `path` (default `/metrics`): OpenMetrics when the
 * scraper's Accept header asks for `application/openmetrics-text`, Prometheus
 * text 0.0.4 otherwise; 404 for other paths, 405 for methods other than GET/HEAD.
 */
export function metricsHandler(
  registry: MetricsRegistry,
  options: { path?: string } = {},
): (req: RequestLike, res: ResponseLike) => void {
  const path = options.path ?? '/metrics';
  return (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== path) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`not found; metrics are at ${path}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.end();
      return;
    }
    const accept = String(req.headers.accept ?? '');
    const format: ExpositionFormat = accept.includes('application/openmetrics-text')
      ? 'openmetrics'
      : 'prometheus';
    let body: string;
    try {
      body = registry.expositionSync(format);
    } catch (e) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`metrics collection failed: ${(e as Error).message}\n`);
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** A running `/metrics` server (`serveMetrics`): its URL and `close()`. */
export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9464/metrics` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server for `metricsHandler` (default 127.0.0.1, a free port). */
export async function serveMetrics(
  registry: MetricsRegistry,
  options: { host?: string; port?: number; path?: string } = {},
): Promise<MetricsServer> {
  const specifier = 'node:http';
  const http = (await import(
    /* @vite-ignore */ /* webpackIgnore: true */ specifier
  )) as typeof import('node:http');
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const handler = metricsHandler(registry, { path });
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}${path}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
