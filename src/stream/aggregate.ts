import { EdgewiseError } from '../errors';
import { Moments } from '../kernels/moments';

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

/** Serialised accumulator (structured-clone safe). */
export interface AccState {
  moments: Uint8Array | null;
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
  stage = new Float64Array(16);
  n = 0;
  custom: unknown[] | null;

  constructor(reducers: Reducer[] | null) {
    this.custom = reducers ? reducers.map((r) => r.create()) : null;
  }

  add(v: number, event: unknown, reducers: Reducer[] | null): void {
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
    this.m ??= new Moments();
    this.m.push(this.stage.subarray(0, this.n));
    this.n = 0;
  }

  /** Folds this accumulator's kernel state into `into` (flushing first). */
  mergeMomentsInto(into: Moments): void {
    this.flush();
    if (this.m) into.merge(this.m);
  }

  /** Merges `other` into this one (used when sessions merge). `other` is disposed. */
  absorb(other: Acc, reducers: Reducer[] | null): void {
    other.flush();
    this.flush();
    if (other.m) {
      if (this.m) this.m.merge(other.m);
      else {
        this.m = other.m;
        other.m = null;
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
  }

  toState(): AccState {
    return {
      moments: this.m ? this.m.serialize() : null,
      stage: Array.from(this.stage.subarray(0, this.n)),
      custom: this.custom ? structuredClone(this.custom) : null,
    };
  }

  static fromState(s: AccState, reducers: Reducer[] | null): Acc {
    if (
      s === null ||
      typeof s !== 'object' ||
      !Array.isArray(s.stage) ||
      (s.moments !== null && !(s.moments instanceof Uint8Array))
    ) {
      throw new EdgewiseError(
        'CORRUPT_STATE',
        'StreamProcessor.restore: a window state is damaged.',
      );
    }
    const a = new Acc(null);
    a.m = s.moments ? Moments.deserialize(s.moments) : null;
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
    return a;
  }
}
