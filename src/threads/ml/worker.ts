// Web Worker entry: the ML service (training, features) through Comlink. ONNX
// sessions run in the ONNX worker (../onnx/worker.ts), so this worker never loads onnxruntime-web.
import { expose } from '../comlink';
import { createMlService } from './service';

expose(createMlService());
