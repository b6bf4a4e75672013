/// <reference lib="webworker" />
// Demo ML worker: the ML service and the ONNX service in one worker, with
// onnxruntime-web's .wasm resolved by
// Vite (a `?url` import emits it as a hashed asset next to the bundle, so it
// is served from the app's own origin and cached with it).

import { createMlService } from 'edgewise/ml';
import { createOnnxService, importOrt } from 'edgewise/onnx';
import { expose } from 'edgewise/threads';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

const service = { ...createMlService(), ...createOnnxService() };
const ready = importOrt().then((ort) => {
  ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };
  ort.env.wasm.numThreads = 1;
});
expose({
  ...service,
  async onnxLoad(...args: Parameters<typeof service.onnxLoad>) {
    await ready;
    return service.onnxLoad(...args);
  },
});
