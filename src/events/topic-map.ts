/**
 * Typed topics: which payload each topic carries. `EventBus<M>` checks
 * `emit` / `emitSync` payloads and types `on` / `once` handlers for the topics
 * of its map `M` (default {@link EdgewiseTopics}: the topics the library
 * itself emits); any other topic stays untyped (`unknown`, or the handler's
 * own annotation). Extend the map for your own topics:
 *
 * ```ts
 * interface AppTopics extends EdgewiseTopics {
 *   'sensor.temp': { ts: number; value: number };
 * }
 * const bus = new EventBus<AppTopics>();
 * bus.on('anomaly.*', (e) => e.series); // e: AnomalyEvent
 * bus.emit('sensor.temp', { ts: Date.now(), value: 21.5 }); // checked
 * ```
 */
import type { HandlerErrorEvent } from './types';

/**
 * An anomaly: the payload of the `anomaly.<series>` events the detectors
 * emit (`WorkerAnomalyMonitor`, `detectOnWindows`, the runtime's pipeline).
 */
export interface AnomalyEvent {
  series: string;
  timestamp: number;
  value: number;
  score: number;
  /** Each member detector's calibrated score for this record. */
  contributions: Record<string, number>;
}

/** What the runtime itself reports on the error topic (e.g. `{ source: 'sync', error }`). */
export interface RuntimeErrorEvent {
  /** The part that failed, e.g. 'sync'. */
  source: string;
  error: unknown;
}

/**
 * The topics Edgewise emits and their payloads: `anomaly.<series>` carries an
 * {@link AnomalyEvent}, the error topic a {@link HandlerErrorEvent} (a
 * handler threw) or a {@link RuntimeErrorEvent}. Patterns under a typed
 * prefix are typed too: `bus.on('anomaly.*', (e) => ...)` gets an `AnomalyEvent`.
 */
export interface EdgewiseTopics {
  [topic: `anomaly.${string}`]: AnomalyEvent;
  error: HandlerErrorEvent | RuntimeErrorEvent;
}

/** The typed topics of a topic map (exact names and `prefix.${string}` patterns). */
export type TopicOf<M> = keyof M & string;

/** A topic outside the map `M`: any string but a typed topic (whose payload is checked). */
export type UntypedTopic<M, P extends string> = P extends TopicOf<M> ? never : P;

/**
 * What `EventBus.emit` returns: `undefined` (accepted), a promise (held: await
 * it before emitting more) or `false` (an opt-in drop policy dropped an event).
 */
export type EmitResult = Promise<void> | false | undefined;

/**
 * The handler of a typed topic. Parameters are checked bivariantly, so a
 * handler may annotate one member of a union payload (e.g. `HandlerErrorEvent`
 * on the error topic), as DOM event listeners may.
 */
export type TopicHandler<T> = {
  bivarianceHack(payload: T, topic: string): unknown;
}['bivarianceHack'];
