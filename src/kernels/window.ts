import { moveBuffer, toFloat64 } from '../core/arrays';
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

/** Checks `{ out, copy }` of push/flush (undefined passes). */
function checkOptions(
  o: WindowPushOptions | undefined,
  where: string,
): WindowPushOptions | undefined {
  if (o === undefined) return undefined;
  if (!isPushOptions(o)) {
    throw bad(
      `${where}: options must be an object ({ copy } or { out }), got ${describeValue(o)}.`,
    );
  }
  if (o.copy !== undefined && typeof o.copy !== 'boolean') {
    throw bad(`${where}: options.copy must be true or false, got ${describeValue(o.copy)}.`);
  }
  if (o.copy && o.out) {
    throw bad(
      `${where}: pass options.out (your columns) or options.copy (fresh columns), not both.`,
    );
  }
  return o;
}

/** The error a result's column throws once a later call rewrote its rows. */
function stale(where: string): EdgewiseError {
  return new EdgewiseError(
    'INVALID_STATE',
    `${where}: these rows were overwritten by a later push() or flush() of the same window ` +
      '(rows are valid until then). Copy what you keep (rows.mean.slice()) before pushing ' +
      'again, or pass { copy: true } for rows that stay valid.',
  );
}

/**
 * Rows in a window's reused memory: own enumerable column accessors (shared
 * per window) that return the columns while the window has not rewritten
 * them, and throw `INVALID_STATE` after.
 */
class Rows {
  readonly length: number;
  readonly #cols: WindowOutput;
  readonly #live: { gen: number };
  readonly #gen: number;
  readonly #where: string;
  constructor(
    length: number,
    cols: WindowOutput,
    live: { gen: number },
    gen: number,
    where: string,
  ) {
    this.length = length;
    this.#cols = cols;
    this.#live = live;
    this.#gen = gen;
    this.#where = where;
  }

  static col(r: Rows, key: Exclude<keyof WindowOutput, 'length'>): unknown {
    if (r.#live.gen !== r.#gen) throw stale(r.#where);
    return r.#cols[key];
  }

  /** Accessors for the columns present in `cols`. */
  static getters(cols: WindowOutput): PropertyDescriptorMap {
    const map: PropertyDescriptorMap = {};
    for (const key of Object.keys(cols) as (keyof WindowOutput)[]) {
      if (key === 'length') continue;
      map[key] = {
        enumerable: true,
        get(this: Rows) {
          return Rows.col(this, key);
        },
      };
    }
    return map;
  }
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

  /** The memory `push`/`flush` rows reuse (see `push`), and how many times it was rewritten. */
  #rows: ArrayBuffer | undefined;
  readonly #live = { gen: 0 };
  /** Accessors of the columns this window emits (the same on every result). */
  #columnGetters: PropertyDescriptorMap | undefined;

  /** Bytes of `rows` output rows. */
  #bytes(rows: number): number {
    return rows * (this.stats.length + (this.time ? 2 : 0) + this.quantileProbs.length) * 8;
  }

  /**
   * The window's reused row memory for `bytes` bytes, moved to a new
   * ArrayBuffer object so the views handed out by the previous call are
   * detached (length 0) rather than silently overwritten; the generation
   * goes up so those calls' result objects throw on access. New memory when
   * the old is too small, more than 4x too large (and over 1 MB), or was
   * transferred away by the caller.
   */
  #reuse(bytes: number): ArrayBuffer {
    this.#live.gen++;
    let buf = this.#rows ? moveBuffer(this.#rows) : undefined;
    if (buf && (buf.byteLength < bytes || (buf.byteLength > 4 * bytes && buf.byteLength > 1 << 20)))
      buf = undefined;
    this.#rows = buf ?? new ArrayBuffer(bytes);
    return this.#rows;
  }

  /**
   * `x`, copied when it is a view of this window's reused row memory (the
   * window fed its own rows), which the call is about to move and rewrite.
   */
  #own<T>(x: T): T {
    return this.#rows !== undefined &&
      ArrayBuffer.isView(x) &&
      x.buffer === this.#rows &&
      this.#rows.byteLength > 0
      ? ((x as unknown as Float64Array).slice() as unknown as T)
      : x;
  }

  /**
   * Output columns for `rows` rows: views of one ArrayBuffer (whatever the
   * number of statistics), `buf` or a fresh one.
   */
  #newOutput(rows: number, buf: ArrayBuffer = new ArrayBuffer(this.#bytes(rows))): WindowOutput {
    const out: WindowOutput = { length: 0 };
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

  /**
   * The first `rows` rows of `out` (views, no copy). With `gen` (rows in the
   * reused memory) each column is a getter that throws once a later call
   * has rewritten that memory.
   */
  #trim(out: WindowOutput, rows: number, where: string, gen?: number): WindowOutput {
    const cols: WindowOutput = { length: rows };
    for (const key of [...ALL_STATS, 'start', 'end'] as const) {
      const col = out[key];
      if (col) cols[key] = col.length === rows ? col : col.subarray(0, rows);
    }
    if (out.quantiles)
      cols.quantiles = out.quantiles.map((c) => (c.length === rows ? c : c.subarray(0, rows)));
    if (gen === undefined) return cols;
    const r = new Rows(rows, cols, this.#live, gen, where);
    this.#columnGetters ??= Rows.getters(cols);
    return Object.defineProperties(r, this.#columnGetters);
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
   * The rows are views of memory this window reuses: they are valid until
   * its next `push()` or `flush()`, which writes the next rows there. Read
   * them (or copy what you keep: `rows.mean.slice()`) before pushing again.
   * A result kept past that point fails loudly instead of showing other
   * rows: its columns throw `INVALID_STATE` and arrays taken from it have
   * length 0. `dispose()` does not invalidate them. Reusing the memory is
   * what makes this call fast: fresh columns per call cost about as much as
   * the kernel itself (the operating system zeroes and maps the new pages;
   * docs/benchmarks.md). For rows that stay valid pass `{ copy: true }`; to
   * write into your own columns pass `{ out }` (count windows); `pushEach`
   * hands out the kernel's rows without any copy.
   *
   * A bad batch (wrong type, a non-number element, mismatched timestamps)
   * throws `INVALID_ARGUMENT` and changes nothing, earlier rows included.
   */
  push(values: NumericInput | number, options?: WindowPushOptions): WindowOutput;
  push(
    values: NumericInput | number,
    timestamps: NumericInput | number,
    options?: WindowPushOptions,
  ): WindowOutput;
  push(
    values: NumericInput | number,
    timestamps?: NumericInput | number | WindowPushOptions,
    options?: WindowPushOptions,
  ): WindowOutput {
    const where = `${this.constructor.name}.push`;
    const s = this.ptr;
    if (!this.time) {
      const opts = isPushOptions(timestamps) ? checkOptions(timestamps, where) : undefined;
      if ((timestamps !== undefined && !opts) || options !== undefined) {
        throw bad(
          `${where}: count windows take push(values) or push(values, options), no timestamps; use { time: true } for time windows.`,
        );
      }
      values = this.#own(values);
      const n = typeof values === 'number' ? 1 : (values as ArrayLike<number>)?.length;
      if (typeof n !== 'number') {
        throw bad(
          `${where}: expected a Float64Array or an array of numbers, got ${describeValue(values)}.`,
        );
      }
      const since = this.slot(8);
      const cap = Math.floor((since + n) / this.slide);
      let out = opts?.out ? this.#given(opts.out, cap) : undefined;
      let gen: number | undefined;
      let rows = 0;
      const o = outArea();
      // forEachChunk validates the whole batch before the first chunk: the
      // reused memory (and so the previous rows) is only taken once it passed.
      forEachChunk(values, where, (ptr, len) => {
        if (!out) {
          out = opts?.copy
            ? this.#newOutput(cap)
            : this.#newOutput(cap, this.#reuse(this.#bytes(cap)));
          if (!opts?.copy) gen = this.#live.gen;
        }
        const r = this.#countKernel(s, ptr, len, o, OUT_CAP, this.#flags, this.partial ? 1 : 0);
        this.#copyRows(out, rows, r, false);
        rows += r;
      });
      out ??= this.#newOutput(0);
      if (this.#q) this.#q.count(typeof values === 'number' ? [values] : values, out);
      return this.#trim(out, rows, where, gen);
    }
    const v = this.#own(toFloat64(typeof values === 'number' ? [values] : values, where, 'values'));
    if (timestamps === undefined) {
      throw bad(`${where}: time windows need timestamps: push(values, timestamps).`);
    }
    if (isPushOptions(timestamps)) {
      throw bad(
        `${where}: time windows take push(values, timestamps, options); options.out is for count windows.`,
      );
    }
    const opts = checkOptions(options, where);
    if (opts?.out) {
      throw bad(`${where}: options.out is for count windows; time windows take { copy }.`);
    }
    const t = this.#own(
      toFloat64(typeof timestamps === 'number' ? [timestamps] : timestamps, where, 'timestamps'),
    );
    if (t.length !== v.length) {
      throw bad(
        `${where}: ${v.length} values but ${t.length} timestamps; pass one timestamp per value.`,
      );
    }
    const reuse = !opts?.copy;
    const first = Math.min(v.length, 1024) + this.#k;
    let out = reuse
      ? this.#newOutput(first, this.#reuse(this.#bytes(first)))
      : this.#newOutput(first);
    const gen = reuse ? this.#live.gen : undefined;
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
      out = this.#ensure(out, rows + r, reuse);
      this.#copyRows(out, rows, r, true);
      rows += r;
      i += used;
    }
    this.#q?.time(v, t, out);
    return this.#trim(out, rows, where, gen);
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

  /** `out` with room for `rows` rows (grown by copying; the grown memory becomes the reused one when `reuse`). */
  #ensure(out: WindowOutput, rows: number, reuse: boolean): WindowOutput {
    const cap = (out.start ?? out.quantiles?.[0] ?? out[this.stats[0]])?.length ?? 0;
    if (rows <= cap) return out;
    const grown = Math.max(rows, cap * 2);
    const buf = new ArrayBuffer(this.#bytes(grown));
    if (reuse) this.#rows = buf;
    const bigger = this.#newOutput(grown, buf);
    for (const key of [...ALL_STATS, 'start', 'end'] as const) {
      const c = out[key];
      if (c) bigger[key]!.set(c);
    }
    out.quantiles?.forEach((c, j) => {
      bigger.quantiles![j].set(c);
    });
    return bigger;
  }

  /**
   * Time windows: closes the current pane and returns every window
   * containing it. The rows follow `push`'s rule: valid until the next
   * `push()`/`flush()`, or for good with `{ copy: true }`.
   */
  flush(options?: Pick<WindowPushOptions, 'copy'>): WindowOutput {
    const where = `${this.constructor.name}.flush`;
    if (!this.time) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `${where}: only time windows buffer values; count windows emit on push.`,
      );
    }
    const opts = checkOptions(options, where);
    if (opts?.out)
      throw bad(`${where}: options.out is for count windows' push; flush takes { copy }.`);
    const out = opts?.copy
      ? this.#newOutput(this.#k)
      : this.#newOutput(this.#k, this.#reuse(this.#bytes(this.#k)));
    const gen = opts?.copy ? undefined : this.#live.gen;
    const rows = k.tw_flush(this.ptr, outArea(), OUT_CAP);
    this.#copyRows(out, 0, rows, true);
    this.#q?.flush(out);
    return this.#trim(out, rows, where, gen);
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
