// Web Worker entry: the ML service (training, features, ONNX sessions) through Comlink.
import { expose } from '../src/comlink';
import { createMlService } from '../src/ml/service';

expose(createMlService());
