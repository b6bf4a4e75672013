/**
 * Delivery of one event to its subscriptions: filters, `once`, a handler's
 * promise, and per subscription the concurrency limit and pending buffer with
 * its overflow policy ('block' counts as a full blocker; drops are reported).
 */
import type { Sub } from './subscriptions';
import type { DropEvent, HandlerErrorEvent } from './types';

/** What the dispatcher asks of its bus. */
export interface DispatchHost {
  /** A handler or filter threw, or a handler's promise rejected (counted in the subscription). */
  report(ev: HandlerErrorEvent, error: unknown): void;
  /** Removes a `once` subscription before its handler runs. */
  remove(s: Sub): void;
  /** A full 'block' subscription has room again (dispatch may resume). */
  unblocked(): void;
  /** An async handler settled (the bus may be idle now). */
  settled(): void;
}

export class Dispatcher {
  /** True while events are being dispatched (drain, inline caller-runs batch, emitSync, settle). */
  draining = false;
  /** Subscriptions whose 'block' buffer is full. */
  fullBlocking = 0;
  /** Subscriptions with work in flight or pending. */
  busy = 0;
  /** Events dropped by subscriptions' overflow policies. */
  droppedBySubs = 0;

  constructor(
    readonly onDrop: ((event: DropEvent) => void) | undefined,
    readonly host: DispatchHost,
  ) {}

  /** Tells `onDrop` (opt-in drop policies only); errors it throws go to the console. */
  reportDrop(
    where: 'queue' | 'subscription',
    policy: 'drop-oldest' | 'drop-newest',
    topic: string,
    payload: unknown,
    s: Sub | undefined,
  ): void {
    const f = this.onDrop;
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

  #report(s: Sub, topic: string, error: unknown): void {
    s.errors++;
    const ev: HandlerErrorEvent = {
      topic,
      pattern: s.pattern,
      handler: s.name,
      subscriptionId: s.id,
      error,
    };
    this.host.report(ev, error);
  }

  dispatch(subs: Sub[], topic: string, payload: unknown): void {
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i];
      if (!s.active) continue;
      try {
        if (s.filter !== undefined && !s.filter(payload as never, topic)) continue;
      } catch (e) {
        this.#report(s, topic, e);
        continue;
      }
      if (s.once) this.host.remove(s);
      if (s.inflight >= s.concurrency) this.#buffer(s, topic, payload);
      else this.#invoke(s, topic, payload);
    }
  }

  /**
   * Dispatches outside the queue (`emitSync`): emits from its handlers are
   * re-entrant. False when a subscription's drop policy dropped an event.
   */
  dispatchNow(subs: Sub[], topic: string, payload: unknown): boolean {
    const before = this.droppedBySubs;
    const nested = this.draining;
    this.draining = true;
    try {
      this.dispatch(subs, topic, payload);
    } finally {
      this.draining = nested;
    }
    return this.droppedBySubs === before;
  }

  /** A matching active subscription whose full 'block' buffer must not take this event. */
  blocker(subs: Sub[], topic: string, payload: unknown): Sub | undefined {
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

  /**
   * Forgets a removed subscription's pending events (the caller unsubscribed:
   * not counted as drops).
   */
  detach(sub: Sub): void {
    if (sub.full && sub.overflow === 'block') this.fullBlocking--;
    sub.full = false;
    sub.pLen = 0;
    sub.pTopics = sub.pPayloads = undefined;
    if (sub.inflight === 0 && sub.busy) {
      sub.busy = false;
      this.busy--;
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
        this.busy++;
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
        this.droppedBySubs++;
        this.reportDrop('subscription', 'drop-newest', topic, payload, s);
        return;
      }
      if (s.overflow === 'drop-oldest') {
        const h = s.pHead;
        const oldTopic = s.pTopics![h];
        const oldPayload = s.pPayloads![h];
        s.shiftPending();
        s.dropped++;
        this.droppedBySubs++;
        this.reportDrop('subscription', 'drop-oldest', oldTopic, oldPayload, s);
      }
      // 'block': dispatch pauses and emitSync throws before a full 'block'
      // subscription would get another event; it can still happen when its
      // filter answers differently between the check and the dispatch, or when
      // a handler of the same event fills it. Then it holds one more (the
      // ring grows) rather than losing it.
    }
    s.pushPending(topic, payload);
    if (s.pLen >= s.maxPending && s.overflow === 'block' && !s.full) {
      s.full = true;
      this.fullBlocking++;
    }
  }

  #settled(s: Sub): void {
    s.inflight--;
    // handlers run below: emits they make are re-entrant (no inline caller-runs
    // dispatch, which could reach this subscription ahead of its pending events)
    const nested = this.draining;
    this.draining = true;
    try {
      this.#runPending(s);
    } finally {
      this.draining = nested;
    }
    if (s.busy && s.inflight === 0 && s.pLen === 0) {
      s.busy = false;
      this.busy--;
    }
    this.host.settled();
  }

  #runPending(s: Sub): void {
    while (s.active && s.pLen > 0 && s.inflight < s.concurrency) {
      const i = s.pHead;
      const topic = s.pTopics![i];
      const payload = s.pPayloads![i];
      s.shiftPending();
      if (s.full && s.pLen < s.maxPending) {
        s.full = false;
        this.fullBlocking--;
        this.host.unblocked();
      }
      this.#invoke(s, topic, payload);
    }
  }
}
