/**
 * Two stores (two tabs) on one IndexedDB database writing the SAME series at
 * once (#18.5, the last multi-tab gap): interleaved samples across many
 * flushes and chunk boundaries, concurrent flushes, one writer closed and
 * reopened, the other closed with its roll-up buckets still open. A reopened
 * store must return every sample exactly once (checked per 250 ms step against
 * the union computed here) and roll-up tiers equal to a recomputation from the
 * raw samples.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/metrics/registry';
import { IndexedDbBackend } from '../src/storage/indexeddb';
import { TimeSeriesStore } from '../src/storage/timeseries/store';
import type { TierSpec } from '../src/storage/timeseries/tiers';
import { lcg } from './helpers/random';

const T0 = 1_700_000_400_000; // a multiple of 10 min
const S = 1000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const TIERS: TierSpec[] = [
  { name: 'raw', resolutionMs: 0, retentionMs: HOUR, chunkMs: MIN },
  { name: '1m', resolutionMs: MIN, retentionMs: 2 * HOUR, chunkMs: 10 * MIN, sketch: false },
  {
    name: '10m',
    resolutionMs: 10 * MIN,
    retentionMs: 400 * 24 * HOUR,
    chunkMs: HOUR,
    sketch: true,
  },
];
const NAME = 'room_temp';
const LABELS = { room: 'hall' };

interface Point {
  t: number;
  v: number;
}

/** Count, sum, min, max, mean, population stddev of `vs` (plain loops: the reference). */
function stats(vs: number[]) {
  const n = vs.length;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of vs) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of vs) ss += (v - mean) ** 2;
  return { n, sum, min, max, mean, sd: Math.sqrt(ss / n) };
}

/** A store over the IndexedDB database `db` with the suite's tiers and a test clock. */
const openStore = (db: string, clock: () => number): Promise<TimeSeriesStore> =>
  IndexedDbBackend.open({ name: db }).then((backend) =>
    TimeSeriesStore.open(new MetricsRegistry(), {
      backend,
      intervalMs: S,
      tiers: TIERS,
      now: clock,
    }),
  );

describe('two stores writing the same series (#18.5)', () => {
  it('every sample of both writers is stored exactly once; roll-ups equal a recomputation', async () => {
    const db = 'two-writers-same-series';
    let now = T0;
    const clock = () => now;
    const open = () => openStore(db, clock);
    let a = await open();
    let b = await open();
    expect([a.writerSlot, b.writerSlot]).toEqual([0, 1]);
    const all: Point[] = [];
    const rnd = lcg(18);
    const STEPS = 1500; // 25 min: 25 raw chunks, 3 chunks of the 1 m tier, 3 buckets of 10 min
    for (let k = 0; k < STEPS; k++) {
      const t = T0 + k * S;
      now = t;
      const va = Math.round((10 + 90 * rnd()) * 100) / 100;
      a.recordValue(NAME, LABELS, t, va);
      all.push({ t, v: va });
      // b samples half a second later, and every 7th step at the same instant
      // (every 21st with the very same value): both writers' samples are kept.
      const tb = k % 7 === 0 ? t : t + 500;
      const vb = k % 21 === 0 ? va : Math.round((10 + 90 * rnd()) * 100) / 100;
      b.recordValue(NAME, LABELS, tb, vb);
      all.push({ t: tb, v: vb });
      if (k % 37 === 36) await a.flush();
      if (k % 53 === 52) await b.flush();
      if (k % 97 === 96) await Promise.all([a.flush(), b.flush()]);
      if (k === 700) {
        // b's tab reloads mid-bucket: it gets its slot back and resumes its stream.
        await b.close();
        b = await open();
        expect(b.writerSlot).toBe(1);
      }
      if (k === 1100) {
        // a's tab reloads while b is open: slot 0 is free again, a resumes it.
        await a.close();
        a = await open();
        expect(a.writerSlot).toBe(0);
      }
    }
    // a closes first, then b: b's open buckets live only in its cursor, and the
    // reader below takes slot 0, so it must finish slot 1's buckets itself.
    await a.close();
    await b.close();
    const end = T0 + STEPS * S;
    now = end;
    const reader = await open();
    expect(reader.writerSlot).toBe(0);

    // Raw tier: per 250 ms step, count / sum / min / max of the samples.
    const step = 250;
    const raw = async (agg: 'count' | 'sum' | 'min' | 'max') => {
      const q = await reader.query(NAME, { labels: LABELS, from: T0, to: end, step, agg });
      expect(q.tier).toBe('raw');
      expect(q.series).toHaveLength(1);
      return q.series[0].values;
    };
    const bins = new Map<number, number[]>();
    for (const p of all) {
      const k = Math.floor((p.t - T0) / step);
      bins.set(k, [...(bins.get(k) ?? []), p.v]);
    }
    const [count, sum, min, max] = [
      await raw('count'),
      await raw('sum'),
      await raw('min'),
      await raw('max'),
    ];
    let stored = 0;
    for (let k = 0; k < count.length; k++) {
      const ref = bins.get(k);
      stored += count[k];
      expect(count[k], `step ${k}`).toBe(ref?.length ?? 0);
      if (!ref) continue;
      const s = stats(ref);
      expect(sum[k]).toBeCloseTo(s.sum, 9);
      expect(min[k]).toBe(s.min);
      expect(max[k]).toBe(s.max);
    }
    expect(stored).toBe(all.length);
    expect(all.length).toBe(2 * STEPS);

    // Roll-up tiers: every bucket equals its recomputation from the samples.
    for (const [tier, res, at] of [
      ['1m', MIN, T0 + 90 * MIN],
      ['10m', 10 * MIN, T0 + 3 * HOUR],
    ] as const) {
      now = at;
      const q = async (
        agg: 'count' | 'sum' | 'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90',
      ) => {
        const r = await reader.query(NAME, { labels: LABELS, from: T0, to: end, step: res, agg });
        expect(r.tier).toBe(tier);
        expect(r.series).toHaveLength(1);
        return r.series[0].values;
      };
      const per = new Map<number, number[]>();
      for (const p of all) {
        const k = Math.floor((p.t - T0) / res);
        per.set(k, [...(per.get(k) ?? []), p.v]);
      }
      const got = {
        count: await q('count'),
        sum: await q('sum'),
        min: await q('min'),
        max: await q('max'),
        mean: await q('mean'),
        sd: await q('stddev'),
      };
      expect(got.count.length).toBe(per.size);
      for (const [k, vs] of per) {
        const s = stats(vs);
        expect(got.count[k], `${tier} bucket ${k}`).toBe(s.n);
        expect(got.sum[k]).toBeCloseTo(s.sum, 7);
        expect(got.min[k]).toBe(s.min);
        expect(got.max[k]).toBe(s.max);
        expect(got.mean[k]).toBeCloseTo(s.mean, 9);
        expect(got.sd[k]).toBeCloseTo(s.sd, 9);
      }
      if (tier === '10m') {
        // The sketch tier merges both writers' bucket sketches: quantiles within
        // the sketch's 1% relative accuracy of the exact ('lower') quantile.
        for (const [agg, p] of [
          ['p50', 0.5],
          ['p90', 0.9],
        ] as const) {
          const vals = await q(agg);
          for (const [k, vs] of per) {
            const sorted = [...vs].sort((x, y) => x - y);
            const exact = sorted[Math.floor(p * (sorted.length - 1))];
            expect(Math.abs(vals[k] - exact) / exact, `${agg} bucket ${k}`).toBeLessThan(0.021);
          }
        }
      }
    }
    await reader.close();
  });

  it('a finished writer resumed by a later store keeps every bucket (two rows of one bucket merge)', async () => {
    const db = 'two-writers-finish-resume';
    let now = T0;
    const clock = () => now;
    const open = () => openStore(db, clock);
    const all: Point[] = [];
    const write = async (st: TimeSeriesStore, from: number, to: number, off: number) => {
      for (let k = from; k < to; k++) {
        now = T0 + k * S + off;
        const v = (k % 13) + off / 1000;
        st.recordValue(NAME, LABELS, now, v);
        all.push({ t: now, v });
      }
      await st.flush();
    };
    const a = await open();
    const b = await open();
    expect(b.writerSlot).toBe(1);
    await write(a, 0, 270, 0);
    await write(b, 0, 270, 500); // 4.5 min: minute 4 and the 10 min bucket are open in b
    await b.close();
    await a.close();
    // Slot 1 is free while the reader holds slot 0: the reader finishes b's buckets.
    const reader = await open();
    expect(reader.writerSlot).toBe(0);
    // A new tab gets slot 1 and continues b's stream inside the same buckets:
    // the 1 m tier's chunk then holds 11 rows for its 10 buckets.
    const c = await open();
    expect(c.writerSlot).toBe(1);
    await write(c, 270, 660, 500);
    await write(reader, 270, 660, 0);
    await c.close();
    await reader.close();
    const end = T0 + 660 * S;
    now = end;
    const last = await open();
    for (const [res, at] of [
      [MIN, T0 + 90 * MIN],
      [10 * MIN, T0 + 3 * HOUR],
    ] as const) {
      now = at;
      const count = await last.query(NAME, { from: T0, to: end, step: res, agg: 'count' });
      const sum = await last.query(NAME, { from: T0, to: end, step: res, agg: 'sum' });
      const per = new Map<number, number[]>();
      for (const p of all) {
        const k = Math.floor((p.t - T0) / res);
        per.set(k, [...(per.get(k) ?? []), p.v]);
      }
      for (const [k, vs] of per) {
        const st = stats(vs);
        expect(count.series[0].values[k], `${res} bucket ${k}`).toBe(st.n);
        expect(sum.series[0].values[k]).toBeCloseTo(st.sum, 9);
      }
    }
    await last.close();
  });
});
