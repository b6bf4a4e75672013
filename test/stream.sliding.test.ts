import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantileSketch } from '../src/kernels/quantile';
import {
  type Reducer,
  type StreamEvent,
  StreamProcessor,
  type StreamSnapshot,
  type WindowResult,
} from '../src/stream/index';
import { expectCode } from './helpers/errors';
import { fsum } from './helpers/fsum';
import { collectResults } from './helpers/stream';

/**
 * Sliding windows (pane-aligned Two-Stacks, src/stream/windows/sliding.ts)
 * against a naive recomputation: every result the processor emits, first
 * firings and late updates alike, equals statistics recomputed from the raw
 * events that window holds at that moment (an independent model of the
 * watermark and the allowed lateness decides which events those are).
 */

/** Values in arrival order, pane by pane: a non-commutative reducer checks the merge order. */
const sequence: Reducer<number[], number[]> = {
  create: () => [],
  add: (s, v) => [...s, v],
  merge: (a, b) => [...a, ...b],
  result: (s) => s,
};

/** A reducer whose merge mutates (and returns) its first argument. */
const mutatingSum: Reducer<{ s: number }, number> = {
  create: () => ({ s: 0 }),
  add: (st, v) => {
    st.s += v;
    return st;
  },
  merge: (a, b) => {
    a.s += b.s;
    return a;
  },
  result: (st) => st.s,
};

const QS = [0, 0.25, 0.5, 0.9, 1];

interface Case {
  pane: number;
  a: number;
  b: number;
  offset: number;
  bound: number;
  lateness: number;
  exactLimit: number;
  /** Arrival order: events, explicit watermark jumps, a snapshot/restore point. */
  steps: Array<
    { kind: 'event'; e: StreamEvent } | { kind: 'advance'; t: number } | { kind: 'snapshot' }
  >;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    pane: fc.constantFrom(1, 7, 50),
    a: fc.integer({ min: 2, max: 12 }),
    bFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    offset: fc.integer({ min: -100, max: 100 }),
    bound: fc.integer({ min: 0, max: 200 }),
    lateness: fc.integer({ min: 0, max: 400 }),
    exactLimit: fc.constantFrom(4, 4096),
    n: fc.integer({ min: 1, max: 200 }),
    seed: fc.integer(),
    jumps: fc.integer({ min: 0, max: 3 }),
    snapshotAt: fc.double({ min: 0, max: 1.2, noNaN: true }),
  })
  .map((r) => {
    let s = r.seed >>> 0 || 1;
    const rnd = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
    const b = 1 + Math.floor(r.bFrac * (r.a - 1));
    const evs: Array<{ e: StreamEvent; arrive: number }> = [];
    let t = Math.floor(rnd() * 1000) - 500;
    for (let i = 0; i < r.n; i++) {
      // mostly dense, sometimes a gap of many empty panes
      t += rnd() < 0.05 ? Math.floor(rnd() * 1e6) : Math.floor(rnd() * 3 * r.pane);
      const v = rnd() < 0.03 ? Number.NaN : Math.round((rnd() - 0.4) * 4000) / 16;
      evs.push({
        e: { timestamp: t, value: v, key: ['k1', 'k2'][Math.floor(rnd() * 2)] },
        arrive: t + rnd() * (rnd() < 0.2 ? 800 : 150),
      });
    }
    evs.sort((x, y) => x.arrive - y.arrive);
    const steps: Case['steps'] = evs.map(({ e }) => ({ kind: 'event' as const, e }));
    for (let k = 0; k < r.jumps; k++) {
      const at = Math.floor(rnd() * (steps.length + 1));
      const before = steps.slice(0, at).filter((x) => x.kind === 'event');
      const last = before.length
        ? (before[before.length - 1] as { e: StreamEvent }).e.timestamp
        : 0;
      steps.splice(at, 0, { kind: 'advance', t: last + Math.floor(rnd() * 5 * r.pane * r.a) });
    }
    if (r.snapshotAt <= 1) {
      steps.splice(Math.floor(r.snapshotAt * steps.length), 0, { kind: 'snapshot' });
    }
    return {
      pane: r.pane,
      a: r.a,
      b,
      offset: r.offset,
      bound: r.bound,
      lateness: r.lateness,
      exactLimit: r.exactLimit,
      steps,
    };
  });

function gcd(x: number, y: number): number {
  while (y) [x, y] = [y, x % y];
  return x;
}

interface Member {
  value: number;
  /** Arrival rank: values of a pane are in arrival order. */
  rank: number;
  pane: number;
}

/** Runs the processor; returns every emission with the window contents the model expects then. */
function runCase(c: Case, withSnapshot: boolean) {
  const size = c.pane * c.a;
  const slide = c.pane * c.b;
  const opts = {
    window: { type: 'sliding' as const, size, slide, offset: c.offset },
    outOfOrderness: c.bound,
    allowedLateness: c.lateness,
    quantiles: QS,
    sketch: { exactLimit: c.exactLimit },
    reducers: { sequence, mutatingSum },
  };
  const emitted: Array<{ r: WindowResult; members: Member[] }> = [];
  // model: windows by key|w -> members; watermark = max(max ts - bound, explicit)
  const contents = new Map<string, Member[]>();
  let wm = Number.NEGATIVE_INFINITY;
  let rank = 0;
  let late = 0;
  const onResult = (r: WindowResult) => {
    const members = contents.get(`${r.key}|${r.start}`) ?? [];
    emitted.push({ r, members: [...members] });
  };
  let p = new StreamProcessor({ ...opts, onResult, onLate: () => late++ });
  let snapshots = 0;
  for (const st of c.steps) {
    if (st.kind === 'snapshot') {
      if (!withSnapshot) continue;
      const snap: StreamSnapshot = structuredClone(p.snapshot());
      p.dispose();
      p = new StreamProcessor({ ...opts, onResult, onLate: () => late++ }).restore(snap);
      snapshots++;
      continue;
    }
    if (st.kind === 'advance') {
      wm = Math.max(wm, st.t);
      p.advanceWatermark(st.t);
      continue;
    }
    const e = st.e;
    const j = Math.floor((e.timestamp - c.offset) / c.pane);
    // the processor's panes are gcd(size, slide) long: values within one are in arrival order
    const realPane = Math.floor((e.timestamp - c.offset) / (c.pane * gcd(c.a, c.b)));
    let live = 0;
    // windows w with w b <= j < w b + a
    for (let w = Math.floor((j - c.a) / c.b) + 1; w * c.b <= j; w++) {
      const start = w * c.b * c.pane + c.offset;
      if (start + size + c.lateness <= wm) continue;
      live++;
      const k = `${e.key}|${start}`;
      const list = contents.get(k) ?? [];
      list.push({ value: e.value, rank: rank, pane: realPane });
      contents.set(k, list);
    }
    rank++;
    const expectLate = live === 0;
    const lateBefore = late;
    wm = Math.max(wm, e.timestamp - c.bound);
    p.push(e);
    expect(late - lateBefore, 'late side output').toBe(expectLate ? 1 : 0);
  }
  p.flush();
  return { emitted, proc: p, snapshots, held: new Set(contents.keys()) };
}

function checkResult(r: WindowResult, members: Member[], c: Case): void {
  const label = `${r.key} [${r.start}, ${r.end}) update=${r.update}`;
  const finite = members.filter((m) => Number.isFinite(m.value)).map((m) => m.value);
  expect(r.end - r.start, label).toBe(c.pane * c.a);
  expect(r.count, label).toBe(finite.length);
  expect(r.rejected, label).toBe(members.length - finite.length);
  expect(members.length, `${label}: a window without events never fires`).toBeGreaterThan(0);
  // the custom reducer sees the panes in order, each pane's values in arrival order
  const ordered = [...members]
    .filter((m) => Number.isFinite(m.value))
    .sort((x, y) => x.pane - y.pane || x.rank - y.rank)
    .map((m) => m.value);
  expect(r.custom!.sequence, label).toEqual(ordered);
  // multiples of 1/16: the sum is exact (compared with ===, as 0 and -0 are equal sums)
  expect(r.custom!.mutatingSum === fsum(ordered), `${label} mutatingSum`).toBe(true);
  if (finite.length === 0) {
    expect(r.mean, label).toBeNaN();
    expect(r.min, label).toBeNaN();
    expect(r.quantiles!.every(Number.isNaN), label).toBe(true);
    return;
  }
  // compared as numbers (x + 0 turns -0 into +0): the values include -0 (Math.round of small
  // negatives) and 0, equal values whose pick as a minimum depends on arrival order
  const num = (x: number): number => x + 0;
  expect(num(r.min), label).toBe(num(Math.min(...finite)));
  expect(num(r.max), label).toBe(num(Math.max(...finite)));
  // One sketch over the raw values: identical (exact mode keeps the values,
  // bucket counts add exactly, whatever the merge order).
  const ref = QuantileSketch.of(new Float64Array(finite), { exactLimit: c.exactLimit });
  expect(r.quantiles!.map(num), label).toEqual(Array.from(ref.quantiles(QS), num));
  ref.dispose();
  // Moments: the window is merged as (suffix of one block) (+) (prefix of the
  // next), a different order of the same Chan/Pébay merges than one pass, so
  // sum, mean and variance agree to rounding, not bit for bit.
  const sum = fsum(finite);
  const scale = fsum(finite.map(Math.abs));
  const mean = sum / finite.length;
  const variance = fsum(finite.map((x) => (x - mean) ** 2)) / finite.length;
  const sq = fsum(finite.map((x) => x * x)) / finite.length;
  expect(Math.abs(r.sum - sum), `${label} sum ${r.sum} vs ${sum}`).toBeLessThanOrEqual(
    1e-12 * Math.max(1, scale),
  );
  expect(Math.abs(r.mean - mean), `${label} mean`).toBeLessThanOrEqual(
    1e-12 * Math.max(1, scale / finite.length),
  );
  expect(Math.abs(r.variance - variance), `${label} variance`).toBeLessThanOrEqual(
    1e-11 * Math.max(1, sq),
  );
}

describe('sliding windows: pane-aligned Two-Stacks vs naive recomputation', () => {
  it('every emitted result equals a recomputation from the raw events of its window', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { emitted } = runCase(c, false);
        const seen = new Set<string>();
        for (const { r, members } of emitted) {
          checkResult(r, members, c);
          const k = `${r.key}|${r.start}`;
          expect(r.update, `${k}: update exactly when the window fired before`).toBe(seen.has(k));
          seen.add(k);
        }
      }),
      {
        numRuns: Number(process.env.SLIDING_RUNS ?? 100),
        ...(process.env.SLIDING_SEED ? { seed: Number(process.env.SLIDING_SEED) } : {}),
      },
    );
  });

  it('every window that holds an event fires; first firings come in watermark order', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { emitted, held } = runCase(c, false);
        expect(new Set(emitted.map((x) => `${x.r.key}|${x.r.start}`))).toEqual(held);
        // in-order first firings (not caused by a late event) per key: increasing ends
        for (const k of ['k1', 'k2']) {
          const ends = emitted
            .filter((x) => x.r.key === k && !x.r.update && x.members.length)
            .map((x) => x.r.end);
          const lateFirst = emitted.filter(
            (x) => x.r.key === k && !x.r.update && x.r.end < x.r.watermark,
          );
          if (lateFirst.length === 0) expect(ends).toEqual([...ends].sort((x, y) => x - y));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('snapshot/restore at any point gives exactly the results of an uninterrupted run', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const full = runCase(c, false);
        const cut = runCase(c, true);
        expect(cut.emitted.map((x) => x.r)).toEqual(full.emitted.map((x) => x.r));
        expect(cut.proc.stats.results).toBe(full.proc.stats.results);
        expect(cut.proc.stats.late).toBe(full.proc.stats.late);
      }),
      { numRuns: 80 },
    );
  });
});

describe('sliding windows: pane budget and time jumps', () => {
  it('refuses configurations above maxPanes at construction, at once (#18.10)', () => {
    const t0 = performance.now();
    expectCode(
      () => new StreamProcessor({ window: { type: 'sliding', size: 1e9, slide: 1 } }),
      'INVALID_ARGUMENT',
      /1,000,000,000 panes per window.*maxPanes \(1,000,000\)/,
    );
    const hourMs = expectCode(
      () => new StreamProcessor({ window: { type: 'sliding', size: 3_600_000, slide: 1 } }),
      'INVALID_ARGUMENT',
      /3,600,000 panes per window/,
    );
    expect(hourMs.message).toMatch(/slide of at least 4 ms/);
    expect(performance.now() - t0).toBeLessThan(500);
    // allowed lateness counts: it keeps panes too
    expectCode(
      () =>
        new StreamProcessor({
          window: { type: 'sliding', size: 1000, slide: 1 },
          allowedLateness: 999_001,
        }),
      'INVALID_ARGUMENT',
      /plus 999,001 for allowedLateness/,
    );
    expectCode(
      () => new StreamProcessor({ window: { type: 'sliding', size: 10, slide: 5 }, maxPanes: 0 }),
      'INVALID_ARGUMENT',
      /maxPanes must be a positive integer/,
    );
    // a budget that fits: 24 h / 1 s is 86,400 panes
    expect(
      () => new StreamProcessor({ window: { type: 'sliding', size: 86_400_000, slide: 1000 } }),
    ).not.toThrow();
  });

  it('1 h / 1 ms with a raised maxPanes runs in memory proportional to the panes holding data', () => {
    const { p, got } = collectResults({
      window: { type: 'sliding', size: 3_600_000, slide: 1 },
      maxPanes: 4_000_000,
      outOfOrderness: 2_000,
    });
    const t0 = performance.now();
    p.pushMany([
      { timestamp: 0, value: 1 },
      { timestamp: 5, value: 2 },
      { timestamp: 1_000, value: 4 },
    ]);
    p.advanceWatermark(10);
    expect(p.stats.openStates).toBe(3);
    // windows ending at 1..10 ms: [-3 599 999, 1) ... [-3 599 990, 11)
    expect(got.map((r) => [r.end, r.count, r.sum])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, i + 1 > 5 ? 2 : 1, i + 1 > 5 ? 3 : 1]),
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    p.dispose();
  });

  it('a watermark jump over 10^12 empty panes costs nothing per empty pane', () => {
    const { p, got } = collectResults({
      window: { type: 'sliding', size: 10_000, slide: 1000 },
    });
    p.push({ timestamp: 0, value: 1 });
    p.push({ timestamp: 1e15, value: 2 }); // 10^12 panes later
    expect(got.map((r) => [r.start, r.sum])).toEqual(
      Array.from({ length: 10 }, (_, i) => [-9000 + i * 1000, 1]),
    );
    expect(p.stats.openStates).toBe(1);
    p.advanceWatermark(2e15);
    expect(got).toHaveLength(20);
    expect(got.slice(10).every((r) => r.sum === 2 && r.count === 1)).toBe(true);
    expect(p.stats.openStates).toBe(0);
    expect(p.stats.keys).toBe(0);
  });
});
