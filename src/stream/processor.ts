import { describeValue, EdgewiseError } from '../errors';
import type { EventBus } from '../events/bus';
import { checkSnapshot, readKeys, writeSnapshot } from './checkpoint';
import { parseSeriesCsv } from './csv';
import { type Batch, columnsInput, eventInput, eventsInput } from './input';
import { type KeyState, newKeyState } from './keys';
import { LateOutput } from './late';
import { type Resolved, resolveOptions } from './options';
import { Output } from './output';
import { TimerHeap } from './timers';
import type {
  Key,
  StreamEvent,
  StreamOptions,
  StreamSnapshot,
  StreamStats,
  WindowResult,
} from './types';
import { Watermarks } from './watermarks';
import { createWindows } from './windows/create';
import type { WindowStrategy } from './windows/strategy';

/**
 * Keyed event-time windows over one or more sources, aggregated by the WASM
 * `Moments` kernel (count, sum, mean, variance, std, min, max) and custom reducers.
 *
 * Semantics (see docs/design/stream.md):
 * - each source's watermark is `max event time seen - outOfOrderness` (or what
 *   `advanceWatermark(t, source)` set); the stream's watermark is the minimum
 *   over active sources. Idle sources (nothing for `idleTimeout`) and finished
 *   sources are left out; when every source is idle or finished the watermark
 *   is the maximum of their watermarks (all data seen so far is final). It
 *   never goes backwards.
 * - a window `[start, end)` fires when the watermark reaches `end`.
 * - an event for a fired window whose `end + allowedLateness` is still above
 *   the watermark updates it: the window re-fires at once with `update: true`.
 *   Events later than that go to the late side output (`onLate`, the bus's
 *   late topic, `stats.late`): counted, never silently dropped.
 * - `flush()` is end of input: every open window fires and the watermark goes
 *   to +Infinity.
 *
 * ```ts
 * const p = new StreamProcessor({ window: { type: 'tumbling', size: 60_000 }, outOfOrderness: 5_000 });
 * p.pushMany(events);            // { timestamp, value, key }
 * for await (const r of p.results()) console.log(r.key, r.start, r.mean);
 * ```
 */
export class StreamProcessor<E = StreamEvent> {
  readonly #o: Resolved<E>;
  readonly #wm: Watermarks;
  readonly #timers = new TimerHeap<KeyState>();
  readonly #out: Output;
  readonly #late: LateOutput<E>;
  readonly #win: WindowStrategy;
  #keys = new Map<Key, KeyState>();
  #nextSeq = 0;
  #events = 0;
  #closed = false;
  #idleTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: StreamOptions<E>) {
    const o = resolveOptions(options);
    this.#o = o;
    this.#wm = new Watermarks(o.bound, o.idleTimeout, o.clock, o.processing);
    this.#out = new Output(o, this.#wm);
    this.#late = new LateOutput(o.onLate, o.bus, o.lateTopic);
    const cx = { cfg: o.cfg, lateness: o.lateness, timers: this.#timers, out: this.#out };
    this.#win = createWindows(o, cx);
  }

  // ------------------------------------------------------------------ input

  /** Registers a source by name (so it holds the watermark before its first event). */
  addSource(name: string): this {
    this.#wm.source(name);
    return this;
  }

  /** Pushes one event from `source` (default 'default'). */
  push(event: E, source = 'default'): this {
    this.#checkOpen('push');
    this.#ingest(eventInput(this.#o, event), source);
    return this;
  }

  /** Pushes a batch; the batch is validated first, so a bad event changes nothing. */
  pushMany(events: readonly E[], source = 'default'): this {
    this.#checkOpen('pushMany');
    this.#ingest(eventsInput(this.#o, events), source);
    return this;
  }

  /**
   * Columnar push: `timestamps[i], values[i], keys?.[i]` (the fast path; no
   * event objects). Late events are reported as `{ timestamp, value, key }`.
   */
  pushColumns(
    columns: { timestamps: ArrayLike<number>; values: ArrayLike<number>; keys?: ArrayLike<Key> },
    source = 'default',
  ): this {
    this.#checkOpen('pushColumns');
    this.#ingest(columnsInput(this.#o, columns), source);
    return this;
  }

  /** Replays `timestamp,value[,key]` CSV text (see `parseSeriesCsv`); returns the row errors. */
  replayCsv(text: string, source = 'default'): ReturnType<typeof parseSeriesCsv>['errors'] {
    const p = parseSeriesCsv(text);
    this.pushColumns({ timestamps: p.timestamps, values: p.values, keys: p.keys }, source);
    return p.errors;
  }

  /**
   * Consumes an (async) iterable of events as source `source`, in batches of
   * `batch` (default 1024); marks the source finished at its end.
   */
  async consume(
    iterable: AsyncIterable<E> | Iterable<E>,
    source = 'default',
    options: { batch?: number } = {},
  ): Promise<void> {
    this.#checkOpen('consume');
    const batchSize = options.batch ?? 1024;
    this.#wm.source(source);
    const buf: E[] = [];
    for await (const e of iterable as AsyncIterable<E>) {
      buf.push(e);
      if (buf.length >= batchSize) {
        this.pushMany(buf, source);
        buf.length = 0;
      }
    }
    if (buf.length) this.pushMany(buf, source);
    this.finishSource(source);
  }

  /** Subscribes to `pattern` on `bus`: payloads are events of source `source` (default: the pattern). */
  fromBus(bus: EventBus, pattern: string, source = pattern): () => void {
    this.#checkOpen('fromBus');
    this.#wm.source(source);
    return bus.on(pattern, (payload: E) => {
      this.push(payload, source);
    });
  }

  /** Declares the end of a source: it no longer holds the watermark back. */
  finishSource(source: string): this {
    this.#wm.source(source).finished = true;
    this.#refresh();
    return this;
  }

  /**
   * Moves the watermark explicitly (replay): for one source, or, without a
   * source, for the whole stream. Never moves it backwards.
   */
  advanceWatermark(t: number, source?: string): this {
    this.#checkOpen('advanceWatermark');
    if (typeof t !== 'number' || Number.isNaN(t)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor.advanceWatermark: pass a time in ms, got ${describeValue(t)}.`,
      );
    }
    if (source === undefined) this.#advance(t);
    else {
      const s = this.#wm.source(source);
      s.explicitWm = Math.max(s.explicitWm, t);
      this.#refresh();
    }
    return this;
  }

  /** Re-evaluates idleness and processing time against the clock (call periodically, or use `startTimer`). */
  tick(): this {
    if (!this.#closed) this.#refresh();
    return this;
  }

  /** Calls `tick()` every `intervalMs` (unref'd in Node); returns the stop function. */
  startTimer(intervalMs = 1000): () => void {
    this.stopTimer();
    const t = setInterval(() => this.tick(), intervalMs);
    (t as { unref?: () => void }).unref?.();
    this.#idleTimer = t;
    return () => this.stopTimer();
  }

  stopTimer(): void {
    if (this.#idleTimer !== undefined) clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** End of input: fires every open window (count windows: partial ones too). */
  flush(): this {
    this.#checkOpen('flush');
    if (!this.#win.eventTime) {
      for (const ks of [...this.#keys.values()].sort((a, b) => a.seq - b.seq)) {
        this.#win.flushKey(ks);
        this.#keys.delete(ks.key);
      }
      this.#wm.value = Number.POSITIVE_INFINITY;
      return this;
    }
    this.#advance(Number.POSITIVE_INFINITY);
    return this;
  }

  /** End of input and of the processor: `flush()`, then `dispose()`. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.dispose();
  }

  /**
   * Frees kernel memory and ends the result iterators without firing open
   * windows (e.g. after `snapshot()`, when a restored processor takes over).
   */
  dispose(): void {
    if (this.#closed) return;
    this.stopTimer();
    this.#disposeKeys();
    this.#win.dispose();
    this.#closed = true;
    this.#out.end();
  }

  // ----------------------------------------------------------------- output

  /** An async iterator over results emitted from now on; ends at `close()`. */
  results(): AsyncIterableIterator<WindowResult> {
    return this.#out.iterator(this.#closed);
  }

  get watermark(): number {
    return this.#wm.value;
  }

  get stats(): StreamStats {
    let open = 0;
    for (const ks of this.#keys.values()) open += this.#win.openStates(ks);
    const out = this.#out;
    return {
      events: this.#events,
      late: this.#late.count,
      results: out.results,
      updates: out.updates,
      watermark: this.#wm.value,
      keys: this.#keys.size,
      openStates: open,
      callbackErrors: out.callbackErrors,
      sources: this.#wm.stats(),
    };
  }

  // ------------------------------------------------------------ checkpoints

  /** The whole state (kernel states included) as a structured-clone-safe object. */
  snapshot(): StreamSnapshot {
    this.#checkOpen('snapshot');
    return writeSnapshot({
      spec: this.#o.spec,
      watermarks: this.#wm,
      counters: {
        events: this.#events,
        late: this.#late.count,
        results: this.#out.results,
        updates: this.#out.updates,
      },
      nextSeq: this.#nextSeq,
      keys: this.#keys,
      windows: this.#win,
    });
  }

  /**
   * Replaces this processor's state with a snapshot taken by a processor built
   * with the same options; the remaining input then gives the same results as
   * an uninterrupted run. Throws `CORRUPT_STATE` / `UNSUPPORTED_VERSION` on a
   * bad snapshot, leaving the current state unchanged.
   */
  restore(snap: StreamSnapshot): this {
    this.#checkOpen('restore');
    checkSnapshot(snap, this.#o.spec);
    // build everything first; swap in only when all of it decoded
    const built = readKeys(snap, this.#win);
    this.#disposeKeys();
    this.#keys = new Map(built.map((ks) => [ks.key, ks]));
    this.#wm.restore(snap.sources, snap.watermark);
    this.#nextSeq = snap.nextSeq;
    this.#events = snap.counters.events;
    this.#late.count = snap.counters.late;
    this.#out.results = snap.counters.results;
    this.#out.updates = snap.counters.updates;
    this.#timers.clear();
    for (const ks of built) this.#win.rearm(ks, this.#wm.value);
    return this;
  }

  // --------------------------------------------------------------- internals

  #checkOpen(verb: string): void {
    if (this.#closed) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `StreamProcessor.${verb}: the processor was closed; create a new one (or restore a snapshot into one).`,
      );
    }
  }

  #keyState(key: Key): KeyState {
    let ks = this.#keys.get(key);
    if (ks === undefined) {
      ks = newKeyState(key, this.#nextSeq++);
      this.#keys.set(key, ks);
    }
    return ks;
  }

  #ingest({ ts, vs, ks, events }: Batch<E>, sourceName: string): void {
    const wm = this.#wm;
    const src = wm.source(sourceName);
    const n = ts.length;
    if (n === 0) return;
    if (wm.timed) src.lastSeen = this.#o.clock();
    const win = this.#win;
    const eventTime = win.eventTime;
    const bound = this.#o.bound;
    let lastKey: Key | undefined;
    let lastKs: KeyState | undefined;
    for (let i = 0; i < n; i++) {
      const t = ts[i];
      const v = vs[i];
      const key = ks === undefined ? '' : ks[i];
      let kst: KeyState;
      if (key === lastKey && lastKs !== undefined && this.#keys.get(key) === lastKs) kst = lastKs;
      else {
        kst = this.#keyState(key);
        lastKey = key;
        lastKs = kst;
      }
      this.#events++;
      src.events++;
      const ev: unknown = events !== null ? events[i] : null;
      if (!win.add(kst, t, v, ev, wm.value)) {
        this.#late.report(ev, kst.key, t, v, src.name, wm.value);
        this.#dropKeyIfEmpty(kst);
      }
      if (t > src.maxTs) {
        src.maxTs = t;
        if (eventTime && t - bound > wm.value) this.#refresh();
      }
    }
    if (this.#o.processing || wm.timed) this.#refresh();
  }

  /** Recomputes the watermark from the sources (and the clock in processing time). */
  #refresh(): void {
    if (this.#win.eventTime) this.#advance(this.#wm.target());
  }

  /** Moves the watermark to `t` (never backwards) and runs the timers it passes. */
  #advance(t: number): void {
    if (!(t > this.#wm.value)) return;
    this.#wm.value = t;
    const h = this.#timers;
    while (h.size > 0 && h.peek()!.t <= t) {
      const tm = h.pop();
      const ks = tm.ks;
      if (this.#keys.get(ks.key) !== ks) continue; // key state was dropped
      this.#win.onTimer(ks, tm, t);
      this.#dropKeyIfEmpty(ks);
    }
  }

  #dropKeyIfEmpty(ks: KeyState): void {
    if (!this.#win.holds(ks)) this.#keys.delete(ks.key);
  }

  #disposeKeys(): void {
    for (const ks of this.#keys.values()) this.#win.disposeKey(ks);
    this.#keys.clear();
  }
}
