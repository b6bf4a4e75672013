// Static server for the built demo (npm run demo) and the browser tests.
// Serves demo/dist on 127.0.0.1 with correct MIME types and a strict CSP
// (no 'unsafe-eval', no inline scripts; 'wasm-unsafe-eval' for WebAssembly).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.onnx': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; " +
  "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'";

/**
 * Starts a static server; resolves to { url, port, close }. `handle(req, res)`
 * may answer a request itself by returning true.
 */
export function startServer({ root, port = 0, host = '127.0.0.1', handle } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    // Tests may answer some requests themselves (e.g. a same-origin sync endpoint).
    if (handle?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (path !== base && !path.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(path)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      ok({
        url: `http://${host}:${p}/`,
        port: p,
        close: () => new Promise((c) => server.close(() => c())),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../demo/dist', import.meta.url));
  if (!existsSync(join(root, 'index.html'))) {
    console.error('demo/dist is missing: run `npm run build` first (npm run demo does).');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 5173);
  const { url } = await startServer({ root, port, host: process.env.HOST ?? '127.0.0.1' });
  console.log(`Edgewise demo: ${url}  (Ctrl+C to stop)`);
}
