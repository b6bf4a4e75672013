import { toFloat64 } from '../core/arrays';
import { openState, pad8, StateWriter, stateFormat } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import { QuantileSketch, type QuantileSketchOptions } from './quantile';
import {
  allocBytes,
  forEachChunk,
  heapF64,
  type NumericInput,
  STAGING_VALUES,
  WasmObject,
} from './runtime';
import { ensureRoundTrip } from './state';
import { wasm } from './wasm';

interface WinExports {
  cw_slots(w: number): number;
  cw_init(s: number, w: number, slide: number): void;
  cw_reset(s: number): void;
  cw_push_sums(
    s: number,
    ptr: number,
    len: number,
    out: number,
    cap: number,
    flags: number,
    partial: number,
  ): number;
  cw_push(
    s: number,
    ptr: number,
    len: number,
    out: number,
    cap: number,
    flags: number,
    partial: number,
  ): number;
  tw_slots(k: number): number;
  tw_init(s: number, slide: number, k: number, origin: number): void;
  tw_reset(s: number): void;
  tw_push(s: number, vp: number, tp: number, len: number, out: number, cap: number): number;
  tw_flush(s: number, out: number, cap: number): number;
}
const k = wasm as unknown as WinExports;

/** Statistics a window can report. */
export type WindowStat = 'count' | 'sum' | 'mean' | 'variance' | 'min' | 'max';
const ALL_STATS: readonly WindowStat[] = ['count', 'sum', 'mean', 'variance', 'min', 'max'];

/**
 * Options of `SlidingWindow` / `TumblingWindow`: size, slide, count or time windows, statistics
 * and quantiles.
 */
export interface WindowOptions {
  /** Window length: a number of values (count windows) or a duration (time windows). */
  size: number;
  /**
   * Distance between consecutive windows, same unit as `size`. SlidingWindow:
   * default 1 for count windows and required for time windows (`size` must be
   * a multiple of it). TumblingWindow: always `size`.
   */
  slide?: number;
  /** Time-based: `push(values, timestamps)`. Default false (count-based). */
  time?: boolean;
  /** Time windows are aligned to `origin + i * slide` (default 0). */
  origin?: number;
  /** Statistics to output (default all six). */
  stats?: readonly WindowStat[];
  /** Count sliding windows: also emit windows with fewer than `size` values at the start (default true). */
  partial?: boolean;
  /**
   * Windowed percentiles: probabilities to report per window, from a
   * QuantileSketch kept per pane (a pane is `slide` values or `slide` time
   * units; count windows then need `size` to be a multiple of `slide`).
   */
  quantiles?: readonly number[];
  /** Options of the per-pane sketches (default: 1% relative accuracy). */
  sketch?: QuantileSketchOptions;
}

/**
 * Columnar window results: one row per emitted window. Only the requested
 * statistics are present; time windows add `start` and `end` (window
 * [start, end)); `quantiles[i]` is the column of `options.quantiles[i]`.
 */
export interface WindowOutput {
  length: number;
  count?: Float64Array;
  sum?: Float64Array;
  mean?: Float64Array;
  /** Population variance (divides by the window count). */
  variance?: Float64Array;
  min?: Float64Array;
  max?: Float64Array;
  start?: Float64Array;
  end?: Float64Array;
  quantiles?: Float64Array[];
}

const FORMAT = stateFormat('SlidingWindow', 'EWWI', 1, { minLength: 12 });
let outPtr = 0;
let tsPtr = 0;
const OUT_CAP = STAGING_VALUES + 1;
function outArea(): number {
  if (outPtr === 0) outPtr = allocBytes(8 * OUT_CAP * 8);
  return outPtr;
}
function tsArea(): number {
  if (tsPtr === 0) tsPtr = allocBytes(STAGING_VALUES * 8 * 2);
  return tsPtr;
}

function bad(message: string): EdgewiseError {
  return new EdgewiseError('INVALID_ARGUMENT', message);
}

interface Parsed {
  size: number;
  slide: number;
  time: boolean;
  origin: number;
  stats: WindowStat[];
  partial: boolean;
  quantiles: number[];
  sketch: QuantileSketchOptions;
}

function parse(o: WindowOptions, tumbling: boolean, where: string): Parsed {
  if (o === null || typeof o !== 'object') {
    throw bad(`${where}: pass an options object such as { size: 1000 }, got ${describeValue(o)}.`);
  }
  const time = o.time ?? false;
  const size = o.size;
  const slide = tumbling ? size : (o.slide ?? (time ? undefined : 1));
  if (time) {
    if (typeof size !== 'number' || !(size > 0) || !Number.isFinite(size)) {
      throw bad(`${where}: size must be a positive duration, got ${describeValue(size)}.`);
    }
    if (typeof slide !== 'number' || !(slide > 0) || !Number.isFinite(slide)) {
      throw bad(`${where}: time windows need a positive slide, got ${describeValue(slide)}.`);
    }
    const ratio = size / slide;
    if (!Number.isInteger(ratio) || ratio > 65536) {
      throw bad(
        `${where}: size (${size}) must be a multiple of slide (${slide}), at most 65536 panes.`,
      );
    }
  } else {
    if (!Number.isInteger(size) || size < 1 || size > 1 << 24) {
      throw bad(
        `${where}: size must be an integer number of values in [1, 2^24], got ${describeValue(size)}.`,
      );
    }
    if (!Number.isInteger(slide) || (slide as number) < 1 || (slide as number) > size) {
      throw bad(`${where}: slide must be an integer in [1, size], got ${describeValue(slide)}.`);
    }
  }
  const origin = o.origin ?? 0;
  if (typeof origin !== 'number' || !Number.isFinite(origin)) {
    throw bad(`${where}: origin must be a finite number, got ${describeValue(origin)}.`);
  }
  const stats = [...(o.stats ?? ALL_STATS)];
  for (const s of stats) {
    if (!ALL_STATS.includes(s)) {
      throw bad(`${where}: unknown statistic ${describeValue(s)}; use ${ALL_STATS.join(', ')}.`);
    }
  }
  const quantiles = [...(o.quantiles ?? [])];
  for (const q of quantiles) {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw bad(`${where}: quantiles must be probabilities in [0, 1], got ${describeValue(q)}.`);
    }
  }
  if (quantiles.length > 0 && !time && size % (slide as number) !== 0) {
    throw bad(
      `${where}: windowed quantiles need size to be a multiple of slide (panes of slide values).`,
    );
  }
  return {
    size,
    slide: slide as number,
    time,
    origin,
    stats,
    partial: tumbling ? false : (o.partial ?? true),
    quantiles,
    sketch: o.sketch ?? {},
  };
}

/**
 * Sliding windows over a stream, computed in WebAssembly in O(1) amortised
 * time per value: count, sum, mean, variance, min and max of every window.
 *
 * - Count windows (`{ size, slide }`, slide default 1): `push(values)` returns
 *   one row per `slide` finite values: the statistics of the last `size`
 *   values (fewer at the start, unless `partial: false`).
 * - Time windows (`{ time: true, size, slide }`): `push(values, timestamps)`
 *   returns the windows [start, end) that closed, i.e. whose last pane a later
 *   timestamp has passed; `flush()` closes the rest. Timestamps must not
 *   decrease: older values are counted in `late` and skipped. Empty windows
 *   are not emitted.
 * - No subtract-on-evict: count windows combine a per-block suffix aggregate
 *   with a running prefix (two-stack), time windows combine pane aggregates
 *   (Welford/Chan), so rounding error does not grow along the stream.
 * - NaN/±Infinity values (or timestamps) are counted in `rejected` and skipped.
 *
 * ```ts
 * const w = new SlidingWindow({ size: 1000, stats: ['mean', 'min', 'max'] });
 * const { mean, min, max } = w.push(samples); // one row per value
 * const t = new SlidingWindow({ time: true, size: 60_000, slide: 10_000, quantiles: [0.99] });
 * t.push(values, timestampsMs); // closed windows: start, end, count, ..., quantiles[0]
 * ```
 */
const isCount = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;
/** An aggregate's (min, max): finite and ordered, or the empty pair (+Inf, -Inf). */
const okRange = (mn: number, mx: number): boolean =>
  (Number.isFinite(mn) && Number.isFinite(mx) && mn <= mx) ||
  (mn === Number.POSITIVE_INFINITY && mx === Number.NEGATIVE_INFINITY);

/**
 * Invariants of a count-window state block (layout in assembly/window.ts): only
 * finite data, counts that are counts, 1/k reciprocals as written, and min/max
 * pairs that are ordered or empty. Returns what is wrong, or undefined.
 */
function checkCountBlock(b: Float64Array, w: number): string | undefined {
  const j = b[2];
  if (!(isCount(j) && j <= w) || !(b[3] === 0 || b[3] === 1)) return 'block position';
  if (!(Number.isFinite(b[4]) && b[5] >= 0 && Number.isFinite(b[5]))) return 'block aggregate';
  if (!(j === 0 || okRange(b[6], b[7]))) return 'block min/max';
  if (!(isCount(b[8]) && b[8] <= b[1] && isCount(b[9]) && isCount(b[10]))) return 'counters';
  if (!(b[9] <= Number.MAX_SAFE_INTEGER && b[10] <= Number.MAX_SAFE_INTEGER)) return 'counters';
  if (!(Number.isFinite(b[11]) && Number.isFinite(b[12]))) return 'shifts';
  const cur = 16;
  const inv = cur + w;
  const suf = inv + w + 1;
  for (let i = 0; i < w; i++) if (!Number.isFinite(b[cur + i])) return 'window values';
  if (b[inv] !== 0) return 'reciprocals';
  for (let i = 1; i <= w; i++) if (b[inv + i] !== 1 / i) return 'reciprocals';
  const n1 = w + 1;
  for (let i = 0; i <= w; i++) {
    const mean = b[suf + i];
    const m2 = b[suf + n1 + i];
    if (!(Number.isFinite(mean) && Number.isFinite(m2) && m2 >= 0)) return 'suffix aggregates';
    if (!okRange(b[suf + 2 * n1 + i], b[suf + 3 * n1 + i])) return 'suffix min/max';
  }
  return undefined;
}

/** Invariants of a time-window state block (panes; layout in assembly/window.ts). */
function checkTimeBlock(b: Float64Array, k: number): string | undefined {
  if (!(Number.isNaN(b[3]) || Number.isInteger(b[3]))) return 'current pane';
  if (!(Number.isFinite(b[4]) || b[4] === Number.NEGATIVE_INFINITY)) return 'last timestamp';
  if (!(isCount(b[5]) && isCount(b[6]) && isCount(b[7]) && isCount(b[8]))) return 'counters';
  const paneOk = (n: number, mean: number, m2: number, mn: number, mx: number, kk: number) =>
    n === 0 ||
    (Number.isFinite(mean) &&
      Number.isFinite(m2) &&
      m2 >= 0 &&
      okRange(mn, mx) &&
      Number.isFinite(mn) &&
      Number.isFinite(kk));
  if (!paneOk(b[8], b[9], b[10], b[11], b[12], b[13])) return 'current pane aggregate';
  for (let i = 0; i < k; i++) {
    const o = 16 + 7 * i;
    const id = b[o];
    if (!(Number.isNaN(id) || Number.isInteger(id))) return 'pane id';
    if (!isCount(b[o + 1])) return 'pane count';
    if (!paneOk(b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6]))
      return 'pane aggregate';
  }
  return undefined;
}

/**
 * Count or time windows over a stream: count, sum, mean, variance, min, max (and quantiles) of
 * every window in O(1) amortised time per value, with no subtract-on-evict error.
 *
 * @example
 * ```ts
 * const w = new SlidingWindow({ size: 3, stats: ['mean', 'max'] });
 * w.push([1, 2, 3, 4]).mean; // Float64Array [1, 1.5, 2, 3] (a column per requested stat)
 * w.dispose();
 * ```
 */
export class SlidingWindow extends WasmObject {
  readonly size: number;
  readonly slide: number;
  readonly time: boolean;
  readonly origin: number;
  readonly stats: readonly WindowStat[];
  readonly partial: boolean;
  readonly quantileProbs: readonly number[];
  readonly #flags: number;
  /** Welford aggregates when variance is requested, plain block sums otherwise. */
  readonly #countKernel: WinExports['cw_push'];
  readonly #k: number;
  readonly #sketchOptions: QuantileSketchOptions;
  /** Pane sketches (pane id -> sketch), only with `quantiles`. */
  #panes = new Map<number, QuantileSketch>();
  #scratch: QuantileSketch | undefined;
  /** JS mirror of the pane logic for the per-pane sketches. */
  #cur = Number.NaN;
  #curCount = 0;
  #lastTs = Number.NEGATIVE_INFINITY;
  #paneCounts = new Map<number, number>();

  constructor(options: WindowOptions) {
    const p = parse(options, new.target === TumblingWindow, new.target.name);
    const kPanes = p.time ? p.size / p.slide : 0;
    const slots = p.time ? k.tw_slots(kPanes) : k.cw_slots(p.size);
    super(new.target.name, slots * 8);
    this.size = p.size;
    this.slide = p.slide;
    this.time = p.time;
    this.origin = p.origin;
    this.stats = p.stats;
    this.partial = p.partial;
    this.quantileProbs = p.quantiles;
    this.#sketchOptions = p.sketch;
    this.#k = p.time ? kPanes : p.size / p.slide;
    this.#flags = p.stats.reduce((f, s) => f | (1 << ALL_STATS.indexOf(s)), 0);
    this.#countKernel = this.#flags & 8 ? k.cw_push : k.cw_push_sums;
    if (p.time) k.tw_init(this.ptr, p.slide, kPanes, p.origin);
    else k.cw_init(this.ptr, p.size, p.slide);
    if (p.quantiles.length > 0) {
      try {
        this.#scratch = new QuantileSketch(p.sketch);
      } catch (e) {
        this.dispose();
        throw e;
      }
    }
  }

  /** NaN / ±Infinity values (or timestamps) skipped. */
  get rejected(): number {
    return this.slot(this.time ? 5 : 9);
  }
  /** Time windows: values skipped because their timestamp was older than a previous one. */
  get late(): number {
    return this.time ? this.slot(6) : 0;
  }

  #newOutput(rows: number): WindowOutput {
    const out: WindowOutput = { length: 0 };
    for (const s of this.stats) out[s] = new Float64Array(rows);
    if (this.time) {
      out.start = new Float64Array(rows);
      out.end = new Float64Array(rows);
    }
    if (this.quantileProbs.length)
      out.quantiles = this.quantileProbs.map(() => new Float64Array(rows));
    return out;
  }

  #trim(out: WindowOutput, rows: number): WindowOutput {
    const r: WindowOutput = { length: rows };
    for (const key of [...ALL_STATS, 'start', 'end'] as const) {
      const col = out[key];
      if (col) r[key] = col.length === rows ? col : col.slice(0, rows);
    }
    if (out.quantiles)
      r.quantiles = out.quantiles.map((c) => (c.length === rows ? c : c.slice(0, rows)));
    return r;
  }

  /** Copies `rows` kernel rows (column layout `cols`, capacity OUT_CAP) to `out` at `at`. */
  #copyRows(out: WindowOutput, at: number, rows: number, time: boolean): void {
    if (rows === 0) return;
    const h = heapF64();
    const base = outPtr >>> 3;
    const colOf = (c: number): Float64Array =>
      h.subarray(base + c * OUT_CAP, base + c * OUT_CAP + rows);
    const off = time ? 2 : 0;
    if (time) {
      out.start!.set(colOf(0), at);
      out.end!.set(colOf(1), at);
    }
    ALL_STATS.forEach((s, i) => {
      const col = out[s];
      if (col) col.set(colOf(off + i), at);
    });
  }

  /**
   * Adds a batch. Count windows: `push(values)`. Time windows:
   * `push(values, timestamps)` (same length). Returns the emitted windows.
   */
  push(values: NumericInput | number, timestamps?: NumericInput | number): WindowOutput {
    const s = this.ptr;
    if (!this.time) {
      if (timestamps !== undefined) {
        throw bad(
          `${this.constructor.name}.push: count windows take no timestamps; use { time: true }.`,
        );
      }
      const n = typeof values === 'number' ? 1 : (values as ArrayLike<number>)?.length;
      if (typeof n !== 'number') {
        throw bad(
          `${this.constructor.name}.push: expected a Float64Array or an array of numbers, got ${describeValue(values)}.`,
        );
      }
      const since = this.slot(8);
      const out = this.#newOutput(Math.floor((since + n) / this.slide));
      let rows = 0;
      const o = outArea();
      forEachChunk(values, `${this.constructor.name}.push`, (ptr, len) => {
        const r = this.#countKernel(s, ptr, len, o, OUT_CAP, this.#flags, this.partial ? 1 : 0);
        this.#copyRows(out, rows, r, false);
        rows += r;
      });
      if (out.quantiles) this.#countQuantiles(typeof values === 'number' ? [values] : values, out);
      return this.#trim(out, rows);
    }
    const v = toFloat64(
      typeof values === 'number' ? [values] : values,
      `${this.constructor.name}.push`,
      'values',
    );
    if (timestamps === undefined) {
      throw bad(
        `${this.constructor.name}.push: time windows need timestamps: push(values, timestamps).`,
      );
    }
    const t = toFloat64(
      typeof timestamps === 'number' ? [timestamps] : timestamps,
      `${this.constructor.name}.push`,
      'timestamps',
    );
    if (t.length !== v.length) {
      throw bad(
        `${this.constructor.name}.push: ${v.length} values but ${t.length} timestamps; pass one timestamp per value.`,
      );
    }
    let out = this.#newOutput(Math.min(v.length, 1024) + this.#k);
    let rows = 0;
    const o = outArea();
    const tp = tsArea();
    const vp = tp + STAGING_VALUES * 8;
    let i = 0;
    while (i < v.length) {
      const len = Math.min(STAGING_VALUES, v.length - i);
      const h = heapF64();
      h.set(v.subarray(i, i + len), vp >>> 3);
      h.set(t.subarray(i, i + len), tp >>> 3);
      const r = k.tw_push(s, vp, tp, len, o, OUT_CAP);
      const used = this.slot(7);
      out = this.#ensure(out, rows + r);
      this.#copyRows(out, rows, r, true);
      rows += r;
      i += used;
    }
    if (out.quantiles) this.#timeQuantiles(v, t, out);
    return this.#trim(out, rows);
  }

  /**
   * Count windows, zero-copy: like `push`, but hands each chunk's rows to
   * `onRows(rows, firstRow)` as views of WebAssembly memory that are valid
   * only during the callback (copy what you keep). Not available with
   * `quantiles`. Returns the number of rows.
   */
  pushEach(
    values: NumericInput | number,
    onRows: (rows: WindowOutput, firstRow: number) => void,
  ): number {
    if (this.time || this.quantileProbs.length > 0) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `${this.constructor.name}.pushEach: only count windows without quantiles; use push().`,
      );
    }
    if (typeof onRows !== 'function') {
      throw bad(`${this.constructor.name}.pushEach: pass a callback (rows, firstRow) => void.`);
    }
    const s = this.ptr;
    const o = outArea();
    let total = 0;
    forEachChunk(values, `${this.constructor.name}.pushEach`, (ptr, len) => {
      const r = this.#countKernel(s, ptr, len, o, OUT_CAP, this.#flags, this.partial ? 1 : 0);
      if (r === 0) return;
      const h = heapF64();
      const base = o >>> 3;
      const rows: WindowOutput = { length: r };
      ALL_STATS.forEach((st, i) => {
        if (this.#flags & (1 << i))
          rows[st] = h.subarray(base + i * OUT_CAP, base + i * OUT_CAP + r);
      });
      onRows(rows, total);
      total += r;
    });
    return total;
  }

  #ensure(out: WindowOutput, rows: number): WindowOutput {
    const cap = (out.start ?? out.quantiles?.[0] ?? out[this.stats[0]])?.length ?? 0;
    if (rows <= cap) return out;
    const bigger = this.#newOutput(Math.max(rows, cap * 2));
    for (const key of [...ALL_STATS, 'start', 'end'] as const) {
      const c = out[key];
      if (c) bigger[key]!.set(c);
    }
    out.quantiles?.forEach((c, j) => {
      bigger.quantiles![j].set(c);
    });
    return bigger;
  }

  /** Time windows: closes the current pane and returns every window containing it. */
  flush(): WindowOutput {
    if (!this.time) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `${this.constructor.name}.flush: only time windows buffer values; count windows emit on push.`,
      );
    }
    const out = this.#newOutput(this.#k);
    const rows = k.tw_flush(this.ptr, outArea(), OUT_CAP);
    this.#copyRows(out, 0, rows, true);
    if (out.quantiles) {
      let r = 0;
      const cp = this.#cur;
      if (!Number.isNaN(cp)) {
        for (let q = cp; q <= cp + this.#k - 1; q++) r = this.#emitPane(q, out, r);
        this.#lastTs = Math.max(this.#lastTs, this.origin + (cp + this.#k) * this.slide);
        this.#cur = Number.NaN;
        this.#panes.forEach((p) => {
          p.dispose();
        });
        this.#panes.clear();
        this.#paneCounts.clear();
      }
    }
    return this.#trim(out, rows);
  }

  #pane(id: number): QuantileSketch {
    let p = this.#panes.get(id);
    if (!p) {
      p = new QuantileSketch(this.#sketchOptions);
      this.#panes.set(id, p);
    }
    return p;
  }

  /** Writes the quantiles of the window ending at pane q (if non-empty) at row r. */
  #emitPane(q: number, out: WindowOutput, r: number): number {
    let n = 0;
    for (let p = q - this.#k + 1; p <= q; p++) n += this.#paneCounts.get(p) ?? 0;
    if (n === 0) return r;
    const sc = this.#scratch!.reset();
    for (let p = q - this.#k + 1; p <= q; p++) {
      const ps = this.#panes.get(p);
      if (ps) sc.merge(ps);
    }
    const qs = sc.quantiles(this.quantileProbs);
    out.quantiles!.forEach((c, j) => {
      c[r] = qs[j];
    });
    // Panes that can no longer be part of a later window.
    for (const id of [...this.#panes.keys()]) {
      if (id <= q - this.#k + 1) {
        this.#panes.get(id)!.dispose();
        this.#panes.delete(id);
        this.#paneCounts.delete(id);
      }
    }
    return r + 1;
  }

  #countQuantiles(values: ArrayLike<number>, out: WindowOutput): void {
    // Panes of `slide` finite values, numbered by their index in the stream.
    let r = 0;
    let start = 0;
    const n = values.length;
    let cur = Number.isNaN(this.#cur) ? 0 : this.#cur;
    const v = values instanceof Float64Array ? values : Float64Array.from(values);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(v[i])) continue;
      this.#curCount++;
      if (this.#curCount === this.slide) {
        this.#pane(cur).push(v.subarray(start, i + 1));
        this.#paneCounts.set(cur, this.slide);
        start = i + 1;
        const total = Math.min(cur + 1, this.#k) * this.slide;
        if (this.partial || total >= this.size) r = this.#emitPane(cur, out, r);
        cur++;
        this.#curCount = 0;
      }
    }
    if (start < n) {
      this.#pane(cur).push(v.subarray(start, n));
      this.#paneCounts.set(cur, this.#curCount);
    }
    this.#cur = cur;
  }

  #timeQuantiles(v: Float64Array, t: Float64Array, out: WindowOutput): void {
    // Per-value mirror of tw_push (percentiles are an optional, slower path).
    let r = 0;
    let buf: number[] = [];
    const flushBuf = (): void => {
      if (buf.length > 0) this.#pane(this.#cur).push(buf);
      buf = [];
    };
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const ts = t[i];
      if (!Number.isFinite(x) || !Number.isFinite(ts) || ts < this.#lastTs) continue;
      const p = Math.floor((ts - this.origin) / this.slide);
      if (p !== this.#cur) {
        flushBuf();
        const cp = this.#cur;
        if (!Number.isNaN(cp)) {
          const last = Math.min(p - 1, cp + this.#k - 1);
          for (let q = cp; q <= last; q++) r = this.#emitPane(q, out, r);
        }
        this.#cur = p;
      }
      buf.push(x);
      this.#lastTs = ts;
      this.#paneCounts.set(p, (this.#paneCounts.get(p) ?? 0) + 1);
    }
    flushBuf();
  }

  /**
   * Versioned little-endian state: 'EWWI', u16 version, u16 flags (bit 0:
   * tumbling), u32 length of the options JSON, the JSON, padding to 8 bytes,
   * then f64s: kernel state block length and block, pane cursor, count in the
   * current pane, last timestamp, number of pane sketches, and per sketch its
   * pane id, value count, byte length and serialized bytes (padded to 8).
   */
  serialize(): Uint8Array {
    const options: WindowOptions = {
      size: this.size,
      slide: this.slide,
      time: this.time,
      origin: this.origin,
      stats: this.stats,
      partial: this.partial,
      quantiles: this.quantileProbs,
      sketch: this.#sketchOptions,
    };
    const json = new TextEncoder().encode(JSON.stringify(options));
    const slots = this.time ? k.tw_slots(this.#k) : k.cw_slots(this.size);
    const sketches = [...this.#panes.entries()].map(([id, sk]) => ({
      id,
      n: this.#paneCounts.get(id) ?? 0,
      bytes: sk.serialize(),
    }));
    let total = pad8(12 + json.length) + 8 * (1 + slots + 4);
    for (const p of sketches) total += 24 + pad8(p.bytes.length);
    const w = new StateWriter(FORMAT, total, this instanceof TumblingWindow ? 1 : 0);
    w.u32(json.length).raw(json).align8();
    const h = heapF64();
    const b = this.ptr >>> 3;
    w.f64(slots).f64s(h.subarray(b, b + slots));
    w.f64(this.#cur).f64(this.#curCount).f64(this.#lastTs).f64(sketches.length);
    for (const p of sketches) w.f64(p.id).f64(p.n).f64(p.bytes.length).raw(p.bytes).align8();
    return w.finish();
  }

  /** Restores a state written by `serialize()` (as a SlidingWindow or TumblingWindow). */
  static deserialize(bytes: Uint8Array | ArrayBuffer): SlidingWindow {
    const { bytes: u8, tag: flags, reader: r } = openState(bytes, FORMAT);
    const jl = r.u32();
    if (flags > 1 || 12 + jl > u8.byteLength) throw r.corrupt('bad header');
    let options: WindowOptions;
    let w: SlidingWindow;
    try {
      options = JSON.parse(new TextDecoder().decode(r.raw(jl)));
      w = flags === 1 ? new TumblingWindow(options) : new SlidingWindow(options);
    } catch (cause) {
      throw r.corrupt('invalid options', cause);
    }
    try {
      r.align8();
      const slots = w.time ? k.tw_slots(w.#k) : k.cw_slots(w.size);
      if (r.f64() !== slots) throw r.corrupt('state block size');
      const block = r.f64s(slots);
      const same = w.time
        ? block[0] === w.slide && block[1] === w.#k && block[2] === w.origin
        : block[0] === w.size && block[1] === w.slide && block[2] >= 0 && block[2] <= w.size;
      if (!same) throw r.corrupt('state block does not match the options');
      const why = w.time ? checkTimeBlock(block, w.#k) : checkCountBlock(block, w.size);
      if (why) throw r.corrupt(why);
      heapF64().set(block, w.ptr >>> 3);
      w.#cur = r.f64();
      w.#curCount = r.f64();
      w.#lastTs = r.f64();
      const np = r.f64();
      if (!Number.isInteger(np) || np < 0 || np > 1 << 20) throw r.corrupt('pane count');
      for (let i = 0; i < np; i++) {
        const id = r.f64();
        const n = r.f64();
        const len = r.f64();
        if (!Number.isInteger(len) || len < 0 || len > r.remaining) throw r.corrupt('pane sketch');
        const sk = QuantileSketch.deserialize(r.raw(len).slice());
        w.#panes.set(id, sk);
        w.#paneCounts.set(id, n);
        r.align8();
      }
      r.end();
    } catch (e) {
      w.dispose();
      throw e instanceof EdgewiseError ? e : r.corrupt('unreadable', e);
    }
    return ensureRoundTrip(w, u8, 'SlidingWindow.deserialize');
  }

  /** Forgets everything (keeps the options). */
  reset(): this {
    if (this.time) k.tw_reset(this.ptr);
    else k.cw_reset(this.ptr);
    this.#panes.forEach((p) => {
      p.dispose();
    });
    this.#panes.clear();
    this.#paneCounts.clear();
    this.#cur = Number.NaN;
    this.#curCount = 0;
    this.#lastTs = Number.NEGATIVE_INFINITY;
    return this;
  }

  override dispose(): void {
    this.#panes.forEach((p) => {
      p.dispose();
    });
    this.#panes.clear();
    this.#scratch?.dispose();
    super.dispose();
  }
}

/**
 * Tumbling (non-overlapping) windows: a SlidingWindow whose slide is its size.
 * Count windows emit one row per `size` values; time windows emit each
 * [origin + i size, origin + (i + 1) size) that received values, once closed.
 *
 * ```ts
 * const t = new TumblingWindow({ size: 100, stats: ['mean', 'max'] });
 * t.push(values); // one row per 100 values
 * ```
 */
export class TumblingWindow extends SlidingWindow {}
