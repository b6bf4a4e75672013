import type { Moments } from '../../kernels/moments';
import type { QuantileSketch } from '../../kernels/quantile';
import type { Acc, Reducer } from '../aggregate';

/**
 * A partial aggregate over a run of consecutive panes (one of the prefix or
 * suffix aggregates the sliding-window strategy keeps): the `Moments` and
 * `QuantileSketch` states and the custom reducers' states of those panes.
 * It owns its kernel objects (`dispose()` frees them) and its reducer states
 * (built with `merge(create(), x)`, so a reducer whose `merge` mutates its
 * first argument never touches a pane's own state).
 */
export class Partial {
  m: Moments | null;
  q: QuantileSketch | null;
  c: unknown[] | null;

  private constructor(m: Moments | null, q: QuantileSketch | null, c: unknown[] | null) {
    this.m = m;
    this.q = q;
    this.c = c;
  }

  /** A copy of one pane's state (the pane is flushed first). */
  static ofAcc(acc: Acc, rs: Reducer[] | null): Partial {
    acc.flush();
    return new Partial(
      acc.m ? acc.m.clone() : null,
      acc.q ? acc.q.clone() : null,
      rs && acc.custom ? copyStates(rs, acc.custom) : null,
    );
  }

  /** A copy of this partial. */
  clone(rs: Reducer[] | null): Partial {
    return new Partial(
      this.m ? this.m.clone() : null,
      this.q ? this.q.clone() : null,
      rs && this.c ? copyStates(rs, this.c) : null,
    );
  }

  /** this <- this (+) later, where `later` covers the panes right after this one's. */
  append(later: Partial, rs: Reducer[] | null): this {
    this.#fold(later.m, later.q, later.c, rs);
    return this;
  }

  /** this <- this (+) the pane `acc`, which comes right after this partial's panes. */
  appendAcc(acc: Acc, rs: Reducer[] | null): this {
    acc.flush();
    this.#fold(acc.m, acc.q, acc.custom, rs);
    return this;
  }

  #fold(m: Moments | null, q: QuantileSketch | null, c: unknown[] | null, rs: Reducer[] | null) {
    if (m) {
      if (this.m) this.m.merge(m);
      else this.m = m.clone();
    }
    if (q) {
      if (this.q) this.q.merge(q);
      else this.q = q.clone();
    }
    if (rs && c) {
      if (this.c) for (let i = 0; i < rs.length; i++) this.c[i] = rs[i].merge!(this.c[i], c[i]);
      else this.c = copyStates(rs, c);
    }
  }

  dispose(): void {
    this.m?.dispose();
    this.m = null;
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
