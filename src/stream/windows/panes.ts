import type { QuantileSketch } from '../../kernels/quantile';

/**
 * One pane and its two partial aggregates. Moments states are slots of the
 * strategy's `MomentsPool` (-1: none); sketches and reducer states exist only
 * when the processor computes quantiles / custom reducers.
 */
export interface Entry {
  /** Pane index: the pane covers `[j P + offset, (j + 1) P + offset)`. */
  j: number;
  /** The pane's own state: moments slot, sketch, reducer states. */
  m: number;
  q: QuantileSketch | null;
  c: unknown[] | null;
  /** Values added and not yet pushed into the kernels (this pane was the last one added to). */
  staged: boolean;
  /** Prefix aggregate within its block (back stack), when `hasPre`. */
  hasPre: boolean;
  pm: number;
  pq: QuantileSketch | null;
  pc: unknown[] | null;
  /** Suffix aggregate within its block (front stack), when `hasSuf`. */
  hasSuf: boolean;
  sm: number;
  sq: QuantileSketch | null;
  sc: unknown[] | null;
}

export function entry(j: number): Entry {
  return {
    j,
    m: -1,
    q: null,
    c: null,
    staged: false,
    hasPre: false,
    pm: -1,
    pq: null,
    pc: null,
    hasSuf: false,
    sm: -1,
    sq: null,
    sc: null,
  };
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
  /** Staged values read from a snapshot, staged again by `rearm` once the restore is done. */
  restoredStage: Array<[Entry, Float64Array]> | null = null;

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
}
