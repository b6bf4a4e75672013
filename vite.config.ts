import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The demo app (npm run demo). Pages: index.html (dashboard) and selftest.html
// (numbers the browser tests compare with the fixtures).
export default defineConfig({
  root: 'demo',
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // selftest.html bundles the test fixtures (about 1 MB); the app itself is small.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: {
        index: resolve(import.meta.dirname, 'demo/index.html'),
        selftest: resolve(import.meta.dirname, 'demo/selftest.html'),
        'gpu-selftest': resolve(import.meta.dirname, 'demo/gpu-selftest.html'),
        stream: resolve(import.meta.dirname, 'demo/stream.html'),
        'metrics-selftest': resolve(import.meta.dirname, 'demo/metrics-selftest.html'),
        'sync-selftest': resolve(import.meta.dirname, 'demo/sync-selftest.html'),
      },
    },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
