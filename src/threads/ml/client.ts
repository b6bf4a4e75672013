/**
 * The main-thread side of the ML worker: `train(..., { worker })` sends the
 * job to a worker running the ML service (./service.ts), with progress and
 * cancellation; without a worker it trains inline.
 */

import type { FeatureSpec } from '../../ml/features';
import { deserializeModel } from '../../ml/models';
import {
  aborted,
  type TrainData,
  type TrainResult,
  type TrainRunOptions,
  trainInline,
} from '../../ml/train';
import { type Endpoint, proxy, type Remote, wrap } from '../comlink';
import type { MlService } from './service';

const remotes = new WeakMap<Endpoint, Remote<MlService>>();
/**
 * One Comlink proxy per endpoint. Never released: releasing a proxy makes the
 * worker side stop listening on that endpoint (the service would go deaf).
 */
export function mlRemote(endpoint: Endpoint): Remote<MlService> {
  let r = remotes.get(endpoint);
  if (!r) {
    r = wrap<MlService>(endpoint);
    remotes.set(endpoint, r);
  }
  return r;
}

let nextJob = 1;

/**
 * Trains a model on the features of `data`.
 *
 * ```ts
 * const w = createMlWorker(); // the package's ML worker
 * const { model, bytes, evaluation } = await train(spec, { columns: { cpu } }, {
 *   model: 'isolation-forest', params: { trees: 100, seed: 1 }, worker: w,
 *   onProgress: (p) => console.log(p.phase, p.fraction), signal: ac.signal,
 * });
 * ```
 */
export async function train(
  spec: FeatureSpec,
  data: TrainData,
  options: TrainRunOptions,
): Promise<TrainResult> {
  if (!options.worker) return trainInline(spec, data, options);
  aborted(options.signal);
  const remote = mlRemote(options.worker);
  const job = nextJob++;
  const onAbort = () => void remote.cancel(job);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const { model, params } = options;
    const r = await remote.train(
      job,
      spec,
      data,
      { model, params },
      options.onProgress ? proxy(options.onProgress) : undefined,
    );
    return {
      model: deserializeModel(r.bytes),
      bytes: r.bytes,
      specHash: r.specHash,
      evaluation: r.evaluation,
    };
  } catch (e) {
    if (options.signal?.aborted) aborted(options.signal);
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
