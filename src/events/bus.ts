import { describeValue, EdgewiseError } from '../errors';
import { parsePattern, TopicTrie, validateTopic } from './topics';

/** Named priorities; any finite number works too (higher runs first). */
export const PRIORITY = { low: -10, normal: 0, high: 10, critical: 20 } as const;
/**
 * An event or handler priority: `'low' | 'normal' | 'high' | 'critical'` or any number (higher
 * first).
 */
export type Priority = keyof typeof PRIORITY | number;

/** What happens when a queue is full. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'block';

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
   * When `maxPending` events are buffered: 'block' (default) pauses the bus's
   * dispatch until the handler catches up, so the bus queue fills and `emit`
   * returns a promise to await; 'drop-oldest' / 'drop-newest' drop and count.
   */
  overflow?: OverflowPolicy;
}

/** Options of `EventBus.emit`. */
export interface EmitOptions {
  /** Higher-priority events dispatch first; FIFO within a priority. Default 'normal'. */
  priority?: Priority;
}

/** Options of `EventBus`: queue capacity, overflow policy, batch size and error topic. */
export interface EventBusOptions {
  /** Events the bus queue holds (default 65536). */
  capacity?: number;
  /**
   * When the queue is full: 'block' (default: `emit` returns a promise that
   * resolves once the event is queued), 'drop-oldest' (the oldest event of the
   * lowest priority is dropped), 'drop-newest' (the new event is dropped).
   */
  overflow?: OverflowPolicy;
  /** Events dispatched per microtask / task batch (default 4096). */
  batchSize?: number;
  /** Topic that handler errors are reported on (default 'error'). */
  errorTopic?: string;
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
  /** Emits waiting for queue space ('block'). */
  waiting: number;
  errors: number;
  subscriptions: number;
}

class Sub {
  active = true;
  inflight = 0;
  delivered = 0;
  dropped = 0;
  errors = 0;
  // pending ring (lazily allocated)
  pTopics: string[] | undefined;
  pPayloads: unknown[] | undefined;
  pHead = 0;
  pLen = 0;
  full = false;
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
    readonly overflow: OverflowPolicy,
  ) {}
  get name(): string {
    return this.fn.name || `subscription #${this.id}`;
  }
}

/** FIFO ring of (topic, payload) for one priority. */
class Lane {
  topics: string[];
  payloads: unknown[];
  head = 0;
  len = 0;
  mask: number;
  constructor(
    readonly priority: number,
    cap = 64,
  ) {
    this.topics = new Array(cap);
    this.payloads = new Array(cap);
    this.mask = cap - 1;
  }
  push(topic: string, payload: unknown): void {
    if (this.len > this.mask) this.#grow();
    const i = (this.head + this.len) & this.mask;
    this.topics[i] = topic;
    this.payloads[i] = payload;
    this.len++;
  }
  /** Drops the head (caller read it first). */
  shift(): void {
    const h = this.head;
    this.topics[h] = undefined as unknown as string;
    this.payloads[h] = undefined;
    this.head = (h + 1) & this.mask;
    this.len--;
  }
  #grow(): void {
    const cap = (this.mask + 1) * 2;
    const t = new Array<string>(cap);
    const p = new Array<unknown>(cap);
    for (let k = 0; k < this.len; k++) {
      const j = (this.head + k) & this.mask;
      t[k] = this.topics[j];
      p[k] = this.payloads[j];
    }
    this.topics = t;
    this.payloads = p;
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

function policy(v: unknown, where: string): OverflowPolicy {
  if (v === undefined) return 'block';
  if (v === 'block' || v === 'drop-oldest' || v === 'drop-newest') return v;
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: overflow must be 'block', 'drop-oldest' or 'drop-newest', got ${describeValue(v)}.`,
  );
}

const CACHE_LIMIT = 10_000;

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
 * A topic event bus with a bounded priority queue.
 *
 * - `emit` queues (higher priority first, FIFO within a priority) and dispatches
 *   asynchronously: the first batch in a microtask, later batches in tasks, so a
 *   flood of events does not starve the page. `await bus.flush()` waits until
 *   the queue is empty and no async handler has work in flight or pending.
 * - `emitSync` dispatches immediately (no queue, no event priority).
 * - Patterns: exact `a.b`, one segment `a.*`, zero or more segments `a.#`, and
 *   `*` for everything. Matching uses a topic trie plus a per-topic cache, so
 *   cost does not grow with unrelated subscriptions.
 * - A throwing (or rejecting) handler does not stop the others; the error is
 *   emitted on the `error` topic ({@link HandlerErrorEvent}). Only exact
 *   `'error'` subscriptions receive it (wildcards do not match the error topic);
 *   with none, it goes to `console.error`.
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
  #nextId = 1;
  #exact = new Map<string, Sub[]>();
  #trie = new TopicTrie<Sub>();
  #all = new Set<Sub>();
  #cache = new Map<string, Sub[]>();
  // queue
  #lanes: Lane[] = [];
  #normal: Lane;
  #queued = 0;
  #scheduled = false;
  #paused = false;
  #draining = false;
  #waiters: Array<{ topic: string; payload: unknown; lane: Lane; resolve: () => void }> = [];
  #fullBlocking = 0;
  #busy = 0; // subscriptions with inflight or pending work
  #idleResolvers: Array<() => void> = [];
  #emitted = 0;
  #dispatched = 0;
  #dropped = 0;
  #droppedBySubs = 0;
  #errors = 0;
  #disposed = false;

  constructor(options: EventBusOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new EdgewiseError('INVALID_ARGUMENT', 'EventBus: pass an options object or nothing.');
    }
    this.#capacity = positiveInt(options.capacity, 65536, 'capacity', 'EventBus');
    this.#overflow = policy(options.overflow, 'EventBus');
    this.#batchSize = positiveInt(options.batchSize, 4096, 'batchSize', 'EventBus');
    this.#errorTopic = options.errorTopic ?? 'error';
    validateTopic(this.#errorTopic, 'EventBus errorTopic');
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
   * Queues an event. Returns `undefined` when queued (or dropped by a drop
   * policy, counted in `stats.dropped`); with the 'block' policy and a full
   * queue it returns a promise that resolves once the event is queued:
   * `await bus.emit(...)` is the backpressure-aware way to produce.
   */
  emit(topic: string, payload?: unknown, options?: EmitOptions): Promise<void> | undefined {
    if (this.#disposed) throw this.#disposedError('emit');
    // resolving validates the topic now (and caches its subscribers for the dispatch)
    if (this.#cache.get(topic) === undefined) this.#resolve(topic, 'EventBus.emit');
    const lane =
      options === undefined || options.priority === undefined
        ? this.#normal
        : this.#lane(toPriority(options.priority, 'EventBus.emit'));
    this.#emitted++;
    if (this.#queued >= this.#capacity || this.#waiters.length > 0) {
      if (this.#overflow === 'drop-newest') {
        this.#dropped++;
        return undefined;
      }
      if (this.#overflow === 'drop-oldest') {
        this.#dropOldest();
      } else {
        if (this.#waiters.length >= this.#capacity) {
          // producers that never await: bound the waiting list too
          this.#dropped++;
          return undefined;
        }
        return new Promise<void>((resolve) => {
          this.#waiters.push({ topic, payload, lane, resolve });
          this.#schedule();
        });
      }
    }
    lane.push(topic, payload);
    this.#queued++;
    if (!this.#scheduled) this.#schedule();
    return undefined;
  }

  /**
   * Dispatches now, bypassing the queue and event priorities. A busy async
   * subscription buffers the event; with 'block' and a full buffer the event
   * is dropped and counted (emitSync cannot wait).
   */
  emitSync(topic: string, payload?: unknown): void {
    if (this.#disposed) throw this.#disposedError('emitSync');
    const subs = this.#cache.get(topic) ?? this.#resolve(topic, 'EventBus.emitSync');
    this.#emitted++;
    this.#dispatched++;
    this.#dispatch(subs, topic, payload);
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
  get stats(): BusStats {
    return {
      emitted: this.#emitted,
      dispatched: this.#dispatched,
      dropped: this.#dropped,
      droppedBySubscriptions: this.#droppedBySubs,
      queued: this.#queued,
      waiting: this.#waiters.length,
      errors: this.#errors,
      subscriptions: this.#all.size,
    };
  }

  /** Number of subscriptions whose pattern matches `topic`. */
  listenerCount(topic: string): number {
    return (this.#cache.get(topic) ?? this.#resolve(topic, 'EventBus.listenerCount')).length;
  }

  /** Removes all subscriptions and queued events; later emits throw `DISPOSED`. */
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
    const overflow = policy(options.overflow, where);
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
    this.#cache = new Map();
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
    this.#cache = new Map();
    sub.offAbort?.();
    // pending events of a removed subscription are discarded (not counted as drops)
    if (sub.full && sub.overflow === 'block') this.#fullBlocking--;
    sub.full = false;
    sub.pLen = 0;
    sub.pTopics = sub.pPayloads = undefined;
    if (this.#paused) this.#resume();
    this.#notifyIdle();
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
        l.shift();
        this.#queued--;
        this.#dropped++;
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
      w.lane.push(w.topic, w.payload);
      this.#queued++;
      w.resolve();
    }
  }

  readonly #drain = (): void => {
    if (this.#draining) return;
    this.#draining = true;
    this.#scheduled = false;
    try {
      let budget = this.#batchSize;
      const lanes = this.#lanes;
      if (this.#waiters.length) this.#admitWaiters();
      while (this.#queued > 0) {
        if (budget-- === 0) {
          this.#scheduled = true;
          scheduleTask(this.#drain);
          return;
        }
        let lane = lanes[0];
        for (let i = 0; lane.len === 0; ) lane = lanes[++i];
        const h = lane.head;
        const topic = lane.topics[h];
        const payload = lane.payloads[h];
        const subs = this.#cache.get(topic) ?? this.#resolve(topic, 'EventBus.emit');
        if (this.#fullBlocking > 0 && this.#mustWait(subs, topic, payload)) {
          this.#paused = true;
          return;
        }
        lane.shift();
        this.#queued--;
        if (this.#waiters.length) this.#admitWaiters();
        this.#dispatched++;
        this.#dispatch(subs, topic, payload);
      }
    } finally {
      this.#draining = false;
    }
    this.#notifyIdle();
  };

  #mustWait(subs: Sub[], topic: string, payload: unknown): boolean {
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i];
      if (s.active && s.full && s.overflow === 'block') {
        try {
          if (s.filter === undefined || s.filter(payload as never, topic)) return true;
        } catch {
          // the dispatch will report it
        }
      }
    }
    return false;
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
      if (s.inflight === 0) this.#busy++;
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
      if (s.overflow === 'drop-oldest') {
        s.pHead = (s.pHead + 1) % s.maxPending;
        s.pLen--;
      } else {
        // drop-newest, or 'block' reached from emitSync (or a filter that changed its mind)
        s.dropped++;
        this.#droppedBySubs++;
        return;
      }
      s.dropped++;
      this.#droppedBySubs++;
    }
    if (s.pTopics === undefined) {
      s.pTopics = new Array(s.maxPending);
      s.pPayloads = new Array(s.maxPending);
    }
    const i = (s.pHead + s.pLen) % s.maxPending;
    s.pTopics[i] = topic;
    s.pPayloads![i] = payload;
    s.pLen++;
    if (s.pLen === s.maxPending && s.overflow === 'block' && !s.full) {
      s.full = true;
      this.#fullBlocking++;
    }
  }

  #settled(s: Sub): void {
    s.inflight--;
    if (s.inflight === 0) this.#busy--;
    while (s.active && s.pLen > 0 && s.inflight < s.concurrency) {
      const i = s.pHead;
      const topic = s.pTopics![i];
      const payload = s.pPayloads![i];
      s.pTopics![i] = undefined as unknown as string;
      s.pPayloads![i] = undefined;
      s.pHead = (i + 1) % s.maxPending;
      s.pLen--;
      if (s.full) {
        s.full = false;
        this.#fullBlocking--;
        if (this.#paused) this.#resume();
      }
      this.#invoke(s, topic, payload);
    }
    this.#notifyIdle();
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
    if (topic === this.#errorTopic || !listeners || listeners.length === 0) {
      console.error(`edgewise EventBus: handler ${s.name} for '${topic}' threw`, error);
      return;
    }
    if (!this.#disposed) this.emit(this.#errorTopic, ev, { priority: 'critical' });
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
