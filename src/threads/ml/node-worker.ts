// Node worker_threads entry: the same ML service through Comlink's node adapter.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { expose } from '../comlink';
import { createMlService } from './service';

if (!parentPort) throw new Error('ml.node-worker must run inside worker_threads');
expose(createMlService(), nodeEndpoint(parentPort));
