import { describe, expect, it } from 'vitest';
import { bridgeBus, EventBus } from '../src/events/index';
import { createRuntime } from '../src/index';
import { type HostAck, hostStream, StreamProcessor, type WindowResult } from '../src/stream/index';

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
