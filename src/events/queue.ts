/**
 * The bus queue's storage and scheduling: one FIFO ring (`Lane`) per
 * priority, lanes kept sorted by priority (higher first), and the task
 * scheduler the bus drains later batches with (so floods do not starve the page).
 */
import type { Sub } from './subscriptions';

/**
 * FIFO ring of (topic, payload, subscribers) for one priority. The subscriber
 * list resolved at emit time travels with the event, so the dispatch does not
 * look it up again; events queued before a subscribe / unsubscribe (the first
 * `stale` ones) are re-resolved at dispatch.
 */
export class Lane {
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

/** The lane of `priority` in `lanes` (sorted, higher priority first), created on first use. */
export function laneFor(lanes: Lane[], priority: number): Lane {
  for (let i = 0; i < lanes.length; i++) {
    if (lanes[i].priority === priority) return lanes[i];
  }
  const l = new Lane(priority);
  lanes.push(l);
  lanes.sort((a, b) => b.priority - a.priority);
  return l;
}

export const scheduleTask: (fn: () => void) => void =
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
