// npm run size: builds the library entry points minified (as an app bundler
// would ship them) into build/size and prints the gzip size of each entry with
// everything it imports statically. Dynamic import() chunks (onnxruntime-web,
// lazily loaded parts) are listed apart: they are not in the core. Exits 1 when
// the core (the `edgewise` entry: kernels + WASM, events, stream, metrics,
// stats, anomaly, gpu) is over the 80 KB gzip budget.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'size');
export const BUDGET = 80 * 1024;

export function build() {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'vite.lib.config.ts',
      '--minify',
      '--sourcemap',
      'false',
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: root, stdio: 'inherit' },
  );
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** Static import closure of a built file (relative imports only). */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  const re = /(?:^|[;}\s])(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of src.matchAll(re)) closure(join(dirname(file), m[1]), seen);
  return seen;
}

function dynamicChunks(file) {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) =>
    join(dirname(file), m[1]),
  );
}

export function measure() {
  const entries = readdirSync(out)
    .filter((f) => f.endsWith('.js') && !/-[A-Za-z0-9_-]{8}\.js$/.test(f))
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
  build();
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
