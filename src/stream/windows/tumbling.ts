import { Acc } from '../aggregate';
import type { KeyState } from '../keys';
import { FIRE, PURGE, type Timer } from '../timers';
import type { KeySnapshot } from '../types';
import type { WindowContext, WindowStrategy } from './strategy';

/**
 * Windows of one pane: tumbling windows `[j size + offset, (j + 1) size +
 * offset)`, and sliding windows whose slide equals their size. Each window
 * has its own aggregate, a fire timer at its end and a purge timer at its end
 * plus the allowed lateness; a late event within the lateness re-fires it at
 * once, flagged `update`.
 */
export class TumblingWindows implements WindowStrategy {
  readonly eventTime = true;
  readonly #P: number;
  readonly #off: number;
  readonly #L: number;
  readonly #cx: WindowContext;

  constructor(size: number, offset: number, cx: WindowContext) {
    this.#P = size;
    this.#off = offset;
    this.#L = cx.lateness;
    this.#cx = cx;
  }

  /** End (exclusive, ms) of window `w`. */
  #end(w: number): number {
    return (w + 1) * this.#P + this.#off;
  }

  add(ks: KeyState, t: number, v: number, ev: unknown, W: number): boolean {
    const j = Math.floor((t - this.#off) / this.#P);
    const end = this.#end(j);
    const purgeAt = end + this.#L;
    if (purgeAt <= W) return false;
    ks.panes ??= new Map();
    let acc = ks.panes.get(j);
    if (acc === undefined) {
      acc = new Acc(this.#cx.cfg);
      ks.panes.set(j, acc);
      const timers = this.#cx.timers;
      timers.push({ t: purgeAt, kind: PURGE, ks, w: j });
      ks.registered ??= new Set();
      if (end > W && !ks.registered.has(j)) {
        ks.registered.add(j);
        timers.push({ t: end, kind: FIRE, ks, w: j });
      }
    }
    acc.add(v, ev);
    // late but within allowedLateness: re-fire the window that already closed
    if (end <= W && end + this.#L > W) this.#fire(ks, j);
    return true;
  }

  #fire(ks: KeyState, w: number): void {
    const acc = ks.panes?.get(w);
    if (!acc) return;
    const update = ks.emitted?.has(w) ?? false;
    acc.flush();
    const out = this.#cx.out;
    const res = out.result(
      ks.key,
      w * this.#P + this.#off,
      this.#end(w),
      acc.m,
      acc.q,
      acc.custom,
      update,
    );
    if (this.#L > 0) {
      ks.emitted ??= new Set();
      ks.emitted.add(w);
    }
    out.emit(res);
  }

  onTimer(ks: KeyState, tm: Timer<KeyState>, W: number): void {
    if (tm.kind === FIRE) {
      if (ks.registered?.delete(tm.w)) this.#fire(ks, tm.w);
      return;
    }
    const acc = ks.panes?.get(tm.w);
    if (acc) {
      acc.dispose();
      ks.panes!.delete(tm.w);
    }
    if (ks.emitted) {
      for (const w of ks.emitted) if (this.#end(w) + this.#L <= W) ks.emitted.delete(w);
    }
  }

  flushKey(): void {}

  openStates(ks: KeyState): number {
    return ks.panes?.size ?? 0;
  }

  holds(ks: KeyState): boolean {
    return (
      (ks.panes?.size ?? 0) > 0 || (ks.registered?.size ?? 0) > 0 || (ks.emitted?.size ?? 0) > 0
    );
  }

  save(ks: KeyState, k: KeySnapshot): void {
    if (ks.panes) k.panes = [...ks.panes].map(([j, a]) => [j, a.toState()]);
    if (ks.registered) k.registered = [...ks.registered];
    if (ks.emitted) k.emitted = [...ks.emitted];
  }

  load(k: KeySnapshot, ks: KeyState): void {
    const cfg = this.#cx.cfg;
    if (k.panes) ks.panes = new Map(k.panes.map(([j, a]) => [j, Acc.fromState(a, cfg)]));
    if (k.registered) ks.registered = new Set(k.registered);
    if (k.emitted) ks.emitted = new Set(k.emitted);
  }

  rearm(ks: KeyState): void {
    const timers = this.#cx.timers;
    if (ks.panes) {
      for (const j of ks.panes.keys()) {
        timers.push({ t: this.#end(j) + this.#L, kind: PURGE, ks, w: j });
      }
    }
    if (ks.registered) {
      for (const w of ks.registered) timers.push({ t: this.#end(w), kind: FIRE, ks, w });
    }
  }

  disposeKey(ks: KeyState): void {
    if (ks.panes) for (const a of ks.panes.values()) a.dispose();
  }

  dispose(): void {}
}
