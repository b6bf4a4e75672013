/**
 * The event bus: its public API, and the queue with backpressure (priority
 * lanes, caller-runs / block / drop policies, held emits, microtask and task
 * draining). Subscriptions and topic matching are in `subscriptions.ts`,
 * delivery to handlers in `dispatch.ts`.
 */
import { describeValue, EdgewiseError } from '../errors';
import { Dispatcher } from './dispatch';
import { overflowPolicy, positiveInt, toPriority } from './options';
import { type Lane, laneFor, scheduleTask } from './queue';
import { createSub, type Sub, SubscriptionIndex } from './subscriptions';
import type { EdgewiseTopics, EmitResult, TopicHandler, TopicOf, UntypedTopic } from './topic-map';
import { validateTopic } from './topics';
import type {
  BusStats,
  EmitOptions,
  EventBusOptions,
  Handler,
  HandlerErrorEvent,
  OverflowPolicy,
  SubscribeOptions,
  Subscription,
} from './types';

const NO_TOPIC = Symbol('no topic');

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
 * - Topics are typed by the map `M` (default {@link EdgewiseTopics}): payloads
 *   of its topics are checked and their handlers typed (`anomaly.*` carries an
 *   `AnomalyEvent`); other topics take any payload.
 *
 * ```ts
 * const bus = new EventBus();
 * bus.on('sensor.*', (e: { value: number }) => console.log(e.value), { filter: (e) => e.value > 0 });
 * bus.emit('sensor.temp', { value: 21.5 }, { priority: 'high' });
 * await bus.flush();
 * ```
 */
export class EventBus<M extends object = EdgewiseTopics> {
  readonly #capacity: number;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #errorTopic: string;
  readonly #index: SubscriptionIndex;
  readonly #d: Dispatcher;
  #nextId = 1;
  // one-entry cache in front of the index: bursts usually repeat a topic
  // (only validated topics are stored; NO_TOPIC matches nothing a caller can pass)
  #lastTopic: unknown = NO_TOPIC;
  #lastSubs: Sub[] = [];
  // queue
  #lanes: Lane[] = [];
  #normal: Lane;
  #queued = 0;
  #scheduled = false;
  #paused = false;
  #waiters: Array<{ topic: string; payload: unknown; lane: Lane; resolve: () => void }> = [];
  #idleResolvers: Array<() => void> = [];
  #emitted = 0;
  #dispatched = 0;
  #dispatchedInline = 0;
  #overCapacity = 0;
  #dropped = 0;
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
    this.#overflow = overflowPolicy(options.overflow, 'caller-runs', 'EventBus', true);
    this.#batchSize = positiveInt(options.batchSize, 4096, 'batchSize', 'EventBus');
    this.#errorTopic = options.errorTopic ?? 'error';
    validateTopic(this.#errorTopic, 'EventBus errorTopic');
    this.#index = new SubscriptionIndex(this.#errorTopic);
    this.#d = new Dispatcher(options.onDrop, {
      report: (ev, error) => this.#report(ev, error),
      remove: (s) => this.#remove(s),
      unblocked: () => {
        if (this.#paused) this.#resume();
      },
      settled: () => this.#notifyIdle(),
    });
    this.#normal = laneFor(this.#lanes, 0);
  }

  /**
   * Subscribes `handler` to `pattern`; returns the unsubscribe function. On a
   * typed topic (or a pattern under a typed prefix, e.g. `anomaly.*`) the
   * handler gets that topic's payload type.
   */
  on<K extends TopicOf<M>>(
    pattern: K,
    handler: TopicHandler<M[K]>,
    options?: SubscribeOptions<M[K]>,
  ): Subscription;
  on<T = unknown, P extends string = string>(
    pattern: UntypedTopic<M, P>,
    handler: Handler<T>,
    options?: SubscribeOptions<T>,
  ): Subscription;
  on(
    pattern: string,
    handler: Handler<never>,
    options: SubscribeOptions<never> = {},
  ): Subscription {
    return this.#subscribe(pattern, handler, options, false, 'EventBus.on');
  }

  /** Like `on`, for the first matching event only. */
  once<K extends TopicOf<M>>(
    pattern: K,
    handler: TopicHandler<M[K]>,
    options?: SubscribeOptions<M[K]>,
  ): Subscription;
  once<T = unknown, P extends string = string>(
    pattern: UntypedTopic<M, P>,
    handler: Handler<T>,
    options?: SubscribeOptions<T>,
  ): Subscription;
  once(
    pattern: string,
    handler: Handler<never>,
    options: SubscribeOptions<never> = {},
  ): Subscription {
    return this.#subscribe(pattern, handler, options, true, 'EventBus.once');
  }

  /** Removes every subscription of `handler` to exactly `pattern`. Returns how many. */
  off(pattern: string, handler: Handler<never>): number {
    let n = 0;
    for (const s of [...this.#index.all]) {
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
  emit<K extends TopicOf<M>>(topic: K, payload: M[K], options?: EmitOptions): EmitResult;
  emit<P extends string>(
    topic: UntypedTopic<M, P>,
    payload?: unknown,
    options?: EmitOptions,
  ): EmitResult;
  emit(topic: string, payload?: unknown, options?: EmitOptions): EmitResult {
    if (this.#disposed) throw this.#disposedError('emit');
    // resolving validates the topic now; the subscriber list travels with the event
    const subs = topic === this.#lastTopic ? this.#lastSubs : this.#lookup(topic, 'EventBus.emit');
    const lane =
      options === undefined || options.priority === undefined
        ? this.#normal
        : laneFor(this.#lanes, toPriority(options.priority, 'EventBus.emit'));
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
  emitSync<K extends TopicOf<M>>(topic: K, payload: M[K]): boolean;
  emitSync<P extends string>(topic: UntypedTopic<M, P>, payload?: unknown): boolean;
  emitSync(topic: string, payload?: unknown): boolean {
    if (this.#disposed) throw this.#disposedError('emitSync');
    const subs =
      topic === this.#lastTopic ? this.#lastSubs : this.#lookup(topic, 'EventBus.emitSync');
    const d = this.#d;
    if (d.fullBlocking > 0) {
      const s = d.blocker(subs, topic, payload);
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
    return d.dispatchNow(subs, topic, payload);
  }

  /** Resolves when the queue is empty and no handler has work in flight or pending. */
  flush(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleResolvers.push(resolve);
      if (!this.#scheduled && !this.#paused && this.#queued > 0) this.#schedule();
    });
  }

  /** The topic handler errors are reported on (`EventBusOptions.errorTopic`, default 'error'). */
  get errorTopic(): string {
    return this.#errorTopic;
  }

  /** Counters (a snapshot). */
  get stats(): BusStats {
    return {
      emitted: this.#emitted,
      dispatched: this.#dispatched,
      dropped: this.#dropped,
      droppedBySubscriptions: this.#d.droppedBySubs,
      queued: this.#queued,
      waiting: this.#waiters.length,
      dispatchedInline: this.#dispatchedInline,
      overCapacity: this.#overCapacity,
      errors: this.#errors,
      subscriptions: this.#index.all.size,
    };
  }

  /** Number of subscriptions whose pattern matches `topic`. */
  listenerCount(topic: string): number {
    return this.#index.match(topic, 'EventBus.listenerCount').length;
  }

  /**
   * Removes all subscriptions and discards queued and held events (held
   * emits' promises resolve); later emits throw `DISPOSED`.
   */
  dispose(): void {
    for (const s of [...this.#index.all]) this.#remove(s);
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
  #emitFull(topic: string, payload: unknown, subs: Sub[], lane: Lane): EmitResult {
    const overflow = this.#overflow;
    if (overflow === 'drop-newest') {
      this.#emitted++;
      this.#dropped++;
      this.#d.reportDrop('queue', overflow, topic, payload, undefined);
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
      if (this.#d.draining) {
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
        this.#d.draining = true;
        try {
          const before = this.#dispatched;
          if (this.#waiters.length) this.#admitWaiters();
          this.#run(this.#batchSize);
          this.#dispatchedInline += this.#dispatched - before;
        } finally {
          this.#d.draining = false;
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

  #subscribe<T>(
    pattern: string,
    handler: Handler<T>,
    options: SubscribeOptions<T>,
    once: boolean,
    where: string,
  ): Subscription {
    if (this.#disposed) throw this.#disposedError(once ? 'once' : 'on');
    const sub = createSub(this.#nextId, pattern, handler, options, once, where);
    this.#nextId++;
    const unsubscribe = (() => this.#remove(sub)) as Subscription;
    Object.defineProperty(unsubscribe, 'stats', { get: () => sub.stats() });
    if (options.signal?.aborted) {
      sub.active = false;
      return unsubscribe;
    }
    this.#index.add(sub);
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
    this.#index.delete(sub);
    this.#invalidate();
    sub.offAbort?.();
    this.#d.detach(sub);
    if (this.#paused) this.#resume();
    this.#notifyIdle();
  }

  /** Subscriptions changed (the index dropped its cache): queued events re-resolve at dispatch. */
  #invalidate(): void {
    this.#lastTopic = NO_TOPIC;
    this.#lastSubs = [];
    for (const l of this.#lanes) l.stale = l.len;
  }

  /** Subscribers of the lane's head event. */
  #headSubs(lane: Lane): Sub[] {
    if (lane.stale === 0) return lane.subs[lane.head];
    return this.#index.match(lane.topics[lane.head], 'EventBus.emit');
  }

  /** Subscribers of `topic` (validating it), remembered as the one-entry cache. */
  #lookup(topic: string, where: string): Sub[] {
    const subs = this.#index.match(topic, where);
    this.#lastTopic = topic;
    this.#lastSubs = subs;
    return subs;
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
        this.#d.reportDrop('queue', 'drop-oldest', topic, payload, undefined);
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
      w.lane.push(w.topic, w.payload, this.#index.match(w.topic, 'EventBus.emit'));
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
    const d = this.#d;
    while (this.#queued > 0) {
      if (budget-- === 0) return true;
      let lane = lanes[0];
      for (let i = 0; lane.len === 0; ) lane = lanes[++i];
      const h = lane.head;
      const topic = lane.topics[h];
      const payload = lane.payloads[h];
      const subs = lane.stale === 0 ? lane.subs[h] : this.#headSubs(lane);
      if (d.fullBlocking > 0 && d.blocker(subs, topic, payload) !== undefined) {
        this.#paused = true;
        return false;
      }
      lane.shift();
      this.#queued--;
      if (this.#waiters.length) this.#admitWaiters();
      this.#dispatched++;
      d.dispatch(subs, topic, payload);
    }
    return false;
  }

  readonly #drain = (): void => {
    const d = this.#d;
    if (d.draining) return;
    d.draining = true;
    this.#scheduled = false;
    try {
      if (this.#waiters.length) this.#admitWaiters();
      if (this.#run(this.#batchSize)) {
        this.#scheduled = true;
        scheduleTask(this.#drain);
        return;
      }
    } finally {
      d.draining = false;
    }
    this.#notifyIdle();
  };

  /** The subscription the queue head waits for (for messages). */
  #headBlocker(): Sub | undefined {
    for (const l of this.#lanes) {
      if (l.len > 0) {
        return this.#d.blocker(this.#headSubs(l), l.topics[l.head], l.payloads[l.head]);
      }
    }
    return undefined;
  }

  /** A handler failed: reported on the error topic (exact subscriptions only), else to the console. */
  #report(ev: HandlerErrorEvent, error: unknown): void {
    this.#errors++;
    const { topic, handler } = ev;
    const listeners = this.#index.exact.get(this.#errorTopic);
    if (topic === this.#errorTopic || !listeners || listeners.length === 0 || this.#disposed) {
      console.error(`edgewise EventBus: handler ${handler} for '${topic}' threw`, error);
      return;
    }
    try {
      // a promise (held behind a full 'block' subscription) is fine: the report is queued later;
      // the error topic is configurable, so it is emitted untyped
      void (this as EventBus<object>).emit(this.#errorTopic, ev, { priority: 'critical' });
    } catch (e) {
      console.error(`edgewise EventBus: handler ${handler} for '${topic}' threw`, error, e);
    }
  }

  #isIdle(): boolean {
    return this.#queued === 0 && this.#waiters.length === 0 && this.#d.busy === 0;
  }

  #notifyIdle(): void {
    if (this.#idleResolvers.length === 0 || !this.#isIdle()) return;
    const rs = this.#idleResolvers;
    this.#idleResolvers = [];
    for (const r of rs) r();
  }
}
