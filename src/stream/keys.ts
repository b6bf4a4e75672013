import type { Acc } from './aggregate';
import type { Key } from './types';
import type { SlidingPanes } from './windows/panes';

/** One session window of a key: `[start, end)`, its aggregate and what it supersedes. */
export interface Session {
  start: number;
  end: number;
  acc: Acc;
  emitted: boolean;
  /** Previously emitted ranges this session supersedes. */
  replaces: Array<{ start: number; end: number }>;
}

/** The open count window of a key: events so far, first and last event time. */
export interface CountState {
  n: number;
  first: number;
  last: number;
  acc: Acc;
}

/**
 * The state of one key. Each window strategy uses its own slots (one shape
 * for every key, whatever the strategy); `seq` orders keys by creation, which
 * orders results at equal times.
 */
export interface KeyState {
  key: Key;
  seq: number;
  /** Tumbling windows (one pane per window): panes by index. */
  panes: Map<number, Acc> | null;
  /** Tumbling windows with a pending fire timer. */
  registered: Set<number> | null;
  /** Tumbling windows fired and still within the allowed lateness. */
  emitted: Set<number> | null;
  sessions: Session[] | null;
  count: CountState | null;
  /** Sliding windows of more than one pane: panes and their Two-Stacks aggregates. */
  sliding: SlidingPanes | null;
}

export function newKeyState(key: Key, seq: number): KeyState {
  return {
    key,
    seq,
    panes: null,
    registered: null,
    emitted: null,
    sessions: null,
    count: null,
    sliding: null,
  };
}
