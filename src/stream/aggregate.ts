import { EdgewiseError } from '../errors';
import { Moments } from '../kernels/moments';
import { QuantileSketch, type QuantileSketchOptions } from '../kernels/quantile';

/**
 * A custom aggregation. `add` folds one finite value (and its event) into the
 * state; `merge` combines two states (needed by sliding and session windows,
 * which assemble windows from panes / merge sessions); `result` reads it.
 * States must be structured-clone safe for `snapshot()`.
 */
export interface Reducer<S = unknown, R = unknown> {
  create(): S;
  add(state: S, value: number, event: unknown): S;
  merge?(a: S, b: S): S;
  result(state: S): R;
}

/** Values staged per accumulator before one batched call into the WASM kernel. */
const STAGE_MAX = 4096;

/** What each accumulator computes besides moments. */
export interface AccConfig {
  reducers: Reducer[] | null;
  /** Options of the per-window `QuantileSketch`, or null for no quantiles. */
  sketch: QuantileSketchOptions | null;
}

/** Serialised accumulator (structured-clone safe). */
export interface AccState {
  moments: Uint8Array | null;
  sketch?: Uint8Array | null;
  stage: number[];
  custom: unknown[] | null;
}

/**
 * The aggregation state of one pane / session / count window: a `Moments`
 * kernel fed in batches (values are staged in JS and pushed per batch, never
 * one boundary call per value) plus the custom reducers' states.
 */
export class Acc {
  m: Moments | null = null;
  q: QuantileSketch | null = null;
  stage = new Float64Array(16);
  n = 0;
  custom: unknown[] | null;
  cfg: AccConfig;

  constructor(cfg: AccConfig) {
    this.cfg = cfg;
    this.custom = cfg.reducers ? cfg.reducers.map((r) => r.create()) : null;
  }

  add(v: number, event: unknown): void {
    const reducers = this.cfg.reducers;
    if (this.n === this.stage.length) {
      if (this.n >= STAGE_MAX) this.flush();
      else {
        const s = new Float64Array(this.n * 2);
        s.set(this.stage);
        this.stage = s;
      }
    }
    this.stage[this.n++] = v;
    if (reducers !== null && Number.isFinite(v)) {
      const c = this.custom!;
      for (let i = 0; i < reducers.length; i++) c[i] = reducers[i].add(c[i], v, event);
    }
  }

  /** Pushes staged values into the kernel. */
  flush(): void {
    if (this.n === 0) return;
    const batch = this.stage.subarray(0, this.n);
    this.m ??= new Moments();
    this.m.push(batch);
    if (this.cfg.sketch) {
      this.q ??= new QuantileSketch(this.cfg.sketch);
      this.q.push(batch);
    }
    this.n = 0;
  }

  /** Folds this accumulator's kernel states into `into` / `sketch` (flushing first). */
  mergeInto(into: Moments, sketch: QuantileSketch | null): void {
    this.flush();
    if (this.m) into.merge(this.m);
    if (sketch && this.q) sketch.merge(this.q);
  }

  /** Merges `other` into this one (used when sessions merge). `other` is disposed. */
  absorb(other: Acc): void {
    const reducers = this.cfg.reducers;
    other.flush();
    this.flush();
    if (other.m) {
      if (this.m) this.m.merge(other.m);
      else {
        this.m = other.m;
        other.m = null;
      }
    }
    if (other.q) {
      if (this.q) this.q.merge(other.q);
      else {
        this.q = other.q;
        other.q = null;
      }
    }
    if (reducers) {
      for (let i = 0; i < reducers.length; i++) {
        this.custom![i] = reducers[i].merge!(this.custom![i], other.custom![i]);
      }
    }
    other.dispose();
  }

  dispose(): void {
    this.m?.dispose();
    this.m = null;
    this.q?.dispose();
    this.q = null;
  }

  toState(): AccState {
    return {
      moments: this.m ? this.m.serialize() : null,
      sketch: this.q ? this.q.serialize() : null,
      stage: Array.from(this.stage.subarray(0, this.n)),
      custom: this.custom ? structuredClone(this.custom) : null,
    };
  }

  static fromState(s: AccState, cfg: AccConfig): Acc {
    const reducers = cfg.reducers;
    if (
      s === null ||
      typeof s !== 'object' ||
      !Array.isArray(s.stage) ||
      (s.moments !== null && !(s.moments instanceof Uint8Array)) ||
      (s.sketch != null && !(s.sketch instanceof Uint8Array))
    ) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamProcessor.restore: a window state is damaged.',
      );
    }
    if ((s.sketch != null) !== (cfg.sketch !== null && s.moments !== null)) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamProcessor.restore: the snapshot was taken with different quantile options; restore ' +
          'into a processor built with the same options.',
      );
    }
    const a = new Acc({ reducers: null, sketch: cfg.sketch });
    a.m = s.moments ? Moments.deserialize(s.moments) : null;
    try {
      a.q = s.sketch ? QuantileSketch.deserialize(s.sketch) : null;
    } catch (e) {
      a.dispose();
      throw e;
    }
    a.stage = new Float64Array(Math.max(16, s.stage.length));
    a.stage.set(s.stage);
    a.n = s.stage.length;
    if (reducers) {
      if (!Array.isArray(s.custom) || s.custom.length !== reducers.length) {
        a.dispose();
        throw new EdgewiseError(
          'CORRUPT_STATE',
          'StreamProcessor.restore: the snapshot was taken with different reducers; restore ' +
            'into a processor built with the same options.',
        );
      }
      a.custom = structuredClone(s.custom);
    } else a.custom = null;
    a.cfg = cfg;
    return a;
  }
}
