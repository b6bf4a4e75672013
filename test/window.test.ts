import { describe, expect, it } from 'vitest';
import { QuantileSketch, SlidingWindow, TumblingWindow } from '../src/kernels/index';
import { expectCode } from './helpers/errors';
import { mulberry32, normals } from './helpers/random';

/**
 * 10^7 adversarial values: segments of huge offsets (1e9 + noise), alternating
 * signs of 1e6-scale values, long monotone runs (up and down), constant runs,
 * tiny values, and lognormal noise.
 */
function adversarial(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const z = normals(n, seed + 1);
  const x = new Float64Array(n);
  let i = 0;
  let kind = 0;
  while (i < n) {
    const len = Math.min(n - i, 500 + Math.floor(r() * 20000));
    for (let j = 0; j < len; j++, i++) {
      switch (kind % 6) {
        case 0:
          x[i] = 1e9 + z[i];
          break;
        case 1:
          x[i] = (i & 1 ? -1 : 1) * (1e6 + r());
          break;
        case 2:
          x[i] = (kind % 12 < 6 ? 1 : -1) * i * 0.5;
          break;
        case 3:
          x[i] = 42.125;
          break;
        case 4:
          x[i] = 1e-12 * z[i];
          break;
        default:
          x[i] = Math.exp(3 * z[i]);
      }
    }
    kind++;
  }
  return x;
}

/** Compensated (Neumaier) two-pass statistics of x[a..b). */
function naive(x: Float64Array, a: number, b: number) {
  let s = 0;
  let c = 0;
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  for (let i = a; i < b; i++) {
    const v = x[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const n = b - a;
  const mean = (s + c) / n;
  let q = 0;
  let qc = 0;
  for (let i = a; i < b; i++) {
    const d = (x[i] - mean) ** 2;
    const t = q + d;
    qc += q >= d ? q - t + d : d - t + q;
    q = t;
  }
  return { n, mean, variance: (q + qc) / n, min: mn, max: mx };
}

function checkMeanVar(
  got: { mean: number; variance?: number },
  ref: ReturnType<typeof naive>,
  where: string,
): void {
  const scale = Math.max(Math.abs(ref.min), Math.abs(ref.max));
  expect(
    Math.abs(got.mean - ref.mean),
    `${where} mean ${got.mean} vs ${ref.mean}`,
  ).toBeLessThanOrEqual(1e-9 * Math.abs(ref.mean) + 1e-14 * scale);
  if (got.variance !== undefined) {
    const spread = (ref.max - ref.min) ** 2;
    expect(
      Math.abs(got.variance - ref.variance),
      `${where} variance ${got.variance} vs ${ref.variance}`,
    ).toBeLessThanOrEqual(1e-9 * ref.variance + 1e-14 * spread);
  }
}

/** Independent sliding min/max: monotonic deques in plain JS. */
function dequeMinMax(x: Float64Array, w: number): { min: Float64Array; max: Float64Array } {
  const n = x.length;
  const mn = new Float64Array(n);
  const mx = new Float64Array(n);
  const qa = new Int32Array(n);
  const qb = new Int32Array(n);
  let ha = 0;
  let ta = 0;
  let hb = 0;
  let tb = 0;
  for (let i = 0; i < n; i++) {
    while (ta > ha && x[qa[ta - 1]] >= x[i]) ta--;
    qa[ta++] = i;
    if (qa[ha] <= i - w) ha++;
    while (tb > hb && x[qb[tb - 1]] <= x[i]) tb--;
    qb[tb++] = i;
    if (qb[hb] <= i - w) hb++;
    mn[i] = x[qa[ha]];
    mx[i] = x[qb[hb]];
  }
  return { min: mn, max: mx };
}

describe('SlidingWindow (count) against naive recompute', () => {
  const N = 10_000_000;
  const x = adversarial(N, 11);

  it('10^7 adversarial values, w=1000, all statistics: min/max/count exact at every step, mean/variance to 1e-9', () => {
    const w = 1000;
    const win = new SlidingWindow({ size: w });
    const out = win.push(x);
    expect(out.length).toBe(N);
    const ref = dequeMinMax(x, w);
    const { min, max, count, mean, variance, sum } = out as Required<typeof out>;
    for (let i = 0; i < N; i++) {
      if (min[i] !== ref.min[i] || max[i] !== ref.max[i] || count[i] !== Math.min(i + 1, w)) {
        throw new Error(`step ${i}: min ${min[i]}/${ref.min[i]} max ${max[i]}/${ref.max[i]}`);
      }
    }
    // Every step of the first 50k values, then every 499th step to the end.
    for (let i = 0; i < N; i += i < 50_000 ? 1 : 499) {
      const r = naive(x, Math.max(0, i + 1 - w), i + 1);
      checkMeanVar({ mean: mean[i], variance: variance[i] }, r, `step ${i}`);
      expect(Math.abs(sum[i] - r.mean * r.n)).toBeLessThanOrEqual(
        1e-9 * Math.abs(r.mean * r.n) + 1e-13 * w * Math.max(Math.abs(r.min), Math.abs(r.max)),
      );
    }
    // The last window is exact too (no drift after 10^7 values).
    const last = naive(x, N - w, N);
    checkMeanVar({ mean: mean[N - 1], variance: variance[N - 1] }, last, 'last');
    win.dispose();
  });

  it('10^7 values in uneven batches, w=37, mean/min/max (block-sum kernel) at every step', () => {
    const w = 37;
    const win = new SlidingWindow({ size: w, stats: ['mean', 'min', 'max'] });
    const mean = new Float64Array(N);
    const min = new Float64Array(N);
    const max = new Float64Array(N);
    let at = 0;
    const r = mulberry32(3);
    while (at < N) {
      const len = Math.min(N - at, 1 + Math.floor(r() * 30000));
      const o = win.push(x.subarray(at, at + len));
      expect(o.count).toBeUndefined();
      mean.set(o.mean!, at);
      min.set(o.min!, at);
      max.set(o.max!, at);
      at += len;
    }
    const ref = dequeMinMax(x, w);
    for (let i = 0; i < N; i++) {
      if (min[i] !== ref.min[i] || max[i] !== ref.max[i]) {
        throw new Error(`step ${i}: min ${min[i]}/${ref.min[i]} max ${max[i]}/${ref.max[i]}`);
      }
    }
    for (let i = 0; i < N; i += i < 100_000 ? 1 : 499) {
      checkMeanVar({ mean: mean[i] }, naive(x, Math.max(0, i + 1 - w), i + 1), `step ${i}`);
    }
    win.dispose();
  });
});

describe('SlidingWindow block-sum kernel (mean/min/max, four rows per step)', () => {
  it('window sizes 1..8, 100, 1000: min/max exact and means to 1e-9 in random batches, ±0 and ties included', () => {
    const n = 200_000;
    const x = adversarial(n, 5);
    // Runs of equal values and signed zeros: ties must not change min/max.
    for (let i = 0; i < n; i += 997)
      for (let j = 0; j < 13 && i + j < n; j++) x[i + j] = j & 1 ? -0 : 0;
    const r = mulberry32(9);
    for (const w of [1, 2, 3, 4, 5, 6, 7, 8, 100, 1000]) {
      const win = new SlidingWindow({ size: w, stats: ['mean', 'min', 'max'] });
      const mean = new Float64Array(n);
      const min = new Float64Array(n);
      const max = new Float64Array(n);
      let at = 0;
      while (at < n) {
        const len = Math.min(n - at, 1 + Math.floor(r() * 3 * w + r() * 9000));
        const o = win.push(x.subarray(at, at + len));
        expect(o.length).toBe(len);
        mean.set(o.mean!, at);
        min.set(o.min!, at);
        max.set(o.max!, at);
        at += len;
      }
      win.dispose();
      const ref = dequeMinMax(x, w);
      for (let i = 0; i < n; i++) {
        if (min[i] !== ref.min[i] || max[i] !== ref.max[i]) {
          throw new Error(
            `w=${w} step ${i}: min ${min[i]}/${ref.min[i]} max ${max[i]}/${ref.max[i]}`,
          );
        }
      }
      for (let i = 0; i < n; i += i < 5000 ? 1 : 97) {
        checkMeanVar(
          { mean: mean[i] },
          naive(x, Math.max(0, i + 1 - w), i + 1),
          `w=${w} step ${i}`,
        );
      }
    }
  });
});

describe('SlidingWindow.push(values, { out })', () => {
  it('writes into caller columns (same rows as fresh ones), refuses short columns without changing state', () => {
    const x = normals(30_000, 21);
    const a = new SlidingWindow({ size: 100, slide: 3, stats: ['mean', 'min', 'max'] });
    const b = new SlidingWindow({ size: 100, slide: 3, stats: ['mean', 'min', 'max'] });
    const cols = {
      mean: new Float64Array(4096),
      min: new Float64Array(4096),
      max: new Float64Array(4096),
    };
    for (let at = 0; at < x.length; at += 7_000) {
      const batch = x.subarray(at, at + 7_000);
      const fresh = a.push(batch);
      const mine = b.push(batch, { out: cols });
      expect(mine.length).toBe(fresh.length);
      expect(mine.mean!.buffer).toBe(cols.mean.buffer);
      expect(mine.mean).toEqual(fresh.mean);
      expect(mine.min).toEqual(fresh.min);
      expect(mine.max).toEqual(fresh.max);
    }
    const before = b.serialize();
    expectCode(() => b.push(x, { out: cols }), 'INVALID_ARGUMENT'); // 10,000 rows > 4096
    expectCode(() => b.push(x.subarray(0, 10), { out: { mean: cols.mean } }), 'INVALID_ARGUMENT');
    expect(b.serialize()).toEqual(before);
    const t = new SlidingWindow({ time: true, size: 10, slide: 5 });
    expectCode(() => t.push([1], { out: cols }), 'INVALID_ARGUMENT');
    for (const w of [a, b, t]) w.dispose();
  });
});

describe('SlidingWindow.push rows: reused memory, valid until the next push/flush', () => {
  it('equal { copy: true } rows and a naive recompute over growing and shrinking batches', () => {
    const x = adversarial(200_000, 31);
    const a = new SlidingWindow({ size: 1000, stats: ['mean', 'min', 'max'] });
    const b = new SlidingWindow({ size: 1000, stats: ['mean', 'min', 'max'] });
    const rnd = mulberry32(4);
    let at = 0;
    for (const len of [5, 70_000, 3, 40_000, 0, 1, 65_536, 17]) {
      const batch = x.subarray(at, at + len);
      const reused = a.push(batch);
      const kept = b.push(batch, { copy: true });
      expect(reused.length).toBe(len);
      expect(reused.mean).toEqual(kept.mean);
      expect(reused.min).toEqual(kept.min);
      expect(reused.max).toEqual(kept.max);
      for (let j = 0; j < 20 && len > 0; j++) {
        const i = Math.floor(rnd() * len);
        const r = naive(x, Math.max(0, at + i + 1 - 1000), at + i + 1);
        expect(reused.min![i]).toBe(r.min);
        expect(reused.max![i]).toBe(r.max);
      }
      at += len;
    }
    a.dispose();
    b.dispose();
  });

  it('a kept result fails loudly after the next push; copies, dispose and bad input leave rows intact', () => {
    const x = normals(10_000, 3);
    const w = new SlidingWindow({ size: 10, stats: ['mean', 'max'] });
    const first = w.push(x.subarray(0, 5000));
    const { max } = first;
    const firstMax = max!.slice();
    const kept = w.push(x.subarray(5000, 6000), { copy: true });
    const keptMax = kept.max!.slice();
    // { copy } does not touch the reused memory: the first rows are still readable.
    expect(first.max).toEqual(firstMax);
    // Bad input changes nothing, previous rows included.
    expectCode(() => w.push([1, 'x' as unknown as number]), 'INVALID_ARGUMENT');
    expectCode(() => w.push(x, { copy: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT');
    expectCode(
      () => w.push(x, { copy: true, out: { mean: new Float64Array(10_000) } }),
      'INVALID_ARGUMENT',
    );
    expect(first.max).toEqual(firstMax);
    const second = w.push(x.subarray(6000));
    // The earlier result now throws, and the array taken from it reads as empty:
    // never the second push's rows.
    expectCode(() => first.max, 'INVALID_STATE');
    expectCode(() => first.mean, 'INVALID_STATE');
    expect(first.length).toBe(5000);
    expect(max!.length).toBe(0);
    expect(max![0]).toBeUndefined();
    // The copied rows stay valid, and are right.
    expect(kept.max).toEqual(keptMax);
    expect(kept.max![999]).toBe(naive(x, 5990, 6000).max);
    // dispose() does not invalidate: the rows stay readable after it.
    const secondMax = second.max!;
    w.dispose();
    expect(second.max![3999]).toBe(naive(x, 9990, 10_000).max);
    expect(secondMax.length).toBe(4000);
  });

  it('a window fed its own rows (a view of the memory it reuses) reads them before rewriting', () => {
    const x = normals(100_000, 12);
    const w = new SlidingWindow({ size: 20, stats: ['mean'] });
    const ref = new SlidingWindow({ size: 20, stats: ['mean'] });
    const means = w.push(x).mean!; // 100,000 rows: several staging chunks
    const expected = ref.push(ref.push(x, { copy: true }).mean!, { copy: true }).mean!;
    const again = w.push(means).mean!;
    expect(again).toEqual(expected);
    const t = new SlidingWindow({ time: true, size: 10, slide: 5, stats: ['max'] });
    const first = t.push([1, 2, 3], [0, 6, 12]); // closes [-5, 5) and [0, 10)
    const own = first.max!; // [1, 2]: fed back as values and timestamps
    const next = t.push(own, Float64Array.from([20, 21]));
    expect(next.max).toEqual(new Float64Array([3, 3]));
    for (const k of [w, ref, t]) k.dispose();
  });

  it('rows the caller transferred away (postMessage) do not break the next push', () => {
    const x = normals(4000, 9);
    const w = new SlidingWindow({ size: 50, stats: ['mean'] });
    const r = w.push(x.subarray(0, 2000));
    const moved = structuredClone(r.mean!.buffer, { transfer: [r.mean!.buffer] });
    expect(new Float64Array(moved).length).toBeGreaterThanOrEqual(2000);
    const next = w.push(x.subarray(2000));
    expect(next.length).toBe(2000);
    expect(next.mean![1999]).toBeCloseTo(naive(x, 3950, 4000).mean, 12);
    w.dispose();
  });

  it('time windows: push and flush rows follow the same rule; { copy: true } rows stay', () => {
    const w = new SlidingWindow({ time: true, size: 10, slide: 5, stats: ['sum'] });
    const ts = Float64Array.from({ length: 100 }, (_, i) => i);
    const v = Float64Array.from({ length: 100 }, (_, i) => i * i);
    const a = w.push(v.subarray(0, 50), ts.subarray(0, 50));
    const sums = a.sum!.slice();
    const b = w.push(v.subarray(50), ts.subarray(50), { copy: true });
    expect(a.sum).toEqual(sums); // a { copy } push leaves the reused rows alone
    const f = w.flush();
    expectCode(() => a.sum, 'INVALID_STATE');
    expectCode(() => a.start, 'INVALID_STATE');
    // every closed window [start, end) sums i^2 over its timestamps
    const all = [...sums, ...b.sum!, ...f.sum!];
    const starts = [...b.start!, ...f.start!];
    expect(all.length).toBe(sums.length + starts.length);
    starts.forEach((s, j) => {
      let ref = 0;
      for (let t = Math.max(0, s); t < s + 10 && t < 100; t++) ref += t * t;
      expect(all[sums.length + j]).toBe(ref);
    });
    expectCode(() => w.flush({ out: {} } as never), 'INVALID_ARGUMENT');
    expectCode(() => w.push([1], [200], { out: {} }), 'INVALID_ARGUMENT');
    w.dispose();
  });
});

describe('SlidingWindow / TumblingWindow behaviour', () => {
  it('slide, partial windows, tumbling, NaN skipping, zero-copy pushEach', () => {
    const x = Float64Array.from({ length: 103 }, (_, i) => (i * 7919) % 101);
    const s = new SlidingWindow({ size: 10, slide: 4, partial: false });
    const o = s.push(x);
    // Rows after 12, 16, ... values (first full window at 10 values; emitted on slide boundaries).
    const ends = [];
    for (let t = 4; t <= 103; t += 4) if (t >= 10) ends.push(t);
    expect(o.length).toBe(ends.length);
    ends.forEach((e, i) => {
      const r = naive(x, e - 10, e);
      expect(o.min![i]).toBe(r.min);
      expect(o.max![i]).toBe(r.max);
      expect(o.count![i]).toBe(10);
      checkMeanVar({ mean: o.mean![i], variance: o.variance![i] }, r, `row ${i}`);
    });
    const t = new TumblingWindow({ size: 25, stats: ['sum', 'count'] });
    const withNaN = Array.from(x) as number[];
    withNaN.splice(5, 0, Number.NaN, Number.POSITIVE_INFINITY);
    const to = t.push(withNaN);
    expect(to.length).toBe(4);
    expect(t.rejected).toBe(2);
    for (let i = 0; i < 4; i++) {
      expect(to.count![i]).toBe(25);
      expect(to.sum![i]).toBe(naive(x, 25 * i, 25 * (i + 1)).mean * 25);
    }
    expect(to.mean).toBeUndefined();
    // pushEach hands out the same rows without copying.
    const a = new SlidingWindow({ size: 50, stats: ['mean', 'max'] });
    const b = new SlidingWindow({ size: 50, stats: ['mean', 'max'] });
    const big = adversarial(30_000, 5);
    const full = a.push(big);
    const got = new Float64Array(30_000);
    const rows = b.pushEach(big, (r, first) => got.set(r.max!, first));
    expect(rows).toBe(30_000);
    expect(got).toEqual(full.max);
    for (const w of [s, t, a, b]) w.dispose();
  });

  it('time windows: closed windows match a naive recompute, late values are skipped, flush closes the rest', () => {
    const r = mulberry32(8);
    const n = 20_000;
    const ts = new Float64Array(n);
    const v = new Float64Array(n);
    let now = 1000;
    for (let i = 0; i < n; i++) {
      now += r() < 0.01 ? 5000 * r() : 10 * r(); // bursts and gaps
      ts[i] = now;
      v[i] = 1e9 + normals(1, i)[0];
    }
    const size = 1000;
    const slide = 250;
    const w = new SlidingWindow({ time: true, size, slide, quantiles: [0.5, 0.99] });
    // kept across calls: { copy: true } (the default rows are valid until the next call)
    const parts = [
      w.push(v.subarray(0, 7000), ts.subarray(0, 7000), { copy: true }),
      w.push(v.subarray(7000), ts.subarray(7000), { copy: true }),
    ];
    parts.push(w.flush({ copy: true }));
    const starts = parts.flatMap((p) => Array.from(p.start!));
    const rows = parts.flatMap((p, pi) =>
      Array.from({ length: p.length }, (_, i) => ({ p: pi, i })),
    );
    // Reference: every window [k slide - size + slide, ...) that holds values.
    const ref: number[] = [];
    const first = Math.floor(ts[0] / slide);
    const lastPane = Math.floor(ts[n - 1] / slide);
    for (let q = first; q <= lastPane + size / slide - 1; q++) {
      const end = (q + 1) * slide;
      const start = end - size;
      let a = 0;
      while (a < n && ts[a] < start) a++;
      let b = a;
      while (b < n && ts[b] < end) b++;
      if (b > a) ref.push(start);
    }
    expect(starts).toEqual(ref);
    for (const { p, i } of rows) {
      const o = parts[p];
      let a = 0;
      while (ts[a] < o.start![i]) a++;
      let b = a;
      while (b < n && ts[b] < o.end![i]) b++;
      const rr = naive(v, a, b);
      expect(o.count![i]).toBe(rr.n);
      expect(o.min![i]).toBe(rr.min);
      expect(o.max![i]).toBe(rr.max);
      checkMeanVar({ mean: o.mean![i], variance: o.variance![i] }, rr, `window ${o.start![i]}`);
      const q = QuantileSketch.of(v.subarray(a, b), { exactLimit: 128 });
      expect(Array.from(o.quantiles!.map((c) => c[i]))).toEqual(
        Array.from(q.quantiles([0.5, 0.99])),
      );
      q.dispose();
    }
    // Late data is counted and skipped.
    const late = w.push([1, 2], [0, 1]);
    expect(late.length).toBe(0);
    expect(w.late).toBe(2);
    w.dispose();
  });

  it('count-window quantiles per pane match a sketch over each window', () => {
    const x = adversarial(5000, 2).map((v) => v + 0);
    const w = new SlidingWindow({ size: 400, slide: 100, quantiles: [0.1, 0.9], partial: false });
    const o = w.push(x.subarray(0, 2345), { copy: true }); // kept past the next push
    const o2 = w.push(x.subarray(2345));
    const q0 = [...o.quantiles![0], ...o2.quantiles![0]];
    const q1 = [...o.quantiles![1], ...o2.quantiles![1]];
    expect(q0.length).toBe(o.length + o2.length);
    q0.forEach((_, i) => {
      const end = 400 + 100 * i;
      const s = QuantileSketch.of(x.subarray(end - 400, end));
      expect([q0[i], q1[i]]).toEqual(Array.from(s.quantiles([0.1, 0.9])));
      s.dispose();
    });
    w.dispose();
  });

  it('serializes mid-stream and continues exactly (count and time windows, with pane sketches)', () => {
    const x = adversarial(20_000, 4);
    const ts = Float64Array.from(x, (_, i) => i * 1.5);
    const configs = [
      () => new SlidingWindow({ size: 300 }),
      () => new SlidingWindow({ size: 300, stats: ['mean', 'max'] }),
      () => new SlidingWindow({ size: 300, slide: 100, quantiles: [0.5] }),
      () => new TumblingWindow({ size: 64, quantiles: [0.9] }),
      () => new SlidingWindow({ time: true, size: 90, slide: 30, quantiles: [0.25] }),
    ];
    for (const make of configs) {
      const a = make();
      const b = make();
      const push = (w: SlidingWindow, lo: number, hi: number) =>
        w.time ? w.push(x.subarray(lo, hi), ts.subarray(lo, hi)) : w.push(x.subarray(lo, hi));
      push(a, 0, 7777);
      push(b, 0, 7777);
      const bytes = b.serialize();
      b.dispose();
      const r = SlidingWindow.deserialize(bytes);
      expect(r.constructor).toBe(a.constructor);
      expect(r.serialize()).toEqual(bytes);
      const oa = push(a, 7777, 20_000);
      const or = push(r, 7777, 20_000);
      expect(or).toEqual(oa);
      if (a.time) expect(r.flush()).toEqual(a.flush());
      a.dispose();
      r.dispose();
    }
    const good = new SlidingWindow({ size: 5 }).serialize();
    expectCode(() => SlidingWindow.deserialize(good.subarray(0, good.length - 8)), 'CORRUPT_STATE');
    const bad = good.slice();
    bad[4] = 2;
    expectCode(() => SlidingWindow.deserialize(bad), 'UNSUPPORTED_VERSION');
  });

  it('rejects misuse with typed errors', () => {
    expectCode(() => new SlidingWindow({ size: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => new SlidingWindow({ size: 10, slide: 11 }), 'INVALID_ARGUMENT');
    expectCode(() => new SlidingWindow({ size: 10.5 }), 'INVALID_ARGUMENT');
    expectCode(() => new SlidingWindow({ time: true, size: 10 }), 'INVALID_ARGUMENT');
    expectCode(() => new SlidingWindow({ time: true, size: 10, slide: 3 }), 'INVALID_ARGUMENT');
    expectCode(
      () => new SlidingWindow({ size: 10, stats: ['median' as 'mean'] }),
      'INVALID_ARGUMENT',
    );
    expectCode(
      () => new SlidingWindow({ size: 10, slide: 3, quantiles: [0.5] }),
      'INVALID_ARGUMENT',
    );
    const w = new SlidingWindow({ size: 3 });
    expectCode(() => w.push([1, 'x' as unknown as number]), 'INVALID_ARGUMENT');
    expectCode(() => w.push([1], [1]), 'INVALID_ARGUMENT');
    expectCode(() => w.flush(), 'INVALID_STATE');
    expect(w.push([1, 2, 3, 4]).mean).toEqual(new Float64Array([1, 1.5, 2, 3]));
    const t = new TumblingWindow({ time: true, size: 10 });
    expectCode(() => t.push([1, 2], [1]), 'INVALID_ARGUMENT');
    expectCode(() => t.push([1, 2]), 'INVALID_ARGUMENT');
    w.reset();
    expect(w.push([5]).mean).toEqual(new Float64Array([5]));
    w.dispose();
    t.dispose();
    expectCode(() => w.push([1]), 'DISPOSED');
  });
});
