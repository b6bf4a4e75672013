import type { EventBus } from '../events/bus';
import type { Moments } from '../kernels/moments';
import type { QuantileSketch } from '../kernels/quantile';
import type { Reducer } from './aggregate';
import type { Key, WindowResult } from './types';
import type { Watermarks } from './watermarks';

/** Where results go, and what they carry besides moments. */
export interface OutputOptions {
  quantiles: number[] | null;
  reducers: Reducer[] | null;
  reducerNames: string[];
  bus: EventBus | undefined;
  topic: string;
  onResult: ((r: WindowResult) => void) | undefined;
}

/**
 * Window results: built from a window's kernel states (`result`) and
 * delivered (`emit`) to `onResult`, the bus and every `results()` iterator,
 * with the counters of `stats`.
 */
export class Output {
  results = 0;
  updates = 0;
  callbackErrors = 0;
  readonly #o: OutputOptions;
  readonly #wm: Watermarks;
  #iterators = new Set<ResultQueue>();

  constructor(o: OutputOptions, wm: Watermarks) {
    this.#o = o;
    this.#wm = wm;
  }

  /** The result of one window (`m` null: no finite value). */
  result(
    key: Key,
    start: number,
    end: number,
    m: Moments | null,
    q: QuantileSketch | null,
    custom: unknown[] | null,
    update: boolean,
  ): WindowResult {
    const count = m ? m.count : 0;
    const r: WindowResult = {
      key,
      start,
      end,
      count,
      sum: m ? m.sum : 0,
      mean: m && count ? m.mean : Number.NaN,
      variance: m && count ? m.variance : Number.NaN,
      std: m && count ? m.std : Number.NaN,
      min: m && count ? m.min : Number.NaN,
      max: m && count ? m.max : Number.NaN,
      rejected: m ? m.rejected : 0,
      update,
      watermark: this.#wm.value,
    };
    const qs = this.#o.quantiles;
    if (qs) {
      r.quantiles = q && q.count > 0 ? Array.from(q.quantiles(qs)) : qs.map(() => Number.NaN);
    }
    const rs = this.#o.reducers;
    if (rs && custom) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < rs.length; i++) out[this.#o.reducerNames[i]] = rs[i].result(custom[i]);
      r.custom = out;
    }
    return r;
  }

  emit(r: WindowResult): void {
    this.results++;
    if (r.update) this.updates++;
    const { onResult, bus } = this.#o;
    if (onResult) {
      // The caller's callback must not leave the processor half-updated (or,
      // from startTimer's timer, throw into the host): its error is reported
      // on the bus's error topic (or the console) and the stream goes on.
      try {
        onResult(r);
      } catch (error) {
        this.callbackErrors++;
        this.#reportCallbackError(error, r);
      }
    }
    bus?.emit(this.#o.topic, r);
    for (const q of this.#iterators) q.put(r);
  }

  #reportCallbackError(error: unknown, r: WindowResult): void {
    const bus = this.#o.bus;
    const payload = { source: 'stream.onResult', key: r.key, start: r.start, error };
    try {
      if (bus) bus.emitSync(bus.errorTopic, payload);
      else console.error('edgewise: StreamProcessor onResult threw', error);
    } catch {
      // The error topic itself is backed up: counted in stats.callbackErrors.
    }
  }

  /** An async iterator over results emitted from now on (`ended`: already over). */
  iterator(ended: boolean): AsyncIterableIterator<WindowResult> {
    const q = new ResultQueue(() => this.#iterators.delete(q));
    if (ended) q.end();
    else this.#iterators.add(q);
    return q;
  }

  /** Ends every iterator. */
  end(): void {
    for (const q of this.#iterators) q.end();
    this.#iterators.clear();
  }
}

/** One consumer's queue behind `results()`. */
class ResultQueue implements AsyncIterableIterator<WindowResult> {
  #buf: WindowResult[] = [];
  #waiting: Array<(r: IteratorResult<WindowResult>) => void> = [];
  #done = false;
  constructor(readonly onReturn: () => void) {}
  put(r: WindowResult): void {
    const w = this.#waiting.shift();
    if (w) w({ value: r, done: false });
    else this.#buf.push(r);
  }
  end(): void {
    this.#done = true;
    for (const w of this.#waiting) w({ value: undefined, done: true });
    this.#waiting = [];
  }
  next(): Promise<IteratorResult<WindowResult>> {
    if (this.#buf.length) return Promise.resolve({ value: this.#buf.shift()!, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => this.#waiting.push(r));
  }
  return(): Promise<IteratorResult<WindowResult>> {
    this.end();
    this.#buf = [];
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<WindowResult> {
    return this;
  }
}
