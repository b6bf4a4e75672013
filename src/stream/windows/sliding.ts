import { EdgewiseError } from '../../errors';
import { Moments } from '../../kernels/moments';
import { MomentsPool } from '../../kernels/moments-pool';
import { QuantileSketch } from '../../kernels/quantile';
import { Acc, type AccConfig, type AccState } from '../aggregate';
import { FIRE, PURGE } from '../timers';
import { copyStates, Partial, type PartialContext } from './partial';

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

/** Default `maxPanes`: panes per window plus panes kept for allowed lateness. */
export const DEFAULT_MAX_PANES = 1_000_000;

export interface SlidingGeometry {
  /** Pane length, ms. */
  pane: number;
  /** Panes per window. */
  a: number;
  /** Panes per slide. */
  b: number;
  offset: number;
  /** Allowed lateness, ms. */
  lateness: number;
}

/**
 * Refuses (INVALID_ARGUMENT) a sliding configuration whose windows need more
 * than `maxPanes` panes (panes per window plus those kept for `allowedLateness`).
 */
export function checkPaneBudget(
  size: number,
  slide: number,
  g: SlidingGeometry,
  maxPanes: number,
): void {
  const late = Math.ceil(g.lateness / g.pane);
  const need = g.a + late;
  if (need > maxPanes) {
    const minSlide = smallestSlide(size, maxPanes - late);
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: a sliding window of size ${size} ms sliding every ${slide} ms is kept as panes of ` +
        `gcd(size, slide) = ${g.pane} ms: ${g.a.toLocaleString('en-US')} panes per window` +
        (late > 0 ? ` plus ${late.toLocaleString('en-US')} for allowedLateness` : '') +
        `, more than maxPanes (${maxPanes.toLocaleString('en-US')}). ` +
        (minSlide !== null
          ? `Use a slide of at least ${minSlide} ms that divides the size, `
          : 'Use a coarser slide, ') +
        'or raise the maxPanes option (memory grows with the panes that hold data).',
    );
  }
}

function smallestSlide(size: number, panes: number): number | null {
  if (panes < 1) return null;
  for (let s = Math.max(1, Math.ceil(size / panes)); s <= size; s++) if (size % s === 0) return s;
  return null;
}

interface Entry {
  /** Pane index: the pane covers `[j P + offset, (j + 1) P + offset)`. */
  j: number;
  acc: Acc;
  /** Prefix aggregate within its block (back stack), or null when not computed. */
  pre: Partial | null;
  /** Suffix aggregate within its block (front stack), or null when not computed. */
  suf: Partial | null;
}

/** One key's panes: sorted by index, the live ones from `head` on. */
export class SlidingPanes {
  e: Entry[] = [];
  head = 0;
  byIndex = new Map<number, Entry>();
  /** Windows below this index are done (fired, or empty when the watermark passed them). */
  cursor = Number.NEGATIVE_INFINITY;
  /** Window of the pending fire timer (NaN: none). */
  armedFire = Number.NaN;
  /** Time of the earliest pending purge timer (NaN: none). */
  armedPurge = Number.NaN;
  hintA = 0;
  hintB = 0;
  hintC = 0;

  get size(): number {
    return this.e.length - this.head;
  }

  /** Position of the first pane with index >= x (searching from `hint`). */
  lower(x: number, hint: number): number {
    const E = this.e;
    const len = E.length;
    let lo = this.head;
    let hi = len;
    if (hint > lo && hint <= len && E[hint - 1].j < x) {
      lo = hint;
      // in-order use moves the hint a few panes at a time
      for (let k = 0; k < 8 && lo < len; k++, lo++) if (E[lo].j >= x) return lo;
    } else if (hint >= lo && hint < len && E[hint].j >= x) hi = hint;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (E[mid].j < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  dispose(ctx: PartialContext): void {
    for (let i = this.head; i < this.e.length; i++) {
      const en = this.e[i];
      en.acc.dispose();
      en.pre?.dispose(ctx);
      en.suf?.dispose(ctx);
    }
    this.e = [];
    this.head = 0;
    this.byIndex.clear();
  }
}

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

/** The sliding-window strategy of one processor (geometry, scratch kernels). */
export class SlidingWindows<K extends { sliding: SlidingPanes | null }> {
  readonly #P: number;
  readonly #a: number;
  readonly #b: number;
  readonly #off: number;
  readonly #L: number;
  readonly #cfg: AccConfig;
  readonly #hooks: SlidingHooks<K>;
  #tmp: Moments | null = null;
  #tmpSketch: QuantileSketch | null = null;
  #ctx: PartialContext | null = null;
  #lastW = Number.NaN;
  #lastOpen = Number.NaN;

  constructor(g: SlidingGeometry, cfg: AccConfig, hooks: SlidingHooks<K>) {
    this.#P = g.pane;
    this.#a = g.a;
    this.#b = g.b;
    this.#off = g.offset;
    this.#L = g.lateness;
    this.#cfg = cfg;
    this.#hooks = hooks;
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

  /** Partials' context (the moments slots are created on first use, freed by `dispose()`). */
  get ctx(): PartialContext {
    this.#ctx ??= { pool: new MomentsPool(), rs: this.#cfg.reducers };
    return this.#ctx;
  }

  /** Frees one key's panes and partials. */
  disposePanes(sp: SlidingPanes): void {
    sp.dispose(this.ctx);
  }

  #purgeAt(j: number): number {
    return this.end(Math.floor(j / this.#b)) + this.#L;
  }

  #block(j: number): number {
    return Math.floor(j / this.#a);
  }

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
    let en = sp.byIndex.get(j);
    let isNew = false;
    let pos = -1;
    if (en === undefined) {
      isNew = true;
      en = { j, acc: new Acc(this.#cfg), pre: null, suf: null };
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
    } else if (en.pre !== null || en.suf !== null) {
      pos = sp.lower(j, sp.hintB);
      this.#invalidate(sp, pos);
    }
    en.acc.add(v, ev);
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
      en.acc.dispose();
      en.pre?.dispose(this.ctx);
      en.suf?.dispose(this.ctx);
      // prefixes after it in its block included it
      const blk = this.#block(en.j);
      for (let i = sp.head; i < E.length && this.#block(E[i].j) === blk && E[i].pre; i++) {
        E[i].pre!.dispose(this.ctx);
        E[i].pre = null;
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
    sp.cursor = this.firstOpen(W);
    sp.armedFire = Number.NaN;
    sp.armedPurge = Number.NaN;
    this.#scheduleFire(ks, sp);
    this.#schedulePurge(ks, sp);
  }

  toPanes(sp: SlidingPanes): Array<[number, AccState]> {
    const out: Array<[number, AccState]> = [];
    for (let i = sp.head; i < sp.e.length; i++) out.push([sp.e[i].j, sp.e[i].acc.toState()]);
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
        const en: Entry = { j: p[0], acc: Acc.fromState(p[1], this.#cfg), pre: null, suf: null };
        sp.e.push(en);
        sp.byIndex.set(en.j, en);
      }
    } catch (e) {
      sp.dispose(this.ctx);
      throw e;
    }
    return sp;
  }

  dispose(): void {
    this.#tmp?.dispose();
    this.#tmp = null;
    this.#tmpSketch?.dispose();
    this.#tmpSketch = null;
    this.#ctx?.pool.dispose();
    this.#ctx = null;
  }

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

  /** Drops the aggregates that include the pane at `pos` (its state changed or it is new). */
  #invalidate(sp: SlidingPanes, pos: number): void {
    const E = sp.e;
    const en = E[pos];
    const blk = this.#block(en.j);
    const ctx = this.ctx;
    en.pre?.dispose(ctx);
    en.pre = null;
    en.suf?.dispose(ctx);
    en.suf = null;
    for (let i = pos + 1; i < E.length && E[i].pre && this.#block(E[i].j) === blk; i++) {
      E[i].pre!.dispose(ctx);
      E[i].pre = null;
    }
    for (let i = pos - 1; i >= sp.head && E[i].suf && this.#block(E[i].j) === blk; i--) {
      E[i].suf!.dispose(ctx);
      E[i].suf = null;
    }
  }

  /** Front stack: suffix aggregate of the pane at `pos` within its block (the flip, lazily). */
  #suf(sp: SlidingPanes, pos: number): Partial {
    const E = sp.e;
    const ctx = this.ctx;
    const blk = this.#block(E[pos].j);
    let q = pos;
    while (q + 1 < E.length && E[q].suf === null && this.#block(E[q + 1].j) === blk) q++;
    for (let i = q; i >= pos; i--) {
      const en = E[i];
      if (en.suf !== null) continue;
      const s = Partial.ofAcc(en.acc, ctx);
      if (i + 1 < E.length && this.#block(E[i + 1].j) === blk) s.append(E[i + 1].suf!, ctx);
      en.suf = s;
    }
    return E[pos].suf!;
  }

  /** Back stack: prefix aggregate of the pane at `pos` within its block (pushes, lazily). */
  #pre(sp: SlidingPanes, pos: number): Partial {
    const E = sp.e;
    const ctx = this.ctx;
    const blk = this.#block(E[pos].j);
    let q = pos;
    while (q - 1 >= sp.head && E[q].pre === null && this.#block(E[q - 1].j) === blk) q--;
    for (let i = q; i <= pos; i++) {
      const en = E[i];
      if (en.pre !== null) continue;
      en.pre =
        i - 1 >= sp.head && this.#block(E[i - 1].j) === blk
          ? E[i - 1].pre!.clone(ctx).appendAcc(en.acc, ctx)
          : Partial.ofAcc(en.acc, ctx);
    }
    return E[pos].pre!;
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
    this.#tmp ??= new Moments();
    const tmp = this.#tmp.reset();
    A?.mergeMomentsInto(tmp, this.ctx);
    B?.mergeMomentsInto(tmp, this.ctx);
    let sk: QuantileSketch | null = null;
    if (this.#cfg.sketch) {
      this.#tmpSketch ??= new QuantileSketch(this.#cfg.sketch);
      sk = this.#tmpSketch.reset();
      if (A?.q) sk.merge(A.q);
      if (B?.q) sk.merge(B.q);
    }
    const rs = this.#cfg.reducers;
    let custom: unknown[] | null = null;
    if (rs) {
      if (A && B) {
        custom = copyStates(rs, A.c!);
        for (let i = 0; i < rs.length; i++) custom[i] = rs[i].merge!(custom[i], B.c![i]);
      } else custom = (A ?? B)!.c;
    }
    this.#hooks.emit(ks, s * this.#P + this.#off, this.end(w), tmp, sk, custom, update);
  }
}
