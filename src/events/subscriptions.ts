/**
 * Subscriptions and how a topic finds them: one `Sub` per `on` / `once` (with
 * its pending ring for a busy async handler), and the `SubscriptionIndex`
 * (exact topics in a map, wildcard patterns in a topic trie, and a per-topic
 * cache of the sorted subscriber list, dropped on every subscribe / unsubscribe).
 */
import { describeValue, EdgewiseError } from '../errors';
import { overflowPolicy, positiveInt, toPriority } from './options';
import { parsePattern, TopicTrie, validateTopic } from './topics';
import type {
  Handler,
  SubscribeOptions,
  SubscriptionOverflowPolicy,
  SubscriptionStats,
} from './types';

const CACHE_LIMIT = 10_000;

export class Sub {
  active = true;
  inflight = 0;
  delivered = 0;
  dropped = 0;
  errors = 0;
  // pending ring (lazily allocated, power-of-two size, grows up to maxPending;
  // a 'block' subscription may hold a few more in the rare case described in Dispatcher.buffer)
  pTopics: string[] | undefined;
  pPayloads: unknown[] | undefined;
  pHead = 0;
  pLen = 0;
  pMask = 0;
  full = false;
  /** Counted in the dispatcher's `busy` (has work in flight or pending). */
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

  /** The counters `Subscription.stats` shows (a snapshot). */
  stats(): SubscriptionStats {
    return {
      id: this.id,
      pattern: this.pattern,
      delivered: this.delivered,
      dropped: this.dropped,
      pending: this.pLen,
      inflight: this.inflight,
      errors: this.errors,
    };
  }

  /** Appends to the pending ring, growing it (lazily allocated; powers of two). */
  pushPending(topic: string, payload: unknown): void {
    if (this.pTopics === undefined || this.pLen > this.pMask) {
      const cap =
        this.pTopics === undefined ? Math.min(64, nextPow2(this.maxPending)) : (this.pMask + 1) * 2;
      const t = new Array<string>(cap);
      const p = new Array<unknown>(cap);
      for (let k = 0; k < this.pLen; k++) {
        const j = (this.pHead + k) & this.pMask;
        t[k] = this.pTopics![j];
        p[k] = this.pPayloads![j];
      }
      this.pTopics = t;
      this.pPayloads = p;
      this.pHead = 0;
      this.pMask = cap - 1;
    }
    const i = (this.pHead + this.pLen) & this.pMask;
    this.pTopics![i] = topic;
    this.pPayloads![i] = payload;
    this.pLen++;
  }

  /** Drops the head of the pending ring (the caller read it first). */
  shiftPending(): void {
    const h = this.pHead;
    this.pTopics![h] = undefined as unknown as string;
    this.pPayloads![h] = undefined;
    this.pHead = (h + 1) & this.pMask;
    this.pLen--;
  }
}

function nextPow2(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

/** Validates `on` / `once` arguments and builds the subscription (not yet indexed). */
export function createSub<T>(
  id: number,
  pattern: string,
  handler: Handler<T>,
  options: SubscribeOptions<T>,
  once: boolean,
  where: string,
): Sub {
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
  const overflow = overflowPolicy(
    options.overflow,
    'block',
    where,
    false,
  ) as SubscriptionOverflowPolicy;
  return new Sub(
    id,
    pattern,
    segs,
    !segs.includes('*') && !segs.includes('#'),
    handler as Handler<never>,
    priority,
    options.filter as ((p: never, t: string) => boolean) | undefined,
    once,
    concurrency,
    maxPending,
    overflow,
  );
}

/**
 * Which subscriptions a topic reaches: exact patterns in a map, wildcard
 * patterns in a topic trie, each topic's sorted list (priority, then
 * subscription order) cached until the next subscribe / unsubscribe, so
 * unrelated subscriptions cost nothing per event. Wildcards never match the
 * error topic (only exact subscriptions to it do).
 */
export class SubscriptionIndex {
  readonly exact = new Map<string, Sub[]>();
  readonly all = new Set<Sub>();
  #trie = new TopicTrie<Sub>();
  #cache = new Map<string, Sub[]>();

  constructor(readonly errorTopic: string) {}

  add(sub: Sub): void {
    if (sub.exact) {
      const list = this.exact.get(sub.pattern);
      if (list) list.push(sub);
      else this.exact.set(sub.pattern, [sub]);
    } else this.#trie.add(sub.segs, sub);
    this.all.add(sub);
    this.#cache = new Map();
  }

  delete(sub: Sub): void {
    this.all.delete(sub);
    if (sub.exact) {
      const list = this.exact.get(sub.pattern)!;
      list.splice(list.indexOf(sub), 1);
      if (list.length === 0) this.exact.delete(sub.pattern);
    } else this.#trie.remove(sub.segs, sub);
    this.#cache = new Map();
  }

  /** Subscribers of `topic`, from the cache or resolved (validating the topic, naming `where`). */
  match(topic: string, where: string): Sub[] {
    return this.#cache.get(topic) ?? this.#resolve(topic, where);
  }

  #resolve(topic: string, where: string): Sub[] {
    validateTopic(topic, where);
    const out: Sub[] = [];
    const ex = this.exact.get(topic);
    if (ex) out.push(...ex);
    if (topic !== this.errorTopic && this.#trie.size > 0) this.#trie.match(topic, out);
    out.sort((a, b) => b.priority - a.priority || a.id - b.id);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache = new Map();
    this.#cache.set(topic, out);
    return out;
  }
}
