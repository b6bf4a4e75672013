// Edgewise straight from the package's dist, through the page's import map.
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
