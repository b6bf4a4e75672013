// Edgewise in a Vite app, default configuration: no plugin, no worker or
// WebAssembly setup. The pool and the kernel client start the workers the
// package ships; Vite bundles them and copies edgewise.wasm.
import { createRuntime } from 'edgewise';
import { IsolationForest, StreamingDetector } from 'edgewise/anomaly';
import { Moments } from 'edgewise/kernels';
import { AnomalyWorkerPool, KernelWorkerClient } from 'edgewise/threads';
import { runScenario } from './scenario.js';

declare global {
  interface Window {
    __edgewise?: { result?: unknown; error?: string };
  }
}

const out = document.getElementById('out') as HTMLPreElement;
runScenario({
  createRuntime,
  Moments,
  StreamingDetector,
  IsolationForest,
  AnomalyWorkerPool,
  KernelWorkerClient,
}).then(
  (result) => {
    window.__edgewise = { result };
    out.textContent = JSON.stringify(
      {
        moments: result.moments,
        anomalyEvents: result.anomalyEvents,
        poolScopes: result.poolScopes,
        kernelWorkerScope: result.kernelWorkerScope,
        stored: result.stored,
      },
      null,
      2,
    );
  },
  (e: unknown) => {
    window.__edgewise = { error: String((e as Error)?.stack ?? e) };
    out.textContent = `failed: ${String(e)}`;
  },
);
