import { EdgewiseError } from '../../errors';
import { Moments } from '../../kernels/moments';
import { MomentsPool } from '../../kernels/moments-pool';
import { QuantileSketch } from '../../kernels/quantile';
import { Acc, type AccConfig, type AccState, type Reducer } from '../aggregate';
import { FIRE, PURGE } from '../timers';
import type { SlidingGeometry } from './budget';
import { type Entry, entry, SlidingPanes } from './panes';

export { checkPaneBudget, DEFAULT_MAX_PANES, type SlidingGeometry } from './budget';
export { SlidingPanes } from './panes';

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

/** Values staged before one batched call into the kernels (as `Acc`). */
const STAGE_MAX = 4096;

/** What the processor provides: result emission and timers. */
export interface SlidingHooks<K> {
  emit(
    ks: K,
    start: number,
    end: number,
    m: Moments,
    q: QuantileSketch | null,
    custom: unknown[] | null,
    update: boolean,
  ): void;
  timer(kind: number, t: number, ks: K, w: number): void;
}

/** The sliding-window strategy of one processor (geometry, moments slots, staging). */
export class SlidingWindows<K extends { sliding: SlidingPanes | null }> {
  readonly #P: number;
  readonly #a: number;
  readonly #b: number;
  readonly #off: number;
  readonly #L: number;
  readonly #cfg: AccConfig;
  readonly #rs: Reducer[] | null;
  readonly #hooks: SlidingHooks<K>;
  #pool: MomentsPool | null = null;
  #tmp: Moments | null = null;
  #tmpSketch: QuantileSketch | null = null;
  /** The pane whose values are staged (events mostly arrive for the newest pane). */
  #hot: Entry | null = null;
  #stage = new Float64Array(64);
  #n = 0;
  #lastW = Number.NaN;
  #lastOpen = Number.NaN;

  constructor(g: SlidingGeometry, cfg: AccConfig, hooks: SlidingHooks<K>) {
    this.#P = g.pane;
    this.#a = g.a;
    this.#b = g.b;
    this.#off = g.offset;
    this.#L = g.lateness;
    this.#cfg = cfg;
    this.#rs = cfg.reducers;
    this.#hooks = hooks;
  }

  get #slots(): MomentsPool {
    this.#pool ??= new MomentsPool();
    return this.#pool;
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

  #block(j: number): number {
    return Math.floor(j / this.#a);
  }

  // ------------------------------------------------------------ pane states

  /** Adds one value to a pane: staged (batched kernel calls), reducers at once. */
  #addValue(en: Entry, v: number, ev: unknown): void {
    if (this.#hot !== en) {
      this.#flush();
      this.#hot = en;
      en.staged = true;
    }
    if (this.#n === this.#stage.length) {
      if (this.#n >= STAGE_MAX) this.#flush(en);
      else {
        const s = new Float64Array(this.#n * 2);
        s.set(this.#stage);
        this.#stage = s;
      }
    }
    this.#stage[this.#n++] = v;
    const rs = this.#rs;
    if (rs !== null && Number.isFinite(v)) {
      en.c ??= rs.map((r) => r.create());
      const c = en.c;
      for (let i = 0; i < rs.length; i++) c[i] = rs[i].add(c[i], v, ev);
    }
  }

  /** Pushes the staged values into the hot pane's kernels (`keep`: it stays hot). */
  #flush(keep: Entry | null = null): void {
    const en = this.#hot;
    if (en === null) return;
    if (this.#n > 0) {
      const batch = this.#stage.subarray(0, this.#n);
      const pool = this.#slots;
      if (en.m < 0) en.m = pool.alloc(null);
      pool.push(en.m, batch);
      if (this.#cfg.sketch) {
        en.q ??= new QuantileSketch(this.#cfg.sketch);
        en.q.push(batch);
      }
      this.#n = 0;
    }
    if (keep !== en) {
      en.staged = false;
      this.#hot = null;
    }
  }

  #settled(en: Entry): void {
    if (en.staged) this.#flush();
  }

  #dropPre(en: Entry): void {
    if (!en.hasPre) return;
    if (en.pm >= 0) this.#slots.release(en.pm);
    en.pm = -1;
    en.pq?.dispose();
    en.pq = null;
    en.pc = null;
    en.hasPre = false;
  }

  #dropSuf(en: Entry): void {
    if (!en.hasSuf) return;
    if (en.sm >= 0) this.#slots.release(en.sm);
    en.sm = -1;
    en.sq?.dispose();
    en.sq = null;
    en.sc = null;
    en.hasSuf = false;
  }

  #disposeEntry(en: Entry): void {
    if (this.#hot === en) {
      this.#hot = null;
      this.#n = 0;
    }
    this.#dropPre(en);
    this.#dropSuf(en);
    if (en.m >= 0) this.#slots.release(en.m);
    en.m = -1;
    en.q?.dispose();
    en.q = null;
    en.c = null;
  }

  /** Frees one key's panes and partials. */
  disposePanes(sp: SlidingPanes): void {
    for (let i = sp.head; i < sp.e.length; i++) this.#disposeEntry(sp.e[i]);
    sp.e = [];
    sp.head = 0;
    sp.byIndex.clear();
  }

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
      this.#invalidate(sp, pos);
      sp.byIndex.set(j, en);
      if (pos === sp.head) this.#schedulePurge(ks, sp);
      if (j >= sp.cursor * b) {
        const cand = Math.max(sp.cursor, Math.floor((j - a) / b) + 1);
        if (Number.isNaN(sp.armedFire) || cand < sp.armedFire) {
          sp.armedFire = cand;
          this.#hooks.timer(FIRE, this.end(cand), ks, cand);
        }
      }
    } else if (en.hasPre || en.hasSuf) {
      pos = sp.lower(j, sp.hintB);
      this.#invalidate(sp, pos);
    }
    this.#addValue(en, v, ev);
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
      this.#disposeEntry(en);
      // prefixes after it in its block included it
      const blk = this.#block(en.j);
      for (let i = sp.head; i < E.length && E[i].hasPre && this.#block(E[i].j) === blk; i++) {
        this.#dropPre(E[i]);
      }
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
      for (const [en, vs] of sp.restoredStage) for (const v of vs) this.#addStaged(en, v);
      sp.restoredStage = null;
    }
    sp.cursor = this.firstOpen(W);
    sp.armedFire = Number.NaN;
    sp.armedPurge = Number.NaN;
    this.#scheduleFire(ks, sp);
    this.#schedulePurge(ks, sp);
  }

  // ------------------------------------------------------------ checkpoints

  /** The panes as `AccState`s (the snapshot format of panes); nothing is flushed. */
  toPanes(sp: SlidingPanes): Array<[number, AccState]> {
    const out: Array<[number, AccState]> = [];
    for (let i = sp.head; i < sp.e.length; i++) {
      const en = sp.e[i];
      let moments: Uint8Array | null = null;
      if (en.m >= 0) {
        const m = this.#slots.toMoments(en.m);
        moments = m.serialize();
        m.dispose();
      }
      out.push([
        en.j,
        {
          moments,
          sketch: en.q ? en.q.serialize() : null,
          stage: en.staged ? Array.from(this.#stage.subarray(0, this.#n)) : [],
          custom: en.c ? structuredClone(en.c) : this.#rs ? this.#rs.map((r) => r.create()) : null,
        },
      ]);
    }
    return out;
  }

  /** Panes from a snapshot (throws CORRUPT_STATE on damaged input; frees what it built). */
  fromPanes(panes: unknown): SlidingPanes {
    if (!Array.isArray(panes)) {
      throw new EdgewiseError('CORRUPT_STATE', 'StreamProcessor.restore: the panes are damaged.');
    }
    const sp = new SlidingPanes();
    try {
      const sorted = [...panes].sort((x, y) => x?.[0] - y?.[0]);
      for (const p of sorted) {
        if (
          !Array.isArray(p) ||
          !Number.isInteger(p[0]) ||
          (sp.e.length > 0 && sp.e[sp.e.length - 1].j === p[0])
        ) {
          throw new EdgewiseError(
            'CORRUPT_STATE',
            'StreamProcessor.restore: a pane index is damaged or repeated.',
          );
        }
        const acc = Acc.fromState(p[1], this.#cfg); // validates
        const en = entry(p[0]);
        sp.e.push(en);
        sp.byIndex.set(en.j, en);
        if (acc.m) en.m = this.#slots.alloc(acc.m);
        en.q = acc.q;
        acc.q = null;
        en.c = acc.custom;
        if (acc.n > 0) {
          sp.restoredStage ??= [];
          sp.restoredStage.push([en, acc.stage.slice(0, acc.n)]);
        }
        acc.dispose();
      }
    } catch (e) {
      this.disposePanes(sp);
      throw e;
    }
    return sp;
  }

  /** Restores a staged value (its reducers already saw it). */
  #addStaged(en: Entry, v: number): void {
    if (this.#hot !== en) {
      this.#flush();
      this.#hot = en;
      en.staged = true;
    }
    if (this.#n === this.#stage.length) {
      const s = new Float64Array(this.#n * 2);
      s.set(this.#stage);
      this.#stage = s;
    }
    this.#stage[this.#n++] = v;
  }

  dispose(): void {
    this.#hot = null;
    this.#n = 0;
    this.#tmp?.dispose();
    this.#tmp = null;
    this.#tmpSketch?.dispose();
    this.#tmpSketch = null;
    this.#pool?.dispose();
    this.#pool = null;
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
      this.#hooks.timer(FIRE, this.end(w), ks, w);
    }
  }

  #schedulePurge(ks: K, sp: SlidingPanes): void {
    if (sp.head >= sp.e.length) return;
    const t = this.#purgeAt(sp.e[sp.head].j);
    if (Number.isNaN(sp.armedPurge) || t < sp.armedPurge) {
      sp.armedPurge = t;
      this.#hooks.timer(PURGE, t, ks, sp.e[sp.head].j);
    }
  }

  // ------------------------------------------------------------ Two-Stacks

  /** Drops the aggregates that include the pane at `pos` (its state changed or it is new). */
  #invalidate(sp: SlidingPanes, pos: number): void {
    const E = sp.e;
    const en = E[pos];
    const blk = this.#block(en.j);
    this.#dropPre(en);
    this.#dropSuf(en);
    for (let i = pos + 1; i < E.length && E[i].hasPre && this.#block(E[i].j) === blk; i++) {
      this.#dropPre(E[i]);
    }
    for (let i = pos - 1; i >= sp.head && E[i].hasSuf && this.#block(E[i].j) === blk; i--) {
      this.#dropSuf(E[i]);
    }
  }

  /** Front stack: suffix aggregates of the panes from `pos` to the end of its block (the flip, lazily). */
  #suf(sp: SlidingPanes, pos: number): Entry {
    const E = sp.e;
    const blk = this.#block(E[pos].j);
    let q = pos;
    while (q + 1 < E.length && !E[q].hasSuf && this.#block(E[q + 1].j) === blk) q++;
    const pool = this.#slots;
    const rs = this.#rs;
    for (let i = q; i >= pos; i--) {
      const en = E[i];
      if (en.hasSuf) continue;
      this.#settled(en);
      const nx = i + 1 < E.length && this.#block(E[i + 1].j) === blk ? E[i + 1] : null;
      // suf(i) = pane(i) (+) suf(i + 1)
      en.sm = en.m >= 0 ? pool.copy(en.m) : pool.alloc(null);
      if (nx && nx.sm >= 0) pool.merge(en.sm, nx.sm);
      if (this.#cfg.sketch) {
        en.sq = en.q ? en.q.clone() : new QuantileSketch(this.#cfg.sketch);
        if (nx?.sq) en.sq.merge(nx.sq);
      }
      if (rs) {
        en.sc = copyStates(rs, en.c ?? rs.map((r) => r.create()));
        if (nx?.sc) for (let k = 0; k < rs.length; k++) en.sc[k] = rs[k].merge!(en.sc[k], nx.sc[k]);
      }
      en.hasSuf = true;
    }
    return E[pos];
  }

  /** Back stack: prefix aggregates of the panes from the start of its block to `pos` (pushes, lazily). */
  #pre(sp: SlidingPanes, pos: number): Entry {
    const E = sp.e;
    const blk = this.#block(E[pos].j);
    let q = pos;
    while (q - 1 >= sp.head && !E[q].hasPre && this.#block(E[q - 1].j) === blk) q--;
    const pool = this.#slots;
    const rs = this.#rs;
    for (let i = q; i <= pos; i++) {
      const en = E[i];
      if (en.hasPre) continue;
      this.#settled(en);
      const pv = i - 1 >= sp.head && this.#block(E[i - 1].j) === blk ? E[i - 1] : null;
      // pre(i) = pre(i - 1) (+) pane(i)
      en.pm = pv && pv.pm >= 0 ? pool.copy(pv.pm) : pool.alloc(null);
      if (en.m >= 0) pool.merge(en.pm, en.m);
      if (this.#cfg.sketch) {
        en.pq = pv?.pq ? pv.pq.clone() : new QuantileSketch(this.#cfg.sketch);
        if (en.q) en.pq.merge(en.q);
      }
      if (rs) {
        en.pc = copyStates(rs, pv?.pc ?? rs.map((r) => r.create()));
        if (en.c) for (let k = 0; k < rs.length; k++) en.pc[k] = rs[k].merge!(en.pc[k], en.c[k]);
      }
      en.hasPre = true;
    }
    return E[pos];
  }

  /** Assembles window `w` (front suffix (+) back prefix) and emits it; nothing when empty. */
  #emitWindow(ks: K, sp: SlidingPanes, w: number, update: boolean): void {
    const a = this.#a;
    const s = w * this.#b;
    const E = sp.e;
    const pa = sp.lower(s, sp.hintA);
    sp.hintA = pa;
    if (pa >= E.length || E[pa].j >= s + a) return;
    const pb = sp.lower(s + a, sp.hintB) - 1;
    sp.hintB = pb + 1;
    const K = this.#block(s);
    const A = this.#block(E[pa].j) === K ? this.#suf(sp, pa) : null;
    const B = this.#block(E[pb].j) === K + 1 ? this.#pre(sp, pb) : null;
    const pool = this.#slots;
    this.#tmp ??= new Moments();
    const tmp = this.#tmp.reset();
    if (A && A.sm >= 0) pool.mergeInto(tmp, A.sm);
    if (B && B.pm >= 0) pool.mergeInto(tmp, B.pm);
    let sk: QuantileSketch | null = null;
    if (this.#cfg.sketch) {
      this.#tmpSketch ??= new QuantileSketch(this.#cfg.sketch);
      sk = this.#tmpSketch.reset();
      if (A?.sq) sk.merge(A.sq);
      if (B?.pq) sk.merge(B.pq);
    }
    const rs = this.#rs;
    let custom: unknown[] | null = null;
    if (rs) {
      if (A && B) {
        custom = copyStates(rs, A.sc!);
        for (let i = 0; i < rs.length; i++) custom[i] = rs[i].merge!(custom[i], B.pc![i]);
      } else custom = A ? A.sc : B!.pc;
    }
    this.#hooks.emit(ks, s * this.#P + this.#off, this.end(w), tmp, sk, custom, update);
  }
}

/** Fresh copies of reducer states: `merge(create(), s)` for each. */
function copyStates(rs: Reducer[], states: unknown[]): unknown[] {
  const out = new Array(rs.length);
  for (let i = 0; i < rs.length; i++) out[i] = rs[i].merge!(rs[i].create(), states[i]);
  return out;
}
