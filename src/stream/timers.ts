/**
 * Event-time timers of the stream processor: one binary min-heap ordered by
 * (time, fire before purge, key order, window), so results come out in
 * watermark order and, at equal times, in key-creation order.
 */

export const FIRE = 0;
export const PURGE = 1;

export interface Timer<K extends { seq: number }> {
  t: number;
  kind: number;
  ks: K;
  w: number;
}

function before<K extends { seq: number }>(a: Timer<K>, b: Timer<K>): boolean {
  if (a.t !== b.t) return a.t < b.t;
  if (a.kind !== b.kind) return a.kind < b.kind;
  if (a.ks.seq !== b.ks.seq) return a.ks.seq < b.ks.seq;
  return a.w < b.w;
}

/** Binary min-heap of timers ordered by (time, fire before purge, key order, window). */
export class TimerHeap<K extends { seq: number }> {
  items: Timer<K>[] = [];
  get size(): number {
    return this.items.length;
  }
  clear(): void {
    this.items = [];
  }
  peek(): Timer<K> | undefined {
    return this.items[0];
  }
  push(t: Timer<K>): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Timer<K> {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
