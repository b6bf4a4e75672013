/** The public types of the event bus: options, handlers, subscriptions, counters, events. */

/** Named priorities; any finite number works too (higher runs first). */
export const PRIORITY = { low: -10, normal: 0, high: 10, critical: 20 } as const;
/**
 * An event or handler priority: `'low' | 'normal' | 'high' | 'critical'` or any number (higher
 * first).
 */
export type Priority = keyof typeof PRIORITY | number;

/**
 * What happens when a queue is full.
 *
 * - `'caller-runs'` (bus queue only; the bus default): `emit` dispatches queued
 *   events inline, in order, until there is room, then queues the new event.
 *   Nothing is dropped and no promise is created.
 * - `'block'`: nothing is dropped; the producer is told to wait (`emit` returns
 *   a promise; `emitSync` throws `QUOTA_EXCEEDED`). The subscription default.
 * - `'drop-oldest'` / `'drop-newest'` (opt-in): drop, count in `stats`, report
 *   through `onDrop`, and (bus queue) make `emit` return `false`.
 */
export type OverflowPolicy = 'caller-runs' | 'block' | 'drop-oldest' | 'drop-newest';
/** The policies a subscription's pending buffer accepts. */
export type SubscriptionOverflowPolicy = Exclude<OverflowPolicy, 'caller-runs'>;

/** A handler gets the payload and the concrete topic. It may return a promise. */
export type Handler<T = unknown> = (payload: T, topic: string) => unknown;

/**
 * Options of `EventBus.on` / `once`: priority, filter, cancellation and backpressure per
 * subscription.
 */
export interface SubscribeOptions<T = unknown> {
  /** Handlers of one event run in priority order (higher first; ties in subscription order). */
  priority?: Priority;
  /** Only events for which this returns true reach the handler. */
  filter?: (payload: T, topic: string) => boolean;
  /** Aborting unsubscribes. */
  signal?: AbortSignal;
  /** Async handler calls in flight at once for this subscription (default 1: in order). */
  concurrency?: number;
  /** Events buffered while the handler is busy (default 1024). */
  maxPending?: number;
  /**
   * When `maxPending` events are buffered: 'block' (default, nothing is lost)
   * pauses the bus's dispatch until the handler catches up, so the bus queue
   * fills and `emit` returns a promise to await, and makes `emitSync` throw
   * `QUOTA_EXCEEDED` (it cannot wait); 'drop-oldest' / 'drop-newest' (opt-in)
   * drop, count (`stats.dropped`) and report through the bus's `onDrop`.
   * ('caller-runs' is a bus-queue policy and is rejected here.)
   */
  overflow?: SubscriptionOverflowPolicy;
}

/** Options of `EventBus.emit`. */
export interface EmitOptions {
  /** Higher-priority events dispatch first; FIFO within a priority. Default 'normal'. */
  priority?: Priority;
}

/** What was dropped, reported to `EventBusOptions.onDrop` (opt-in drop policies only). */
export interface DropEvent {
  /** 'queue': the bus queue's policy dropped it; 'subscription': a subscription's pending buffer did. */
  where: 'queue' | 'subscription';
  policy: 'drop-oldest' | 'drop-newest';
  /** Topic and payload of the dropped event. */
  topic: string;
  payload: unknown;
  /** The subscription whose buffer dropped it (`where === 'subscription'`). */
  subscriptionId?: number;
  pattern?: string;
}

/** Options of `EventBus`: queue capacity, overflow policy, batch size and error topic. */
export interface EventBusOptions {
  /** Events the bus queue holds (default 65536). */
  capacity?: number;
  /**
   * When the queue is full: 'caller-runs' (default: `emit` dispatches queued
   * events inline until there is room; nothing is dropped), 'block' (`emit`
   * returns a promise that resolves once the event is queued), 'drop-oldest'
   * (the oldest event of the lowest priority is dropped), 'drop-newest' (the
   * new event is dropped). With a drop policy `emit` returns `false` when it
   * dropped, and `onDrop` is called for every dropped event.
   */
  overflow?: OverflowPolicy;
  /** Events dispatched per microtask / task batch, and per inline caller-runs batch (default 4096). */
  batchSize?: number;
  /** Topic that handler errors are reported on (default 'error'). */
  errorTopic?: string;
  /**
   * Called synchronously for every event an opt-in drop policy drops (bus
   * queue or subscription). Errors it throws go to `console.error`.
   */
  onDrop?: (event: DropEvent) => void;
}

/** Payload of events on the error topic. */
export interface HandlerErrorEvent {
  /** Topic of the event the handler failed on. */
  topic: string;
  /** The subscription's pattern. */
  pattern: string;
  /** Handler identity: the function's name, or `subscription #id`. */
  handler: string;
  subscriptionId: number;
  error: unknown;
}

/** Counters of one subscription (`off.stats`). */
export interface SubscriptionStats {
  readonly id: number;
  readonly pattern: string;
  readonly delivered: number;
  /** Events dropped by this subscription's overflow policy. */
  readonly dropped: number;
  readonly pending: number;
  readonly inflight: number;
  readonly errors: number;
}

/** The unsubscribe function returned by `on` / `once`, with the subscription's counters. */
export type Subscription = (() => void) & { readonly stats: SubscriptionStats };

/** Counters of an `EventBus` (`bus.stats`). */
export interface BusStats {
  emitted: number;
  dispatched: number;
  /** Events dropped by the bus queue's overflow policy. */
  dropped: number;
  /** Events dropped by subscriptions' overflow policies (sum). */
  droppedBySubscriptions: number;
  queued: number;
  /** Emits held until there is queue space (a promise was returned). */
  waiting: number;
  /** Events `emit` dispatched inline because the queue was full ('caller-runs'). */
  dispatchedInline: number;
  /**
   * Events queued beyond `capacity`: emits from inside a handler while the
   * queue was full ('caller-runs' cannot dispatch re-entrantly without
   * breaking order, so it queues them instead of dropping).
   */
  overCapacity: number;
  errors: number;
  subscriptions: number;
}
