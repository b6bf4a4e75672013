/// <reference lib="webworker" />
// Web Worker entry: ONNX sessions (onnxruntime-web) through Comlink. Expose
// first; onnxruntime-web loads with the first model.
import { expose } from '../src/comlink';
import { createOnnxService } from '../src/ml/onnx-service';

expose(createOnnxService());
