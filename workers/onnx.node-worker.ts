// Node worker_threads entry: the same ONNX service through Comlink's node adapter.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { expose } from '../src/comlink';
import { createOnnxService } from '../src/ml/onnx-service';

if (!parentPort) throw new Error('onnx.node-worker must run inside worker_threads');
expose(createOnnxService(), nodeEndpoint(parentPort));
