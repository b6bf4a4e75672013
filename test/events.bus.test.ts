import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { isEdgewiseError } from '../src/errors';
import {
  type AnomalyEvent,
  bridgeBus,
  type DropEvent,
  type EdgewiseTopics,
  EventBus,
  type HandlerErrorEvent,
} from '../src/events/index';
import { expectCode } from './helpers/errors';

/** Reference matcher: plain backtracking over segment arrays (independent of the trie). */
function naiveMatch(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.split('.');
  const t = topic.split('.');
  const m = (i: number, j: number): boolean => {
    if (i === p.length) return j === t.length;
    if (p[i] === '#') {
      for (let k = j; k <= t.length; k++) if (m(i + 1, k)) return true;
      return false;
    }
    if (j === t.length) return false;
    return (p[i] === '*' || p[i] === t[j]) && m(i + 1, j + 1);
  };
  return m(0, 0);
}

describe('EventBus patterns', () => {
  it('exact, *, # and the lone * match as documented', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('sensor.temp', (_p, t) => seen.push(`exact:${t}`));
    bus.on('sensor.*', (_p, t) => seen.push(`star:${t}`));
    bus.on('sensor.#', (_p, t) => seen.push(`hash:${t}`));
    bus.on('*', (_p, t) => seen.push(`all:${t}`));
    bus.emitSync('sensor.temp', 1);
    bus.emitSync('sensor', 1);
    bus.emitSync('sensor.temp.kitchen', 1);
    bus.emitSync('other', 1);
    expect(seen).toEqual([
      'exact:sensor.temp',
      'star:sensor.temp',
      'hash:sensor.temp',
      'all:sensor.temp',
      'hash:sensor',
      'all:sensor',
      'hash:sensor.temp.kitchen',
      'all:sensor.temp.kitchen',
      'all:other',
    ]);
  });

  it('the trie agrees with a regular-expression matcher on random patterns and topics', () => {
    const seg = fc.constantFrom('a', 'b', 'c');
    const pseg = fc.constantFrom('a', 'b', 'c', '*', '#');
    fc.assert(
      fc.property(
        fc.array(fc.array(pseg, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.array(seg, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 }),
        (pats, tops) => {
          const bus = new EventBus();
          const patterns = pats.map((p) => p.join('.'));
          const hits = new Map<number, string[]>();
          patterns.forEach((p, i) => {
            bus.on(p, (_x, t) => {
              hits.set(i, [...(hits.get(i) ?? []), t]);
            });
          });
          const topics = tops.map((t) => t.join('.'));
          for (const t of topics) bus.emitSync(t);
          patterns.forEach((p, i) => {
            expect(hits.get(i) ?? []).toEqual(topics.filter((t) => naiveMatch(p, t)));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects bad patterns and topics, changing nothing', () => {
    const bus = new EventBus();
    for (const p of ['', 'a..b', 'a.**', 'a.b*', 42]) {
      expect(() => bus.on(p as string, () => {})).toThrow(/pattern|'\*\*'/);
    }
    expect(() => bus.emit('a.*', 1)).toThrow(/wildcard/);
    expect(() => bus.emitSync('', 1)).toThrow(/non-empty topic/);
    expect(() => bus.on('a', 'nope' as never)).toThrow(/handler function/);
    expect(() => bus.on('a', () => {}, { priority: 'urgent' as never })).toThrow(/priority/);
    expect(() => bus.on('a', () => {}, { overflow: 'spill' as never })).toThrow(/overflow/);
    expect(() => new EventBus({ capacity: 0 })).toThrow(/capacity/);
    expect(bus.stats.subscriptions).toBe(0);
    expect(bus.stats.emitted).toBe(0);
  });
});

describe('EventBus topic validation with the last-topic cache', () => {
  it('emit and emitSync validate the topic on every call, on a fresh bus and after subscribing', () => {
    for (const fresh of [true, false]) {
      const bus = new EventBus();
      if (!fresh) {
        bus.emit('a.b', 1);
        bus.on('a.*', () => {});
      }
      for (const bad of ['', 'a.*', 'a.#', undefined, 42]) {
        expect(() => bus.emit(bad as string, 1)).toThrow(/topic/);
        expect(() => bus.emitSync(bad as string, 1)).toThrow(/topic/);
      }
      expect(bus.stats.emitted).toBe(fresh ? 0 : 1);
    }
  });
});

describe('EventBus dispatch', () => {
  it('runs handlers in priority order, ties in subscription order', () => {
    const bus = new EventBus();
    const order: string[] = [];
    bus.on('t', () => order.push('normal1'));
    bus.on('t', () => order.push('low'), { priority: 'low' });
    bus.on('#', () => order.push('high-wild'), { priority: 'high' });
    bus.on('t', () => order.push('normal2'));
    bus.on('t', () => order.push('n5'), { priority: 5 });
    bus.emitSync('t');
    expect(order).toEqual(['high-wild', 'n5', 'normal1', 'normal2', 'low']);
  });

  it('queues asynchronously, higher-priority events first, FIFO within a priority', async () => {
    const bus = new EventBus();
    const got: number[] = [];
    bus.on('x', (p: number) => got.push(p));
    bus.emit('x', 1);
    bus.emit('x', 2, { priority: 'low' });
    bus.emit('x', 3, { priority: 'critical' });
    bus.emit('x', 4);
    bus.emit('x', 5, { priority: 'critical' });
    bus.emit('x', 6, { priority: 7 });
    expect(got).toEqual([]); // nothing synchronous
    await bus.flush();
    expect(got).toEqual([3, 5, 6, 1, 4, 2]);
  });

  it('dispatches large floods in batches and flush waits for all of them', async () => {
    const bus = new EventBus({ batchSize: 100, capacity: 1_000_000 });
    let n = 0;
    let sum = 0;
    bus.on('x', (p: number) => {
      n++;
      sum += p;
    });
    for (let i = 0; i < 10_000; i++) bus.emit('x', i);
    await bus.flush();
    expect(n).toBe(10_000);
    expect(sum).toBe((10_000 * 9_999) / 2);
    expect(bus.stats.dispatched).toBe(10_000);
  });

  it('filter, once, off and AbortSignal', async () => {
    const bus = new EventBus();
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    const ctl = new AbortController();
    const h = (p: number) => a.push(p);
    bus.on('v', h, { filter: (p: number) => p > 1 });
    bus.once('v', (p: number) => b.push(p));
    bus.on('v', (p: number) => c.push(p), { signal: ctl.signal });
    bus.emitSync('v', 1);
    bus.emitSync('v', 2);
    ctl.abort();
    bus.emitSync('v', 3);
    expect(bus.off('v', h as never)).toBe(1);
    bus.emitSync('v', 4);
    expect(a).toEqual([2, 3]);
    expect(b).toEqual([1]);
    expect(c).toEqual([1, 2]);
    const unsub = bus.on('v', (p: number) => a.push(p * 10));
    unsub();
    unsub(); // idempotent
    bus.emitSync('v', 5);
    expect(a).toEqual([2, 3]);
    const aborted = new AbortController();
    aborted.abort();
    bus.on('v', () => a.push(-1), { signal: aborted.signal });
    bus.emitSync('v', 6);
    expect(a).toEqual([2, 3]);
    expect(bus.stats.subscriptions).toBe(0);
  });

  it('isolates handler errors and reports them on the error topic with the handler identity', async () => {
    const bus = new EventBus();
    const errors: HandlerErrorEvent[] = [];
    bus.on('error', (e: HandlerErrorEvent) => errors.push(e));
    const got: string[] = [];
    bus.on('job.*', function failing() {
      throw new Error('boom');
    });
    bus.on('job.*', (_p, t) => got.push(t));
    bus.on('job.*', async () => {
      throw new Error('async boom');
    });
    bus.on('job.*', () => got.push('third'), {
      filter: () => {
        throw new Error('bad filter');
      },
    });
    bus.emit('job.a', 1);
    bus.emitSync('job.b', 2);
    await bus.flush();
    expect(got).toEqual(['job.b', 'job.a']);
    expect(errors.map((e) => (e.error as Error).message).sort()).toEqual([
      'async boom',
      'async boom',
      'bad filter',
      'bad filter',
      'boom',
      'boom',
    ]);
    const sync = errors.find((e) => (e.error as Error).message === 'boom')!;
    expect(sync.handler).toBe('failing');
    expect(sync.pattern).toBe('job.*');
    expect(['job.a', 'job.b']).toContain(sync.topic);
    expect(bus.stats.errors).toBe(6);
  });

  it('without an error subscriber, errors go to console.error (never silent)', () => {
    const bus = new EventBus();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    bus.on('a', () => {
      throw new Error('x');
    });
    bus.emitSync('a');
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});

describe('EventBus typed topics', () => {
  // The type assertions below are checked by `tsc --noEmit` (test/ is in the
  // project): each @ts-expect-error line must be a type error, or tsc fails.
  it('types the payloads of the topic map; other topics stay open', async () => {
    interface AppTopics extends EdgewiseTopics {
      'sensor.temp': { ts: number; value: number };
    }
    const bus = new EventBus<AppTopics>();
    const seen: string[] = [];
    bus.on('anomaly.*', (e) => {
      const a: AnomalyEvent = e; // the handler gets an AnomalyEvent
      seen.push(`${a.series}:${a.score}`);
    });
    bus.on('sensor.temp', (e) => seen.push(`temp ${e.value.toFixed(1)}`));
    bus.on('free.*', (e) => seen.push(`free ${String(e)}`)); // untyped topic: unknown
    const ev: AnomalyEvent = {
      series: 'cpu',
      timestamp: 1,
      value: 9,
      score: 0.999,
      contributions: {},
    };
    bus.emit('anomaly.cpu', ev);
    bus.emit('sensor.temp', { ts: 1, value: 21.54 });
    bus.emit('free.x', 42);
    // Never called: tsc checks that each of these is a type error.
    const refused = (): void => {
      // @ts-expect-error: anomaly.* carries an AnomalyEvent
      bus.emit('anomaly.cpu', { i: 1, score: 0.9 });
      // @ts-expect-error: sensor.temp needs { ts, value }
      bus.emitSync('sensor.temp', { value: 'hot' });
      // @ts-expect-error: a typed topic needs its payload
      bus.emit('sensor.temp');
      // @ts-expect-error: a handler annotated with another payload type is refused
      bus.on('anomaly.#', (e: { i: number }) => e.i);
    };
    expect(typeof refused).toBe('function');
    await bus.flush();
    expect(seen).toEqual(['cpu:0.999', 'temp 21.5', 'free 42']);
  });
});

describe('EventBus backpressure', () => {
  it('bus queue drop-newest and drop-oldest count what they drop', async () => {
    for (const overflow of ['drop-newest', 'drop-oldest'] as const) {
      const bus = new EventBus({ capacity: 10, overflow });
      const got: number[] = [];
      bus.on('x', (p: number) => got.push(p));
      for (let i = 0; i < 25; i++) bus.emit('x', i);
      await bus.flush();
      expect(bus.stats.dropped).toBe(15);
      expect(got).toEqual(
        overflow === 'drop-newest'
          ? [...Array(10).keys()]
          : [...Array(10).keys()].map((i) => i + 15),
      );
    }
  });

  it("bus queue 'block': emit returns a promise once full and nothing is lost", async () => {
    // 'block' is no longer the default bus policy ('caller-runs' is): opt in
    const bus = new EventBus({ capacity: 8, overflow: 'block' });
    const got: number[] = [];
    bus.on('x', (p: number) => got.push(p));
    let waited = 0;
    for (let i = 0; i < 100; i++) {
      const p = bus.emit('x', i);
      if (p) {
        waited++;
        await p;
      }
      expect(bus.stats.queued).toBeLessThanOrEqual(8);
    }
    await bus.flush();
    expect(waited).toBeGreaterThan(0);
    expect(got).toEqual([...Array(100).keys()]);
    expect(bus.stats.dropped).toBe(0);
  });

  it('a slow async handler with drop-oldest / drop-newest keeps memory bounded and counts drops', async () => {
    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      const bus = new EventBus();
      const got: number[] = [];
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const sub = bus.on(
        'x',
        async (p: number) => {
          await gate;
          got.push(p);
        },
        { maxPending: 5, overflow },
      );
      const fast: number[] = [];
      bus.on('x', (p: number) => fast.push(p));
      for (let i = 0; i < 50; i++) bus.emit('x', i);
      await new Promise((r) => setTimeout(r, 5));
      expect(fast.length).toBe(50); // other subscribers are not held up
      expect(sub.stats.pending).toBe(5);
      expect(sub.stats.inflight).toBe(1);
      expect(sub.stats.dropped).toBe(44);
      release();
      await bus.flush();
      expect(got).toEqual(
        overflow === 'drop-oldest' ? [0, 45, 46, 47, 48, 49] : [0, 1, 2, 3, 4, 5],
      );
      expect(bus.stats.droppedBySubscriptions).toBe(44);
    }
  });

  it("a slow async handler with 'block' pauses dispatch, fills the queue and blocks emit", async () => {
    const bus = new EventBus({ capacity: 16 });
    const got: number[] = [];
    bus.on(
      'x',
      async (p: number) => {
        await new Promise((r) => setTimeout(r, 0));
        got.push(p);
      },
      { maxPending: 4 },
    );
    let maxQueued = 0;
    let blocked = 0;
    for (let i = 0; i < 200; i++) {
      const w = bus.emit('x', i);
      if (w) {
        blocked++;
        await w;
      }
      maxQueued = Math.max(maxQueued, bus.stats.queued);
    }
    await bus.flush();
    expect(blocked).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(16);
    expect(got).toEqual([...Array(200).keys()]);
    expect(bus.stats.dropped + bus.stats.droppedBySubscriptions).toBe(0);
  });

  it('default bus, 1,000,000-event synchronous burst: 0 lost, each delivered once, in order per priority', async () => {
    // issue #18 item 8: the default bus dropped 87% of this burst and emit said nothing
    const bus = new EventBus();
    const n = 1_000_000;
    const prios = ['low', 'normal', 'high', 'critical'] as const;
    const seen = prios.map(() => [] as number[]);
    let count = 0;
    bus.on('burst.x', (p: number) => {
      seen[p & 3].push(p);
      count++;
    });
    let notUndefined = 0;
    let maxQueued = 0;
    for (let i = 0; i < n; i++) {
      const r = bus.emit('burst.x', i, { priority: prios[i & 3] });
      if (r !== undefined) notUndefined++;
      if ((i & 1023) === 0) maxQueued = Math.max(maxQueued, bus.stats.queued);
    }
    expect(notUndefined).toBe(0); // accepted every time, no promise per event
    expect(count).toBeGreaterThan(0); // caller-runs dispatched inline while the burst ran
    expect(maxQueued).toBeLessThanOrEqual(65_536);
    await bus.flush();
    expect(count).toBe(n);
    for (let k = 0; k < 4; k++) {
      const xs = seen[k];
      expect(xs.length).toBe(n / 4);
      let ok = true;
      for (let j = 0; j < xs.length; j++) if (xs[j] !== j * 4 + k) ok = false;
      expect(ok).toBe(true); // exactly once and FIFO within the priority
    }
    const st = bus.stats;
    expect(st.dropped + st.droppedBySubscriptions).toBe(0);
    expect(st.emitted).toBe(n);
    expect(st.dispatched).toBe(n);
    expect(st.dispatchedInline).toBeGreaterThan(n / 2);
    expect(st.overCapacity).toBe(0);
  });

  it('caller-runs: a full queue makes emit dispatch the oldest events inline, never a promise', async () => {
    const bus = new EventBus({ capacity: 8, batchSize: 3 });
    const got: number[] = [];
    bus.on('x', (p: number) => got.push(p));
    bus.emit('x', -2, { priority: 'low' });
    bus.emit('x', -1, { priority: 'high' });
    for (let i = 0; i < 100; i++) {
      expect(bus.emit('x', i)).toBeUndefined();
      expect(bus.stats.queued).toBeLessThanOrEqual(8);
    }
    const inline = got.length;
    expect(inline).toBeGreaterThanOrEqual(100 + 2 - 8);
    expect(got[0]).toBe(-1); // the inline batches keep priority order
    await bus.flush();
    expect(got.filter((x) => x >= 0)).toEqual([...Array(100).keys()]);
    expect(got).toHaveLength(102);
    expect(got.at(-1)).toBe(-2);
    expect(bus.stats.dispatchedInline).toBe(inline);
  });

  it('a handler that emits while the queue is full queues beyond capacity instead of dropping', async () => {
    const bus = new EventBus({ capacity: 4 });
    const b: number[] = [];
    bus.on('a', (p: number) => {
      for (let k = 0; k < 10; k++) bus.emit('b', p * 10 + k);
    });
    bus.on('b', (p: number) => b.push(p));
    for (let i = 0; i < 20; i++) bus.emit('a', i);
    await bus.flush();
    expect(b).toEqual([...Array(200).keys()]);
    expect(bus.stats.overCapacity).toBeGreaterThan(0);
    expect(bus.stats.dropped).toBe(0);
  });

  it("an emit into a full queue from a buffered handler call does not overtake that subscription's pending events", async () => {
    const bus = new EventBus({ capacity: 3 });
    const got: number[] = [];
    bus.on('x', (p: number) => {
      got.push(p);
      if (p === 0) return new Promise((r) => setTimeout(r, 5));
      if (p === 1) for (let k = 100; k < 104; k++) bus.emit('x', k);
      return undefined;
    });
    for (let i = 0; i < 3; i++) bus.emit('x', i);
    await bus.flush();
    expect(got).toEqual([0, 1, 2, 100, 101, 102, 103]);
    expect(bus.stats.overCapacity).toBe(1);
  });

  it('subscribers are those at dispatch time, also for events queued before a subscribe / unsubscribe', async () => {
    const bus = new EventBus();
    const a: number[] = [];
    const b: number[] = [];
    const offA = bus.on('q.*', (p: number) => a.push(p));
    bus.emit('q.x', 1);
    bus.emit('q.x', 2);
    bus.on('q.x', (p: number) => b.push(p));
    offA();
    bus.emit('q.x', 3);
    await bus.flush();
    expect(a).toEqual([]);
    expect(b).toEqual([1, 2, 3]);
  });

  it('emitSync into an async handler: none lost; a full buffer throws QUOTA_EXCEEDED before dispatching', async () => {
    // issue #18 item 8: emitSync to an async handler dropped 998,975 of 1,000,000
    const bus = new EventBus();
    const n = 1_000_000;
    let next = 0;
    let ok = true;
    bus.on('s.x', async (p: number) => {
      if (p !== next++) ok = false;
    });
    let sync = 0;
    bus.on('s.x', () => {
      sync++;
    });
    let refusals = 0;
    let i = 0;
    while (i < n) {
      try {
        if (!bus.emitSync('s.x', i)) ok = false;
        i++;
      } catch (e) {
        refusals++;
        if (!isEdgewiseError(e, 'QUOTA_EXCEEDED')) throw e;
        if (refusals === 1) {
          expect(e.message).toMatch(/maxPending 1024/);
          expect(e.message).toMatch(/await bus\.flush\(\)/);
          expect(e.message).toMatch(/Nothing was dispatched/);
          expect(sync).toBe(i); // the refused event reached no handler
          expect(bus.stats.emitted).toBe(i);
        }
        await bus.flush(); // what the message says to do
      }
    }
    await bus.flush();
    expect(refusals).toBeGreaterThan(0);
    expect(next).toBe(n);
    expect(ok).toBe(true);
    expect(sync).toBe(n);
    expect(bus.stats.droppedBySubscriptions).toBe(0);
  }, 60_000);

  it("emit into a slow 'block' subscription: a producer ignoring the promises gets QUOTA_EXCEEDED, never a silent drop", async () => {
    const bus = new EventBus({ capacity: 16 });
    const got: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    bus.on(
      'x',
      async (p: number) => {
        await gate;
        got.push(p);
      },
      { maxPending: 4 },
    );
    let accepted = 0;
    let promises = 0;
    let error: unknown;
    for (let i = 0; i < 1000; i++) {
      try {
        const r = bus.emit('x', i);
        if (r instanceof Promise) promises++;
        else expect(r).toBeUndefined();
        accepted++;
      } catch (e) {
        error = e;
        break;
      }
      if (i % 8 === 7) await new Promise((r) => setTimeout(r, 0));
    }
    expect(isEdgewiseError(error, 'QUOTA_EXCEEDED')).toBe(true);
    expect((error as Error).message).toMatch(/await it before emitting more/);
    expect((error as Error).message).toMatch(/subscription #1 \('x'/);
    expect(promises).toBe(16); // the waiting list is bounded by capacity
    expect(accepted).toBe(1 + 4 + 16 + 16); // in flight + pending + queued + held
    expect(bus.stats.emitted).toBe(accepted);
    release();
    await bus.flush();
    expect(got).toEqual([...Array(accepted).keys()]);
    expect(bus.stats.dropped + bus.stats.droppedBySubscriptions).toBe(0);
  });

  it('opt-in drop policies on the bus queue: emit returns false and onDrop gets every dropped event', async () => {
    for (const overflow of ['drop-newest', 'drop-oldest'] as const) {
      const drops: DropEvent[] = [];
      const bus = new EventBus({ capacity: 10, overflow, onDrop: (e) => drops.push(e) });
      const got: number[] = [];
      bus.on('x', (p: number) => got.push(p));
      const results: Array<false | undefined> = [];
      for (let i = 0; i < 25; i++) results.push(bus.emit('x', i) as false | undefined);
      expect(results).toEqual([...Array(25).keys()].map((i) => (i < 10 ? undefined : false)));
      await bus.flush();
      const dropped =
        overflow === 'drop-newest'
          ? [...Array(15).keys()].map((i) => i + 10)
          : [...Array(15).keys()];
      expect(drops.map((d) => d.payload)).toEqual(dropped);
      expect(
        drops.every((d) => d.where === 'queue' && d.policy === overflow && d.topic === 'x'),
      ).toBe(true);
      expect(got.length + drops.length).toBe(25);
      expect(bus.stats.dropped).toBe(15);
    }
  });

  it('opt-in drop policies on a subscription: counted, reported to onDrop, and emitSync returns false', async () => {
    for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
      const drops: DropEvent[] = [];
      const bus = new EventBus({ onDrop: (e) => drops.push(e) });
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const got: number[] = [];
      const sub = bus.on(
        's.y',
        async (p: number) => {
          await gate;
          got.push(p);
        },
        { maxPending: 5, overflow },
      );
      const results: boolean[] = [];
      for (let i = 0; i < 50; i++) results.push(bus.emitSync('s.y', i));
      expect(results.filter((r) => !r)).toHaveLength(44);
      expect(results.slice(0, 6)).toEqual([true, true, true, true, true, true]);
      release();
      await bus.flush();
      const droppedPayloads =
        overflow === 'drop-oldest'
          ? [...Array(44).keys()].map((i) => i + 1)
          : [...Array(44).keys()].map((i) => i + 6);
      expect(drops.map((d) => d.payload)).toEqual(droppedPayloads);
      expect(
        drops.every(
          (d) =>
            d.where === 'subscription' &&
            d.policy === overflow &&
            d.subscriptionId === sub.stats.id &&
            d.pattern === 's.y',
        ),
      ).toBe(true);
      expect(got.length + drops.length).toBe(50);
      expect(sub.stats.dropped).toBe(44);
      expect(bus.stats.droppedBySubscriptions).toBe(44);
    }
  });

  it('an onDrop that throws goes to console.error and the bus keeps working', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bus = new EventBus({
      capacity: 1,
      overflow: 'drop-newest',
      onDrop: () => {
        throw new Error('bad onDrop');
      },
    });
    const got: number[] = [];
    bus.on('x', (p: number) => got.push(p));
    expect(bus.emit('x', 1)).toBeUndefined();
    expect(bus.emit('x', 2)).toBe(false);
    await bus.flush();
    expect(got).toEqual([1]);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it("rejects 'caller-runs' on a subscription and a non-function onDrop, changing nothing", () => {
    const bus = new EventBus();
    expect(() => bus.on('a', () => {}, { overflow: 'caller-runs' as never })).toThrow(
      /'caller-runs' is a policy of the bus queue/,
    );
    expect(() => new EventBus({ onDrop: 1 as never })).toThrow(/onDrop must be a function/);
    expect(() => new EventBus({ overflow: 'spill' as never })).toThrow(/'caller-runs', 'block'/);
    expect(bus.stats.subscriptions).toBe(0);
  });

  it('disposed buses refuse emits', () => {
    const bus = new EventBus();
    bus.dispose();
    expectCode(() => bus.emit('a', 1), 'DISPOSED');
  });
});

describe('bridgeBus', () => {
  it('forwards matching topics over a MessageChannel both ways without echo', async () => {
    const left = new EventBus();
    const right = new EventBus();
    const ch = new MessageChannel();
    const stopL = bridgeBus(left, ch.port1, { forward: ['sensor.#'] });
    const stopR = bridgeBus(right, ch.port2, { forward: ['cmd.*'] });
    const onRight: unknown[] = [];
    const onLeft: unknown[] = [];
    right.on('#', (p, t) => onRight.push([t, p]));
    left.on('cmd.#', (p, t) => onLeft.push([t, p]));
    left.emit('sensor.temp', { v: 1, at: new Date(0) });
    left.emit('private.x', 2);
    right.emit('cmd.reset', { all: true });
    await left.flush();
    await right.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(onRight).toEqual([
      ['cmd.reset', { all: true }],
      ['sensor.temp', { v: 1, at: new Date(0) }],
    ]);
    expect(onLeft).toEqual([['cmd.reset', { all: true }]]);
    stopL();
    stopR();
    ch.port1.close();
  });

  it('arrivals that a full async subscription cannot take wait in the bridge, in order, none lost or echoed', async () => {
    const left = new EventBus();
    const right = new EventBus();
    const ch = new MessageChannel();
    const stopL = bridgeBus(left, ch.port1);
    const stopR = bridgeBus(right, ch.port2);
    const got: number[] = [];
    right.on(
      'm.*',
      async (p: number) => {
        await new Promise((r) => setTimeout(r, 0));
        got.push(p);
      },
      { maxPending: 2 },
    );
    const echoed: number[] = [];
    left.on('m.*', (p: number) => echoed.push(p));
    for (let i = 0; i < 100; i++) left.emit('m.v', i);
    await left.flush();
    for (let k = 0; k < 500 && got.length < 100; k++) await new Promise((r) => setTimeout(r, 5));
    await right.flush();
    expect(got).toEqual([...Array(100).keys()]);
    expect(echoed).toEqual([...Array(100).keys()]); // local only: nothing came back
    expect(right.stats.droppedBySubscriptions).toBe(0);
    stopL();
    stopR();
    ch.port1.close();
  });

  it('reports payloads that cannot be cloned on the error topic', async () => {
    const bus = new EventBus();
    const ch = new MessageChannel();
    const stop = bridgeBus(bus, ch.port1);
    const errors: HandlerErrorEvent[] = [];
    bus.on('error', (e: HandlerErrorEvent) => errors.push(e));
    bus.emit('x', { fn: () => 1 });
    await bus.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0].handler).toBe('bridgeForward');
    stop();
    ch.port1.close();
  });

  it('works over BroadcastChannel (other tabs)', async () => {
    const a = new EventBus();
    const b = new EventBus();
    const ca = new BroadcastChannel('edgewise-test');
    const cb = new BroadcastChannel('edgewise-test');
    const sa = bridgeBus(a, ca);
    const sb = bridgeBus(b, cb);
    const got: unknown[] = [];
    b.on('tab.*', (p) => got.push(p));
    a.emit('tab.hello', [1, 2, 3]);
    await a.flush();
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([[1, 2, 3]]);
    sa();
    sb();
    ca.close();
    cb.close();
  });
});
