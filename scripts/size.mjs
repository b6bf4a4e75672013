// npm run size: builds the library entry points minified (as an app bundler
// would ship them) into build/size and prints the gzip size of each entry with
// everything it imports statically. Dynamic import() chunks (onnxruntime-web,
// lazily loaded parts) are listed apart: they are not in the core. Exits 1 when
// the core (the `edgewise` entry: kernels + WASM, events, stream, metrics,
// stats, anomaly, gpu) is over the 80 KB gzip budget.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  'stats',
  'anomaly',
  'gpu',
  'ml',
  'sync',
];

export async function build() {
  const { rolldown } = await import('rolldown');
  const input = {};
  for (const e of ENTRIES) {
    const file = e === 'index' ? 'src/index.ts' : `src/${e}/index.ts`;
    if (existsSync(join(root, file))) input[e] = join(root, file);
  }
  const bundle = await rolldown({
    input,
    cwd: root,
    platform: 'browser',
    // onnxruntime-web and the Node-only WebGPU binding never ship in the core.
    external: [/^node:/, 'onnxruntime-web', 'webgpu'],
    logLevel: 'silent',
  });
  // Full minification (whitespace too), as an application bundler ships it;
  // dependencies (idb, comlink, snappyjs) are bundled in and counted.
  await bundle.write({
    dir: out,
    format: 'es',
    minify: true,
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  });
  await bundle.close();
  return out;
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** Static import closure of a built file (relative imports only). */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  // `... from "./x.js"` and side-effect `import "./x.js"` (not dynamic import("./x.js"))
  const re = /(?:\bfrom\s*|\bimport\s*)["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of src.matchAll(re)) closure(join(dirname(file), m[1]), seen);
  return seen;
}

function dynamicChunks(file) {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) =>
    join(dirname(file), m[1]),
  );
}

/** Files in the static closure of entry `name` (after build()). */
export function closureOf(name) {
  return [...closure(join(out, `${name}.js`))];
}

export function measure() {
  const entries = readdirSync(out)
    .filter((f) => f.endsWith('.js') && ENTRIES.includes(f.replace(/\.js$/, '')))
    .sort();
  const rows = entries.map((f) => {
    const files = closure(join(out, f));
    const bytes = [...files].reduce((n, x) => n + gz(x), 0);
    const lazy = new Set(
      [...files].flatMap(dynamicChunks).filter((x) => existsSync(x) && !files.has(x)),
    );
    const lazyBytes = [...lazy].reduce((n, x) => n + gz(x), 0);
    return { entry: f.replace(/\.js$/, ''), bytes, files: files.size, lazyBytes };
  });
  const core = rows.find((r) => r.entry === 'index');
  return { rows, core: core?.bytes ?? 0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(out, { recursive: true, force: true });
  await build();
  const { rows, core } = measure();
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  console.log('entry (minified, + static imports)   gzip      lazily loaded (gzip)');
  for (const r of rows)
    console.log(
      `${r.entry.padEnd(36)} ${kb(r.bytes).padStart(9)}  ${r.lazyBytes ? kb(r.lazyBytes) : '-'}`,
    );
  console.log(
    `\ncore (edgewise entry): ${kb(core)} of the ${kb(BUDGET)} budget ${core <= BUDGET ? 'OK' : 'OVER BUDGET'}`,
  );
  process.exit(core <= BUDGET ? 0 : 1);
}
