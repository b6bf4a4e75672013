// Node worker_threads entry: the same anomaly service through Comlink's node adapter.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { EdgewiseError } from '../../errors';
import { expose } from '../comlink';
import { createAnomalyService } from './service';

if (!parentPort) {
  throw new EdgewiseError(
    'INVALID_STATE',
    `anomaly.node-worker must run inside worker_threads: start it with new Worker(url) from node:worker_threads.`,
  );
}
expose(createAnomalyService(), nodeEndpoint(parentPort));
