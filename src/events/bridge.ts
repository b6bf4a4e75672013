import { describeValue, EdgewiseError, isEdgewiseError } from '../errors';
import type { EventBus } from './bus';
import { parsePattern, TopicTrie } from './topics';
import type { Priority } from './types';

/** Anything with `postMessage` and message events: MessagePort, Worker, worker `self`, BroadcastChannel. */
export interface MessageEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  start?(): void;
}

/** Options of `bridgeBus`: the topics forwarded to the other side and how. */
export interface BridgeOptions {
  /** Local topics forwarded to the other side (default: everything, `['#']`). */
  forward?: string[];
  /** Priority of the local forwarding subscription (default 'low': local handlers first). */
  priority?: Priority;
}

interface BridgeMessage {
  __edgewiseBus: 1;
  topic: string;
  payload: unknown;
}

function isBridgeMessage(d: unknown): d is BridgeMessage {
  return (
    typeof d === 'object' &&
    d !== null &&
    (d as BridgeMessage).__edgewiseBus === 1 &&
    typeof (d as BridgeMessage).topic === 'string'
  );
}

/**
 * Connects `bus` to another context over a message endpoint: a `MessagePort`,
 * a `Worker` (and `self` inside it), or a `BroadcastChannel` for other tabs.
 * Call it on both sides. Local events matching `forward` are posted across
 * (payloads must be structured-clone safe: a payload that cannot be cloned is
 * reported on the bus's error topic); events arriving from the other side are
 * dispatched locally with `emitSync` (they were already queued on their way)
 * and never echoed back. When `emitSync` cannot take an arriving event (a
 * local async subscription with `overflow: 'block'` has a full buffer), the
 * bridge keeps it, and every later arrival, in order, and delivers them after
 * `bus.flush()`: nothing is dropped. Returns the function that disconnects.
 *
 * ```ts
 * const worker = createStreamWorker(); // edgewise/threads/stream: the package's stream worker
 * const stop = bridgeBus(bus, worker, { forward: ['sensor.#', 'stream.#'] });
 * ```
 */
export function bridgeBus(
  bus: EventBus,
  endpoint: MessageEndpoint,
  options: BridgeOptions = {},
): () => void {
  if (
    endpoint === null ||
    typeof endpoint !== 'object' ||
    typeof endpoint.postMessage !== 'function' ||
    typeof endpoint.addEventListener !== 'function'
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `bridgeBus: pass a MessagePort, Worker, worker self or BroadcastChannel, got ${describeValue(endpoint)}.`,
    );
  }
  const patterns = options.forward ?? ['#'];
  if (!Array.isArray(patterns)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      "bridgeBus: forward must be an array of topic patterns, e.g. ['sensor.#'].",
    );
  }
  const trie = new TopicTrie<string>();
  for (const p of patterns) trie.add(parsePattern(p, 'bridgeBus'), p);
  let inbound = false;
  const scratch: string[] = [];
  const matches = (topic: string): boolean => {
    scratch.length = 0;
    return trie.match(topic, scratch).length > 0;
  };
  const unsubscribe = bus.on(
    '#',
    function bridgeForward(payload: unknown, topic: string) {
      if (inbound || !matches(topic)) return;
      const msg: BridgeMessage = { __edgewiseBus: 1, topic, payload };
      endpoint.postMessage(msg);
    },
    { priority: options.priority ?? 'low' },
  );
  // arrivals that a full 'block' subscription could not take yet, in order
  const backlog: BridgeMessage[] = [];
  let pumping = false;
  /** Dispatches one arrival; false when it must wait (QUOTA_EXCEEDED: nothing was dispatched). */
  const deliver = (d: BridgeMessage): boolean => {
    inbound = true;
    try {
      bus.emitSync(d.topic, d.payload);
    } catch (e) {
      if (isEdgewiseError(e, 'QUOTA_EXCEEDED')) return false;
      // a bad topic from the other side, or a disposed bus: never throw into the host
      console.error(`edgewise bridgeBus: could not dispatch an arriving '${d.topic}' event`, e);
    } finally {
      inbound = false;
    }
    return true;
  };
  const pump = async (): Promise<void> => {
    pumping = true;
    try {
      while (backlog.length > 0) {
        await bus.flush();
        while (backlog.length > 0 && deliver(backlog[0])) backlog.shift();
      }
    } finally {
      pumping = false;
    }
  };
  const onMessage = (ev: MessageEvent): void => {
    const d: unknown = ev.data;
    if (!isBridgeMessage(d)) return;
    if (backlog.length === 0 && deliver(d)) return;
    backlog.push(d);
    if (!pumping) void pump();
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return () => {
    unsubscribe();
    endpoint.removeEventListener('message', onMessage);
  };
}
