/**
 * The worker side of the stream worker, besides `hostStream` (src/stream/host.ts):
 * window detection served on the hosted stream's bus.
 */

import {
  detectOnWindows,
  type WindowDetection,
  type WindowDetectionOptions,
} from '../../anomaly/stream-stage';
import type { DetectorSnapshot } from '../../anomaly/streaming';
import { describeValue, EdgewiseError } from '../../errors';
import type { EventBus } from '../../events/bus';
import { hostAck } from '../../stream/host';

/**
 * Window detection driven over a hosted stream's bus, so that the stream
 * processor hosts the streaming detectors inside its worker: next to
 * `hostStream(self, { forward: ['anomaly.#', 'stream.detect.state'] })`, `<prefix>.detect` with
 * {@link WindowDetectionOptions} (structured-clone safe; `input` is always
 * `<prefix>.window`) starts or restarts detection, `{ stop: true }` ends it,
 * and `{ restore }` resumes from snapshots; each is acknowledged on
 * `<prefix>.ack` (op 'detect'). `<prefix>.detect.snapshot` answers on
 * `<prefix>.detect.state` with every key's detector snapshot. Anomaly events
 * go out on `anomaly.<key>` (or `topicPrefix`). Returns the function that stops serving.
 */
export function serveWindowDetection(bus: EventBus, options: { prefix?: string } = {}): () => void {
  const prefix = options.prefix ?? 'stream';
  let current: WindowDetection | null = null;
  const ack = (error?: unknown): void => {
    bus.emit(`${prefix}.ack`, hostAck('detect', null, error));
  };
  type DetectRequest = Omit<WindowDetectionOptions, 'input'> & {
    stop?: boolean;
    restore?: Record<string, DetectorSnapshot>;
  };
  const offDetect = bus.on<DetectRequest>(`${prefix}.detect`, (req) => {
    try {
      if (req !== undefined && (typeof req !== 'object' || req === null)) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `serveWindowDetection: ${prefix}.detect takes an options object, got ${describeValue(req)}.`,
        );
      }
      const { stop, restore, ...opts } = req ?? {};
      const next = stop ? null : detectOnWindows(bus, { ...opts, input: `${prefix}.window` });
      if (next && restore) {
        try {
          next.restore(restore);
        } catch (e) {
          next.dispose(); // the running detection, if any, stays as it was
          throw e;
        }
      }
      current?.dispose();
      current = next;
      ack();
    } catch (e) {
      ack(e);
    }
  });
  const offSnap = bus.on(`${prefix}.detect.snapshot`, () => {
    bus.emit(`${prefix}.detect.state`, current ? current.snapshot() : {});
  });
  return () => {
    offDetect();
    offSnap();
    current?.dispose();
    current = null;
  };
}
