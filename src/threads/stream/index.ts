/**
 * `edgewise/threads/stream`: the stream worker the package ships, a
 * `StreamProcessor` in a Web Worker behind a bridged event bus, with
 * streaming detection on its windows inside the same worker.
 *
 * `createStreamWorker()` starts it (no worker URL, no bundler configuration);
 * connect it to your bus with `bridgeBus` (`edgewise/events`), emit
 * `stream.start` with the processor's options, then events, and read the
 * window results on `stream.window`. `stream.detect` starts detection on those
 * windows in the worker, and its `anomaly.*` events come back to the page.
 * `serveWindowDetection` is what the worker runs for that, for your own
 * worker entries (next to `hostStream`, `edgewise/stream`).
 *
 * Apart from `edgewise/threads` because app bundlers (Vite, webpack) emit a
 * worker wherever a module they build spells `new Worker(new URL(...))`,
 * whether or not the app calls it: only apps that import this entry get the
 * stream worker in their build. Browsers only: the stream worker has no Node
 * `worker_threads` entry.
 *
 * @module edgewise/threads/stream
 */
export { EdgewiseError, type ErrorCode } from '../../errors';
export type {
  WebWorker,
  WorkerLike,
  WorkerSource,
  WorkerSourceOptions,
} from '../worker-source';
export { serveWindowDetection } from './service';
export { createStreamWorker } from './start';
