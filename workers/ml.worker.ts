// Web Worker entry: the ML service (training, features) through Comlink. ONNX
// sessions run in workers/onnx.worker.ts, so this worker never loads onnxruntime-web.
import { expose } from '../src/comlink';
import { createMlService } from '../src/ml/service';

expose(createMlService());
