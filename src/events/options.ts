/** Validation of the bus's and the subscriptions' options (priorities, sizes, overflow policies). */
import { describeValue, EdgewiseError } from '../errors';
import { type OverflowPolicy, PRIORITY, type Priority } from './types';

export function toPriority(p: Priority | undefined, where: string): number {
  if (p === undefined) return 0;
  if (typeof p === 'number' && Number.isFinite(p)) return p;
  if (typeof p === 'string' && Object.hasOwn(PRIORITY, p)) return PRIORITY[p];
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: priority must be 'low', 'normal', 'high', 'critical' or a finite number, got ${describeValue(p)}.`,
  );
}

export function positiveInt(v: unknown, dflt: number, name: string, where: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: ${name} must be a positive integer, got ${describeValue(v)}.`,
    );
  }
  return v;
}

export function overflowPolicy(
  v: unknown,
  dflt: OverflowPolicy,
  where: string,
  bus: boolean,
): OverflowPolicy {
  if (v === undefined) return dflt;
  if (v === 'block' || v === 'drop-oldest' || v === 'drop-newest' || (bus && v === 'caller-runs')) {
    return v;
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    bus
      ? `${where}: overflow must be 'caller-runs', 'block', 'drop-oldest' or 'drop-newest', got ${describeValue(v)}.`
      : `${where}: overflow must be 'block', 'drop-oldest' or 'drop-newest', got ${describeValue(v)}` +
          (v === 'caller-runs'
            ? " ('caller-runs' is a policy of the bus queue: new EventBus({ overflow: 'caller-runs' }))."
            : '.'),
  );
}
