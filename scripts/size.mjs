// npm run size: builds each library entry point on its own, minified (as an
// app bundler such as Vite / Rolldown ships an app that imports it), into
// build/size/<entry>/ and prints the gzip size of the entry with everything it
// imports statically. Chunks loaded with import() (WebGPU, sync, storage,
// onnxruntime-web) are listed apart: they are not downloaded until used. Exits
// 1 when the core (the `edgewise` entry: createRuntime with the bus, metrics
// and the kernel module; the families are their own entries) is over the 80 KB
// gzip budget. The kernel module is a separate file (dist/edgewise.wasm, one
// download shared by the page and its workers); an entry whose static closure
// loads it is charged its gzip size too (the `wasm` column), so the figures
// stay comparable with the time the module was inlined in the JS.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'size');
export const BUDGET = 80 * 1024;

/** Library entries, as in vite.lib.config.ts (workers and the CLI are not in an app's bundle). */
const ENTRIES = [
  'index',
  'kernels',
  'events',
  'stream',
  'metrics',
  'storage',
  'threads',
  'threads-stream',
  'stats',
  'anomaly',
  'gpu',
  'ml',
  'onnx',
  'sync',
];

export async function build() {
  const { rolldown } = await import('rolldown');
  for (const e of ENTRIES) {
    const file = e === 'index' ? 'src/index.ts' : `src/${e.replace('-', '/')}/index.ts`; // threads-stream: src/threads/stream
    if (!existsSync(join(root, file))) continue;
    const bundle = await rolldown({
      input: { [e]: join(root, file) },
      cwd: root,
      platform: 'browser',
      // onnxruntime-web and the Node-only WebGPU binding never ship in the core.
      external: [/^node:/, 'onnxruntime-web', 'webgpu'],
      logLevel: 'silent',
    });
    // Full minification (whitespace too), as an application bundler ships it;
    // dependencies (idb, comlink, snappyjs) are bundled in and counted.
    await bundle.write({
      dir: join(out, e),
      format: 'es',
      minify: true,
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
    });
    await bundle.close();
  }
  return out;
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const WASM = join(root, 'build', 'edgewise.wasm');
/** gzip size of the kernel module (charged to entries that load it). */
export const wasmBytes = () => gz(WASM);
const loadsWasm = (files) =>
  [...files].some((f) => readFileSync(f, 'utf8').includes('edgewise.wasm'));

/** Static import closure of a built file (relative imports only). */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  // `... from "./x.js"` and side-effect `import "./x.js"` (not dynamic import("./x.js"))
  const re = /(?:\bfrom\s*|\bimport\s*)["'`](\.{1,2}\/[^"'`]+)["'`]/g;
  for (const m of src.matchAll(re)) closure(join(dirname(file), m[1]), seen);
  return seen;
}

function dynamicChunks(file) {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/import\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g)].map((m) =>
    join(dirname(file), m[1]),
  );
}

/** Files in the static closure of entry `name` (after build()). */
export function closureOf(name) {
  return [...closure(join(out, name, `${name}.js`))];
}

export function measure() {
  const entries = ENTRIES.filter((e) => existsSync(join(out, e, `${e}.js`)));
  const rows = entries.map((e) => {
    const files = closure(join(out, e, `${e}.js`));
    const wasm = loadsWasm(files) ? wasmBytes() : 0;
    const bytes = [...files].reduce((n, x) => n + gz(x), 0) + wasm;
    // Everything reachable through import() from the entry, with its own static imports.
    const lazy = new Set();
    const queue = [...files].flatMap(dynamicChunks);
    while (queue.length) {
      const x = queue.pop();
      if (!existsSync(x) || files.has(x) || lazy.has(x)) continue;
      for (const y of closure(x)) if (!files.has(y)) lazy.add(y);
      for (const y of closure(x)) queue.push(...dynamicChunks(y));
    }
    const lazyBytes = [...lazy].reduce((n, x) => n + gz(x), 0);
    return { entry: e, bytes, wasm, files: files.size, lazyBytes };
  });
  const core = rows.find((r) => r.entry === 'index');
  return { rows, core: core?.bytes ?? 0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(out, { recursive: true, force: true });
  await build();
  const { rows, core } = measure();
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  console.log('entry (minified, + static imports)   gzip    of which wasm  lazily loaded (gzip)');
  for (const r of rows)
    console.log(
      `${r.entry.padEnd(36)} ${kb(r.bytes).padStart(9)}  ${(r.wasm ? kb(r.wasm) : '-').padStart(9)}    ${r.lazyBytes ? kb(r.lazyBytes) : '-'}`,
    );
  console.log(
    `\ncore (edgewise entry): ${kb(core)} of the ${kb(BUDGET)} budget ${core <= BUDGET ? 'OK' : 'OVER BUDGET'}`,
  );
  process.exit(core <= BUDGET ? 0 : 1);
}
