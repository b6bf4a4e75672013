import type { KeyState } from '../keys';
import { FIRE, PURGE, type Timer } from '../timers';
import type { KeySnapshot } from '../types';
import type { SlidingGeometry } from './budget';
import { type Entry, entry, SlidingPanes } from './panes';
import type { WindowContext, WindowStrategy } from './strategy';
import { PaneAggregates } from './two-stacks';

/**
 * Sliding event-time windows in O(1) amortised merges per event and per slide,
 * whatever size / slide is.
 *
 * Panes of `P = gcd(size, slide)` ms hold the events (each event is added to
 * one pane); a window is `a = size / P` consecutive panes and windows start
 * every `b = slide / P` panes. The window aggregate is assembled with
 * **Two-Stacks** (Tangwongsan, Hirzel & Schneider, "In-order sliding-window
 * aggregation in worst-case constant time", VLDB J. 2021, §3; also the
 * van Herk / Gil-Werman scheme for min / max), in its pane-aligned form:
 *
 * - pane indices are cut into blocks of `a` panes (`[k a, (k+1) a)`); a window
 *   `[s, s + a)` spans the tail of block `K = floor(s / a)` and the head of
 *   block `K + 1`;
 * - the *front stack* of block `K` is its suffix aggregates
 *   `suf(i) = pane(i) (+) suf(next pane of the block)`, computed in one pass
 *   when the window start first enters the block (the Two-Stacks "flip");
 * - the *back stack* of block `K + 1` is its prefix aggregates
 *   `pre(i) = pre(previous pane of the block) (+) pane(i)`, extended as panes
 *   seal (the Two-Stacks push);
 * - the window is `suf(first pane >= s) (+) pre(last pane < s + a)`: one merge.
 *
 * Each pane's prefix and suffix are computed once (unless a late event changes
 * the pane, which clears the aggregates that depend on it), so the work is
 * O(1) merges amortised per pane and per window fired; a flip costs one merge
 * per non-empty pane of a block. The merges are those of the kernels
 * (`Moments.merge`, `QuantileSketch.merge`) and of the custom reducers, so
 * non-invertible statistics (min, max, quantile sketches) work as well as sums.
 * The flips sit at fixed block boundaries, so every stored aggregate is a pure
 * function of the panes' states: a restored snapshot rebuilds them lazily and
 * produces bit-identical results, and a late re-fire assembles a window with
 * the same merges as its first firing.
 *
 * Only panes holding data exist (sorted by index; `Map` lookup per event); the
 * next window to fire and the next pane to purge are found from the sorted
 * panes, so a jump of the watermark over hours of empty panes costs nothing
 * per empty pane or empty window. Memory: the live panes plus at most two
 * partial aggregates each.
 */

type K = KeyState;

/** The sliding-window strategy: which windows an event updates, when they fire, when panes go (pane states: `PaneAggregates`). */
export class SlidingWindows implements WindowStrategy {
  readonly eventTime = true;
  readonly #P: number;
  readonly #a: number;
  readonly #b: number;
  readonly #off: number;
  readonly #L: number;
  readonly #cx: WindowContext;
  readonly #panes: PaneAggregates;
  #lastW = Number.NaN;
  #lastOpen = Number.NaN;

  constructor(g: SlidingGeometry, cx: WindowContext) {
    this.#P = g.pane;
    this.#a = g.a;
    this.#b = g.b;
    this.#off = g.offset;
    this.#L = g.lateness;
    this.#cx = cx;
    this.#panes = new PaneAggregates(g.a, cx.cfg);
  }

  /** End (exclusive, ms) of window `w`, which covers panes `[w b, w b + a)`. */
  end(w: number): number {
    return (w * this.#b + this.#a) * this.#P + this.#off;
  }

  /** The first window that ends after `W`. */
  firstOpen(W: number): number {
    if (!Number.isFinite(W)) return W;
    let w = Math.floor((Math.floor((W - this.#off) / this.#P) + 1 - this.#a) / this.#b);
    while (this.end(w - 1) > W) w--;
    while (this.end(w) <= W) w++;
    return w;
  }

  #purgeAt(j: number): number {
    return this.end(Math.floor(j / this.#b)) + this.#L;
  }

  // ------------------------------------------------------------ pane states

  // ------------------------------------------------------------------ input

  /**
   * Adds one event at time `t` (watermark `W`). Returns false when the event
   * is too late for every window (the caller reports it); re-fires, flagged
   * `update` when they repeat a result, the windows that already fired and
   * are still within the allowed lateness.
   */
  add(ks: K, t: number, v: number, ev: unknown, W: number): boolean {
    const a = this.#a;
    const b = this.#b;
    const j = Math.floor((t - this.#off) / this.#P);
    const wMax = Math.floor(j / b);
    if (this.end(wMax) + this.#L <= W) return false;
    ks.sliding ??= new SlidingPanes();
    const sp = ks.sliding;
    if (W !== this.#lastW) {
      this.#lastW = W;
      this.#lastOpen = this.firstOpen(W);
    }
    const open = this.#lastOpen;
    if (open > sp.cursor) sp.cursor = open; // windows ending by W are done (or re-fired below)
    const E = sp.e;
    const last = E.length > sp.head ? E[E.length - 1] : undefined;
    let en = last !== undefined && last.j === j ? last : sp.byIndex.get(j);
    let isNew = false;
    let pos = -1;
    if (en === undefined) {
      isNew = true;
      en = entry(j);
      const len = E.length;
      if (len === sp.head || E[len - 1].j < j) {
        pos = len;
        E.push(en);
      } else {
        pos = sp.lower(j, len - 1);
        E.splice(pos, 0, en);
      }
      // a new pane in a block whose aggregates were built (it was empty when they were)
      this.#panes.invalidate(sp, pos);
      sp.byIndex.set(j, en);
      if (pos === sp.head) this.#schedulePurge(ks, sp);
      if (j >= sp.cursor * b) {
        const cand = Math.max(sp.cursor, Math.floor((j - a) / b) + 1);
        if (Number.isNaN(sp.armedFire) || cand < sp.armedFire) {
          sp.armedFire = cand;
          this.#cx.timers.push({ t: this.end(cand), kind: FIRE, ks, w: cand });
        }
      }
    } else if (en.hasPre || en.hasSuf) {
      pos = sp.lower(j, sp.hintB);
      this.#panes.invalidate(sp, pos);
    }
    this.#panes.addValue(en, v, ev);
    const wMin = Math.floor((j - a) / b) + 1;
    if (this.end(wMin) <= W) {
      // late within allowedLateness: re-fire the windows of this pane that already closed
      if (pos < 0) pos = sp.lower(j, sp.hintB);
      const prev = pos > sp.head ? E[pos - 1].j : Number.NEGATIVE_INFINITY;
      const next = pos + 1 < E.length ? E[pos + 1].j : Number.POSITIVE_INFINITY;
      const lo = Math.max(wMin, this.firstOpen(W - this.#L));
      const hi = Math.min(wMax, open - 1);
      for (let w = lo; w <= hi; w++) {
        const update = !isNew || prev >= w * b || next < w * b + a;
        this.#emitWindow(ks, sp, w, update);
      }
    }
    return true;
  }

  /** A fire timer for window `w` came due: emits it and arms the next one. */
  fire(ks: K, w: number): void {
    const sp = ks.sliding;
    if (!sp || sp.armedFire !== w) return; // superseded by an earlier window
    sp.armedFire = Number.NaN;
    this.#emitWindow(ks, sp, w, false);
    sp.cursor = w + 1;
    this.#scheduleFire(ks, sp);
  }

  /** A purge timer came due at `t`: drops the panes no window within lateness needs. */
  purge(ks: K, t: number): void {
    const sp = ks.sliding;
    if (!sp) return;
    if (sp.armedPurge === t) sp.armedPurge = Number.NaN;
    const E = sp.e;
    while (sp.head < E.length && this.#purgeAt(E[sp.head].j) <= t) {
      const en = E[sp.head];
      E[sp.head] = undefined as unknown as Entry;
      sp.head++;
      sp.byIndex.delete(en.j);
      this.#panes.dropHead(sp, en);
    }
    if (sp.head === E.length) {
      sp.e = [];
      sp.head = 0;
    } else if (sp.head > 1024 && sp.head * 2 > E.length) {
      sp.e = E.slice(sp.head);
      sp.hintA = Math.max(0, sp.hintA - sp.head);
      sp.hintB = Math.max(0, sp.hintB - sp.head);
      sp.hintC = Math.max(0, sp.hintC - sp.head);
      sp.head = 0;
    }
    this.#schedulePurge(ks, sp);
  }

  /** After a restore: the next fire and purge timers from the panes and watermark. */
  rearm(ks: K, W: number): void {
    const sp = ks.sliding;
    if (!sp) return;
    if (sp.restoredStage) {
      for (const [en, vs] of sp.restoredStage) for (const v of vs) this.#panes.addStaged(en, v);
      sp.restoredStage = null;
    }
    sp.cursor = this.firstOpen(W);
    sp.armedFire = Number.NaN;
    sp.armedPurge = Number.NaN;
    this.#scheduleFire(ks, sp);
    this.#schedulePurge(ks, sp);
  }

  onTimer(ks: K, tm: Timer<K>): void {
    if (tm.kind === FIRE) this.fire(ks, tm.w);
    else this.purge(ks, tm.t);
  }

  flushKey(): void {}

  openStates(ks: K): number {
    return ks.sliding?.size ?? 0;
  }

  holds(ks: K): boolean {
    return (ks.sliding?.size ?? 0) > 0;
  }

  // ------------------------------------------------------------ checkpoints

  save(ks: K, k: KeySnapshot): void {
    if (ks.sliding) k.panes = this.#panes.toPanes(ks.sliding);
  }

  load(k: KeySnapshot, ks: K): void {
    if (k.panes) ks.sliding = this.#panes.fromPanes(k.panes);
  }

  disposeKey(ks: K): void {
    if (ks.sliding) this.#panes.disposePanes(ks.sliding);
  }

  dispose(): void {
    this.#panes.dispose();
  }

  // --------------------------------------------------------------- timers

  #scheduleFire(ks: K, sp: SlidingPanes): void {
    const b = this.#b;
    const pos = sp.lower(sp.cursor * b, sp.hintC);
    sp.hintC = pos;
    if (pos >= sp.e.length) return;
    const j = sp.e[pos].j;
    const w = Math.max(sp.cursor, Math.floor((j - this.#a) / b) + 1);
    if (Number.isNaN(sp.armedFire) || w < sp.armedFire) {
      sp.armedFire = w;
      this.#cx.timers.push({ t: this.end(w), kind: FIRE, ks, w });
    }
  }

  #schedulePurge(ks: K, sp: SlidingPanes): void {
    if (sp.head >= sp.e.length) return;
    const t = this.#purgeAt(sp.e[sp.head].j);
    if (Number.isNaN(sp.armedPurge) || t < sp.armedPurge) {
      sp.armedPurge = t;
      this.#cx.timers.push({ t, kind: PURGE, ks, w: sp.e[sp.head].j });
    }
  }

  // ------------------------------------------------------------ Two-Stacks

  /** Assembles window `w` and emits it; nothing when empty. */
  #emitWindow(ks: K, sp: SlidingPanes, w: number, update: boolean): void {
    const s = w * this.#b;
    const agg = this.#panes.window(sp, s);
    if (agg === null) return;
    const out = this.#cx.out;
    out.emit(
      out.result(ks.key, s * this.#P + this.#off, this.end(w), agg.m, agg.q, agg.custom, update),
    );
  }
}
