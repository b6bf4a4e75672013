import { defineConfig } from 'vite';

// Library build: one ESM file per public entry point plus the worker entries.
// The WebAssembly binary is inlined in the kernels chunk, so no asset needs to
// be resolved at run time.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
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
        'workers/gpu.worker': 'workers/gpu.worker.ts',
        anomaly: 'src/anomaly/index.ts',
        metrics: 'src/metrics/index.ts',
        storage: 'src/storage/index.ts',
        threads: 'src/threads/index.ts',
        events: 'src/events/index.ts',
        stream: 'src/stream/index.ts',
        stats: 'src/stats/index.ts',
        sync: 'src/sync/index.ts',
        'workers/analytics.worker': 'workers/analytics.worker.ts',
        'workers/analytics.node-worker': 'workers/analytics.node-worker.ts',
        'workers/stream.worker': 'workers/stream.worker.ts',
        'workers/anomaly.worker': 'workers/anomaly.worker.ts',
        'workers/anomaly.node-worker': 'workers/anomaly.node-worker.ts',
        ml: 'src/ml/index.ts',
        'workers/ml.worker': 'workers/ml.worker.ts',
        'workers/ml.node-worker': 'workers/ml.node-worker.ts',
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external: [/^node:/, 'comlink', 'idb', 'onnxruntime-web'],
    },
  },
});
