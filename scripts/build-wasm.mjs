// Compiles assembly/ to build/edgewise.wasm (SIMD, -O3) and copies it to
// src/kernels/edgewise.wasm, where src/kernels/runtime.ts finds it with
// `new URL('./edgewise.wasm', import.meta.url)` when the sources run directly
// (tests, tsx, the demo's Vite build). The library build ships it as
// dist/edgewise.wasm (scripts/asset-urls.mjs). Neither copy is committed;
// `npm run build:wasm` recreates them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
execFileSync(
  process.execPath,
  [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release'],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
);
const built = join(root, 'build', 'edgewise.wasm');
const out = join(root, 'src', 'kernels', 'edgewise.wasm');
copyFileSync(built, out);
// The module used to be inlined in generated TypeScript; remove a stale copy.
rmSync(join(root, 'src', 'kernels', 'wasm-binary.generated.ts'), { force: true });
const wasm = readFileSync(built);
console.log(
  `build:wasm: ${wasm.length} bytes (${gzipSync(wasm, { level: 9 }).length} gzip) -> ${out}`,
);
