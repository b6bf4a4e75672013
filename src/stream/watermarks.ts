import { describeValue, EdgewiseError } from '../errors';
import type { SourceStats, StreamSnapshot } from './types';

/** One input source: its largest event time, explicit watermark, activity. */
export interface SourceState {
  name: string;
  maxTs: number;
  explicitWm: number;
  lastSeen: number;
  finished: boolean;
  events: number;
}

/**
 * The stream's watermark and the sources that drive it. Each source's
 * watermark is `max event time seen - outOfOrderness` (or what
 * `advanceWatermark(t, source)` set); the stream's is the minimum over active
 * sources. Idle sources (nothing for `idleTimeout`, processing time) and
 * finished ones are left out; when every source is idle or finished it is the
 * maximum of their watermarks. In processing time it is the clock. The owner
 * moves `value` (never backwards) and fires the timers it passes.
 */
export class Watermarks {
  value = Number.NEGATIVE_INFINITY;
  sources = new Map<string, SourceState>();
  #list: SourceState[] = [];

  constructor(
    readonly bound: number,
    readonly idleTimeout: number,
    readonly clock: () => number,
    readonly processing: boolean,
  ) {}

  /** True when sources can go idle (the clock is read on input). */
  get timed(): boolean {
    return this.idleTimeout !== Number.POSITIVE_INFINITY;
  }

  /** The clock when idleness matters, else 0 (the clock is not read). */
  now(): number {
    return this.idleTimeout === Number.POSITIVE_INFINITY ? 0 : this.clock();
  }

  /** The source called `name`, registered on first use. */
  source(name: string): SourceState {
    if (typeof name !== 'string') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: source names are strings, got ${describeValue(name)}.`,
      );
    }
    let s = this.sources.get(name);
    if (!s) {
      s = {
        name,
        maxTs: Number.NEGATIVE_INFINITY,
        explicitWm: Number.NEGATIVE_INFINITY,
        lastSeen: this.now(),
        finished: false,
        events: 0,
      };
      this.sources.set(name, s);
      this.#list.push(s);
    }
    return s;
  }

  sourceWm(s: SourceState): number {
    return Math.max(s.maxTs - this.bound, s.explicitWm);
  }

  isIdle(s: SourceState, now: number): boolean {
    return this.idleTimeout !== Number.POSITIVE_INFINITY && now - s.lastSeen > this.idleTimeout;
  }

  /** The watermark the sources (or, in processing time, the clock) allow now. */
  target(): number {
    if (this.processing) return this.clock();
    const now = this.now();
    let minActive = Number.POSITIVE_INFINITY;
    let anyActive = false;
    let maxAll = Number.NEGATIVE_INFINITY;
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const wm = this.sourceWm(s);
      if (wm > maxAll) maxAll = wm;
      if (s.finished || this.isIdle(s, now)) continue;
      anyActive = true;
      if (wm < minActive) minActive = wm;
    }
    return anyActive ? minActive : maxAll;
  }

  stats(): SourceStats[] {
    return [...this.sources.values()].map((s) => ({
      name: s.name,
      maxTimestamp: s.maxTs,
      watermark: this.sourceWm(s),
      idle: this.isIdle(s, this.now()),
      finished: s.finished,
      events: s.events,
    }));
  }

  toSnapshot(): StreamSnapshot['sources'] {
    return [...this.sources.values()].map((s) => ({ ...s }));
  }

  /** Replaces the sources and the watermark (from a validated snapshot). */
  restore(sources: StreamSnapshot['sources'], watermark: number): void {
    this.sources = new Map(sources.map((s) => [s.name, { ...s }]));
    this.#list = [...this.sources.values()];
    this.value = watermark;
  }
}
