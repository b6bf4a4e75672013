import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../src/events/index';
import {
  type LateEvent,
  type Reducer,
  type StreamEvent,
  type StreamOptions,
  StreamProcessor,
  type WindowResult,
  type WindowSpec,
} from '../src/stream/index';
import { expectCode } from './helpers/errors';
import { fsum } from './helpers/fsum';
import { collectResults } from './helpers/stream';

// ---------------------------------------------------------------- references

interface Stats {
  count: number;
  sum: number;
  mean: number;
  variance: number;
  min: number;
  max: number;
}

/** Two-pass reference statistics over plain JS numbers. */
function naiveStats(xs: number[]): Stats {
  const n = xs.length;
  const sum = fsum(xs);
  const mean = sum / n;
  const variance = fsum(xs.map((x) => (x - mean) ** 2)) / n;
  return { count: n, sum, mean, variance, min: Math.min(...xs), max: Math.max(...xs) };
}

function expectStats(r: WindowResult, ref: Stats, label: string): void {
  expect(r.count, label).toBe(ref.count);
  // Compared as numbers: the generated values hold both 0 and -0 (Math.round of a small negative
  // number is -0), which are equal minima. Math.min always returns -0; which zero a comparison-based
  // min keeps depends on the order (numpy's too: np.min([0.0, -0.0]) is -0.0, np.min([-0.0, 0.0])
  // is 0.0), and the window kernels' tests (test/window.test.ts) compare by value as well.
  expect(r.min === ref.min, `${label} min ${r.min} vs ${ref.min}`).toBe(true);
  expect(r.max === ref.max, `${label} max ${r.max} vs ${ref.max}`).toBe(true);
  const tol = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  expect(tol(r.sum, ref.sum), `${label} sum ${r.sum} vs ${ref.sum}`).toBe(true);
  expect(tol(r.mean, ref.mean), `${label} mean`).toBe(true);
  expect(tol(r.variance, ref.variance), `${label} variance ${r.variance} vs ${ref.variance}`).toBe(
    true,
  );
}

const QS = [0, 0.1, 0.5, 0.9, 0.99, 1];

/** numpy.quantile(xs, q, method='lower'): the sorted value at rank floor(q (n - 1)). */
function lowerQuantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))];
}

function expectQuantiles(r: WindowResult, xs: number[], rel: number, label: string): void {
  expect(r.quantiles, label).toHaveLength(QS.length);
  QS.forEach((q, i) => {
    const ref = lowerQuantile(xs, q);
    const err = Math.abs(r.quantiles![i] - ref);
    expect(err <= rel * Math.abs(ref) + 1e-12, `${label} q${q}: ${r.quantiles![i]} vs ${ref}`).toBe(
      true,
    );
  });
}

/** Windows [start, end) of a tumbling / sliding spec that contain t. */
function windowsOf(t: number, size: number, slide: number, offset = 0): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = Math.floor((t - offset) / slide) * slide + offset; s > t - size; s -= slide) {
    out.push([s, s + size]);
  }
  return out;
}

/** Final result per window: the last one emitted (updates replace earlier results). */
function finalResults(results: WindowResult[]): Map<string, WindowResult> {
  const m = new Map<string, WindowResult>();
  for (const r of results) {
    for (const old of r.replaces ?? []) m.delete(`${r.key}|${old.start}|${old.end}`);
    m.set(`${r.key}|${r.start}|${r.end}`, r);
  }
  return m;
}

interface Gen {
  events: StreamEvent[];
}

/** Events in time order, then delivered out of order: each delayed by a random amount. */
const arrivalArb = fc
  .record({
    n: fc.integer({ min: 1, max: 300 }),
    seed: fc.integer(),
    maxDelay: fc.integer({ min: 0, max: 400 }),
    stragglers: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ n, seed, maxDelay, stragglers }): Gen => {
    let s = seed >>> 0 || 1;
    const rnd = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
    const evs: Array<StreamEvent & { arrive: number }> = [];
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += Math.floor(rnd() * 40);
      const delay = i < stragglers ? rnd() * 3000 : rnd() * maxDelay;
      evs.push({
        timestamp: t,
        value: Math.round((rnd() - 0.3) * 1000) / 8,
        key: ['a', 'b', 'c'][Math.floor(rnd() * 3)],
        arrive: t + delay,
      });
    }
    // shuffle the stragglers' positions among the others
    evs.sort((x, y) => x.arrive - y.arrive);
    return { events: evs.map(({ timestamp, value, key }) => ({ timestamp, value, key })) };
  });

function run(
  options: Omit<StreamOptions, 'onResult' | 'onLate'>,
  events: StreamEvent[],
  batch = 7,
): { results: WindowResult[]; late: LateEvent[]; proc: StreamProcessor } {
  const results: WindowResult[] = [];
  const late: LateEvent[] = [];
  const proc = new StreamProcessor({
    ...options,
    onResult: (r) => results.push(r),
    onLate: (l) => late.push(l),
  });
  for (let i = 0; i < events.length; i += batch) proc.pushMany(events.slice(i, i + batch));
  proc.flush();
  return { results, late, proc };
}

// --------------------------------------------------------------------- tests

describe('tumbling and sliding windows vs naive recomputation', () => {
  const specs: Array<[string, WindowSpec]> = [
    ['tumbling 100', { type: 'tumbling', size: 100 }],
    ['tumbling 100, offset 30', { type: 'tumbling', size: 100, offset: 30 }],
    ['sliding 300/100, offset -20', { type: 'sliding', size: 300, slide: 100, offset: -20 }],
    ['sliding 300/100', { type: 'sliding', size: 300, slide: 100 }],
    ['sliding 250/100 (panes of 50)', { type: 'sliding', size: 250, slide: 100 }],
  ];
  for (const [name, window] of specs) {
    it(`${name}: final results equal a naive recomputation; lateness routed exactly`, () => {
      fc.assert(
        fc.property(
          arrivalArb,
          fc.integer({ min: 0, max: 300 }),
          fc.integer({ min: 0, max: 500 }),
          ({ events }, bound, lateness) => {
            const size = (window as { size: number }).size;
            const slide = window.type === 'sliding' ? window.slide : size;
            const { results, late } = run(
              { window, outOfOrderness: bound, allowedLateness: lateness, quantiles: QS },
              events,
            );
            // independent lateness model: watermark = max timestamp so far - bound
            // An event counts in window w iff w was not yet purged when it arrived
            // (end(w) + lateness > watermark); it is late iff no window of it is left.
            let wm = Number.NEGATIVE_INFINITY;
            const expectedLate: StreamEvent[] = [];
            const groups = new Map<string, number[]>();
            for (const e of events) {
              const offset = (window as { offset?: number }).offset ?? 0;
              const live = windowsOf(e.timestamp, size, slide, offset).filter(
                ([, en]) => en + lateness > wm,
              );
              if (live.length === 0) expectedLate.push(e);
              for (const [s, en] of live) {
                const k = `${e.key}|${s}|${en}`;
                groups.set(k, [...(groups.get(k) ?? []), e.value]);
              }
              wm = Math.max(wm, e.timestamp - bound);
            }
            expect(late.map((l) => l.event)).toEqual(expectedLate);
            const fin = finalResults(results);
            expect([...fin.keys()].sort()).toEqual([...groups.keys()].sort());
            for (const [k, r] of fin) {
              expectStats(r, naiveStats(groups.get(k)!), k);
              expectQuantiles(r, groups.get(k)!, 0, k); // small windows: the sketch is exact
            }
            // results are flagged 'update' exactly when they repeat a window
            const seen = new Set<string>();
            for (const r of results) {
              const k = `${r.key}|${r.start}|${r.end}`;
              expect(r.update, k).toBe(seen.has(k));
              seen.add(k);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('fires windows in watermark order, with the watermark past their end', () => {
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 10 },
      outOfOrderness: 5,
    });
    p.pushMany([
      { timestamp: 1, value: 1, key: 'x' },
      { timestamp: 12, value: 2, key: 'x' },
      { timestamp: 14, value: 3, key: 'y' },
    ]);
    expect(got).toEqual([]); // watermark 9 < 10
    p.push({ timestamp: 15, value: 4, key: 'x' }); // watermark 10
    expect(got.map((r) => [r.key, r.start, r.end, r.sum, r.watermark])).toEqual([
      ['x', 0, 10, 1, 10],
    ]);
    p.flush();
    expect(got.map((r) => [r.key, r.start, r.sum])).toEqual([
      ['x', 0, 1],
      ['x', 10, 6],
      ['y', 10, 3],
    ]);
  });
});

describe('session windows', () => {
  it('a late event bridging two fired sessions merges them and supersedes both', () => {
    const { p, got } = collectResults({
      window: { type: 'session', gap: 10 },
      allowedLateness: 100,
    });
    p.pushMany([
      { timestamp: 0, value: 1 },
      { timestamp: 5, value: 2 },
      { timestamp: 30, value: 3 },
      { timestamp: 60, value: 4 }, // watermark 60: [0,15) and [30,40) fired
    ]);
    expect(got.map((r) => [r.start, r.end, r.count, r.update])).toEqual([
      [0, 15, 2, false],
      [30, 40, 1, false],
    ]);
    p.push({ timestamp: 14, value: 10 }); // extends [0,15) to [0,24)
    expect(got.at(-1)).toMatchObject({ start: 0, end: 24, count: 3, update: true });
    expect(got.at(-1)!.replaces).toEqual([{ start: 0, end: 15 }]);
    p.push({ timestamp: 22, value: 20 }); // [22,32) touches [0,24) and [30,40): all merge
    const last = got.at(-1)!;
    expect(last).toMatchObject({ start: 0, end: 40, count: 5, sum: 36, update: true });
    expect(last.replaces).toEqual([
      { start: 0, end: 24 },
      { start: 30, end: 40 },
    ]);
    p.flush();
    const fin = finalResults(got);
    expect([...fin.values()].map((r) => [r.start, r.end, r.count])).toEqual([
      [0, 40, 5],
      [60, 70, 1],
    ]);
  });

  it('random out-of-order input: final sessions equal a naive sessionization', () => {
    fc.assert(
      fc.property(
        arrivalArb,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 80 }),
        ({ events }, bound, lateness, gap) => {
          const { results, late } = run(
            { window: { type: 'session', gap }, outOfOrderness: bound, allowedLateness: lateness },
            events,
          );
          // Reference: re-sessionize the live (unpurged) events from scratch at every arrival.
          const sessionize = (evs: StreamEvent[]): StreamEvent[][] => {
            const sorted = [...evs].sort((x, y) => x.timestamp - y.timestamp);
            const out: StreamEvent[][] = [];
            for (const e of sorted) {
              const cur = out.at(-1);
              if (cur && e.timestamp - cur.at(-1)!.timestamp <= gap) cur.push(e);
              else out.push([e]);
            }
            return out;
          };
          const endOf = (g: StreamEvent[]) => g.at(-1)!.timestamp + gap;
          const live = new Map<string, StreamEvent[]>();
          const expected = new Map<string, number[]>();
          const finalize = (key: string, g: StreamEvent[]) =>
            expected.set(
              `${key}|${g[0].timestamp}|${endOf(g)}`,
              g.map((x) => x.value),
            );
          const expectedLate: StreamEvent[] = [];
          let wm = Number.NEGATIVE_INFINITY;
          for (const e of events) {
            const key = e.key as string;
            const mine = live.get(key) ?? [];
            const groups = sessionize([...mine, e]);
            const g = groups.find((x) => x.includes(e))!;
            if (g.length === 1 && e.timestamp + gap + lateness <= wm) expectedLate.push(e);
            else mine.push(e);
            live.set(key, mine);
            wm = Math.max(wm, e.timestamp - bound);
            for (const [k, evs] of live) {
              const keep: StreamEvent[] = [];
              for (const grp of sessionize(evs)) {
                if (endOf(grp) + lateness <= wm) finalize(k, grp);
                else keep.push(...grp);
              }
              live.set(k, keep);
            }
          }
          for (const [k, evs] of live) for (const grp of sessionize(evs)) finalize(k, grp);
          expect(late.map((l) => l.event)).toEqual(expectedLate);
          const fin = finalResults(results);
          expect([...fin.keys()].sort()).toEqual([...expected.keys()].sort());
          for (const [k, r] of fin) expectStats(r, naiveStats(expected.get(k)!), k);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('quantiles per window (QuantileSketch)', () => {
  it('large sliding windows: within the sketch accuracy of numpy-lower quantiles', () => {
    const { p, got } = collectResults({
      window: { type: 'sliding', size: 2000, slide: 500 },
      quantiles: QS,
      sketch: { relativeAccuracy: 0.01 },
    });
    let s = 99;
    const evs: StreamEvent[] = [];
    for (let i = 0; i < 20_000; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      // lognormal-ish latencies
      evs.push({ timestamp: i, value: Math.exp(((s % 10_000) / 10_000) * 6 - 1) });
    }
    p.pushMany(evs);
    p.flush();
    expect(got.length).toBe(43);
    for (const r of got) {
      const xs = evs
        .filter((e) => e.timestamp >= r.start && e.timestamp < r.end)
        .map((e) => e.value);
      expectStats(r, naiveStats(xs), `${r.start}`);
      expectQuantiles(r, xs, 0.01, `${r.start}`);
    }
    expect(
      () => new StreamProcessor({ window: { type: 'count', size: 3 }, quantiles: [1.5] }),
    ).toThrow(/quantiles/);
  });
});

describe('count windows', () => {
  it('emit every n events per key, flush emits the partial rest', () => {
    const { p, got } = collectResults({
      window: { type: 'count', size: 3 },
    });
    for (let i = 0; i < 8; i++)
      p.push({ timestamp: 100 - i, value: i, key: i % 2 ? 'odd' : 'even' });
    expect(got.map((r) => [r.key, r.count, r.sum, r.start, r.end])).toEqual([
      ['even', 3, 6, 100, 96],
      ['odd', 3, 9, 99, 95],
    ]);
    p.flush();
    expect(got.slice(2).map((r) => [r.key, r.count, r.sum, r.partial])).toEqual([
      ['even', 1, 6, true],
      ['odd', 1, 7, true],
    ]);
  });
});

describe('watermarks and sources', () => {
  it('union: the watermark is the minimum over sources; an idle source stops holding it', () => {
    let now = 0;
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 100 },
      idleTimeout: 1000,
      clock: () => now,
    });
    p.push({ timestamp: 10, value: 1 }, 'a');
    p.push({ timestamp: 20, value: 2 }, 'b');
    now = 500;
    p.push({ timestamp: 250, value: 3 }, 'a');
    expect(p.watermark).toBe(20); // b holds it
    expect(got).toEqual([]);
    now = 1600; // b silent for 1600 ms > idleTimeout; a was active at 500 (1100 ago: also idle)
    p.push({ timestamp: 260, value: 4 }, 'a'); // a active again
    expect(p.watermark).toBe(260);
    expect(got.map((r) => [r.start, r.sum])).toEqual([[0, 3]]);
    expect(p.stats.sources.find((s) => s.name === 'b')!.idle).toBe(true);
    // b comes back: it is active again and holds the watermark (which never moves back)
    p.push({ timestamp: 270, value: 5 }, 'b');
    p.push({ timestamp: 900, value: 6 }, 'a');
    expect(p.watermark).toBe(270);
  });

  it('all sources idle: the watermark moves to the largest source watermark on tick()', () => {
    let now = 0;
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 100 },
      idleTimeout: 1000,
      clock: () => now,
    });
    p.push({ timestamp: 50, value: 1 }, 'a');
    p.push({ timestamp: 150, value: 2 }, 'b');
    p.push({ timestamp: 320, value: 3 }, 'b');
    expect(p.watermark).toBe(50);
    now = 5000;
    p.tick();
    expect(p.watermark).toBe(320);
    expect(got.map((r) => r.start)).toEqual([0, 100]);
  });

  it('without idleness a silent source stalls the stream; finishing it releases it', () => {
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 100 },
    });
    p.addSource('quiet');
    p.pushMany(
      Array.from({ length: 50 }, (_, i) => ({ timestamp: i * 10, value: 1 })),
      'busy',
    );
    expect(got).toEqual([]);
    p.finishSource('quiet');
    expect(got.length).toBe(4);
  });

  it('advanceWatermark for replay (stream-wide and per source)', () => {
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 100 },
      outOfOrderness: 1000,
    });
    p.pushMany([
      { timestamp: 10, value: 1 },
      { timestamp: 110, value: 1 },
    ]);
    p.advanceWatermark(100);
    expect(got.map((r) => r.start)).toEqual([0]);
    p.advanceWatermark(50); // never backwards
    expect(p.watermark).toBe(100);
    p.advanceWatermark(300, 'default');
    expect(got.map((r) => r.start)).toEqual([0, 100]);
    p.push({ timestamp: 20, value: 9 });
    expect(p.stats.late).toBe(1);
  });

  it('processing time: the clock stamps events and drives firing', () => {
    let now = 1000;
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 100 },
      time: 'processing',
      clock: () => now,
    });
    p.push({ timestamp: 0, value: 1 });
    now = 1050;
    p.push({ timestamp: 0, value: 2 });
    now = 1120;
    p.tick();
    expect(got.map((r) => [r.start, r.end, r.sum])).toEqual([[1000, 1100, 3]]);
  });
});

describe('outputs, reducers, checkpoints', () => {
  it('results go to the bus, the async iterator and late events to the late topic', async () => {
    const bus = new EventBus();
    const onBus: WindowResult[] = [];
    const lateOnBus: LateEvent[] = [];
    bus.on('agg.out', (r: WindowResult) => onBus.push(r));
    bus.on('stream.late', (l: LateEvent) => lateOnBus.push(l));
    const p = new StreamProcessor({
      window: { type: 'tumbling', size: 10 },
      bus,
      topic: 'agg.out',
    });
    const stop = p.fromBus(bus, 'sensor.#', 'sensors');
    const it = p.results();
    bus.emit('sensor.t', { timestamp: 1, value: 2 });
    bus.emit('sensor.t', { timestamp: 25, value: 2 });
    bus.emit('sensor.t', { timestamp: 3, value: 2 }); // late
    await bus.flush();
    p.close();
    await bus.flush();
    stop();
    const viaIterator: WindowResult[] = [];
    for await (const r of it) viaIterator.push(r);
    expect(onBus.map((r) => r.start)).toEqual([0, 20]);
    expect(viaIterator).toEqual(onBus);
    expect(lateOnBus).toHaveLength(1);
    expect(lateOnBus[0]).toMatchObject({ timestamp: 3, source: 'sensors', watermark: 25 });
    expect(p.stats.late).toBe(1);
  });

  it('consumes several async iterables as a union, each with its own watermark', async () => {
    async function* gen(offset: number) {
      for (let i = 0; i < 100; i++) {
        yield { timestamp: i * 10 + offset, value: 1, key: 'k' };
        if (i % 10 === 0) await Promise.resolve();
      }
    }
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 100 },
      outOfOrderness: 50,
    });
    await Promise.all([p.consume(gen(0), 'a', { batch: 8 }), p.consume(gen(5), 'b', { batch: 3 })]);
    p.flush();
    expect(got.map((r) => r.count)).toEqual(Array(10).fill(20));
    expect(p.stats.late).toBe(0);
  });

  it('custom reducers (and merge for sliding windows); non-finite values are counted apart', () => {
    const distinct: Reducer<number[], number> = {
      create: () => [],
      add: (s, v) => (s.includes(v) ? s : [...s, v]),
      merge: (a, b) => [...new Set([...a, ...b])],
      result: (s) => s.length,
    };
    const { p, got } = collectResults({
      window: { type: 'sliding', size: 20, slide: 10 },
      reducers: { distinct },
    });
    p.pushMany([
      { timestamp: 1, value: 5 },
      { timestamp: 2, value: 5 },
      { timestamp: 12, value: 6 },
      { timestamp: 13, value: Number.NaN },
    ]);
    p.flush();
    expect(got.map((r) => [r.start, r.count, r.rejected, r.custom!.distinct])).toEqual([
      [-10, 2, 0, 1],
      [0, 3, 1, 2],
      [10, 1, 1, 1],
    ]);
    expect(
      () =>
        new StreamProcessor({
          window: { type: 'session', gap: 5 },
          reducers: { x: { create: () => 0, add: (s: number) => s + 1, result: (s: number) => s } },
        }),
    ).toThrow(/merge/);
  });

  it('snapshot/restore mid-stream gives the same results as an uninterrupted run', () => {
    const distinct: Reducer<number[], number> = {
      create: () => [],
      add: (s, v) => (s.includes(v) ? s : [...s, v]),
      merge: (a, b) => [...new Set([...a, ...b])],
      result: (s) => s.length,
    };
    const windows: WindowSpec[] = [
      { type: 'tumbling', size: 100 },
      { type: 'sliding', size: 300, slide: 100 },
      { type: 'session', gap: 30 },
      { type: 'count', size: 7 },
    ];
    fc.assert(
      fc.property(
        arrivalArb,
        fc.constantFrom(...windows),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ events }, window, cutFrac) => {
          const opts = {
            window,
            outOfOrderness: 100,
            allowedLateness: 200,
            reducers: { distinct },
            quantiles: [0.5, 0.9],
            sketch: { exactLimit: 4 },
          };
          const full = run(opts, events);
          const cut = Math.floor(events.length * cutFrac);
          const first: WindowResult[] = [];
          const firstLate: LateEvent[] = [];
          const p1 = new StreamProcessor({
            ...opts,
            onResult: (r) => first.push(r),
            onLate: (l) => firstLate.push(l),
          });
          for (let i = 0; i < cut; i += 7) p1.pushMany(events.slice(i, Math.min(i + 7, cut)));
          const snap = structuredClone(p1.snapshot());
          p1.dispose();
          const p2 = new StreamProcessor({
            ...opts,
            onResult: (r) => first.push(r),
            onLate: (l) => firstLate.push(l),
          }).restore(snap);
          // continue with the same batching as the uninterrupted run
          const firstBatchEnd = Math.min(Math.ceil(cut / 7) * 7, events.length);
          p2.pushMany(events.slice(cut, firstBatchEnd));
          for (let i = firstBatchEnd; i < events.length; i += 7)
            p2.pushMany(events.slice(i, i + 7));
          p2.flush();
          expect(first).toEqual(full.results);
          expect(firstLate).toEqual(full.late);
          expect(p2.stats.results).toBe(full.proc.stats.results);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects bad options, events and snapshots without changing state', () => {
    expectCode(
      () => new StreamProcessor({ window: { type: 'tumbling', size: 0 } }),
      'INVALID_ARGUMENT',
      /size/,
    );
    expectCode(
      () => new StreamProcessor({ window: { type: 'sliding', size: 10, slide: 20 } }),
      'INVALID_ARGUMENT',
      /slide/,
    );
    expectCode(
      () => new StreamProcessor({ window: { type: 'hopping' } as never }),
      'INVALID_ARGUMENT',
      /window type/,
    );
    expectCode(
      () => new StreamProcessor({ window: { type: 'session', gap: -1 } }),
      'INVALID_ARGUMENT',
      /gap/,
    );
    expectCode(
      () => new StreamProcessor({ window: { type: 'tumbling', size: 10 }, outOfOrderness: -5 }),
      'INVALID_ARGUMENT',
      /outOfOrderness/,
    );
    const p = new StreamProcessor({ window: { type: 'tumbling', size: 10 } });
    p.push({ timestamp: 1, value: 1 });
    const before = JSON.stringify(p.stats);
    expectCode(
      () =>
        p.pushMany([
          { timestamp: 2, value: 1 },
          { timestamp: Number.NaN, value: 1 },
        ]),
      'INVALID_ARGUMENT',
      /timestamp/,
    );
    expectCode(() => p.push({ timestamp: 2, value: '3' as never }), 'INVALID_ARGUMENT', /value/);
    expectCode(
      () => p.push({ timestamp: 2, value: 3, key: {} as never }),
      'INVALID_ARGUMENT',
      /key/,
    );
    expectCode(() => p.restore({ format: 'nope' } as never), 'CORRUPT_STATE', /snapshot/);
    const snap = p.snapshot();
    expectCode(() => p.restore({ ...snap, version: 9 as 1 }), 'UNSUPPORTED_VERSION', /version/);
    expectCode(
      () => new StreamProcessor({ window: { type: 'tumbling', size: 20 } }).restore(snap),
      'INVALID_ARGUMENT',
      /differs/,
    );
    const damaged = structuredClone(snap);
    damaged.keys[0].panes![0][1].moments = new Uint8Array([1, 2, 3]);
    expectCode(() => p.restore(damaged), 'CORRUPT_STATE', /magic|damaged/);
    expect(JSON.stringify(p.stats)).toBe(before);
    p.close();
    expectCode(() => p.push({ timestamp: 3, value: 1 }), 'INVALID_STATE', /closed/);
  });

  it('replays timestamp,value,key CSV', () => {
    const { p, got } = collectResults({
      window: { type: 'tumbling', size: 60_000 },
    });
    const errors = p.replayCsv(
      'timestamp,value,key\n2024-01-01 00:00:10,1,a\n2024-01-01 00:00:20,3,a\n2024-01-01 00:01:05,5,b\nbad,1,a\n',
    );
    p.flush();
    expect(errors).toHaveLength(1);
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    expect(got.map((r) => [r.key, r.start - t0, r.mean])).toEqual([
      ['a', 0, 2],
      ['b', 60_000, 5],
    ]);
  });
});
