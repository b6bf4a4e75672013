import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
// @ts-expect-error plain ESM script without types
import { noTopLevelAwait } from './scripts/asset-urls.mjs';

// The demo app (npm run demo). Pages: index.html (dashboard) and selftest.html
// (numbers the browser tests compare with the fixtures).
export default defineConfig({
  root: 'demo',
  base: './',
  // The demo is the first user of the public API: it imports `edgewise` and
  // `edgewise/<family>` (and `edgewise/threads/stream`) only, resolved here to
  // the sources of those entries (tsconfig.json's `paths` says the same to the
  // type checker).
  resolve: {
    alias: [
      { find: /^edgewise$/, replacement: resolve(import.meta.dirname, 'src/index.ts') },
      {
        find: /^edgewise\/([a-z]+|threads\/stream)$/,
        replacement: resolve(import.meta.dirname, 'src/$1/index.ts'),
      },
    ],
  },
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
        embed: resolve(import.meta.dirname, 'demo/embed.html'),
        'gpu-selftest': resolve(import.meta.dirname, 'demo/gpu-selftest.html'),
        stream: resolve(import.meta.dirname, 'demo/stream.html'),
        'metrics-selftest': resolve(import.meta.dirname, 'demo/metrics-selftest.html'),
        anomaly: resolve(import.meta.dirname, 'demo/anomaly.html'),
        'sync-selftest': resolve(import.meta.dirname, 'demo/sync-selftest.html'),
        'ml-selftest': resolve(import.meta.dirname, 'demo/ml-selftest.html'),
      },
    },
  },
  // Workers built from the sources get the same module as the shipped ones:
  // no top-level await (see scripts/asset-urls.mjs).
  worker: { format: 'es', plugins: () => [noTopLevelAwait()] },
  plugins: [
    // Offline: a generated service worker precaches the whole app (JS with the
    // inlined WASM, CSS, HTML, the built-in data, onnxruntime's assets when
    // present), so after one visit the app loads and works with no network.
    VitePWA({
      injectRegister: false,
      registerType: 'autoUpdate',
      manifest: false,
      filename: 'sw.js',
      workbox: {
        globPatterns: ['**/*.{js,mjs,css,html,svg,csv,json,webmanifest,wasm,onnx}'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        ignoreURLParametersMatching: [/.*/],
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  server: { host: '127.0.0.1' },
});
