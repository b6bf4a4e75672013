// Edgewise in a webpack 5 app: the pool and the kernel client start the
// workers the package ships; webpack bundles them and emits edgewise.wasm.
import { createRuntime, IsolationForest, Moments, StreamingDetector } from 'edgewise';
import { AnomalyWorkerPool, KernelWorkerClient } from 'edgewise/threads';
import { runScenario } from './scenario.js';

const out = document.getElementById('out');
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
      },
      null,
      2,
    );
  },
  (e) => {
    window.__edgewise = { error: String(e?.stack ?? e) };
    out.textContent = `failed: ${String(e)}`;
  },
);
