/**
 * A `StreamProcessor` whose results are collected in order: `collectResults(options)`
 * returns the processor and the array its `onResult` pushes every `WindowResult` into.
 */
import { type StreamOptions, StreamProcessor, type WindowResult } from '../../src/stream/index';

export function collectResults(options: Omit<StreamOptions, 'onResult'>): {
  p: StreamProcessor;
  got: WindowResult[];
} {
  const got: WindowResult[] = [];
  const p = new StreamProcessor({ ...options, onResult: (r) => got.push(r) });
  return { p, got };
}
