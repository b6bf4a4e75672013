import { defineConfig } from 'vite';
// @ts-expect-error plain ESM script without types
import { assetUrls, WORKERS } from './scripts/asset-urls.mjs';

// Library build: one ESM file per public entry point plus the Node worker
// entries (the browser workers are self-contained bundles built by
// scripts/build-workers.mjs). The WebAssembly module is one file,
// dist/edgewise.wasm, located with `new URL('./edgewise.wasm', import.meta.url)`
// and workers with `new Worker(new URL('./workers/x.worker.js', import.meta.url))`
// (see scripts/asset-urls.mjs), spellings the app's bundler resolves. Comlink
// and idb are bundled in: dist has no bare specifier but onnxruntime-web (so a
// page can use it through an import map) and node: built-ins (Node paths only).
export default defineConfig({
  plugins: [assetUrls({ emitWasm: true })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: {
      entry: {
        index: 'src/index.ts',
        kernels: 'src/kernels/index.ts',
        widgets: 'src/widgets/index.ts',
        cli: 'src/cli.ts',
        gpu: 'src/gpu/index.ts',
        anomaly: 'src/anomaly/index.ts',
        metrics: 'src/metrics/index.ts',
        storage: 'src/storage/index.ts',
        threads: 'src/threads/index.ts',
        'threads-stream': 'src/threads/stream/index.ts',
        events: 'src/events/index.ts',
        stream: 'src/stream/index.ts',
        stats: 'src/stats/index.ts',
        sync: 'src/sync/index.ts',
        ml: 'src/ml/index.ts',
        onnx: 'src/onnx/index.ts',
        // dist/workers/<name>.node-worker.js from src/threads/<folder>/node-worker.ts
        ...Object.fromEntries(
          (WORKERS as { name: string; folder: string; node: boolean }[])
            .filter((w) => w.node)
            .map((w) => [
              `workers/${w.name}.node-worker`,
              `src/threads/${w.folder}/node-worker.ts`,
            ]),
        ),
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external: [/^node:/, 'onnxruntime-web'],
    },
  },
});
