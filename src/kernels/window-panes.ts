/**
 * Windowed percentiles of `SlidingWindow` / `TumblingWindow`: one
 * QuantileSketch per pane (a pane is `slide` values or `slide` time units),
 * merged over the `k` panes of a window when it is emitted. This is a JS
 * mirror of the kernels' pane logic (assembly/window-time.ts) that keeps the
 * sketches; panes that no later window can contain are disposed.
 */
import { QuantileSketch, type QuantileSketchOptions } from './quantile';
import type { WindowOutput } from './window-options';

export interface PaneGeometry {
  size: number;
  slide: number;
  /** Panes per window. */
  k: number;
  origin: number;
  partial: boolean;
  probs: readonly number[];
  sketch: QuantileSketchOptions;
}

/** Saved pane sketch (see SlidingWindow.serialize). */
export interface SavedPane {
  id: number;
  n: number;
  bytes: Uint8Array;
}

export class PaneQuantiles {
  readonly #g: PaneGeometry;
  /** Pane sketches (pane id -> sketch). */
  #panes = new Map<number, QuantileSketch>();
  #paneCounts = new Map<number, number>();
  #scratch: QuantileSketch;
  /** Current pane, values in it (count windows), last timestamp (time windows). */
  cur = Number.NaN;
  curCount = 0;
  lastTs = Number.NEGATIVE_INFINITY;

  constructor(g: PaneGeometry) {
    this.#g = g;
    this.#scratch = new QuantileSketch(g.sketch);
  }

  #pane(id: number): QuantileSketch {
    let p = this.#panes.get(id);
    if (!p) {
      p = new QuantileSketch(this.#g.sketch);
      this.#panes.set(id, p);
    }
    return p;
  }

  /** Writes the quantiles of the window ending at pane q (if non-empty) at row r. */
  #emitPane(q: number, out: WindowOutput, r: number): number {
    const k = this.#g.k;
    let n = 0;
    for (let p = q - k + 1; p <= q; p++) n += this.#paneCounts.get(p) ?? 0;
    if (n === 0) return r;
    const sc = this.#scratch.reset();
    for (let p = q - k + 1; p <= q; p++) {
      const ps = this.#panes.get(p);
      if (ps) sc.merge(ps);
    }
    const qs = sc.quantiles(this.#g.probs);
    out.quantiles!.forEach((c, j) => {
      c[r] = qs[j];
    });
    // Panes that can no longer be part of a later window.
    for (const id of [...this.#panes.keys()]) {
      if (id <= q - k + 1) {
        this.#panes.get(id)!.dispose();
        this.#panes.delete(id);
        this.#paneCounts.delete(id);
      }
    }
    return r + 1;
  }

  /** Count windows: panes of `slide` finite values, numbered by their index in the stream. */
  count(values: ArrayLike<number>, out: WindowOutput): void {
    const { slide, k, size, partial } = this.#g;
    let r = 0;
    let start = 0;
    const n = values.length;
    let cur = Number.isNaN(this.cur) ? 0 : this.cur;
    const v = values instanceof Float64Array ? values : Float64Array.from(values);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(v[i])) continue;
      this.curCount++;
      if (this.curCount === slide) {
        this.#pane(cur).push(v.subarray(start, i + 1));
        this.#paneCounts.set(cur, slide);
        start = i + 1;
        const total = Math.min(cur + 1, k) * slide;
        if (partial || total >= size) r = this.#emitPane(cur, out, r);
        cur++;
        this.curCount = 0;
      }
    }
    if (start < n) {
      this.#pane(cur).push(v.subarray(start, n));
      this.#paneCounts.set(cur, this.curCount);
    }
    this.cur = cur;
  }

  /** Time windows: a per-value mirror of tw_push (percentiles are an optional, slower path). */
  time(v: Float64Array, t: Float64Array, out: WindowOutput): void {
    const { slide, k, origin } = this.#g;
    let r = 0;
    let buf: number[] = [];
    const flushBuf = (): void => {
      if (buf.length > 0) this.#pane(this.cur).push(buf);
      buf = [];
    };
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const ts = t[i];
      if (!Number.isFinite(x) || !Number.isFinite(ts) || ts < this.lastTs) continue;
      const p = Math.floor((ts - origin) / slide);
      if (p !== this.cur) {
        flushBuf();
        const cp = this.cur;
        if (!Number.isNaN(cp)) {
          const last = Math.min(p - 1, cp + k - 1);
          for (let q = cp; q <= last; q++) r = this.#emitPane(q, out, r);
        }
        this.cur = p;
      }
      buf.push(x);
      this.lastTs = ts;
      this.#paneCounts.set(p, (this.#paneCounts.get(p) ?? 0) + 1);
    }
    flushBuf();
  }

  /** Time windows: closes the current pane and writes every window containing it. */
  flush(out: WindowOutput): void {
    const { slide, k, origin } = this.#g;
    let r = 0;
    const cp = this.cur;
    if (Number.isNaN(cp)) return;
    for (let q = cp; q <= cp + k - 1; q++) r = this.#emitPane(q, out, r);
    this.lastTs = Math.max(this.lastTs, origin + (cp + k) * slide);
    this.cur = Number.NaN;
    this.#clear();
  }

  /** The live pane sketches, serialized. */
  save(): SavedPane[] {
    return [...this.#panes.entries()].map(([id, sk]) => ({
      id,
      n: this.#paneCounts.get(id) ?? 0,
      bytes: sk.serialize(),
    }));
  }

  /** Restores one saved pane. */
  load(id: number, n: number, bytes: Uint8Array): void {
    this.#panes.set(id, QuantileSketch.deserialize(bytes));
    this.#paneCounts.set(id, n);
  }

  #clear(): void {
    this.#panes.forEach((p) => {
      p.dispose();
    });
    this.#panes.clear();
    this.#paneCounts.clear();
  }

  reset(): void {
    this.#clear();
    this.cur = Number.NaN;
    this.curCount = 0;
    this.lastTs = Number.NEGATIVE_INFINITY;
  }

  dispose(): void {
    this.#clear();
    this.#scratch.dispose();
  }
}
