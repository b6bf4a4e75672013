import { describeValue, EdgewiseError } from '../errors';

/**
 * Topic patterns. Topics are dot-separated segments (`sensor.temp.kitchen`).
 *
 * - exact: `sensor.temp`
 * - single-segment wildcard `*`: `sensor.*` matches `sensor.temp`, not `sensor.temp.x`
 * - multi-segment wildcard `#` (AMQP convention): zero or more segments, so
 *   `sensor.#` matches `sensor`, `sensor.temp` and `sensor.temp.kitchen`
 * - the lone pattern `*` matches every topic (same as `#`)
 *
 * We use `#`, not `**`; a `**` segment is rejected with a message saying so.
 */
export function validateTopic(topic: unknown, where: string): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: pass a non-empty topic string like 'sensor.temp', got ${describeValue(topic)}.`,
    );
  }
  if (topic.includes('*') || topic.includes('#')) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: topic ${JSON.stringify(topic)} contains a wildcard; wildcards ('*', '#') are ` +
        'for subscriptions, emit to a concrete topic such as "sensor.temp".',
    );
  }
}

export function parsePattern(pattern: unknown, where: string): string[] {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: pass a topic pattern string like 'sensor.temp', 'sensor.*' or 'sensor.#', got ${describeValue(pattern)}.`,
    );
  }
  if (pattern === '*') return ['#'];
  const segs = pattern.split('.');
  for (const s of segs) {
    if (s === '**') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: pattern ${JSON.stringify(pattern)} uses '**'; Edgewise uses '#' for ` +
          "'zero or more segments' (e.g. 'sensor.#').",
      );
    }
    if (s === '' || ((s.includes('*') || s.includes('#')) && s.length > 1)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${where}: pattern ${JSON.stringify(pattern)} has an empty or partly-wildcard segment; ` +
          "wildcards take a whole segment ('sensor.*', 'sensor.#').",
      );
    }
  }
  return segs;
}

/** A trie over pattern segments; `match` walks it in O(segments x wildcard branches). */
export class TopicTrie<T> {
  #root = new TrieNode<T>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(segs: string[], item: T): void {
    let n = this.#root;
    for (const s of segs) {
      if (s === '*') n = n.star ??= new TrieNode<T>();
      else if (s === '#') n = n.hash ??= new TrieNode<T>();
      else {
        n.children ??= new Map();
        let c = n.children.get(s);
        if (!c) {
          c = new TrieNode<T>();
          n.children.set(s, c);
        }
        n = c;
      }
    }
    n.items.push(item);
    this.#size++;
  }

  remove(segs: string[], item: T): boolean {
    const path: TrieNode<T>[] = [this.#root];
    let n: TrieNode<T> | undefined = this.#root;
    for (const s of segs) {
      n = s === '*' ? n.star : s === '#' ? n.hash : n.children?.get(s);
      if (!n) return false;
      path.push(n);
    }
    const i = n.items.indexOf(item);
    if (i < 0) return false;
    n.items.splice(i, 1);
    this.#size--;
    // prune empty branches
    for (let d = segs.length; d > 0; d--) {
      const node = path[d];
      if (node.items.length || node.star || node.hash || node.children?.size) break;
      const parent = path[d - 1];
      const s = segs[d - 1];
      if (s === '*') parent.star = undefined;
      else if (s === '#') parent.hash = undefined;
      else parent.children!.delete(s);
    }
    return true;
  }

  /** All items whose pattern matches `topic` (each at most once). */
  match(topic: string, out: T[]): T[] {
    const segs = topic.split('.');
    const seen = new Set<T>();
    walk(this.#root, segs, 0, out, seen);
    return out;
  }
}

class TrieNode<T> {
  items: T[] = [];
  children: Map<string, TrieNode<T>> | undefined;
  star: TrieNode<T> | undefined;
  hash: TrieNode<T> | undefined;
}

function collect<T>(n: TrieNode<T>, out: T[], seen: Set<T>): void {
  for (const it of n.items) {
    if (!seen.has(it)) {
      seen.add(it);
      out.push(it);
    }
  }
}

function walk<T>(n: TrieNode<T>, segs: string[], i: number, out: T[], seen: Set<T>): void {
  if (n.hash) {
    // '#' consumes zero or more segments
    for (let j = i; j <= segs.length; j++) walk(n.hash, segs, j, out, seen);
  }
  if (i === segs.length) {
    collect(n, out, seen);
    return;
  }
  const c = n.children?.get(segs[i]);
  if (c) walk(c, segs, i + 1, out, seen);
  if (n.star) walk(n.star, segs, i + 1, out, seen);
}
