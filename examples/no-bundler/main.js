// Edgewise straight from the package's dist, through the page's import map.
import { createRuntime } from 'edgewise';
import { IsolationForest, StreamingDetector } from 'edgewise/anomaly';
import { bridgeBus, EventBus } from 'edgewise/events';
import { GpuWorkerClient } from 'edgewise/gpu';
import { Moments } from 'edgewise/kernels';
import { createMlWorker, train } from 'edgewise/ml';
import { AnomalyWorkerPool, KernelWorkerClient } from 'edgewise/threads';
import { createStreamWorker } from 'edgewise/threads/stream';
import { runScenario } from './scenario.js';

const out = document.getElementById('out');
// Beyond the pool and the kernel worker, this app also runs the stream, ML
// and GPU workers the package ships (options.extras).
runScenario(
  {
    createRuntime,
    Moments,
    StreamingDetector,
    IsolationForest,
    AnomalyWorkerPool,
    KernelWorkerClient,
    EventBus,
    bridgeBus,
    createStreamWorker,
    createMlWorker,
    train,
    GpuWorkerClient,
  },
  { extras: true },
).then(
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
