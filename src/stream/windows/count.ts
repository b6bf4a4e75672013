import { Acc } from '../aggregate';
import type { KeyState } from '../keys';
import type { KeySnapshot } from '../types';
import type { WindowContext, WindowStrategy } from './strategy';

/**
 * Count windows: per key, every `size` events in arrival order (no event
 * time, no watermark, no timers). End of input (`flush()`) emits the last
 * partial window flagged `partial`; its bounds are the first and last event
 * times (end inclusive).
 */
export class CountWindows implements WindowStrategy {
  readonly eventTime = false;
  readonly #size: number;
  readonly #cx: WindowContext;

  constructor(size: number, cx: WindowContext) {
    this.#size = size;
    this.#cx = cx;
  }

  add(ks: KeyState, t: number, v: number, ev: unknown): boolean {
    if (!ks.count) ks.count = { n: 0, first: t, last: t, acc: new Acc(this.#cx.cfg) };
    const c = ks.count;
    if (c.n === 0) c.first = t;
    c.last = t;
    c.n++;
    c.acc.add(v, ev);
    if (c.n >= this.#size) this.#fire(ks, false);
    return true;
  }

  #fire(ks: KeyState, partial: boolean): void {
    const c = ks.count!;
    c.acc.flush();
    const out = this.#cx.out;
    const res = out.result(ks.key, c.first, c.last, c.acc.m, c.acc.q, c.acc.custom, false);
    if (partial) res.partial = true;
    c.acc.dispose();
    ks.count = null;
    out.emit(res);
  }

  onTimer(): void {}

  flushKey(ks: KeyState): void {
    if (ks.count && ks.count.n > 0) this.#fire(ks, true);
  }

  openStates(ks: KeyState): number {
    return ks.count && ks.count.n > 0 ? 1 : 0;
  }

  holds(ks: KeyState): boolean {
    return !!(ks.count && ks.count.n > 0);
  }

  save(ks: KeyState, k: KeySnapshot): void {
    if (ks.count) k.count = { ...ks.count, acc: ks.count.acc.toState() };
  }

  load(k: KeySnapshot, ks: KeyState): void {
    if (k.count) ks.count = { ...k.count, acc: Acc.fromState(k.count.acc, this.#cx.cfg) };
  }

  rearm(): void {}

  disposeKey(ks: KeyState): void {
    ks.count?.acc.dispose();
  }

  dispose(): void {}
}
