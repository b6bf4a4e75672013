import { toFloat64 } from '../core/arrays';
import { openState, pad8, StateWriter, stateFormat } from '../core/state-codec';
import { describeValue, EdgewiseError } from '../errors';
import type { QuantileSketchOptions } from './quantile';
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
import {
  ALL_STATS,
  bad,
  parse,
  type WindowOptions,
  type WindowOutput,
  type WindowPushOptions,
  type WindowStat,
} from './window-options';
import { PaneQuantiles } from './window-panes';
import { checkCountBlock, checkTimeBlock } from './window-state';

export type {
  WindowOptions,
  WindowOutput,
  WindowPushOptions,
  WindowStat,
} from './window-options';

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

const FORMAT = stateFormat('SlidingWindow', 'EWWI', 1, { minLength: 12 });
let outPtr = 0;
let tsPtr = 0;
const OUT_CAP = STAGING_VALUES + 1;
function outArea(): number {
  if (outPtr === 0) outPtr = allocBytes(8 * OUT_CAP * 8);
  return outPtr;
}
/** A plain options object (not a batch of timestamps). */
function isPushOptions(v: unknown): v is WindowPushOptions {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !('length' in v)
  );
}

function tsArea(): number {
  if (tsPtr === 0) tsPtr = allocBytes(STAGING_VALUES * 8 * 2);
  return tsPtr;
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
  /** Per-pane sketches, only with `quantiles`. */
  readonly #q: PaneQuantiles | undefined;

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
        this.#q = new PaneQuantiles({
          size: p.size,
          slide: p.slide,
          k: this.#k,
          origin: p.origin,
          partial: p.partial,
          probs: p.quantiles,
          sketch: p.sketch,
        });
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

  /**
   * Fresh output columns for `rows` rows: views of one ArrayBuffer (one
   * allocation per call, whatever the number of statistics).
   */
  #newOutput(rows: number): WindowOutput {
    const out: WindowOutput = { length: 0 };
    const cols = this.stats.length + (this.time ? 2 : 0) + this.quantileProbs.length;
    const buf = new ArrayBuffer(rows * cols * 8);
    let c = 0;
    const col = (): Float64Array => new Float64Array(buf, 8 * rows * c++, rows);
    for (const s of this.stats) out[s] = col();
    if (this.time) {
      out.start = col();
      out.end = col();
    }
    if (this.quantileProbs.length) out.quantiles = this.quantileProbs.map(col);
    return out;
  }

  /** Checks caller-provided columns (`push(values, { out })`) before anything changes. */
  #given(cols: WindowPushOptions['out'], rows: number): WindowOutput {
    const where = `${this.constructor.name}.push`;
    if (this.#q) throw bad(`${where}: options.out is not available with quantiles.`);
    if (cols === null || typeof cols !== 'object') {
      throw bad(`${where}: options.out must be an object of Float64Array columns.`);
    }
    const out: WindowOutput = { length: 0 };
    for (const st of this.stats) {
      const col = cols[st];
      if (!(col instanceof Float64Array) || col.length < rows) {
        throw bad(
          `${where}: options.out.${st} must be a Float64Array of at least ${rows} rows, got ${describeValue(col)}.`,
        );
      }
      out[st] = col;
    }
    return out;
  }

  /** The first `rows` rows of `out` (views, no copy). */
  #trim(out: WindowOutput, rows: number): WindowOutput {
    const r: WindowOutput = { length: rows };
    for (const key of [...ALL_STATS, 'start', 'end'] as const) {
      const col = out[key];
      if (col) r[key] = col.length === rows ? col : col.subarray(0, rows);
    }
    if (out.quantiles)
      r.quantiles = out.quantiles.map((c) => (c.length === rows ? c : c.subarray(0, rows)));
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
   *
   * The result is yours: fresh columns (views of one new ArrayBuffer per
   * call), never views of WebAssembly memory, so they stay valid after later
   * pushes, `dispose()` and memory growth. Fresh memory has a price: for
   * 64K-value batches the operating system's first touch of the new columns
   * costs about as much as the kernel itself (docs/benchmarks.md); to
   * consume rows without any allocation pass your own columns,
   * `push(values, { out })` (count windows), or use `pushEach`.
   */
  push(
    values: NumericInput | number,
    timestamps?: NumericInput | number | WindowPushOptions,
  ): WindowOutput {
    const s = this.ptr;
    if (!this.time) {
      const options = isPushOptions(timestamps) ? timestamps : undefined;
      if (timestamps !== undefined && !options) {
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
      const cap = Math.floor((since + n) / this.slide);
      const out = options?.out ? this.#given(options.out, cap) : this.#newOutput(cap);
      let rows = 0;
      const o = outArea();
      forEachChunk(values, `${this.constructor.name}.push`, (ptr, len) => {
        const r = this.#countKernel(s, ptr, len, o, OUT_CAP, this.#flags, this.partial ? 1 : 0);
        this.#copyRows(out, rows, r, false);
        rows += r;
      });
      if (this.#q) this.#q.count(typeof values === 'number' ? [values] : values, out);
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
    if (isPushOptions(timestamps)) {
      throw bad(
        `${this.constructor.name}.push: time windows take push(values, timestamps); options.out is for count windows.`,
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
    this.#q?.time(v, t, out);
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
    this.#q?.flush(out);
    return this.#trim(out, rows);
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
    const sketches = this.#q?.save() ?? [];
    let total = pad8(12 + json.length) + 8 * (1 + slots + 4);
    for (const p of sketches) total += 24 + pad8(p.bytes.length);
    const w = new StateWriter(FORMAT, total, this instanceof TumblingWindow ? 1 : 0);
    w.u32(json.length).raw(json).align8();
    const h = heapF64();
    const b = this.ptr >>> 3;
    w.f64(slots).f64s(h.subarray(b, b + slots));
    w.f64(this.#q ? this.#q.cur : Number.NaN);
    w.f64(this.#q ? this.#q.curCount : 0);
    w.f64(this.#q ? this.#q.lastTs : Number.NEGATIVE_INFINITY);
    w.f64(sketches.length);
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
      const q = w.#q;
      const cur = r.f64();
      const curCount = r.f64();
      const lastTs = r.f64();
      if (q) {
        q.cur = cur;
        q.curCount = curCount;
        q.lastTs = lastTs;
      }
      const np = r.f64();
      if (!Number.isInteger(np) || np < 0 || np > 1 << 20 || (np > 0 && !q)) {
        throw r.corrupt('pane count');
      }
      for (let i = 0; i < np; i++) {
        const id = r.f64();
        const n = r.f64();
        const len = r.f64();
        if (!Number.isInteger(len) || len < 0 || len > r.remaining) throw r.corrupt('pane sketch');
        q!.load(id, n, r.raw(len).slice());
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
    this.#q?.reset();
    return this;
  }

  override dispose(): void {
    this.#q?.dispose();
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
