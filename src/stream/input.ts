import { describeValue, EdgewiseError } from '../errors';
import type { Resolved } from './options';
import type { Key } from './types';

/** Throws for event `i` whose value extractor returned a non-number. */
function badValue(i: number, v: unknown): never {
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `StreamProcessor: event ${i} has value ${describeValue(v)}; the value extractor must return a number ` +
      '(NaN and ±Infinity are accepted and counted in `rejected`).',
  );
}

/** Checks a batch before any of it is used: finite timestamps, string or number keys. */
function validateBatch(ts: ArrayLike<number>, ks: ArrayLike<Key> | undefined, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StreamProcessor: event ${i} has timestamp ${describeValue(t)}; pass finite epoch milliseconds ` +
          '(or set the timestamp extractor).',
      );
    }
    if (ks !== undefined) {
      const k = ks[i];
      if (typeof k !== 'string' && typeof k !== 'number') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `StreamProcessor: event ${i} has key ${describeValue(k)}; keys must be strings or numbers.`,
        );
      }
    }
  }
}

/** Input columns after validation (`events` null: columnar input). */
export interface Batch<E> {
  ts: ArrayLike<number>;
  vs: ArrayLike<number>;
  ks: ArrayLike<Key> | undefined;
  events: readonly E[] | null;
}

type Extractors<E> = Pick<Resolved<E>, 'keyFn' | 'tsFn' | 'valueFn' | 'processing' | 'clock'>;

/** One event through the extractors (processing time: the clock), validated. */
export function eventInput<E>(o: Extractors<E>, event: E): Batch<E> {
  const t = o.processing ? o.clock() : o.tsFn(event);
  const v = o.valueFn(event);
  if (typeof v !== 'number') badValue(0, v);
  const k = o.keyFn(event);
  const ts = [t];
  const ks = [k];
  validateBatch(ts, ks, 1);
  return { ts, vs: [v], ks, events: [event] };
}

/** A batch of events through the extractors, validated as a whole. */
export function eventsInput<E>(o: Extractors<E>, events: readonly E[]): Batch<E> {
  if (!Array.isArray(events)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `StreamProcessor.pushMany: pass an array of events, got ${describeValue(events)}.`,
    );
  }
  const n = events.length;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  const ks: Key[] = new Array(n);
  const now = o.processing ? o.clock() : 0;
  for (let i = 0; i < n; i++) {
    const e = events[i];
    ts[i] = o.processing ? now : o.tsFn(e);
    const v = o.valueFn(e);
    if (typeof v !== 'number') badValue(i, v);
    vs[i] = v;
    ks[i] = o.keyFn(e);
  }
  validateBatch(ts, ks, n);
  return { ts, vs, ks, events };
}

/** Columns `timestamps[i], values[i], keys?.[i]`, validated (processing time: the clock). */
export function columnsInput<E>(
  o: Extractors<E>,
  columns: { timestamps: ArrayLike<number>; values: ArrayLike<number>; keys?: ArrayLike<Key> },
): Batch<E> {
  const { timestamps, values, keys } = columns ?? ({} as never);
  if (
    !timestamps ||
    !values ||
    typeof timestamps.length !== 'number' ||
    values.length !== timestamps.length ||
    (keys !== undefined && keys.length !== timestamps.length)
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'StreamProcessor.pushColumns: pass { timestamps, values, keys? } of equal lengths.',
    );
  }
  const n = timestamps.length;
  let ts = timestamps;
  if (o.processing) ts = new Float64Array(n).fill(o.clock());
  for (let i = 0; i < n; i++) if (typeof values[i] !== 'number') badValue(i, values[i]);
  validateBatch(ts, keys, n);
  return { ts, vs: values, ks: keys, events: null };
}
