import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../src/anomaly/index';
import { bridgeBus, EventBus } from '../src/events/index';
import { createRuntime } from '../src/index';
import { type HostAck, hostStream, StreamProcessor, type WindowResult } from '../src/stream/index';
import { serveWindowDetection } from '../src/threads/stream/index';

describe('hostStream over a MessageChannel', () => {
  it('runs a processor on the far side of a bridged bus and acknowledges control events', async () => {
    const ch = new MessageChannel();
    const far = hostStream(ch.port2);
    const bus = new EventBus();
    const stop = bridgeBus(bus, ch.port1, { forward: ['in.#', 'stream.#'] });
    const results: WindowResult[] = [];
    const acks: HostAck[] = [];
    bus.on('stream.window', (r: WindowResult) => results.push(r));
    bus.on('stream.ack', (a: HostAck) => acks.push(a));
    const settle = async (n: number) => {
      for (let i = 0; i < 200 && acks.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    };
    bus.emit('stream.flush'); // before start: acknowledged with an error
    await settle(1);
    expect(acks[0].error).toMatch(/start/);
    bus.emit('stream.start', { window: { type: 'tumbling', size: 10 }, inputs: [] });
    await settle(2);
    expect(acks[1].error).toMatch(/inputs/);
    bus.emit('stream.start', { window: { type: 'tumbling', size: 10 }, inputs: ['in.#'] });
    for (let t = 0; t < 50; t++) bus.emit('in.x', { timestamp: t, value: t, key: t % 2 });
    bus.emit('stream.flush');
    await settle(4);
    expect(acks[2].error).toBeUndefined();
    expect(acks[3]).toMatchObject({ op: 'flush' });
    expect(acks[3].stats!.events).toBe(50);
    expect(results).toHaveLength(10);
    expect(results.reduce((s, r) => s + r.sum, 0)).toBe((49 * 50) / 2);
    stop();
    far.dispose();
    ch.port1.close();
  });
});

describe('streaming detection hosted with the stream processor', () => {
  it('scores window results on the far side and sends anomaly.* events back; snapshots resume', async () => {
    const ch = new MessageChannel();
    const far = hostStream(ch.port2, { forward: ['anomaly.#', 'stream.detect.state'] });
    const stopServing = serveWindowDetection(far);
    const bus = new EventBus();
    const stop = bridgeBus(bus, ch.port1, { forward: ['in.#', 'stream.#'] });
    const acks: HostAck[] = [];
    const events: AnomalyEvent[] = [];
    const states: Record<string, unknown>[] = [];
    bus.on('stream.ack', (a: HostAck) => acks.push(a));
    bus.on('anomaly.#', (e: AnomalyEvent) => events.push(e));
    bus.on('stream.detect.state', (s: Record<string, unknown>) => states.push(s));
    const settle = async (ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    bus.emit('stream.detect', 'nonsense');
    await settle(() => acks.length >= 1);
    expect(acks[0]).toMatchObject({ op: 'detect', error: expect.stringMatching(/options object/) });
    bus.emit('stream.start', { window: { type: 'tumbling', size: 10 }, inputs: ['in.#'] });
    bus.emit('stream.detect', { field: 'mean', threshold: 0.99 });
    await settle(() => acks.length >= 3);
    expect(acks[2]).toMatchObject({ op: 'detect' });
    expect(acks[2].error).toBeUndefined();
    // A refused restore is acknowledged with its code and changes nothing: the
    // running detection goes on, and no second one is left listening (it would
    // double every event, checked below).
    bus.emit('stream.detect', {
      threshold: 0.99,
      restore: { b: { kind: 'StreamingDetector', version: 2, state: null } },
    });
    await settle(() => acks.length >= 4);
    expect(acks[3]).toMatchObject({ op: 'detect', code: 'CORRUPT_STATE' });
    // Two keys: a steady sine per key, and a level shift on key 'b' at t = 8000.
    for (let t = 0; t < 10_000; t++) {
      const base = Math.sin(t / 50) + ((t * 7919) % 13) / 13;
      bus.emit('in.x', { timestamp: t, value: base, key: 'a' });
      bus.emit('in.x', { timestamp: t, value: t >= 8000 && t < 8050 ? base + 40 : base, key: 'b' });
    }
    bus.emit('stream.flush');
    await settle(
      () => acks.length >= 6 && events.some((e) => e.series === 'b' && e.timestamp > 8000),
    );
    // (Alarms while the detectors warm up, in the first windows, are theirs to make.)
    const b = events.filter((e) => e.series === 'b' && e.timestamp >= 7000);
    expect(b.length).toBeGreaterThan(0);
    // The first alarm on 'b' after its warm-up is the window where the shift starts (end 8010).
    expect(b[0].timestamp).toBe(8010);
    expect(b[0].value).toBeGreaterThan(30);
    expect(b[0].score).toBeGreaterThanOrEqual(0.99);
    expect(Object.keys(b[0].contributions).length).toBeGreaterThan(0);
    expect(events.filter((e) => e.series === 'a' && e.timestamp >= 8000)).toEqual([]);
    for (const key of ['a', 'b']) {
      const ts = events.filter((e) => e.series === key).map((e) => e.timestamp);
      expect(new Set(ts).size).toBe(ts.length);
    }
    bus.emit('stream.detect.snapshot');
    await settle(() => states.length >= 1);
    expect(Object.keys(states[0]).sort()).toEqual(['a', 'b']);
    // Resume from the snapshots: detection continues with the learnt state.
    const n = acks.length;
    bus.emit('stream.detect', { threshold: 0.99, restore: states[0] });
    bus.emit('stream.detect.snapshot');
    await settle(() => acks.length > n && states.length >= 2);
    expect(acks[n]).toMatchObject({ op: 'detect' });
    expect(acks[n].error).toBeUndefined();
    expect(states[1]).toEqual(states[0]);
    stopServing();
    stop();
    far.dispose();
    ch.port1.close();
  });
});

describe('runtime and iterator plumbing', () => {
  it('createRuntime() provides rt.bus', async () => {
    const rt = await createRuntime();
    const got: unknown[] = [];
    rt.bus.on('a.#', (p) => got.push(p));
    rt.bus.emit('a.b', 1);
    await rt.bus.flush();
    expect(got).toEqual([1]);
    await rt.dispose();
    expect(() => rt.bus.emit('a.b', 2)).toThrow(/disposed/);
  });

  it('a results() iterator can stop early; others keep receiving', async () => {
    const p = new StreamProcessor({ window: { type: 'count', size: 1 } });
    const a = p.results();
    const b = p.results();
    p.push({ timestamp: 1, value: 1 });
    for await (const r of a) {
      expect(r.count).toBe(1);
      break; // calls return()
    }
    p.push({ timestamp: 2, value: 2 });
    p.close();
    const rest: number[] = [];
    for await (const r of b) rest.push(r.sum);
    expect(rest).toEqual([1, 2]);
    expect((await a.next()).done).toBe(true);
  });
});
