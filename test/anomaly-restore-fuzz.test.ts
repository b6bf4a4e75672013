/**
 * Damaged detector snapshots (#18.9): every streaming detector's `restore`
 * gets valid snapshots with one to three fields overwritten (NaN, ±Infinity,
 * negative, huge, fractional, null, a string), deleted, or with an array
 * shortened or lengthened, passed as objects or through JSON. Each must
 * either throw a typed `EdgewiseError` and leave the detector as it was, or
 * accept a state that snapshots back to exactly what it was given, holds no
 * NaN or ±Infinity (the calibration tail's "none yet" Infinity aside), and
 * scores the next records in [0, 1]. `FUZZ_RUNS` scales the run (default 1,000
 * per detector, a fifth of that for the ensemble and 40% for CAD OSE and
 * ARTime, about 7,000 cases in all; nightly: FUZZ_RUNS=15000 for 10^5).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARTimeDetector } from '../src/anomaly/artime';
import { CadOseDetector } from '../src/anomaly/cad-ose';
import { ScoreCalibrator } from '../src/anomaly/calibration';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import {
  CusumDetector,
  type DetectorSnapshot,
  EwmaDetector,
  GaussianDetector,
  MadDetector,
  PageHinkleyDetector,
  SeasonalDetector,
  type StreamingDetectorApi,
} from '../src/anomaly/streaming';
import { EdgewiseError } from '../src/errors';
import { mulberry32, normals } from './helpers/random';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const CODES = new Set(['CORRUPT_STATE', 'UNSUPPORTED_VERSION']);

/** A seasonal series (5-minute steps) with a spike and a level shift, so states hold alarms. */
function series(n: number, seed: number): { v: Float64Array; t: Float64Array } {
  const z = normals(n, seed);
  const t0 = Date.UTC(2024, 0, 1);
  const t = Float64Array.from({ length: n }, (_, i) => t0 + i * 300_000);
  const v = Float64Array.from(
    { length: n },
    (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 288) + 0.3 * z[i] + (i > 0.8 * n ? 4 : 0),
  );
  v[Math.floor(n / 2)] += 25;
  return { v, t };
}

interface Target {
  name: string;
  make(): StreamingDetectorApi;
  /** Records learnt before the snapshot. */
  n: number;
  /** Share of RUNS (the ensemble's snapshots are large and slower to check). */
  share?: number;
}

const TARGETS: Target[] = [
  { name: 'StreamingDetector', make: () => new StreamingDetector(), n: 900, share: 0.2 },
  { name: 'SeasonalDetector', make: () => new SeasonalDetector({ profile: 'both' }), n: 700 },
  { name: 'EwmaDetector', make: () => new EwmaDetector(), n: 300 },
  { name: 'GaussianDetector', make: () => new GaussianDetector({ window: 50 }), n: 300 },
  { name: 'MadDetector', make: () => new MadDetector({ window: 40 }), n: 300 },
  { name: 'CusumDetector', make: () => new CusumDetector(), n: 300 },
  { name: 'PageHinkleyDetector', make: () => new PageHinkleyDetector(), n: 300 },
  { name: 'CadOseDetector', make: () => new CadOseDetector(), n: 400, share: 0.4 },
  {
    name: 'ARTimeDetector',
    make: () => new ARTimeDetector({ probation: 120, maxCategories: 64 }),
    n: 400,
    share: 0.4,
  },
];

const SPECIAL: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -5,
  0,
  0.5,
  1e300,
  -1e300,
  2 ** 53,
  null,
  'x',
];

type Path = (string | number)[];

/** Paths to every value inside `x` (objects and arrays included), root excluded. */
function paths(x: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      const p = [...at, Array.isArray(x) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

type Mutation =
  | { kind: 'set'; path: number; v: number }
  | { kind: 'delete'; path: number }
  | { kind: 'shorten'; path: number }
  | { kind: 'lengthen'; path: number; v: number };

const mutation = (nPaths: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        path: fc.nat({ max: nPaths - 1 }),
        v: fc.nat({ max: SPECIAL.length - 1 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('delete' as const),
        path: fc.nat({ max: nPaths - 1 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('shorten' as const),
        path: fc.nat({ max: nPaths - 1 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('lengthen' as const),
        path: fc.nat({ max: nPaths - 1 }),
        v: fc.nat({ max: SPECIAL.length - 1 }),
      }),
    },
  );

function apply(root: unknown, all: Path[], m: Mutation): void {
  const path = all[m.path];
  let parent = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    const next = parent?.[k];
    if (next === null || typeof next !== 'object') return; // an earlier mutation removed it
    parent = next as Record<string | number, unknown>;
  }
  const key = path[path.length - 1];
  if (parent === null || typeof parent !== 'object' || !(key in parent)) return;
  const target = parent[key];
  switch (m.kind) {
    case 'set':
      parent[key] = SPECIAL[m.v];
      return;
    case 'delete':
      delete parent[key];
      return;
    case 'shorten':
      if (Array.isArray(target) && target.length > 0) target.pop();
      return;
    case 'lengthen':
      if (Array.isArray(target)) target.push(typeof target[0] === 'number' ? SPECIAL[m.v] : 0);
  }
}

/** The first non-finite number in `x` (the calibration tail's Infinity, "no tail yet", aside). */
function nonFinite(x: unknown, at = ''): string | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? undefined : `${at} = ${x}`;
  if (x === null || typeof x !== 'object') return undefined;
  for (const [k, v] of Object.entries(x)) {
    if (at.endsWith('.tail') && k === '0' && v === Number.POSITIVE_INFINITY) continue;
    const r = nonFinite(v, `${at}.${k}`);
    if (r) return r;
  }
  return undefined;
}

const normal = (s: unknown): unknown => JSON.parse(JSON.stringify(s));

function check(t: Target, snap: DetectorSnapshot, next: { v: Float64Array; t: Float64Array }) {
  const d = t.make();
  const before = normal(d.snapshot());
  try {
    d.restore(snap);
  } catch (e) {
    if (!(e instanceof EdgewiseError) || !CODES.has(e.code)) {
      throw new Error(`${t.name}: untyped error ${String(e)}`);
    }
    expect(normal(d.snapshot()), `${t.name}: a refused snapshot changed the detector`).toEqual(
      before,
    );
    return;
  }
  const after = d.snapshot();
  // accepted: the state is what the snapshot says (nothing silently repaired or ignored)
  expect(normal(after), `${t.name}: round trip`).toEqual(normal(snap));
  const bad = nonFinite(after);
  if (bad) throw new Error(`${t.name}: accepted a state holding ${bad}`);
  const scores = d.updateBatch(next.v, next.t);
  for (const s of scores) {
    if (!(s >= 0 && s <= 1)) throw new Error(`${t.name}: score ${s} after an accepted restore`);
  }
}

describe('damaged detector snapshots: typed error or exact round trip, never NaN or ±Infinity', () => {
  for (const t of TARGETS) {
    it(t.name, () => {
      const valid = [1, 2].map((seed) => {
        const { v, t: ts } = series(t.n, seed);
        const d = t.make();
        d.updateBatch(v, ts);
        return d.snapshot();
      });
      const next = series(t.n + 40, 9);
      next.v = next.v.subarray(t.n);
      next.t = next.t.subarray(t.n);
      for (const s of valid) check(t, structuredClone(s), next); // valid ones round-trip
      const all = valid.map((s) => paths(s));
      fc.assert(
        fc.property(
          fc
            .nat({ max: valid.length - 1 })
            .chain((i) =>
              fc.tuple(
                fc.constant(i),
                fc.array(mutation(all[i].length), { minLength: 1, maxLength: 3 }),
                fc.boolean(),
              ),
            ),
          ([i, ms, viaJson]) => {
            const s = structuredClone(valid[i]);
            for (const m of ms) apply(s, all[i], m);
            check(t, (viaJson ? normal(s) : s) as DetectorSnapshot, next);
          },
        ),
        { numRuns: Math.ceil(RUNS * (t.share ?? 1)), seed: 7 },
      );
    }, 300_000);
  }

  it('ScoreCalibrator: a damaged histogram or tail is refused', () => {
    const r = mulberry32(3);
    const c = new ScoreCalibrator();
    for (let i = 0; i < 500; i++) c.add(-Math.log(1 - r()));
    const snap = c.snapshot();
    expect(new ScoreCalibrator().restore(structuredClone(snap)).snapshot()).toEqual(snap);
    const refuse = (f: (s: typeof snap) => void) => {
      const s = structuredClone(snap);
      f(s);
      const d = new ScoreCalibrator();
      expect(() => d.restore(s)).toThrowError(/ScoreCalibrator.restore/);
      expect(d.count).toBe(0);
    };
    const used = snap.tree.findIndex((x, i) => i > 0 && x > 0);
    refuse((s) => {
      s.tree[used] = -1;
    });
    refuse((s) => {
      s.tree[used] += 7; // the total no longer matches the bins
    });
    refuse((s) => {
      s.total = Number.NaN;
    });
    refuse((s) => {
      s.weight = 2; // weight moves only with decay
    });
    refuse((s) => {
      s.tail[2] = 0; // tail scale
    });
    refuse((s) => {
      s.tail[1] = 1.5; // tail probability
    });
  });
});
