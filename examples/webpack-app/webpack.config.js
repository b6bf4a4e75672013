// A plain webpack 5 production build: no loader, no plugin, nothing for
// Edgewise. webpack bundles the workers the package starts with
// `new Worker(new URL(..., import.meta.url))`, and emits edgewise.wasm as an
// asset from `new URL('./edgewise.wasm', import.meta.url)`.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './src/main.js',
  output: {
    path: resolve(dirname(fileURLToPath(import.meta.url)), 'dist'),
    filename: 'main.js',
    clean: true,
  },
};
