/// <reference lib="webworker" />
// Web Worker entry: ONNX sessions (onnxruntime-web) through Comlink. Expose
// first; onnxruntime-web loads with the first model.
import { expose } from '../comlink';
import { createOnnxService } from './service';

expose(createOnnxService());
