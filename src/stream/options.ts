import { describeValue, EdgewiseError } from '../errors';
import type { EventBus } from '../events/bus';
import { QuantileSketch, type QuantileSketchOptions } from '../kernels/quantile';
import type { AccConfig, Reducer } from './aggregate';
import type { Key, LateEvent, StreamEvent, StreamOptions, WindowResult, WindowSpec } from './types';
import { DEFAULT_MAX_PANES } from './windows/budget';

/** `StreamOptions` checked, with defaults filled in and the window geometry worked out. */
export interface Resolved<E> {
  spec: WindowSpec;
  kind: WindowSpec['type'];
  /** Tumbling / sliding: ms; count: events. */
  size: number;
  slide: number;
  offset: number;
  /** Pane length, gcd(size, slide) ms. */
  pane: number;
  panesPerWindow: number;
  panesPerSlide: number;
  gap: number;
  keyFn: (e: E) => Key;
  tsFn: (e: E) => number;
  valueFn: (e: E) => number;
  processing: boolean;
  bound: number;
  idleTimeout: number;
  lateness: number;
  reducerNames: string[];
  reducers: Reducer[] | null;
  quantiles: number[] | null;
  cfg: AccConfig;
  maxPanes: number;
  bus: EventBus | undefined;
  topic: string;
  lateTopic: string;
  onResult: ((r: WindowResult) => void) | undefined;
  onLate: ((l: LateEvent<E>) => void) | undefined;
  clock: () => number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function positive(v: unknown, name: string, integer = false): number {
  if (
    typeof v !== 'number' ||
    !(v > 0) ||
    !Number.isFinite(v) ||
    (integer && !Number.isInteger(v))
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: window ${name} must be a positive ${integer ? 'integer' : 'finite number'} (ms for time windows), got ${describeValue(v)}.`,
    );
  }
  return v;
}

function nonNegative(v: unknown, dflt: number, name: string, allowInf = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || (!allowInf && !Number.isFinite(v))) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: ${name} must be a non-negative number of ms${allowInf ? ' (or Infinity)' : ''}, got ${describeValue(v)}.`,
    );
  }
  return v;
}

const defaultKey = (e: unknown): Key => (e as StreamEvent).key ?? '';
const defaultTs = (e: unknown): number => (e as StreamEvent).timestamp;
const defaultValue = (e: unknown): number => (e as StreamEvent).value;

type Geometry = Pick<
  Resolved<unknown>,
  | 'spec'
  | 'kind'
  | 'size'
  | 'slide'
  | 'offset'
  | 'pane'
  | 'panesPerWindow'
  | 'panesPerSlide'
  | 'gap'
>;

/** The window spec, checked: sizes, slide, offset, gap, and the pane geometry. */
function geometry(w: WindowSpec): Geometry {
  const g: Geometry = {
    spec: { ...w },
    kind: w.type,
    size: 0,
    slide: 0,
    offset: 0,
    pane: 0,
    panesPerWindow: 1,
    panesPerSlide: 1,
    gap: 0,
  };
  switch (w.type) {
    case 'tumbling':
    case 'sliding': {
      g.size = positive(w.size, 'size');
      g.slide = w.type === 'sliding' ? positive(w.slide, 'slide') : g.size;
      if (g.slide > g.size) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: sliding window slide (${g.slide}) must not exceed size (${g.size}).`,
        );
      }
      g.offset = w.offset ?? 0;
      if (!Number.isFinite(g.offset)) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          'StreamProcessor: window offset must be finite.',
        );
      }
      if (!Number.isInteger(g.size) || !Number.isInteger(g.slide)) {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          'StreamProcessor: window size and slide must be whole milliseconds.',
        );
      }
      g.pane = gcd(g.size, g.slide);
      g.panesPerWindow = g.size / g.pane;
      g.panesPerSlide = g.slide / g.pane;
      break;
    }
    case 'session':
      g.gap = positive(w.gap, 'gap');
      break;
    case 'count':
      g.size = positive(w.size, 'size', true);
      break;
    default:
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: window type must be 'tumbling', 'sliding', 'session' or 'count', got ${describeValue((w as { type: unknown }).type)}.`,
      );
  }
  return g;
}

/** Custom reducers, checked (sessions and multi-pane sliding windows need `merge`). */
function checkReducers(reducers: Record<string, Reducer>, g: Geometry): string[] {
  const names = Object.keys(reducers);
  for (const n of names) {
    const r = reducers[n];
    if (
      !r ||
      typeof r.create !== 'function' ||
      typeof r.add !== 'function' ||
      typeof r.result !== 'function'
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: reducer '${n}' needs create(), add(state, value, event) and result(state).`,
      );
    }
    const needsMerge = g.kind === 'session' || (g.kind === 'sliding' && g.panesPerWindow > 1);
    if (needsMerge && typeof r.merge !== 'function') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: reducer '${n}' needs merge(a, b) for ${g.kind} windows (they combine partial states).`,
      );
    }
  }
  return names;
}

/**
 * Checks `StreamOptions` (in a fixed order, so the first problem is the one
 * reported) and fills in the defaults. Throws `INVALID_ARGUMENT`.
 */
export function resolveOptions<E>(options: StreamOptions<E>): Resolved<E> {
  if (options === null || typeof options !== 'object' || typeof options.window !== 'object') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      "StreamProcessor: pass options with a window, e.g. { window: { type: 'tumbling', size: 60000 } }.",
    );
  }
  const g = geometry(options.window);
  for (const [name, fn] of [
    ['key', options.key],
    ['timestamp', options.timestamp],
    ['value', options.value],
    ['onResult', options.onResult],
    ['onLate', options.onLate],
    ['clock', options.clock],
  ] as const) {
    if (fn !== undefined && typeof fn !== 'function') {
      throw new EdgewiseError('INVALID_ARGUMENT', `StreamProcessor: ${name} must be a function.`);
    }
  }
  if (options.time !== undefined && options.time !== 'event' && options.time !== 'processing') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: time must be 'event' or 'processing', got ${describeValue(options.time)}.`,
    );
  }
  const bound = nonNegative(options.outOfOrderness, 0, 'outOfOrderness');
  const idleTimeout = nonNegative(
    options.idleTimeout,
    Number.POSITIVE_INFINITY,
    'idleTimeout',
    true,
  );
  const lateness = nonNegative(options.allowedLateness, 0, 'allowedLateness');
  const reducerMap = options.reducers ?? {};
  const reducerNames = checkReducers(reducerMap, g);
  const reducers = reducerNames.length ? reducerNames.map((n) => reducerMap[n]) : null;
  const qs = options.quantiles;
  if (qs !== undefined) {
    if (!Array.isArray(qs) || qs.some((q) => typeof q !== 'number' || !(q >= 0 && q <= 1))) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: quantiles must be an array of numbers in [0, 1], e.g. [0.5, 0.95], got ${describeValue(qs)}.`,
      );
    }
  }
  const quantiles = qs?.length ? [...qs] : null;
  let sketch: QuantileSketchOptions | null = null;
  if (quantiles) {
    sketch = { ...(options.sketch ?? {}) };
    new QuantileSketch(sketch).dispose(); // validates the options now
  }
  const maxPanes = options.maxPanes ?? DEFAULT_MAX_PANES;
  if (typeof maxPanes !== 'number' || !Number.isInteger(maxPanes) || maxPanes < 1) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor: maxPanes must be a positive integer, got ${describeValue(maxPanes)}.`,
    );
  }
  return {
    ...g,
    keyFn: options.key ?? (defaultKey as (e: E) => Key),
    tsFn: options.timestamp ?? (defaultTs as (e: E) => number),
    valueFn: options.value ?? (defaultValue as (e: E) => number),
    processing: options.time === 'processing',
    bound,
    idleTimeout,
    lateness,
    reducerNames,
    reducers,
    quantiles,
    cfg: { reducers, sketch },
    maxPanes,
    bus: options.bus,
    topic: options.topic ?? 'stream.window',
    lateTopic: options.lateTopic ?? 'stream.late',
    onResult: options.onResult,
    onLate: options.onLate,
    clock: options.clock ?? Date.now,
  };
}
