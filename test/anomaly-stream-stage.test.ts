import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import { detectOnWindows } from '../src/anomaly/stream-stage';
import { EventBus } from '../src/events/bus';
import type { AnomalyEvent } from '../src/events/topic-map';
import { StreamProcessor } from '../src/stream/processor';

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('detectOnWindows: streaming detection on stream-processor windows', () => {
  it("scores each key's window means and emits anomaly.<key> events on the bus", async () => {
    const bus = new EventBus();
    const events: Array<{ topic: string; e: AnomalyEvent }> = [];
    bus.on<AnomalyEvent>('anomaly.*', (e, topic) => {
      events.push({ topic: String(topic), e });
    });
    const stage = detectOnWindows(bus, { threshold: 0.99 });
    const proc = new StreamProcessor({ window: { type: 'tumbling', size: 60_000 }, bus });
    const t0 = Date.UTC(2024, 0, 1);
    const means: number[] = [];
    for (let m = 0; m < 2000; m++) {
      const level = 20 + 5 * Math.sin((2 * Math.PI * m) / 1440) + (m === 1800 ? 40 : 0);
      for (let s = 0; s < 3; s++) {
        const v = level + ((m * 31 + s * 7) % 11) / 10;
        proc.push({ timestamp: t0 + m * 60_000 + s * 20_000, value: v, key: 'dev.a' });
        proc.push({ timestamp: t0 + m * 60_000 + s * 20_000, value: 5, key: 'dev.b' });
      }
      means.push(level + (((m * 31) % 11) + ((m * 31 + 7) % 11) + ((m * 31 + 14) % 11)) / 30);
    }
    proc.flush();
    await settle();
    const spike = events.find(
      (x) => x.e.series === 'dev.a' && x.e.timestamp === t0 + 1801 * 60_000,
    );
    expect(spike, 'event for the spiked window').toBeDefined();
    expect(spike!.topic).toBe('anomaly.dev_a');
    expect(Object.keys(spike!.e.contributions)).toEqual(['seasonal', 'ewma', 'artime']);
    expect(events.some((x) => x.e.series === 'dev.b')).toBe(false); // constant series: no alarms
    // the per-key detector saw exactly the window means, in order
    const ref = new StreamingDetector();
    let refScore = 0;
    for (let m = 0; m <= 1800; m++) refScore = ref.update(means[m], t0 + (m + 1) * 60_000);
    expect(spike!.e.score).toBeCloseTo(refScore, 12);
    const snap = JSON.parse(JSON.stringify(stage.snapshot()));
    expect(Object.keys(snap).sort()).toEqual(['dev.a', 'dev.b']);
    stage.dispose();
    const again = detectOnWindows(bus);
    again.restore(snap);
    expect(Object.keys(again.snapshot()).sort()).toEqual(['dev.a', 'dev.b']);
    again.dispose();
  });

  it('rejects bad options', () => {
    const bus = new EventBus();
    expect(() => detectOnWindows(bus, { field: 'median' as 'mean' })).toThrowError(/field/);
    expect(() => detectOnWindows(bus, { threshold: 2 })).toThrowError(/threshold/);
  });
});
