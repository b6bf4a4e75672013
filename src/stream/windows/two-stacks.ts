import { EdgewiseError } from '../../errors';
import { Moments } from '../../kernels/moments';
import { MomentsPool } from '../../kernels/moments-pool';
import { QuantileSketch } from '../../kernels/quantile';
import { Acc, type AccConfig, type AccState, type Reducer } from '../aggregate';
import { type Entry, entry, SlidingPanes } from './panes';

/** Values staged before one batched call into the kernels (as `Acc`). */
const STAGE_MAX = 4096;

/** A window's aggregate: scratch kernel states and the reducers' states. */
export interface Assembled {
  m: Moments;
  q: QuantileSketch | null;
  custom: unknown[] | null;
}

/**
 * The pane states of one sliding-window processor and their Two-Stacks
 * partial aggregates (see sliding.ts for the scheme): moments in slots of one
 * `MomentsPool`, quantile sketches and reducer states per pane, the values of
 * the pane last added to staged for one batched kernel call, and the suffix
 * (front stack) and prefix (back stack) aggregates of blocks of `a` panes,
 * built lazily and dropped when a pane they include changes.
 */
export class PaneAggregates {
  readonly #a: number;
  readonly #cfg: AccConfig;
  readonly #rs: Reducer[] | null;
  #pool: MomentsPool | null = null;
  #tmp: Moments | null = null;
  #tmpSketch: QuantileSketch | null = null;
  /** What `window` returns (reused: no allocation per window fired). */
  #agg: Assembled | null = null;
  /** The pane whose values are staged (events mostly arrive for the newest pane). */
  #hot: Entry | null = null;
  #stage = new Float64Array(64);
  #n = 0;

  /** `a`: panes per window (the block length). */
  constructor(a: number, cfg: AccConfig) {
    this.#a = a;
    this.#cfg = cfg;
    this.#rs = cfg.reducers;
  }

  get #slots(): MomentsPool {
    this.#pool ??= new MomentsPool();
    return this.#pool;
  }

  /** The block of pane `j`: panes `[k a, (k + 1) a)`. */
  block(j: number): number {
    return Math.floor(j / this.#a);
  }

  // ------------------------------------------------------------ pane states

  /** Adds one value to a pane: staged (batched kernel calls), reducers at once. */
  addValue(en: Entry, v: number, ev: unknown): void {
    if (this.#hot !== en) {
      this.flush();
      this.#hot = en;
      en.staged = true;
    }
    if (this.#n === this.#stage.length) {
      if (this.#n >= STAGE_MAX) this.flush(en);
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
  flush(keep: Entry | null = null): void {
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
    if (en.staged) this.flush();
  }

  dropPre(en: Entry): void {
    if (!en.hasPre) return;
    if (en.pm >= 0) this.#slots.release(en.pm);
    en.pm = -1;
    en.pq?.dispose();
    en.pq = null;
    en.pc = null;
    en.hasPre = false;
  }

  dropSuf(en: Entry): void {
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
    this.dropPre(en);
    this.dropSuf(en);
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
  addStaged(en: Entry, v: number): void {
    if (this.#hot !== en) {
      this.flush();
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

  /** Drops the aggregates that include the pane at `pos` (its state changed or it is new). */
  invalidate(sp: SlidingPanes, pos: number): void {
    const E = sp.e;
    const en = E[pos];
    const blk = this.block(en.j);
    this.dropPre(en);
    this.dropSuf(en);
    for (let i = pos + 1; i < E.length && E[i].hasPre && this.block(E[i].j) === blk; i++) {
      this.dropPre(E[i]);
    }
    for (let i = pos - 1; i >= sp.head && E[i].hasSuf && this.block(E[i].j) === blk; i--) {
      this.dropSuf(E[i]);
    }
  }

  /** Front stack: suffix aggregates of the panes from `pos` to the end of its block (the flip, lazily). */
  #suf(sp: SlidingPanes, pos: number): Entry {
    const E = sp.e;
    const blk = this.block(E[pos].j);
    let q = pos;
    while (q + 1 < E.length && !E[q].hasSuf && this.block(E[q + 1].j) === blk) q++;
    const pool = this.#slots;
    const rs = this.#rs;
    for (let i = q; i >= pos; i--) {
      const en = E[i];
      if (en.hasSuf) continue;
      this.#settled(en);
      const nx = i + 1 < E.length && this.block(E[i + 1].j) === blk ? E[i + 1] : null;
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
    const blk = this.block(E[pos].j);
    let q = pos;
    while (q - 1 >= sp.head && !E[q].hasPre && this.block(E[q - 1].j) === blk) q--;
    const pool = this.#slots;
    const rs = this.#rs;
    for (let i = q; i <= pos; i++) {
      const en = E[i];
      if (en.hasPre) continue;
      this.#settled(en);
      const pv = i - 1 >= sp.head && this.block(E[i - 1].j) === blk ? E[i - 1] : null;
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

  /** Frees the pane at the head of `sp` (being purged) and the prefixes of its block that include it. */
  dropHead(sp: SlidingPanes, en: Entry): void {
    this.#disposeEntry(en);
    // prefixes after it in its block included it
    const E = sp.e;
    const blk = this.block(en.j);
    for (let i = sp.head; i < E.length && E[i].hasPre && this.block(E[i].j) === blk; i++) {
      this.dropPre(E[i]);
    }
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
    this.#agg = null;
  }

  // ------------------------------------------------------------ Two-Stacks

  /**
   * The aggregate of panes `[s, s + a)` (a window): the front suffix of block
   * `floor(s / a)` (+) the back prefix of the next block, one merge; null
   * when no pane of the window holds data. The result and its moments and
   * sketch are scratch objects, valid until the next call.
   */
  window(sp: SlidingPanes, s: number): Assembled | null {
    const a = this.#a;
    const E = sp.e;
    const pa = sp.lower(s, sp.hintA);
    sp.hintA = pa;
    if (pa >= E.length || E[pa].j >= s + a) return null;
    const pb = sp.lower(s + a, sp.hintB) - 1;
    sp.hintB = pb + 1;
    const K = this.block(s);
    const A = this.block(E[pa].j) === K ? this.#suf(sp, pa) : null;
    const B = this.block(E[pb].j) === K + 1 ? this.#pre(sp, pb) : null;
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
    this.#agg ??= { m: tmp, q: sk, custom };
    const agg = this.#agg;
    agg.m = tmp;
    agg.q = sk;
    agg.custom = custom;
    return agg;
  }
}

/** Fresh copies of reducer states: `merge(create(), s)` for each. */
function copyStates(rs: Reducer[], states: unknown[]): unknown[] {
  const out = new Array(rs.length);
  for (let i = 0; i < rs.length; i++) out[i] = rs[i].merge!(rs[i].create(), states[i]);
  return out;
}
