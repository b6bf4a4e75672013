// npm run test:examples: the example apps install Edgewise exactly as a user
// would, from the packed tarball, build, and run in real Chromium.
//
// 1. builds the library (unless --no-build) and packs it (npm pack) into .tmp/;
// 2. installs the tarball into examples/{vite-app,webpack-app,no-bundler}
//    (npm install --no-save <tgz>, plus each app's own devDependencies);
// 3. builds the Vite app (tsc && vite build, default config) and the webpack
//    app (webpack 5 production, no loader for Edgewise);
// 4. serves each build with a strict CSP (script-src 'self' 'wasm-unsafe-eval';
//    the import map of the no-bundler page by its hash), and the Vite dev
//    server, and drives each page in Chromium (/usr/bin/chromium);
// 5. asserts the page's results against the same scenario run in Node on the
//    installed package (examples/shared/scenario.js), that the pool and the
//    kernel client ran in Web Workers (and, in the webpack and no-bundler
//    apps, the stream, ML and GPU workers), and that the console has no error;
// 6. runs examples/node-esm's `npm run verify` when that example exists;
// 7. prints the Vite app's production build size (gzip of JS + WASM), and
//    checks that it holds no worker the app does not use (the stream worker).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The apps are copied out of the repository before they install and build:
// a user's app does not sit under our package.json or our tsconfig.json
// (webpack 5.113 applies the nearest tsconfig's `paths`, which map `edgewise/*`
// to this repository's sources for the demo).
const examplesSource = join(root, 'examples');
const examples = mkdtempSync(join(tmpdir(), 'edgewise-examples-'));
cpSync(examplesSource, examples, {
  recursive: true,
  filter: (src) => !/[\\/](node_modules|dist)$/.test(src),
});
const tmp = join(root, '.tmp');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As test/browser/chromium.ts (WebGPU off: these apps do not need it).
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const BROWSER_APPS = ['vite-app', 'webpack-app', 'no-bundler'];
const args = new Set(process.argv.slice(2));
const t0 = performance.now();
const failures = [];
const log = (msg) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

function run(cmd, argv, cwd, env = {}) {
  log(`${relative(root, cwd) || '.'}$ ${cmd} ${argv.join(' ')}`);
  return execFileSync(cmd, argv, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

function check(ok, what) {
  if (ok) return;
  failures.push(what);
  console.log(`  FAIL ${what}`);
}

// ---------------------------------------------------------------- pack, install
if (!args.has('--no-build')) {
  run('npm', ['run', 'build:wasm'], root);
  run('npm', ['run', 'build:lib'], root);
}
mkdirSync(tmp, { recursive: true });
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], root));
const tgz = join(tmp, packed[0].filename);
log(`packed ${relative(root, tgz)} (${(statSync(tgz).size / 1024).toFixed(0)} KB)`);

// What `npm install edgewise` puts on disk with default options (the optional
// peer onnxruntime-web is not installed): apparent size of node_modules.
{
  const fresh = join(tmp, 'install-size');
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { recursive: true });
  writeFileSync(join(fresh, 'package.json'), '{"name":"install-size","private":true}');
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz], fresh);
  const bytesIn = (d) =>
    readdirSync(d, { withFileTypes: true }).reduce(
      (a, e) => a + (e.isDirectory() ? bytesIn(join(d, e.name)) : statSync(join(d, e.name)).size),
      0,
    );
  const bytes = bytesIn(join(fresh, 'node_modules'));
  log(`npm install of the tarball: ${(bytes / 1e6).toFixed(2)} MB on disk (target < 5 MB)`);
  check(bytes < 5e6, `npm install edgewise stays under 5 MB (${(bytes / 1e6).toFixed(2)} MB)`);
  check(
    !existsSync(join(fresh, 'node_modules', 'onnxruntime-web')),
    'onnxruntime-web (optional peer) is not installed by default',
  );
}

const canonical = readFileSync(join(examples, 'shared', 'scenario.js'), 'utf8');
const scenarioCopies = {
  'vite-app': 'src/scenario.js',
  'webpack-app': 'src/scenario.js',
  'no-bundler': 'scenario.js',
};
for (const [app, file] of Object.entries(scenarioCopies)) {
  check(
    readFileSync(join(examples, app, file), 'utf8') === canonical,
    `examples/${app}/${file} is a copy of examples/shared/scenario.js`,
  );
}

const npmInstall = (dir) =>
  run(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tgz,
    ],
    dir,
  );
for (const app of BROWSER_APPS) npmInstall(join(examples, app));

// ---------------------------------------------------------------- build
run('npm', ['run', 'build'], join(examples, 'vite-app'));
run('npm', ['run', 'build'], join(examples, 'webpack-app'));

// ---------------------------------------------------------------- reference in Node
const installed = join(examples, 'vite-app', 'node_modules', 'edgewise', 'dist');
const ew = {};
for (const entry of ['index', 'kernels', 'events', 'stream', 'anomaly', 'threads', 'ml', 'gpu']) {
  Object.assign(ew, await import(pathToFileURL(join(installed, `${entry}.js`)).href));
}
const { runScenario, makeData } = await import(
  pathToFileURL(join(examples, 'shared', 'scenario.js')).href
);
const ref = await runScenario(ew, { workers: false, storage: 'memory', extras: true });
const data = makeData();
log('reference computed in Node from the installed package');

// ---------------------------------------------------------------- servers
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.map': 'application/json',
};
const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'self'";

function serve(dir, csp) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (path !== base && !path.startsWith(base + sep)) return res.writeHead(403).end();
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) return res.writeHead(404).end('not found');
    res.writeHead(200, {
      'content-type': MIME[extname(path)] ?? 'application/octet-stream',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () => new Promise((c) => server.close(() => c())),
      }),
    ),
  );
}

function importMapCsp(htmlFile) {
  const html = readFileSync(htmlFile, 'utf8');
  const m = html.match(/<script type="importmap">([\s\S]*?)<\/script>/);
  const hash = createHash('sha256').update(m[1]).digest('base64');
  return STRICT_CSP.replace("script-src 'self'", `script-src 'self' 'sha256-${hash}'`);
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startViteDev(dir) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(dir, 'node_modules', 'vite', 'bin', 'vite.js'),
      '--port',
      String(port),
      '--strictPort',
      // a fresh dependency pre-bundle: the tarball changes while the app's lockfile does not
      '--force',
      '--host',
      '127.0.0.1',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (output.includes('ready in')) break;
    if (child.exitCode !== null) throw new Error(`vite dev exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => output,
    close: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------- assertions
const close = (a, b, tol) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
function maxDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function assertResult(name, r) {
  const p = `${name}:`;
  check(r.backend === 'wasm-simd', `${p} kernels on wasm-simd (got ${r.backend})`);
  check(r.pageScope === 'Window', `${p} the scenario ran on the page (got ${r.pageScope})`);
  // A WebAssembly kernel: the same module in Chromium and Node gives the same bits;
  // and both agree with a two-pass mean / variance computed here.
  for (const k of Object.keys(ref.moments)) {
    check(
      close(r.moments[k], ref.moments[k], 1e-12),
      `${p} Moments.${k} ${r.moments[k]} = Node ${ref.moments[k]}`,
    );
  }
  let s = 0;
  for (const v of data.series) s += v;
  const mean = s / data.series.length;
  let ss = 0;
  for (const v of data.series) ss += (v - mean) ** 2;
  check(close(r.moments.mean, mean, 1e-12), `${p} Moments.mean matches a two-pass mean`);
  check(
    close(r.moments.variance, ss / data.series.length, 1e-10),
    `${p} Moments.variance matches two-pass`,
  );
  // StreamingDetector on the page = in Node.
  check(r.streamingScores.length === ref.streamingScores.length, `${p} streaming score count`);
  const ds = maxDiff(r.streamingScores, ref.streamingScores);
  check(ds <= 1e-9, `${p} StreamingDetector scores = Node (max |diff| ${ds})`);
  check(
    JSON.stringify(r.anomalyEvents) === JSON.stringify(ref.anomalyEvents) &&
      r.anomalyEvents.includes(1200),
    `${p} anomaly events ${JSON.stringify(r.anomalyEvents)} = Node ${JSON.stringify(ref.anomalyEvents)} (the spike at 1200 found)`,
  );
  // IsolationForest: scored through the worker pool = on the page = in Node.
  const df = maxDiff(r.forestScores, ref.forestScores);
  check(df <= 1e-12, `${p} IsolationForest scores on the page = Node (max |diff| ${df})`);
  check(
    Array.isArray(r.poolScores) &&
      r.poolScores.length === r.forestScores.length &&
      r.poolScores.every((v, i) => v === r.forestScores[i]),
    `${p} IsolationForest scores through the worker pool = on the page, bit for bit`,
  );
  check(
    JSON.stringify(r.poolScopes) ===
      JSON.stringify(['DedicatedWorkerGlobalScope', 'DedicatedWorkerGlobalScope']),
    `${p} both pool workers ran in Web Workers (${JSON.stringify(r.poolScopes)})`,
  );
  check(
    r.kernelWorkerScope === 'DedicatedWorkerGlobalScope',
    `${p} kernel worker ran in a Web Worker (${r.kernelWorkerScope})`,
  );
  check(
    r.workerMoments && Object.keys(ref.moments).every((k) => r.workerMoments[k] === r.moments[k]),
    `${p} Moments in the kernel worker = on the page, bit for bit`,
  );
  // Metrics exposition: the same text.
  check(r.exposition === ref.exposition, `${p} Prometheus exposition = Node`);
  // IndexedDB: the 10 samples survived closing and reopening the runtime.
  const want = Array.from(data.series.subarray(0, 10));
  check(
    Array.isArray(r.stored) &&
      r.stored.length === 1 &&
      JSON.stringify(r.stored[0]) === JSON.stringify(want),
    `${p} samples read back from IndexedDB after reopening = written (${JSON.stringify(r.stored)})`,
  );
  if (!r.extras) return;
  // The stream, ML and GPU workers = the same computations in Node.
  const x = r.extras;
  const y = ref.extras;
  check(
    x.windows.length === y.windows.length &&
      x.windows.every(
        (w, i) =>
          w[0] === y.windows[i][0] &&
          w[1] === y.windows[i][1] &&
          close(w[2], y.windows[i][2], 1e-12),
      ),
    `${p} ${x.windows.length} hourly windows from the stream worker = a StreamProcessor in Node (${y.windows.length})`,
  );
  check(
    x.sameModelInWorker === true,
    `${p} the model trained in the ML worker = trained on the page, byte for byte`,
  );
  check(
    x.trainedRows === y.trainedRows &&
      Object.keys(y.modelScores).every((k) => close(x.modelScores[k], y.modelScores[k], 1e-9)),
    `${p} the trained model's score distribution = Node's (${JSON.stringify(x.modelScores)})`,
  );
  if (x.onnx) {
    console.log(`  ${name.replace(/:$/, '')} ONNX in the ONNX worker: ${JSON.stringify(x.onnx)}`);
    check(
      x.onnx.provider === 'wasm' && x.onnx.rows === 300 && x.onnx.maxDiff <= 1e-6,
      `${p} the forest exported to ONNX, scored by onnxruntime-web in the ML worker = the forest (${JSON.stringify(x.onnx)})`,
    );
  }
  check(
    JSON.stringify(x.batchMean) === JSON.stringify(y.batchMean) &&
      JSON.stringify(x.batchVariance) === JSON.stringify(y.batchVariance),
    `${p} batch statistics in the GPU worker = batchStatsCpu in Node`,
  );
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});

async function drive(name, url, { expectWorkers = 3, extras = false, onnx = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const workers = [];
  const responses = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) =>
    errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );
  page.on('worker', (w) => workers.push(w.url()));
  context.on('response', (res) => responses.push(res.url()));
  const started = performance.now();
  await page.goto(url);
  const box = await page
    .waitForFunction(() => window.__edgewise, null, { timeout: 90_000 })
    .then((h) => h.jsonValue())
    .catch((e) => ({ error: `no result: ${e.message}` }));
  log(
    `${name}: page done in ${((performance.now() - started) / 1000).toFixed(1)} s, workers: ${workers.length}`,
  );
  await context.close();
  if (box.error) {
    check(false, `${name}: the scenario failed: ${box.error}`);
  } else {
    check(
      Boolean(box.result.extras) === extras,
      `${name}: stream / ML / GPU workers run: ${extras}`,
    );
    check(
      Boolean(box.result.extras?.onnx) === onnx,
      `${name}: ONNX model in the ML worker run: ${onnx}`,
    );
    assertResult(name, box.result);
  }
  check(errors.length === 0, `${name}: no console errors (${errors.join(' | ')})`);
  check(
    workers.length >= expectWorkers,
    `${name}: ${workers.length} Web Workers started (>= ${expectWorkers}: 2 pool + 1 kernel)`,
  );
  return { responses, workers };
}

try {
  // Vite: production build, then the dev server (dependency pre-bundling).
  const viteDist = join(examples, 'vite-app', 'dist');
  const viteServer = await serve(viteDist, STRICT_CSP);
  const viteRun = await drive('vite build', viteServer.url);
  await viteServer.close();
  const dev = await startViteDev(join(examples, 'vite-app'));
  try {
    await drive('vite dev', dev.url);
  } finally {
    await dev.close();
  }
  const webpackServer = await serve(join(examples, 'webpack-app'), STRICT_CSP);
  await drive('webpack build', webpackServer.url, { expectWorkers: 7, extras: true, onnx: true });
  await webpackServer.close();
  const nbDir = join(examples, 'no-bundler');
  const nbServer = await serve(nbDir, importMapCsp(join(nbDir, 'index.html')));
  await drive('no bundler', nbServer.url, { expectWorkers: 6, extras: true });
  await nbServer.close();

  // Size of the Vite app's production build: everything it emitted, and what the page loaded.
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  const files = readdirSync(join(viteDist, 'assets')).filter((f) => /\.(js|wasm)$/.test(f));
  const total = files.reduce((n, f) => n + gz(join(viteDist, 'assets', f)), 0);
  const loaded = new Set(
    viteRun.responses
      .map((u) => new URL(u).pathname.replace(/^\/assets\//, ''))
      .filter((f) => files.includes(f)),
  );
  const loadedBytes = [...loaded].reduce((n, f) => n + gz(join(viteDist, 'assets', f)), 0);
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  console.log('\nVite app production build (gzip -9):');
  for (const f of files.sort())
    console.log(
      `  ${f.padEnd(44)} ${kb(gz(join(viteDist, 'assets', f))).padStart(9)}${loaded.has(f) ? '  loaded' : ''}`,
    );
  console.log(
    `  total JS + WASM emitted: ${kb(total)}; loaded by the page: ${kb(loadedBytes)} (target < 150 KB)`,
  );
  check(total < 150 * 1024, `vite build: JS + WASM under 150 KB gzip (${kb(total)})`);
  check(files.filter((f) => f.endsWith('.wasm')).length === 1, 'vite build: one .wasm file');
  // Bundlers emit every worker a built module spells, used or not: the app
  // imports edgewise/threads but not edgewise/threads/stream.
  check(
    !files.some((f) => f.startsWith('stream.worker')),
    'vite build: no stream worker emitted (the app does not import edgewise/threads/stream)',
  );
} finally {
  await browser.close();
}

// ---------------------------------------------------------------- node-esm (owned by the packaging work)
const nodeEsm = join(examples, 'node-esm');
if (existsSync(join(nodeEsm, 'package.json'))) {
  npmInstall(nodeEsm);
  try {
    console.log(run('npm', ['run', 'verify'], nodeEsm));
  } catch (e) {
    check(
      false,
      `examples/node-esm: npm run verify failed: ${e.stdout ?? ''}${e.stderr ?? e.message}`,
    );
  }
} else {
  log('examples/node-esm not present: skipped');
}

log(failures.length ? `${failures.length} check(s) failed` : 'all example checks passed');
process.exit(failures.length ? 1 : 0);
