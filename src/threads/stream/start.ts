/**
 * The stream worker the package ships (./worker.ts, built to
 * dist/workers/stream.worker.js): a `StreamProcessor` hosted behind a bridged
 * event bus, with window detection served on the same bus. The
 * `new Worker(new URL(...))` spelling below is the one app bundlers recognise
 * (see ../worker-source.ts); keep it literal, on its own, in this module only.
 */
import { startWorker, type WebWorker, type WorkerSourceOptions } from '../worker-source';

/**
 * Starts the package's stream worker; connect it with `bridgeBus`:
 *
 * ```ts
 * const worker = createStreamWorker();
 * bridgeBus(rt.bus, worker, { forward: ['sensor.#', 'stream.#'] });
 * rt.bus.emit('stream.start', { inputs: ['sensor.#'], window: { type: 'tumbling', size: 1000 } });
 * ```
 *
 * `options.worker` overrides the script (a URL, or a function returning a `Worker`).
 */
export function createStreamWorker(options: WorkerSourceOptions = {}): WebWorker {
  return startWorker(
    options.worker,
    () =>
      new Worker(new URL('./worker.ts', import.meta.url), {
        type: 'module',
        name: 'edgewise-stream',
      }),
    'createStreamWorker',
  );
}
