// Build plugin shared by the library build (vite.lib.config.ts) and the worker
// build (scripts/build-workers.mjs). Source code locates the WebAssembly module
// and the worker entries the way an app does, relative to the source file:
//   new URL('./edgewise.wasm', import.meta.url)                  (src/kernels)
//   new Worker(new URL('./worker.ts', import.meta.url), ...)     (src/threads/<kind>/start.ts)
// The library must ship those expressions untouched, pointing at the built
// files (dist/edgewise.wasm, dist/workers/<name>.worker.js), so that the app's
// bundler (Vite, webpack 5, Rollup...) or the browser resolves them. Left to
// Vite's library mode, they would be bundled or inlined as data: URLs instead.
// So: `transform` (before Vite's own plugins) swaps each for a placeholder,
// and `renderChunk` (after every transform) writes the expression back with the
// path relative to the output chunk.
import { readFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The workers the package ships: dist/workers/<name>.worker.js (browsers) is
 * built from src/threads/<folder>/worker.ts, and for those with `node`,
 * dist/workers/<name>.node-worker.js (Node worker_threads) from
 * src/threads/<folder>/node-worker.ts. The dist names are public
 * (`edgewise/workers/<name>.worker.js`): keep them.
 */
export const WORKERS = [
  { name: 'analytics', folder: 'kernels', node: true },
  { name: 'anomaly', folder: 'anomaly', node: true },
  { name: 'stream', folder: 'stream', node: false },
  { name: 'ml', folder: 'ml', node: true },
  { name: 'onnx', folder: 'onnx', node: true },
  { name: 'gpu', folder: 'gpu', node: false },
];
const threads = join(root, 'src', 'threads');

const WASM_RE = /new URL\(\s*'\.\/edgewise\.wasm'\s*,\s*import\.meta\.url\s*\)/g;
const WORKER_RE = /new URL\(\s*'\.\/worker\.ts'\s*,\s*import\.meta\.url\s*\)/g;
const PLACEHOLDER_RE = /__EDGEWISE_ASSET_URL__\(\s*"([^"]+)"\s*\)/g;

/**
 * @param {{ emitWasm?: boolean }} options `emitWasm`: copy build/edgewise.wasm
 *   to edgewise.wasm at the root of the output directory.
 */
export function assetUrls({ emitWasm = false } = {}) {
  return {
    name: 'edgewise:asset-urls',
    enforce: 'pre',
    buildStart() {
      if (emitWasm) {
        this.emitFile({
          type: 'asset',
          fileName: 'edgewise.wasm',
          source: readFileSync(join(root, 'build', 'edgewise.wasm')),
        });
      }
    },
    transform(code, id) {
      if (!id.startsWith(root) || id.includes('node_modules')) return null;
      if (!code.includes('import.meta.url')) return null;
      const folder = dirname(id) === threads ? undefined : basename(dirname(id));
      const worker = dirname(dirname(id)) === threads && WORKERS.find((w) => w.folder === folder);
      let out = code.replace(WASM_RE, '__EDGEWISE_ASSET_URL__("edgewise.wasm")');
      if (worker) {
        out = out.replace(WORKER_RE, `__EDGEWISE_ASSET_URL__("workers/${worker.name}.worker.js")`);
      }
      return out === code ? null : { code: out, map: null };
    },
    renderChunk(code, chunk) {
      if (!code.includes('__EDGEWISE_ASSET_URL__')) return null;
      const from = posix.dirname(chunk.fileName);
      const out = code.replace(PLACEHOLDER_RE, (_, target) => {
        let rel = posix.relative(from, target);
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `new URL(${JSON.stringify(rel)}, import.meta.url)`;
      });
      return { code: out, map: null };
    },
  };
}

/**
 * For worker bundles: resolves src/kernels' `./wasm` (the module with the
 * top-level await that loads the kernels on import) to
 * src/threads/kernels/wasm-binding.ts (the same binding, no await). A worker must not wait at the top level:
 * bundlers build workers as classic scripts by default, which cannot, and a
 * module worker that waits loses the messages that arrive meanwhile. The
 * worker services `await loadKernels()` before their first kernel call.
 */
export function noTopLevelAwait() {
  const kernels = join(root, 'src', 'kernels');
  return {
    name: 'edgewise:worker-no-tla',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './wasm' && importer && dirname(importer) === kernels) {
        return join(threads, 'kernels', 'wasm-binding.ts');
      }
      return null;
    },
  };
}
