import type { EventBus } from '../events/bus';
import type { Key, LateEvent } from './types';

/**
 * The late side output: events too late for every window they belong to
 * (beyond `allowedLateness`) go to `onLate` and the bus's late topic and are
 * counted (`stats.late`), never silently dropped.
 */
export class LateOutput<E> {
  count = 0;

  constructor(
    readonly onLate: ((late: LateEvent<E>) => void) | undefined,
    readonly bus: EventBus | undefined,
    readonly topic: string,
  ) {}

  /** Reports one late event (columnar input, `ev` null: reported as `{ timestamp, value, key }`). */
  report(ev: unknown, key: Key, t: number, v: number, source: string, watermark: number): void {
    this.count++;
    const event = (ev ?? { timestamp: t, value: v, key }) as E;
    const late: LateEvent<E> = { event, key, timestamp: t, source, watermark };
    this.onLate?.(late);
    this.bus?.emit(this.topic, late);
  }
}
