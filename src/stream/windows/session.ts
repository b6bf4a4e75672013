import { Acc } from '../aggregate';
import type { KeyState, Session } from '../keys';
import { FIRE, PURGE, type Timer } from '../timers';
import type { KeySnapshot } from '../types';
import type { WindowContext, WindowStrategy } from './strategy';

/**
 * Session windows: per key, events at most `gap` apart share a window
 * `[first, last + gap)`. A (late) event that bridges sessions merges them; the
 * merged result lists the earlier emitted windows it supersedes in `replaces`.
 */
export class SessionWindows implements WindowStrategy {
  readonly eventTime = true;
  readonly #gap: number;
  readonly #L: number;
  readonly #cx: WindowContext;

  constructor(gap: number, cx: WindowContext) {
    this.#gap = gap;
    this.#L = cx.lateness;
    this.#cx = cx;
  }

  add(ks: KeyState, t: number, v: number, ev: unknown, W: number): boolean {
    const gap = this.#gap;
    ks.sessions ??= [];
    const sessions = ks.sessions;
    // sessions that [t, t + gap) touches (events at most `gap` apart share a session)
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i];
      if (s.start <= t + gap && t <= s.end) {
        if (lo < 0) lo = i;
        hi = i;
      } else if (s.start > t + gap) break;
    }
    if (lo < 0) {
      if (t + gap + this.#L <= W) return false;
      const acc = new Acc(this.#cx.cfg);
      acc.add(v, ev);
      const s: Session = { start: t, end: t + gap, acc, emitted: false, replaces: [] };
      let at = 0;
      while (at < sessions.length && sessions[at].start < t) at++;
      sessions.splice(at, 0, s);
      this.#timers(ks, s);
      if (s.end <= W) this.#fire(ks, s);
      return true;
    }
    const target = sessions[lo];
    const oldEnd = target.end;
    const replaces = [...target.replaces];
    if (target.emitted) replaces.push({ start: target.start, end: target.end });
    let start = Math.min(target.start, t);
    let end = Math.max(target.end, t + gap);
    for (let i = lo + 1; i <= hi; i++) {
      const o = sessions[i];
      replaces.push(...o.replaces);
      if (o.emitted) replaces.push({ start: o.start, end: o.end });
      start = Math.min(start, o.start);
      end = Math.max(end, o.end);
      target.acc.absorb(o.acc);
    }
    if (hi > lo) sessions.splice(lo + 1, hi - lo);
    target.acc.add(v, ev);
    const changed = start !== target.start || end !== oldEnd || hi > lo;
    target.start = start;
    target.end = end;
    if (target.emitted && !changed) {
      // same window got more data: an update of the same range
      target.replaces = replaces.filter((r) => r.start !== start || r.end !== end);
      if (end <= W) this.#fire(ks, target, true);
      return true;
    }
    target.replaces = replaces;
    target.emitted = false;
    if (end !== oldEnd || hi > lo) this.#timers(ks, target);
    if (end <= W) this.#fire(ks, target);
    return true;
  }

  #timers(ks: KeyState, s: Session): void {
    const timers = this.#cx.timers;
    timers.push({ t: s.end, kind: FIRE, ks, w: 0 });
    timers.push({ t: s.end + this.#L, kind: PURGE, ks, w: 0 });
  }

  #fire(ks: KeyState, s: Session, sameRange = false): void {
    s.acc.flush();
    const update = sameRange || s.replaces.length > 0;
    const out = this.#cx.out;
    const res = out.result(ks.key, s.start, s.end, s.acc.m, s.acc.q, s.acc.custom, update);
    if (s.replaces.length) res.replaces = s.replaces;
    s.replaces = [];
    s.emitted = true;
    out.emit(res);
  }

  onTimer(ks: KeyState, tm: Timer<KeyState>): void {
    if (tm.kind === FIRE) {
      // only sessions ending at this timer's time: firing order does not depend on stale timers
      for (const s of ks.sessions ?? []) {
        if (!s.emitted && s.end <= tm.t) this.#fire(ks, s);
      }
    } else if (ks.sessions) {
      const keep: Session[] = [];
      for (const s of ks.sessions) {
        if (s.end + this.#L <= tm.t && s.emitted) s.acc.dispose();
        else keep.push(s);
      }
      ks.sessions = keep;
    }
  }

  flushKey(): void {}

  openStates(ks: KeyState): number {
    return ks.sessions?.length ?? 0;
  }

  holds(ks: KeyState): boolean {
    return (ks.sessions?.length ?? 0) > 0;
  }

  save(ks: KeyState, k: KeySnapshot): void {
    if (!ks.sessions) return;
    k.sessions = ks.sessions.map((s) => ({
      start: s.start,
      end: s.end,
      emitted: s.emitted,
      replaces: s.replaces.map((r) => ({ ...r })),
      acc: s.acc.toState(),
    }));
  }

  load(k: KeySnapshot, ks: KeyState): void {
    if (!k.sessions) return;
    const cfg = this.#cx.cfg;
    ks.sessions = k.sessions.map((s) => ({
      start: s.start,
      end: s.end,
      emitted: s.emitted,
      replaces: s.replaces.map((r) => ({ ...r })),
      acc: Acc.fromState(s.acc, cfg),
    }));
  }

  rearm(ks: KeyState): void {
    if (ks.sessions) for (const s of ks.sessions) this.#timers(ks, s);
  }

  disposeKey(ks: KeyState): void {
    if (ks.sessions) for (const s of ks.sessions) s.acc.dispose();
  }

  dispose(): void {}
}
