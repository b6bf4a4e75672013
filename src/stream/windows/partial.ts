import type { Moments } from '../../kernels/moments';
import type { MomentsPool } from '../../kernels/moments-pool';
import type { QuantileSketch } from '../../kernels/quantile';
import type { Acc, Reducer } from '../aggregate';

/** Where partials keep their state: the moments slots and the custom reducers. */
export interface PartialContext {
  pool: MomentsPool;
  rs: Reducer[] | null;
}

/**
 * A partial aggregate over a run of consecutive panes (one of the prefix or
 * suffix aggregates the sliding-window strategy keeps): a `Moments` state (a
 * slot of the strategy's `MomentsPool`, -1 when empty), a `QuantileSketch`
 * and the custom reducers' states of those panes. It owns its states
 * (`dispose()` frees them); reducer states are built with
 * `merge(create(), x)`, so a reducer whose `merge` mutates its first argument
 * never touches a pane's own state.
 */
export class Partial {
  m: number;
  q: QuantileSketch | null;
  c: unknown[] | null;

  private constructor(m: number, q: QuantileSketch | null, c: unknown[] | null) {
    this.m = m;
    this.q = q;
    this.c = c;
  }

  /** A copy of one pane's state (the pane is flushed first). */
  static ofAcc(acc: Acc, ctx: PartialContext): Partial {
    acc.flush();
    return new Partial(
      acc.m ? ctx.pool.alloc(acc.m) : -1,
      acc.q ? acc.q.clone() : null,
      ctx.rs && acc.custom ? copyStates(ctx.rs, acc.custom) : null,
    );
  }

  /** A copy of this partial. */
  clone(ctx: PartialContext): Partial {
    return new Partial(
      this.m >= 0 ? ctx.pool.copy(this.m) : -1,
      this.q ? this.q.clone() : null,
      ctx.rs && this.c ? copyStates(ctx.rs, this.c) : null,
    );
  }

  /** this <- this (+) later, where `later` covers the panes right after this one's. */
  append(later: Partial, ctx: PartialContext): this {
    if (later.m >= 0) {
      if (this.m >= 0) ctx.pool.merge(this.m, later.m);
      else this.m = ctx.pool.copy(later.m);
    }
    this.#foldRest(later.q, later.c, ctx.rs);
    return this;
  }

  /** this <- this (+) the pane `acc`, which comes right after this partial's panes. */
  appendAcc(acc: Acc, ctx: PartialContext): this {
    acc.flush();
    if (acc.m) {
      if (this.m >= 0) ctx.pool.mergeMoments(this.m, acc.m);
      else this.m = ctx.pool.alloc(acc.m);
    }
    this.#foldRest(acc.q, acc.custom, ctx.rs);
    return this;
  }

  /** `into` <- into (+) this partial's moments. */
  mergeMomentsInto(into: Moments, ctx: PartialContext): void {
    if (this.m >= 0) ctx.pool.mergeInto(into, this.m);
  }

  #foldRest(q: QuantileSketch | null, c: unknown[] | null, rs: Reducer[] | null) {
    if (q) {
      if (this.q) this.q.merge(q);
      else this.q = q.clone();
    }
    if (rs && c) {
      if (this.c) for (let i = 0; i < rs.length; i++) this.c[i] = rs[i].merge!(this.c[i], c[i]);
      else this.c = copyStates(rs, c);
    }
  }

  dispose(ctx: PartialContext): void {
    if (this.m >= 0) ctx.pool.release(this.m);
    this.m = -1;
    this.q?.dispose();
    this.q = null;
    this.c = null;
  }
}

/** Fresh copies of reducer states: `merge(create(), s)` for each. */
export function copyStates(rs: Reducer[], states: unknown[]): unknown[] {
  const out = new Array(rs.length);
  for (let i = 0; i < rs.length; i++) out[i] = rs[i].merge!(rs[i].create(), states[i]);
  return out;
}
