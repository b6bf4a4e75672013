// Builds the browser worker entries (src/threads/<folder>/worker.ts, see
// WORKERS in scripts/asset-urls.mjs) into
// dist/workers/<name>.worker.js: one self-contained ES module each, with
// Comlink and every dynamic import inlined, so that
// - an app's bundler can rebuild it in any worker format (Vite builds workers
//   as classic `iife` scripts by default, which allows no top-level await and
//   no code splitting): src/kernels/wasm.ts, the one module with a top-level
//   await, is replaced by src/threads/kernels/wasm-binding.ts, and the services await
//   loadKernels() before their first kernel call;
// - a page with no bundler can start it straight from dist: a module worker
//   does not see the page's import map, so no bare specifier may remain (only
//   onnxruntime-web, which the ONNX worker loads with import() when a model is
//   loaded, and node: built-ins that browser code never reaches).
// The kernel module is not inlined: the workers load dist/edgewise.wasm (one
// file for the page and all its workers).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { assetUrls, noTopLevelAwait, WORKERS } from './asset-urls.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BROWSER_WORKERS = WORKERS.map((w) => w.name);

export async function buildWorkers({ outDir = join(root, 'dist') } = {}) {
  for (const { name, folder } of WORKERS) {
    rmSync(join(outDir, 'workers', `${name}.worker.js`), { force: true });
    const bundle = await rolldown({
      input: { [`${name}.worker`]: join(root, 'src', 'threads', folder, 'worker.ts') },
      cwd: root,
      platform: 'browser',
      external: [/^node:/, 'onnxruntime-web'],
      plugins: [noTopLevelAwait(), assetUrls()],
      logLevel: 'warn',
    });
    await bundle.write({
      dir: outDir,
      format: 'es',
      codeSplitting: false,
      entryFileNames: 'workers/[name].js',
      sourcemap: true,
    });
    await bundle.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWorkers();
  console.log(`build:workers: ${BROWSER_WORKERS.map((n) => `${n}.worker.js`).join(', ')}`);
}
