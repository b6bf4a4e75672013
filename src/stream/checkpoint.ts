import { checkSnapshot as codecCheck } from '../core/state-codec';
import { EdgewiseError } from '../errors';
import { type KeyState, newKeyState } from './keys';
import type { KeySnapshot, StreamSnapshot, WindowSpec } from './types';
import type { Watermarks } from './watermarks';
import type { WindowStrategy } from './windows/strategy';

/** Counters kept in snapshots. */
export interface Counters {
  events: number;
  late: number;
  results: number;
  updates: number;
}

/** What a checkpoint holds: the processor's state apart from its options. */
export interface CheckpointState {
  spec: WindowSpec;
  watermarks: Watermarks;
  counters: Counters;
  nextSeq: number;
  keys: Map<unknown, KeyState>;
  windows: WindowStrategy;
}

/**
 * The processor's state as a structured-clone-safe `StreamSnapshot` (format
 * 'edgewise.stream', version 1). Field order is part of the format: stored
 * checkpoints compare byte for byte (test/stream.checkpoint.test.ts).
 */
export function writeSnapshot(st: CheckpointState): StreamSnapshot {
  const keys: StreamSnapshot['keys'] = [];
  for (const ks of st.keys.values()) {
    const k: KeySnapshot = { key: ks.key, seq: ks.seq };
    st.windows.save(ks, k);
    keys.push(k);
  }
  return {
    format: 'edgewise.stream',
    version: 1,
    window: { ...st.spec },
    watermark: st.watermarks.value,
    counters: { ...st.counters },
    nextSeq: st.nextSeq,
    sources: st.watermarks.toSnapshot(),
    keys,
  };
}

/**
 * Checks a snapshot's envelope against this processor's window spec:
 * `CORRUPT_STATE` (not a snapshot, damaged), `UNSUPPORTED_VERSION`, or
 * `INVALID_ARGUMENT` (taken with another window).
 */
export function checkSnapshot(snap: StreamSnapshot, spec: WindowSpec): void {
  codecCheck(snap, {
    kind: 'edgewise.stream',
    kindField: 'format',
    version: 1,
    where: 'StreamProcessor.restore',
  });
  if (JSON.stringify(snap.window) !== JSON.stringify(spec)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor.restore: the snapshot's window ${JSON.stringify(snap.window)} differs from this processor's ${JSON.stringify(spec)}.`,
    );
  }
  if (!Array.isArray(snap.keys) || !Array.isArray(snap.sources) || !snap.counters) {
    throw new EdgewiseError('CORRUPT_STATE', 'StreamProcessor.restore: the snapshot is damaged.');
  }
}

/**
 * Decodes every key of a checked snapshot, all or nothing: on damage, frees
 * what it built and throws (`CORRUPT_STATE` unless a more precise
 * `EdgewiseError` came up).
 */
export function readKeys(snap: StreamSnapshot, windows: WindowStrategy): KeyState[] {
  const built: KeyState[] = [];
  try {
    for (const k of snap.keys) {
      const ks = newKeyState(k.key, k.seq);
      built.push(ks);
      windows.load(k, ks);
    }
  } catch (e) {
    for (const ks of built) windows.disposeKey(ks);
    if (e instanceof EdgewiseError) throw e;
    throw new EdgewiseError('CORRUPT_STATE', 'StreamProcessor.restore: the snapshot is damaged.', {
      cause: e,
    });
  }
  return built;
}
