// Edgewise in a webpack 5 app: the pool and the kernel client start the
// workers the package ships; webpack bundles them and emits edgewise.wasm.
import { createRuntime } from 'edgewise';
import { IsolationForest, StreamingDetector } from 'edgewise/anomaly';
import { bridgeBus, EventBus } from 'edgewise/events';
import { GpuWorkerClient } from 'edgewise/gpu';
import { Moments } from 'edgewise/kernels';
import { createMlWorker, exportIsolationForestOnnx, train } from 'edgewise/ml';
import { createOnnxWorker, loadOnnxInWorker } from 'edgewise/onnx';
import { AnomalyWorkerPool, KernelWorkerClient } from 'edgewise/threads';
import { createStreamWorker } from 'edgewise/threads/stream';
import { runScenario } from './scenario.js';

const out = document.getElementById('out');
// Beyond the pool and the kernel worker, this app also runs the stream, ML
// and GPU workers the package ships (options.extras), and an ONNX model in the
// ONNX worker through onnxruntime-web (options.onnx, from edgewise/onnx).
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
    exportIsolationForestOnnx,
    createOnnxWorker,
    loadOnnxInWorker,
    GpuWorkerClient,
  },
  { extras: true, onnx: true },
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
