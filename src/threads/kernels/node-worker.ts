// Node worker_threads entry: the same kernel service through Comlink's node adapter.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { EdgewiseError } from '../../errors';
import { expose } from '../comlink';
import { createKernelService } from './service';

if (!parentPort) {
  throw new EdgewiseError(
    'INVALID_STATE',
    `analytics.node-worker must run inside worker_threads: start it with new Worker(url) from node:worker_threads.`,
  );
}
expose(createKernelService(), nodeEndpoint(parentPort));
