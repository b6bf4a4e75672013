import { describeValue, EdgewiseError } from '../errors';
import { parsePattern, TopicTrie, validateTopic } from './topics';

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

class Sub {
  active = true;
  inflight = 0;
  delivered = 0;
  dropped = 0;
  errors = 0;
  // pending ring (lazily allocated, power-of-two size, grows up to maxPending;
  // a 'block' subscription may hold a few more in the rare case described in #buffer)
  pTopics: string[] | undefined;
  pPayloads: unknown[] | undefined;
  pHead = 0;
  pLen = 0;
  pMask = 0;
  full = false;
  /** Counted in the bus's `#busy` (has work in flight or pending). */
  busy = false;
  offAbort: (() => void) | undefined;
  constructor(
    readonly id: number,
    readonly pattern: string,
    readonly segs: string[],
    readonly exact: boolean,
    readonly fn: Handler<never>,
    readonly priority: number,
    readonly filter: ((payload: never, topic: string) => boolean) | undefined,
    readonly once: boolean,
    readonly concurrency: number,
    readonly maxPending: number,
    readonly overflow: SubscriptionOverflowPolicy,
  ) {}
  get name(): string {
    return this.fn.name || `subscription #${this.id}`;
  }
}

/**
 * FIFO ring of (topic, payload, subscribers) for one priority. The subscriber
 * list resolved at emit time travels with the event, so the dispatch does not
 * look it up again; events queued before a subscribe / unsubscribe (the first
 * `stale` ones) are re-resolved at dispatch.
 */
class Lane {
  topics: string[];
  payloads: unknown[];
  subs: Sub[][];
  head = 0;
  len = 0;
  mask: number;
  /** The first `stale` events were queued before a subscribe / unsubscribe. */
  stale = 0;
  constructor(
    readonly priority: number,
    cap = 64,
  ) {
    this.topics = new Array(cap);
    this.payloads = new Array(cap);
    this.subs = new Array(cap);
    this.mask = cap - 1;
  }
  push(topic: string, payload: unknown, subs: Sub[]): void {
    if (this.len > this.mask) this.#grow();
    const i = (this.head + this.len) & this.mask;
    this.topics[i] = topic;
    this.payloads[i] = payload;
    this.subs[i] = subs;
    this.len++;
  }
  /**
   * Drops the head (caller read it first). The payload and subscriber list are
   * cleared for the garbage collector (a list can hold removed subscriptions);
   * topic strings are left until the slot is reused.
   */
  shift(): void {
    const h = this.head;
    this.payloads[h] = undefined;
    this.subs[h] = undefined as unknown as Sub[];
    this.head = (h + 1) & this.mask;
    this.len--;
    if (this.stale > 0) this.stale--;
  }
  #grow(): void {
    const cap = (this.mask + 1) * 2;
    const t = new Array<string>(cap);
    const p = new Array<unknown>(cap);
    const s = new Array<Sub[]>(cap);
    for (let k = 0; k < this.len; k++) {
      const j = (this.head + k) & this.mask;
      t[k] = this.topics[j];
      p[k] = this.payloads[j];
      s[k] = this.subs[j];
    }
    this.topics = t;
    this.payloads = p;
    this.subs = s;
    this.head = 0;
    this.mask = cap - 1;
  }
}

function toPriority(p: Priority | undefined, where: string): number {
  if (p === undefined) return 0;
  if (typeof p === 'number' && Number.isFinite(p)) return p;
  if (typeof p === 'string' && Object.hasOwn(PRIORITY, p)) return PRIORITY[p];
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: priority must be 'low', 'normal', 'high', 'critical' or a finite number, got ${describeValue(p)}.`,
  );
}

function positiveInt(v: unknown, dflt: number, name: string, where: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be a positive integer, got ${describeValue(v)}.`,
    );
  }
  return v;
}

function policy(v: unknown, dflt: OverflowPolicy, where: string, bus: boolean): OverflowPolicy {
  if (v === undefined) return dflt;
  if (v === 'block' || v === 'drop-oldest' || v === 'drop-newest' || (bus && v === 'caller-runs')) {
    return v;
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    bus
      ? `${where}: overflow must be 'caller-runs', 'block', 'drop-oldest' or 'drop-newest', got ${describeValue(v)}.`
      : `${where}: overflow must be 'block', 'drop-oldest' or 'drop-newest', got ${describeValue(v)}` +
          (v === 'caller-runs'
            ? " ('caller-runs' is a policy of the bus queue: new EventBus({ overflow: 'caller-runs' }))."
            : '.'),
  );
}

const CACHE_LIMIT = 10_000;
const NO_TOPIC = Symbol('no topic');

const scheduleTask: (fn: () => void) => void =
  typeof setImmediate === 'function'
    ? (fn) => setImmediate(fn)
    : typeof MessageChannel === 'function'
      ? (() => {
          const ch = new MessageChannel();
          const q: Array<() => void> = [];
          ch.port1.onmessage = () => q.shift()?.();
          return (fn: () => void) => {
            q.push(fn);
            ch.port2.postMessage(0);
          };
        })()
      : (fn) => setTimeout(fn, 0);

/**
 * A topic event bus with a bounded priority queue that never drops an event
 * without telling the producer.
 *
 * - `emit` queues (higher priority first, FIFO within a priority) and dispatches
 *   asynchronously: the first batch in a microtask, later batches in tasks, so a
 *   flood of events does not starve the page. `await bus.flush()` waits until
 *   the queue is empty and no async handler has work in flight or pending.
 * - When the queue is full, the default policy `'caller-runs'` makes `emit`
 *   dispatch the oldest queued events inline (a `batchSize` batch, in priority
 *   and FIFO order) before queuing the new one: a synchronous burst of any size
 *   is delivered exactly once, in order per priority, with no promise per event.
 *   `emit` returns a promise only when a slow async subscription with
 *   `overflow: 'block'` has a full buffer (see {@link EventBus.emit}).
 * - `emitSync` dispatches immediately (no queue, no event priority).
 * - Patterns: exact `a.b`, one segment `a.*`, zero or more segments `a.#`, and
 *   `*` for everything. Matching uses a topic trie plus a per-topic cache, so
 *   cost does not grow with unrelated subscriptions.
 * - A throwing (or rejecting) handler does not stop the others; the error is
 *   emitted on the `error` topic ({@link HandlerErrorEvent}). Only exact
 *   `'error'` subscriptions receive it (wildcards do not match the error topic);
 *   with none, it goes to `console.error`.
 * - Dropping is opt-in (`overflow: 'drop-oldest' | 'drop-newest'` on the bus or
 *   a subscription): every drop is counted in `stats` and passed to `onDrop`.
 *
 * ```ts
 * const bus = new EventBus();
 * bus.on('sensor.*', (e: { value: number }) => console.log(e.value), { filter: (e) => e.value > 0 });
 * bus.emit('sensor.temp', { value: 21.5 }, { priority: 'high' });
 * await bus.flush();
 * ```
 */
export class EventBus {
  readonly #capacity: number;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #errorTopic: string;
  readonly #onDrop: ((event: DropEvent) => void) | undefined;
  #nextId = 1;
  #exact = new Map<string, Sub[]>();
  #trie = new TopicTrie<Sub>();
  #all = new Set<Sub>();
  #cache = new Map<string, Sub[]>();
  // one-entry cache in front of #cache: bursts usually repeat a topic
  // (only validated topics are stored; NO_TOPIC matches nothing a caller can pass)
  #lastTopic: unknown = NO_TOPIC;
  #lastSubs: Sub[] = [];
  // queue
  #lanes: Lane[] = [];
  #normal: Lane;
  #queued = 0;
  #scheduled = false;
  #paused = false;
  /** True while events are being dispatched (drain, inline caller-runs batch, emitSync). */
  #draining = false;
  #waiters: Array<{ topic: string; payload: unknown; lane: Lane; resolve: () => void }> = [];
  #fullBlocking = 0;
  #busy = 0; // subscriptions with inflight or pending work
  #idleResolvers: Array<() => void> = [];
  #emitted = 0;
  #dispatched = 0;
  #dispatchedInline = 0;
  #overCapacity = 0;
  #dropped = 0;
  #droppedBySubs = 0;
  #errors = 0;
  #disposed = false;

  constructor(options: EventBusOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new EdgewiseError('INVALID_ARGUMENT', 'EventBus: pass an options object or nothing.');
    }
    if (options.onDrop !== undefined && typeof options.onDrop !== 'function') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `EventBus: onDrop must be a function, got ${describeValue(options.onDrop)}.`,
      );
    }
    this.#capacity = positiveInt(options.capacity, 65536, 'capacity', 'EventBus');
    this.#overflow = policy(options.overflow, 'caller-runs', 'EventBus', true);
    this.#batchSize = positiveInt(options.batchSize, 4096, 'batchSize', 'EventBus');
    this.#errorTopic = options.errorTopic ?? 'error';
    validateTopic(this.#errorTopic, 'EventBus errorTopic');
    this.#onDrop = options.onDrop;
    this.#normal = this.#lane(0);
  }

  /** Subscribes `handler` to `pattern`; returns the unsubscribe function. */
  on<T = unknown>(
    pattern: string,
    handler: Handler<T>,
    options: SubscribeOptions<T> = {},
  ): Subscription {
    return this.#subscribe(pattern, handler, options, false, 'EventBus.on');
  }

  /** Like `on`, for the first matching event only. */
  once<T = unknown>(
    pattern: string,
    handler: Handler<T>,
    options: SubscribeOptions<T> = {},
  ): Subscription {
    return this.#subscribe(pattern, handler, options, true, 'EventBus.once');
  }

  /** Removes every subscription of `handler` to exactly `pattern`. Returns how many. */
  off(pattern: string, handler: Handler<never>): number {
    let n = 0;
    for (const s of [...this.#all]) {
      if (s.pattern === pattern && s.fn === handler) {
        this.#remove(s);
        n++;
      }
    }
    return n;
  }

  /**
   * Queues an event for asynchronous dispatch. The return value tells the
   * producer, synchronously, what happened:
   *
   * - `undefined`: the event was accepted and will be delivered exactly once,
   *   in order within its priority. This is the only result on the default bus
   *   unless a subscription with `overflow: 'block'` (the subscription default)
   *   is backed up: when the queue is full, `'caller-runs'` first dispatches up
   *   to `batchSize` queued events inline, then queues this one. An emit made
   *   from inside a handler while the queue is full is queued beyond
   *   `capacity` (counted in `stats.overCapacity`), never dropped.
   * - a `Promise<void>`: the queue is full and cannot be drained now (policy
   *   'block', or a full 'block' subscription pauses dispatch). The event is
   *   held, not dropped, and is queued when the promise resolves:
   *   `await` it before emitting more. Use `const p = bus.emit(...); if (p) await p;`.
   * - `false`: only with an opt-in drop policy on the bus: this emit dropped an
   *   event ('drop-newest': this one; 'drop-oldest': the oldest queued event of
   *   the lowest priority, and this one was queued). Counted in `stats.dropped`
   *   and passed to `onDrop`.
   *
   * Throws `EdgewiseError`: `INVALID_ARGUMENT` for a bad topic or priority,
   * `DISPOSED` after `dispose()`, and `QUOTA_EXCEEDED` when `capacity` emits
   * are already held waiting (a producer that ignores the promises); nothing is
   * queued or counted then.
   */
  emit(topic: string, payload?: unknown, options?: EmitOptions): Promise<void> | false | undefined {
    if (this.#disposed) throw this.#disposedError('emit');
    // resolving validates the topic now; the subscriber list travels with the event
    const subs = topic === this.#lastTopic ? this.#lastSubs : this.#lookup(topic, 'EventBus.emit');
    const lane =
      options === undefined || options.priority === undefined
        ? this.#normal
        : this.#lane(toPriority(options.priority, 'EventBus.emit'));
    if (this.#queued >= this.#capacity || this.#waiters.length > 0) {
      return this.#emitFull(topic, payload, subs, lane);
    }
    this.#emitted++;
    lane.push(topic, payload, subs);
    this.#queued++;
    if (!this.#scheduled) this.#schedule();
    return undefined;
  }

  /**
   * Dispatches now, bypassing the queue and event priorities. An async
   * subscription that is busy buffers the event (up to its `maxPending`).
   *
   * Returns `true` when every matching subscription received or buffered the
   * event, `false` when a subscription's opt-in drop policy dropped an event
   * (counted and passed to `onDrop`).
   *
   * Throws `EdgewiseError` `QUOTA_EXCEEDED`, before any handler runs, when a
   * matching subscription with `overflow: 'block'` (the default) already has
   * `maxPending` events buffered: `emitSync` cannot wait, and dropping would be
   * silent. Then `await bus.flush()` (or use `await bus.emit(...)`, which waits
   * for the handler) and retry, or give that subscription a larger
   * `maxPending`, or an explicit 'drop-oldest' / 'drop-newest' policy.
   */
  emitSync(topic: string, payload?: unknown): boolean {
    if (this.#disposed) throw this.#disposedError('emitSync');
    const subs =
      topic === this.#lastTopic ? this.#lastSubs : this.#lookup(topic, 'EventBus.emitSync');
    if (this.#fullBlocking > 0) {
      const s = this.#blocker(subs, topic, payload);
      if (s !== undefined) {
        throw new EdgewiseError(
          'QUOTA_EXCEEDED',
          `EventBus.emitSync('${topic}'): subscription #${s.id} ('${s.pattern}', handler ${s.name}) ` +
            `already buffers ${s.pLen} events (maxPending ${s.maxPending}) with overflow 'block', and ` +
            'emitSync cannot wait. Nothing was dispatched. `await bus.flush()` and retry, use ' +
            '`await bus.emit(...)`, or subscribe with a larger maxPending or an explicit ' +
            "overflow 'drop-oldest' / 'drop-newest'.",
        );
      }
    }
    this.#emitted++;
    this.#dispatched++;
    const before = this.#droppedBySubs;
    const nested = this.#draining;
    this.#draining = true;
    try {
      this.#dispatch(subs, topic, payload);
    } finally {
      this.#draining = nested;
    }
    return this.#droppedBySubs === before;
  }

  /** Resolves when the queue is empty and no handler has work in flight or pending. */
  flush(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleResolvers.push(resolve);
      if (!this.#scheduled && !this.#paused && this.#queued > 0) this.#schedule();
    });
  }

  /** Counters (a snapshot). */
  /** The topic handler errors are reported on (`EventBusOptions.errorTopic`, default 'error'). */
  get errorTopic(): string {
    return this.#errorTopic;
  }

  get stats(): BusStats {
    return {
      emitted: this.#emitted,
      dispatched: this.#dispatched,
      dropped: this.#dropped,
      droppedBySubscriptions: this.#droppedBySubs,
      queued: this.#queued,
      waiting: this.#waiters.length,
      dispatchedInline: this.#dispatchedInline,
      overCapacity: this.#overCapacity,
      errors: this.#errors,
      subscriptions: this.#all.size,
    };
  }

  /** Number of subscriptions whose pattern matches `topic`. */
  listenerCount(topic: string): number {
    return (this.#cache.get(topic) ?? this.#resolve(topic, 'EventBus.listenerCount')).length;
  }

  /**
   * Removes all subscriptions and discards queued and held events (held
   * emits' promises resolve); later emits throw `DISPOSED`.
   */
  dispose(): void {
    for (const s of [...this.#all]) this.#remove(s);
    for (const l of this.#lanes) while (l.len) l.shift();
    this.#queued = 0;
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    this.#disposed = true;
    this.#notifyIdle();
  }

  // ---------------------------------------------------------------- internals

  #disposedError(verb: string): EdgewiseError {
    return new EdgewiseError(
      'DISPOSED',
      `EventBus.${verb}: this bus was disposed; create a new one.`,
    );
  }

  /** The slow path of `emit`: the queue is full, or earlier emits are held. */
  #emitFull(
    topic: string,
    payload: unknown,
    subs: Sub[],
    lane: Lane,
  ): Promise<void> | false | undefined {
    const overflow = this.#overflow;
    if (overflow === 'drop-newest') {
      this.#emitted++;
      this.#dropped++;
      this.#reportDrop('queue', overflow, topic, payload, undefined);
      return false;
    }
    if (overflow === 'drop-oldest') {
      this.#emitted++;
      this.#dropOldest();
      lane.push(topic, payload, subs);
      this.#queued++;
      if (!this.#scheduled) this.#schedule();
      return false;
    }
    if (overflow === 'caller-runs') {
      if (this.#draining) {
        // re-entrant (a handler emits): dispatching here would run other events
        // before the current one reached all its handlers; queue past capacity
        this.#emitted++;
        this.#overCapacity++;
        lane.push(topic, payload, subs);
        this.#queued++;
        if (!this.#scheduled) this.#schedule();
        return undefined;
      }
      if (!this.#paused) {
        this.#draining = true;
        try {
          const before = this.#dispatched;
          if (this.#waiters.length) this.#admitWaiters();
          this.#run(this.#batchSize);
          this.#dispatchedInline += this.#dispatched - before;
        } finally {
          this.#draining = false;
        }
        if (this.#queued < this.#capacity && this.#waiters.length === 0) {
          this.#emitted++;
          lane.push(topic, payload, subs);
          this.#queued++;
          if (!this.#scheduled) this.#schedule();
          return undefined;
        }
        // paused on a full 'block' subscription: hold this one (below)
      }
    }
    // 'block', or 'caller-runs' behind a full 'block' subscription: hold the event
    if (this.#waiters.length >= this.#capacity) {
      const s = this.#paused ? this.#headBlocker() : undefined;
      throw new EdgewiseError(
        'QUOTA_EXCEEDED',
        `EventBus.emit('${topic}'): the queue (capacity ${this.#capacity}) is full and ` +
          `${this.#waiters.length} emits are already waiting` +
          (s
            ? ` for subscription #${s.id} ('${s.pattern}', handler ${s.name}, maxPending ${s.maxPending})`
            : '') +
          '. Nothing was queued. When emit returns a promise, await it before emitting more ' +
          '(`const p = bus.emit(...); if (p) await p;`), or raise capacity / maxPending.',
      );
    }
    this.#emitted++;
    return new Promise<void>((resolve) => {
      this.#waiters.push({ topic, payload, lane, resolve });
      this.#schedule();
    });
  }

  #reportDrop(
    where: 'queue' | 'subscription',
    policy: 'drop-oldest' | 'drop-newest',
    topic: string,
    payload: unknown,
    s: Sub | undefined,
  ): void {
    const f = this.#onDrop;
    if (f === undefined) return;
    const ev: DropEvent =
      s === undefined
        ? { where, policy, topic, payload }
        : { where, policy, topic, payload, subscriptionId: s.id, pattern: s.pattern };
    try {
      f(ev);
    } catch (e) {
      console.error('edgewise EventBus: onDrop threw', e);
    }
  }

  #subscribe<T>(
    pattern: string,
    handler: Handler<T>,
    options: SubscribeOptions<T>,
    once: boolean,
    where: string,
  ): Subscription {
    if (this.#disposed) throw this.#disposedError(once ? 'once' : 'on');
    const segs = parsePattern(pattern, where);
    if (typeof handler !== 'function') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: pass a handler function, got ${describeValue(handler)}.`,
      );
    }
    if (options === null || typeof options !== 'object') {
      throw new EdgewiseError('INVALID_ARGUMENT', `${where}: options must be an object.`);
    }
    if (options.filter !== undefined && typeof options.filter !== 'function') {
      throw new EdgewiseError('INVALID_ARGUMENT', `${where}: filter must be a function.`);
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new EdgewiseError('INVALID_ARGUMENT', `${where}: signal must be an AbortSignal.`);
    }
    const priority = toPriority(options.priority, where);
    const concurrency = positiveInt(options.concurrency, 1, 'concurrency', where);
    const maxPending = positiveInt(options.maxPending, 1024, 'maxPending', where);
    const overflow = policy(options.overflow, 'block', where, false) as SubscriptionOverflowPolicy;
    const exact = !segs.includes('*') && !segs.includes('#');
    const sub = new Sub(
      this.#nextId++,
      pattern,
      segs,
      exact,
      handler as Handler<never>,
      priority,
      options.filter as ((p: never, t: string) => boolean) | undefined,
      once,
      concurrency,
      maxPending,
      overflow,
    );
    const unsubscribe = (() => this.#remove(sub)) as Subscription;
    Object.defineProperty(unsubscribe, 'stats', {
      get: (): SubscriptionStats => ({
        id: sub.id,
        pattern: sub.pattern,
        delivered: sub.delivered,
        dropped: sub.dropped,
        pending: sub.pLen,
        inflight: sub.inflight,
        errors: sub.errors,
      }),
    });
    if (options.signal?.aborted) {
      sub.active = false;
      return unsubscribe;
    }
    if (exact) {
      const list = this.#exact.get(pattern);
      if (list) list.push(sub);
      else this.#exact.set(pattern, [sub]);
    } else this.#trie.add(segs, sub);
    this.#all.add(sub);
    this.#invalidate();
    if (options.signal) {
      const sig = options.signal;
      const onAbort = (): void => this.#remove(sub);
      sig.addEventListener('abort', onAbort, { once: true });
      sub.offAbort = () => sig.removeEventListener('abort', onAbort);
    }
    return unsubscribe;
  }

  #remove(sub: Sub): void {
    if (!sub.active) return;
    sub.active = false;
    this.#all.delete(sub);
    if (sub.exact) {
      const list = this.#exact.get(sub.pattern)!;
      list.splice(list.indexOf(sub), 1);
      if (list.length === 0) this.#exact.delete(sub.pattern);
    } else this.#trie.remove(sub.segs, sub);
    this.#invalidate();
    sub.offAbort?.();
    // pending events of a removed subscription are discarded: the caller
    // unsubscribed (not counted as drops)
    if (sub.full && sub.overflow === 'block') this.#fullBlocking--;
    sub.full = false;
    sub.pLen = 0;
    sub.pTopics = sub.pPayloads = undefined;
    if (sub.inflight === 0 && sub.busy) {
      sub.busy = false;
      this.#busy--;
    }
    if (this.#paused) this.#resume();
    this.#notifyIdle();
  }

  /** Subscriptions changed: drop the cache; queued events re-resolve at dispatch. */
  #invalidate(): void {
    this.#cache = new Map();
    this.#lastTopic = NO_TOPIC;
    this.#lastSubs = [];
    for (const l of this.#lanes) l.stale = l.len;
  }

  /** Subscribers of the lane's head event. */
  #headSubs(lane: Lane): Sub[] {
    if (lane.stale === 0) return lane.subs[lane.head];
    const topic = lane.topics[lane.head];
    return this.#cache.get(topic) ?? this.#resolve(topic, 'EventBus.emit');
  }

  /** Subscribers of `topic` (validating it), remembered as the one-entry cache. */
  #lookup(topic: string, where: string): Sub[] {
    const subs = this.#cache.get(topic) ?? this.#resolve(topic, where);
    this.#lastTopic = topic;
    this.#lastSubs = subs;
    return subs;
  }

  #resolve(topic: string, where: string): Sub[] {
    validateTopic(topic, where);
    const out: Sub[] = [];
    const ex = this.#exact.get(topic);
    if (ex) out.push(...ex);
    if (topic !== this.#errorTopic && this.#trie.size > 0) this.#trie.match(topic, out);
    out.sort((a, b) => b.priority - a.priority || a.id - b.id);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache = new Map();
    this.#cache.set(topic, out);
    return out;
  }

  #lane(priority: number): Lane {
    const lanes = this.#lanes;
    for (let i = 0; i < lanes.length; i++) {
      if (lanes[i].priority === priority) return lanes[i];
    }
    const l = new Lane(priority);
    lanes.push(l);
    lanes.sort((a, b) => b.priority - a.priority);
    return l;
  }

  #dropOldest(): void {
    for (let i = this.#lanes.length - 1; i >= 0; i--) {
      const l = this.#lanes[i];
      if (l.len > 0) {
        const topic = l.topics[l.head];
        const payload = l.payloads[l.head];
        l.shift();
        this.#queued--;
        this.#dropped++;
        this.#reportDrop('queue', 'drop-oldest', topic, payload, undefined);
        return;
      }
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#paused) return;
    this.#scheduled = true;
    queueMicrotask(this.#drain);
  }

  #resume(): void {
    this.#paused = false;
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#drain);
    }
  }

  #admitWaiters(): void {
    while (this.#waiters.length > 0 && this.#queued < this.#capacity) {
      const w = this.#waiters.shift()!;
      w.lane.push(
        w.topic,
        w.payload,
        this.#cache.get(w.topic) ?? this.#resolve(w.topic, 'EventBus.emit'),
      );
      this.#queued++;
      w.resolve();
    }
  }

  /**
   * Dispatches up to `budget` queued events in priority / FIFO order. Returns
   * true if it stopped because the budget ran out with events left, false when
   * the queue is empty or dispatch paused on a full 'block' subscription.
   */
  #run(budget: number): boolean {
    const lanes = this.#lanes;
    while (this.#queued > 0) {
      if (budget-- === 0) return true;
      let lane = lanes[0];
      for (let i = 0; lane.len === 0; ) lane = lanes[++i];
      const h = lane.head;
      const topic = lane.topics[h];
      const payload = lane.payloads[h];
      const subs = lane.stale === 0 ? lane.subs[h] : this.#headSubs(lane);
      if (this.#fullBlocking > 0 && this.#blocker(subs, topic, payload) !== undefined) {
        this.#paused = true;
        return false;
      }
      lane.shift();
      this.#queued--;
      if (this.#waiters.length) this.#admitWaiters();
      this.#dispatched++;
      this.#dispatch(subs, topic, payload);
    }
    return false;
  }

  readonly #drain = (): void => {
    if (this.#draining) return;
    this.#draining = true;
    this.#scheduled = false;
    try {
      if (this.#waiters.length) this.#admitWaiters();
      if (this.#run(this.#batchSize)) {
        this.#scheduled = true;
        scheduleTask(this.#drain);
        return;
      }
    } finally {
      this.#draining = false;
    }
    this.#notifyIdle();
  };

  /** A matching active subscription whose full 'block' buffer must not take this event. */
  #blocker(subs: Sub[], topic: string, payload: unknown): Sub | undefined {
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i];
      if (s.active && s.full && s.overflow === 'block') {
        try {
          if (s.filter === undefined || s.filter(payload as never, topic)) return s;
        } catch {
          // the dispatch will report it
        }
      }
    }
    return undefined;
  }

  /** The subscription the queue head waits for (for messages). */
  #headBlocker(): Sub | undefined {
    for (const l of this.#lanes) {
      if (l.len > 0) {
        return this.#blocker(this.#headSubs(l), l.topics[l.head], l.payloads[l.head]);
      }
    }
    return undefined;
  }

  #dispatch(subs: Sub[], topic: string, payload: unknown): void {
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i];
      if (!s.active) continue;
      try {
        if (s.filter !== undefined && !s.filter(payload as never, topic)) continue;
      } catch (e) {
        this.#report(s, topic, e);
        continue;
      }
      if (s.once) this.#remove(s);
      if (s.inflight >= s.concurrency) this.#buffer(s, topic, payload);
      else this.#invoke(s, topic, payload);
    }
  }

  #invoke(s: Sub, topic: string, payload: unknown): void {
    s.delivered++;
    let r: unknown;
    try {
      r = s.fn(payload as never, topic);
    } catch (e) {
      this.#report(s, topic, e);
      return;
    }
    if (r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === 'function') {
      if (!s.busy) {
        s.busy = true;
        this.#busy++;
      }
      s.inflight++;
      (r as PromiseLike<unknown>).then(
        () => this.#settled(s),
        (e: unknown) => {
          this.#report(s, topic, e);
          this.#settled(s);
        },
      );
    }
  }

  #buffer(s: Sub, topic: string, payload: unknown): void {
    if (s.pLen >= s.maxPending) {
      if (s.overflow === 'drop-newest') {
        s.dropped++;
        this.#droppedBySubs++;
        this.#reportDrop('subscription', 'drop-newest', topic, payload, s);
        return;
      }
      if (s.overflow === 'drop-oldest') {
        const h = s.pHead;
        const oldTopic = s.pTopics![h];
        const oldPayload = s.pPayloads![h];
        s.pTopics![h] = undefined as unknown as string;
        s.pPayloads![h] = undefined;
        s.pHead = (h + 1) & s.pMask;
        s.pLen--;
        s.dropped++;
        this.#droppedBySubs++;
        this.#reportDrop('subscription', 'drop-oldest', oldTopic, oldPayload, s);
      }
      // 'block': dispatch pauses and emitSync throws before a full 'block'
      // subscription would get another event; it can still happen when its
      // filter answers differently between the check and the dispatch, or when
      // a handler of the same event fills it. Then it holds one more (the
      // ring grows) rather than losing it.
    }
    if (s.pTopics === undefined || s.pLen > s.pMask) {
      // grow the ring (lazily allocated; powers of two)
      const cap =
        s.pTopics === undefined ? Math.min(64, nextPow2(s.maxPending)) : (s.pMask + 1) * 2;
      const t = new Array<string>(cap);
      const p = new Array<unknown>(cap);
      for (let k = 0; k < s.pLen; k++) {
        const j = (s.pHead + k) & s.pMask;
        t[k] = s.pTopics![j];
        p[k] = s.pPayloads![j];
      }
      s.pTopics = t;
      s.pPayloads = p;
      s.pHead = 0;
      s.pMask = cap - 1;
    }
    const i = (s.pHead + s.pLen) & s.pMask;
    s.pTopics![i] = topic;
    s.pPayloads![i] = payload;
    s.pLen++;
    if (s.pLen >= s.maxPending && s.overflow === 'block' && !s.full) {
      s.full = true;
      this.#fullBlocking++;
    }
  }

  #settled(s: Sub): void {
    s.inflight--;
    // handlers run below: emits they make are re-entrant (no inline caller-runs
    // dispatch, which could reach this subscription ahead of its pending events)
    const nested = this.#draining;
    this.#draining = true;
    try {
      this.#runPending(s);
    } finally {
      this.#draining = nested;
    }
    if (s.busy && s.inflight === 0 && s.pLen === 0) {
      s.busy = false;
      this.#busy--;
    }
    this.#notifyIdle();
  }

  #runPending(s: Sub): void {
    while (s.active && s.pLen > 0 && s.inflight < s.concurrency) {
      const i = s.pHead;
      const topic = s.pTopics![i];
      const payload = s.pPayloads![i];
      s.pTopics![i] = undefined as unknown as string;
      s.pPayloads![i] = undefined;
      s.pHead = (i + 1) & s.pMask;
      s.pLen--;
      if (s.full && s.pLen < s.maxPending) {
        s.full = false;
        this.#fullBlocking--;
        if (this.#paused) this.#resume();
      }
      this.#invoke(s, topic, payload);
    }
  }

  #report(s: Sub, topic: string, error: unknown): void {
    s.errors++;
    this.#errors++;
    const ev: HandlerErrorEvent = {
      topic,
      pattern: s.pattern,
      handler: s.name,
      subscriptionId: s.id,
      error,
    };
    const listeners = this.#exact.get(this.#errorTopic);
    if (topic === this.#errorTopic || !listeners || listeners.length === 0 || this.#disposed) {
      console.error(`edgewise EventBus: handler ${s.name} for '${topic}' threw`, error);
      return;
    }
    try {
      // a promise (held behind a full 'block' subscription) is fine: the report is queued later
      void this.emit(this.#errorTopic, ev, { priority: 'critical' });
    } catch (e) {
      console.error(`edgewise EventBus: handler ${s.name} for '${topic}' threw`, error, e);
    }
  }

  #isIdle(): boolean {
    return this.#queued === 0 && this.#waiters.length === 0 && this.#busy === 0;
  }

  #notifyIdle(): void {
    if (this.#idleResolvers.length === 0 || !this.#isIdle()) return;
    const rs = this.#idleResolvers;
    this.#idleResolvers = [];
    for (const r of rs) r();
  }
}

function nextPow2(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}
