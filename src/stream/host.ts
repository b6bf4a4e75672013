import { describeValue, EdgewiseError, isEdgewiseError } from '../errors';
import { bridgeBus, type MessageEndpoint } from '../events/bridge';
import { EventBus } from '../events/bus';
import { StreamProcessor } from './processor';
import type { StreamEvent, StreamOptions, StreamStats } from './types';

/** The structured-clone-safe part of `StreamOptions` (no functions: events use `timestamp`, `value`, `key`). */
export type HostedStreamOptions = Pick<
  StreamOptions<StreamEvent>,
  'window' | 'time' | 'outOfOrderness' | 'idleTimeout' | 'allowedLateness' | 'maxPanes'
> & {
  /** Bus patterns whose payloads are the input events; each pattern is one source. */
  inputs: string[];
};

/** Payload of `<prefix>.ack` events. */
export interface HostAck {
  op: 'start' | 'flush' | 'advance' | 'stop' | 'detect';
  stats: StreamStats | null;
  error?: string;
  /** The `EdgewiseError` code of `error`, when it has one. */
  code?: string;
}

/** A `HostAck` for `op`, with the error's message and `EdgewiseError` code when it failed. */
export function hostAck(op: HostAck['op'], stats: StreamStats | null, error?: unknown): HostAck {
  const a: HostAck = { op, stats };
  if (error !== undefined) {
    a.error = error instanceof Error ? error.message : String(error);
    if (isEdgewiseError(error)) a.code = error.code;
  }
  return a;
}

/**
 * Runs a `StreamProcessor` on the far side of a message endpoint (typically
 * inside a Web Worker: `hostStream(self)`), driven through a bridged bus:
 *
 * - `<prefix>.start` with {@link HostedStreamOptions} creates the processor;
 * - events on the `inputs` patterns are its sources;
 * - `<prefix>.advance` `{ t, source? }`, `<prefix>.flush` and `<prefix>.stop` control it;
 * - results come back on `<prefix>.window`, late events on `<prefix>.late`,
 *   and each control event is acknowledged on `<prefix>.ack` ({@link HostAck});
 * - `forward` adds topics the far side sends back too, e.g. `['anomaly.#']`
 *   when `serveWindowDetection` (edgewise/threads/stream) scores the windows there.
 */
export function hostStream(
  endpoint: MessageEndpoint,
  options: { prefix?: string; forward?: string[] } = {},
): EventBus {
  const prefix = options.prefix ?? 'stream';
  const bus = new EventBus();
  bridgeBus(bus, endpoint, {
    forward: [`${prefix}.window`, `${prefix}.late`, `${prefix}.ack`, ...(options.forward ?? [])],
  });
  let proc: StreamProcessor | null = null;
  let unsubs: Array<() => void> = [];
  const ack = (op: HostAck['op'], error?: unknown): void => {
    bus.emit(`${prefix}.ack`, hostAck(op, proc ? proc.stats : null, error));
  };
  const guarded =
    <T>(op: HostAck['op'], fn: (p: T) => void) =>
    (payload: T): void => {
      try {
        fn(payload);
        ack(op);
      } catch (e) {
        ack(op, e);
      }
    };
  const stop = (): void => {
    for (const u of unsubs) u();
    unsubs = [];
    proc?.dispose();
    proc = null;
  };
  bus.on(
    `${prefix}.start`,
    guarded<HostedStreamOptions>('start', (o) => {
      if (!o || !Array.isArray(o.inputs) || o.inputs.length === 0) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `hostStream: start needs { window, inputs: ['topic.pattern', ...] }, got ${describeValue(o)}.`,
        );
      }
      stop();
      const { inputs, ...rest } = o;
      const p = new StreamProcessor<StreamEvent>({
        ...rest,
        bus,
        topic: `${prefix}.window`,
        lateTopic: `${prefix}.late`,
      });
      proc = p;
      unsubs = inputs.map((pattern) => p.fromBus(bus, pattern, pattern));
    }),
  );
  const need = (): StreamProcessor => {
    if (!proc) {
      throw new EdgewiseError('INVALID_STATE', `hostStream: emit '${prefix}.start' first.`);
    }
    return proc;
  };
  bus.on(
    `${prefix}.advance`,
    guarded<{ t: number; source?: string }>('advance', (a) => {
      need().advanceWatermark(a.t, a.source);
    }),
  );
  bus.on(
    `${prefix}.flush`,
    guarded('flush', () => {
      need().flush();
    }),
  );
  bus.on(`${prefix}.stop`, guarded('stop', stop));
  return bus;
}
