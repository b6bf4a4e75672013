import type { AccConfig } from '../aggregate';
import type { KeyState } from '../keys';
import type { Output } from '../output';
import type { Timer, TimerHeap } from '../timers';
import type { KeySnapshot } from '../types';

/** What a window strategy gets from the processor. */
export interface WindowContext {
  /** What each window aggregate computes besides moments. */
  cfg: AccConfig;
  /** Allowed lateness, ms. */
  lateness: number;
  /** The processor's event-time timers (fired in watermark order). */
  timers: TimerHeap<KeyState>;
  /** Builds and delivers results. */
  out: Output;
}

/**
 * One way of cutting a key's events into windows (tumbling, sliding, session,
 * count): where an event goes, what a due timer does, and the strategy's part
 * of a key's state in snapshots. The processor owns keys, watermarks, timers
 * and outputs, and calls these.
 */
export interface WindowStrategy {
  /** False for windows that ignore event time (count): no watermark, no timers. */
  readonly eventTime: boolean;
  /**
   * Adds one event at time `t` with watermark `W`; returns false when it is
   * too late for every window it belongs to (the processor reports it late).
   */
  add(ks: KeyState, t: number, v: number, ev: unknown, W: number): boolean;
  /** A timer of this key came due; `W` is the new watermark. */
  onTimer(ks: KeyState, tm: Timer<KeyState>, W: number): void;
  /** End of input (strategies without event time): emits the key's open window. */
  flushKey(ks: KeyState): void;
  /** Panes, sessions or count buffers holding state (`stats.openStates`). */
  openStates(ks: KeyState): number;
  /** Whether the key still holds anything (else the processor drops it). */
  holds(ks: KeyState): boolean;
  /** Writes the key's state into its snapshot entry. */
  save(ks: KeyState, k: KeySnapshot): void;
  /** Reads the key's state from a snapshot entry (throws on damage; `disposeKey` frees a partial read). */
  load(k: KeySnapshot, ks: KeyState): void;
  /** After a restore: the key's timers, from its state and the watermark. */
  rearm(ks: KeyState, W: number): void;
  /** Frees the key's kernel states. */
  disposeKey(ks: KeyState): void;
  /** Frees the strategy's own kernel memory. */
  dispose(): void;
}
