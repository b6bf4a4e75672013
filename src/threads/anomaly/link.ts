/**
 * How a runtime's detections (`rt.detect(series, { worker })`) talk to the
 * package's anomaly worker: `startAnomalyLink` starts a worker and turns its
 * failure into `WORKER_FAILED` for every call, `SharedAnomalyWorker` is the
 * one worker a runtime's `worker: true` detections share (started again after
 * a failure), and `remoteDetector` is a `StreamingDetector` living in a worker.
 */
import type { StreamingDetectorOptions } from '../../anomaly/ensemble-stream';
import type { DetectorSnapshot } from '../../anomaly/streaming';
import { EdgewiseError } from '../../errors';
import type { Remote } from '../comlink';
import type { WorkerSource } from '../worker-source';
import type { AnomalyService, StreamUpdateResult } from './service';

/** A started anomaly worker: once it has failed, every call rejects with `WORKER_FAILED`. */
export interface AnomalyWorkerLink {
  readonly svc: Remote<AnomalyService>;
  readonly failed: boolean;
  call<T>(p: Promise<T>): Promise<T>;
  terminate(): void;
}

/**
 * Starts the package's anomaly worker (or the one `source` names) and wraps it
 * with Comlink; `terminate()` ends it, and its calls then reject too.
 */
export async function startAnomalyLink(
  source: WorkerSource | undefined,
): Promise<AnomalyWorkerLink> {
  // Comlink and the worker start load only when a detection asks for a worker.
  const [comlink, { startAnomalyWorker }] = await Promise.all([
    import('../comlink'),
    import('./start'),
  ]);
  const handle = startAnomalyWorker(source);
  const svc = comlink.wrap<AnomalyService>(handle.endpoint);
  let failed: EdgewiseError | undefined;
  let onFail: (e: EdgewiseError) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    onFail = reject;
  });
  failure.catch(() => {}); // observed by the calls that race it
  const fail = (cause: unknown): void => {
    failed ??= new EdgewiseError('WORKER_FAILED', 'Runtime.detect: the anomaly worker failed.', {
      cause,
    });
    onFail(failed);
  };
  handle.onFailure(fail);
  return {
    svc,
    get failed() {
      return failed !== undefined;
    },
    call: (p) => (failed ? Promise.reject(failed) : Promise.race([p, failure])),
    terminate() {
      fail(new Error('terminated'));
      try {
        svc[comlink.releaseProxy]();
      } catch {
        // the endpoint may already be gone
      }
      void handle.terminate();
    },
  };
}

/**
 * The anomaly worker that a runtime's `worker: true` detections share: one
 * detector per detection in one worker, started on first use and again after
 * a failure. (A detection with its own `worker` source gets its own worker.)
 */
export class SharedAnomalyWorker {
  #link: Promise<AnomalyWorkerLink> | undefined;
  #live: AnomalyWorkerLink | undefined;

  acquire(): Promise<AnomalyWorkerLink> {
    if (this.#link && !this.#live?.failed) return this.#link;
    const p = startAnomalyLink(undefined);
    this.#live = undefined;
    this.#link = p;
    p.then(
      (l) => {
        if (this.#link === p) this.#live = l;
      },
      () => {
        if (this.#link === p) this.#link = undefined; // the next detection tries again
      },
    );
    return p;
  }

  /** Terminates the worker (its detections' calls reject with `WORKER_FAILED`). */
  close(): void {
    const p = this.#link;
    this.#link = undefined;
    this.#live = undefined;
    p?.then(
      (l) => l.terminate(),
      () => {},
    );
  }
}

/** A `StreamingDetector` in an anomaly worker, seen from this thread. */
export interface RemoteDetector {
  readonly where: 'worker';
  /** `update` on the batch in the worker: the scores and each member's scores. */
  score(values: Float64Array, timestamps: Float64Array): Promise<StreamUpdateResult>;
  snapshot(): Promise<DetectorSnapshot>;
  /** Disposes the detector in the worker, or ends the worker when the detection owns it. */
  close(): void;
}

/**
 * Creates a detector (`options`, or restored from `restore`) in the worker of
 * `link`; `own`: the detection owns the worker (its `close()` ends it, as does
 * a failure to create the detector).
 */
export async function remoteDetector(
  link: AnomalyWorkerLink,
  own: boolean,
  options: Omit<StreamingDetectorOptions, 'members'>,
  restore: DetectorSnapshot | undefined,
): Promise<RemoteDetector> {
  const { svc, call } = link;
  let id: number;
  try {
    id = await call(svc.createDetector(options, restore));
  } catch (e) {
    if (own) link.terminate();
    throw e;
  }
  return {
    where: 'worker',
    score: (values, timestamps) => call(svc.update(id, values, timestamps)),
    snapshot: () => call(svc.snapshot(id)),
    close() {
      if (own) link.terminate();
      else call(svc.dispose(id)).catch(() => {}); // a failed worker holds nothing
    },
  };
}
