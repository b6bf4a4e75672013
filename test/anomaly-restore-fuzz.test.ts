/**
 * Damaged detector snapshots (#18.9): every streaming detector's `restore`
 * gets valid snapshots with one to three fields overwritten (NaN, ±Infinity,
 * negative, huge, fractional, null, a string), deleted, or with an array
 * shortened or lengthened, passed as objects or through JSON. Each must
 * either throw a typed `EdgewiseError` and leave the detector as it was, or
 * accept a state that snapshots back to exactly what it was given, holds no
 * NaN or ±Infinity (the calibration tail's "none yet" Infinity aside), and
 * scores the next records in [0, 1]. `FUZZ_RUNS` scales the run (default 1,000
 * per detector, a fifth of that for the ensemble and 40% for CAD OSE,
 * ARTime and its ensemble member, about 9,400 cases in all; nightly:
 * FUZZ_RUNS=15000 for over 10^5). The streaming forests also get one
 * hand-damaged snapshot per invariant class and a check that a restored
 * detector scores on exactly as the uninterrupted one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARTimeDetector } from '../src/anomaly/artime';
import { ARTimeMember } from '../src/anomaly/artime-member';
import { CadOseDetector } from '../src/anomaly/cad-ose';
import { ScoreCalibrator } from '../src/anomaly/calibration';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import { HalfSpaceTreesDetector, RandomCutForestDetector } from '../src/anomaly/forests-stream';
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
  {
    name: 'ARTimeMember',
    make: () => new ARTimeMember({ probation: 120, maxCategories: 64 }),
    n: 400,
    share: 0.4,
  },
  // small forests, so that most mutated entries are live nodes and masses
  {
    name: 'HalfSpaceTreesDetector',
    make: () => new HalfSpaceTreesDetector({ trees: 4, depth: 4, window: 50 }),
    n: 330,
  },
  {
    name: 'RandomCutForestDetector',
    make: () => new RandomCutForestDetector({ trees: 4, sampleSize: 24, shingle: 3 }),
    n: 300,
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

describe('streaming forests: each snapshot invariant is checked', () => {
  const trained = <D extends StreamingDetectorApi>(d: D, n: number, seed: number): D => {
    const { v, t } = series(n, seed);
    d.updateBatch(v, t);
    return d;
  };
  /** The damaged copy of `snap` is refused with CORRUPT_STATE naming `what`, and `d` keeps its state. */
  function refuse(
    d: StreamingDetectorApi,
    snap: DetectorSnapshot,
    damage: (s: DetectorSnapshot) => void,
    what: RegExp,
  ): void {
    const s = structuredClone(snap);
    damage(s);
    const before = normal(d.snapshot());
    let err: unknown;
    try {
      d.restore(s);
    } catch (e) {
      err = e;
    }
    expect(err, 'refused').toBeInstanceOf(EdgewiseError);
    expect((err as EdgewiseError).code).toBe('CORRUPT_STATE');
    expect((err as Error).message).toMatch(what);
    expect(normal(d.snapshot())).toEqual(before);
  }

  it('HalfSpaceTreesDetector: shingle, window position, masses, sizes', () => {
    const opts = { trees: 4, depth: 4, window: 50 };
    const snap = trained(new HalfSpaceTreesDetector(opts), 330, 1).snapshot();
    // the target holds another valid state, which a refusal must leave as it is
    const d = trained(new HalfSpaceTreesDetector(opts), 280, 2);
    type St = {
      sh: { buf: number[]; filled: number; m: number | null; v: number };
      ref: number[];
      lat: number[];
      inWindow: number;
      hasRef: boolean;
    };
    const st = (s: DetectorSnapshot) => s.state as St;
    expect(st(snap).hasRef).toBe(true);
    expect(st(snap).inWindow).toBeGreaterThan(0);
    const nodes = 31;
    const firstLeaf = 15;
    // shingle
    refuse(
      d,
      snap,
      (s) => {
        st(s).sh.filled = 2;
      },
      /shingle fill/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).sh.buf[1] = Number.NaN;
      },
      /non-finite value in the shingle/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).sh.v = -1;
      },
      /shingle variance/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).sh.m = null;
      },
      /shingle level/,
    );
    // window position: fixed by the record count
    refuse(
      d,
      snap,
      (s) => {
        st(s).inWindow += 1;
      },
      /inWindow/,
    );
    refuse(
      d,
      snap,
      (s) => {
        s.n += 1;
      },
      /inWindow/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).hasRef = false;
      },
      /hasRef/,
    );
    // masses: integers >= 0, parent = sum of children, roots at the window position
    refuse(
      d,
      snap,
      (s) => {
        st(s).lat[firstLeaf] += 0.5;
      },
      /not a non-negative integer/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).ref[nodes + firstLeaf] = -1;
      },
      /not a non-negative integer/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).ref[2 * nodes + firstLeaf] += 1;
      },
      /sum of its children/,
    );
    refuse(
      d,
      snap,
      (s) => {
        // one more vector on the whole path 0 -> 1 -> 3 -> 7 -> 15: sums hold, the root does not
        for (const i of [0, 1, 3, 7, 15]) st(s).lat[i] += 1;
      },
      /latest root mass is not/,
    );
    refuse(
      d,
      snap,
      (s) => {
        for (const i of [0, 2, 6, 14, 30]) st(s).ref[3 * nodes + i] += 1;
      },
      /reference root mass is not 50/,
    );
    // sizes of other options
    refuse(d, snap, (s) => void st(s).ref.pop(), /one per node/);
    refuse(
      d,
      trained(new HalfSpaceTreesDetector({ ...opts, depth: 3 }), 330, 1).snapshot(),
      () => {},
      /one per node/,
    );
    // the undamaged snapshot is accepted
    expect(normal(d.restore(structuredClone(snap)).snapshot())).toEqual(normal(snap));
  });

  it('RandomCutForestDetector: counts, rng, ranges, point ring, tree shape, sizes, boxes, free lists', () => {
    const opts = { trees: 4, sampleSize: 24, shingle: 3 };
    const snap = trained(new RandomCutForestDetector(opts), 300, 1).snapshot();
    const d = trained(new RandomCutForestDetector(opts), 250, 2);
    type St = { sh: { filled: number }; rng: number; count: number; arrays: number[][] };
    const st = (s: DetectorSnapshot) => s.state as St;
    const A = (s: DetectorSnapshot) => {
      const a = st(s).arrays;
      return {
        parent: a[0],
        left: a[1],
        right: a[2],
        size: a[3],
        point: a[4],
        cutDim: a[5],
        cutVal: a[6],
        lo: a[7],
        hi: a[8],
        root: a[9],
        free: a[10],
        pts: a[11],
        leafOf: a[12],
      };
    };
    const S1 = 25;
    const dim = 3;
    const cap = 2 * S1;
    const a0 = A(snap);
    const count = st(snap).count;
    const newest = (count - 1) % S1;
    const stale = count % S1; // the ring's one dead slot
    const root = a0.root[0];
    const leaf = a0.leafOf[newest]; // tree 0
    const inner = a0.parent[leaf];
    const lastFree = (() => {
      let f = a0.free[0];
      while (a0.left[f] !== -1) f = a0.left[f];
      return f;
    })();
    expect(a0.point[root]).toBe(-1);
    expect(a0.point[leaf]).toBe(newest);
    expect(a0.point[inner]).toBe(-1);
    // shingle and counts
    refuse(
      d,
      snap,
      (s) => {
        st(s).sh.filled = 1;
      },
      /shingle fill/,
    );
    refuse(
      d,
      snap,
      (s) => {
        st(s).count -= 1;
      },
      /count/,
    );
    // rng: a uint32
    for (const v of [-1, 2 ** 32, 0.5, null])
      refuse(
        d,
        snap,
        (s) => {
          st(s).rng = v as number;
        },
        /rng/,
      );
    // array sizes: other options
    refuse(d, snap, (s) => void A(s).lo.pop(), /sizes of these options/);
    refuse(
      d,
      trained(new RandomCutForestDetector({ ...opts, sampleSize: 23 }), 300, 1).snapshot(),
      () => {},
      /sizes of these options/,
    );
    // entry ranges, spare (free) nodes included
    const free0 = a0.free[0];
    refuse(
      d,
      snap,
      (s) => {
        A(s).size[free0] = 0.5;
      },
      /size holds number 0\.5/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).lo[free0 * dim] = 1.5;
      },
      /lo holds number 1\.5/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).cutDim[free0] = dim;
      },
      /cutDim holds number 3/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).cutVal[root] = Number.POSITIVE_INFINITY;
      },
      /cutVal/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).pts[stale * dim] = Number.NaN;
      },
      /pts holds number NaN/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).parent[free0] = 4 * cap;
      },
      /parent holds number 200/,
    );
    // point ring: leafOf maps exactly the live slots
    refuse(
      d,
      snap,
      (s) => {
        A(s).leafOf[stale] = leaf;
      },
      /leafOf/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).leafOf[S1 + newest] = leaf;
      },
      /leafOf/,
    ); // tree 0's node in tree 1
    refuse(
      d,
      snap,
      (s) => {
        A(s).leafOf[newest] = -1;
      },
      /leafOf/,
    );
    // tree shape: root, children in the tree, parent links, no cycle
    refuse(
      d,
      snap,
      (s) => {
        A(s).root[0] = A(s).left[root];
      },
      /root/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).root[1] = root;
      },
      /root/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).right[inner] = A(s).left[inner];
      },
      /children or parent links/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).left[inner] = root;
      },
      /children or parent links/,
    ); // a cycle
    refuse(
      d,
      snap,
      (s) => {
        A(s).right[root] = cap + 1;
      },
      /children or parent links/,
    );
    // leaves: a live point, size 1, box = point
    refuse(
      d,
      snap,
      (s) => {
        A(s).point[leaf] = stale;
      },
      /leaf does not hold a live point/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).size[leaf] = 2;
      },
      /size is not the sum of its children|leaf does not hold/, // the parent is checked first
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).pts[newest * dim + 1] = 0.123;
      },
      /leaf's box/,
    );
    // internal nodes: size and box from the children
    refuse(
      d,
      snap,
      (s) => {
        A(s).size[root] -= 1;
      },
      /size is not the sum/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).hi[inner * dim] = 1;
      },
      /box is not the union/,
    );
    // free lists: in the tree, acyclic, exactly the other nodes
    refuse(
      d,
      snap,
      (s) => {
        A(s).free[0] = A(s).left[free0];
      },
      /loses nodes/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).left[lastFree] = free0;
      },
      /free list/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).free[0] = leaf;
      },
      /free list/,
    );
    refuse(
      d,
      snap,
      (s) => {
        A(s).free[0] = cap;
      },
      /free list/,
    );
    // spare entries keep their values (they are never read): an exact round trip
    const ok = structuredClone(snap);
    A(ok).cutVal[free0] = 0.25;
    A(ok).pts[stale * dim] = 0.75;
    expect(normal(d.restore(structuredClone(ok)).snapshot())).toEqual(normal(ok));
  });

  it('RandomCutForestDetector: an earlier version’s seeded rng state (int32, before the first cut) still restores', () => {
    const fresh = new RandomCutForestDetector({ trees: 3, sampleSize: 8 });
    const s = fresh.snapshot();
    expect((s.state as { rng: number }).rng).toBe(((1 >>> 0) ^ 0x9e3779b9) >>> 0);
    (s.state as { rng: number }).rng = (1 >>> 0) ^ 0x9e3779b9; // what earlier versions stored
    expect((s.state as { rng: number }).rng).toBeLessThan(0);
    const d = new RandomCutForestDetector({ trees: 3, sampleSize: 8 }).restore(s);
    const { v, t } = series(200, 4);
    expect(Array.from(d.updateBatch(v, t))).toEqual(Array.from(fresh.updateBatch(v, t)));
  });

  it('a restored forest scores on exactly as the uninterrupted one (default and small options)', () => {
    const makers: [string, () => StreamingDetectorApi][] = [
      ['HalfSpaceTrees default', () => new HalfSpaceTreesDetector()],
      [
        'HalfSpaceTrees small',
        () => new HalfSpaceTreesDetector({ trees: 4, depth: 4, window: 50 }),
      ],
      ['RandomCutForest default', () => new RandomCutForestDetector()],
      ['RandomCutForest small', () => new RandomCutForestDetector({ trees: 4, sampleSize: 24 })],
    ];
    const { v, t } = series(900, 5);
    for (let i = 100; i < 140; i++) v[i] = 7; // repeated points (equal shingles)
    for (const [name, make] of makers) {
      for (const cut of [0, 2, 60, 261, 600]) {
        const a = make();
        a.updateBatch(v.subarray(0, cut), t.subarray(0, cut));
        const b = make().restore(normal(a.snapshot()) as DetectorSnapshot);
        const sa = a.updateBatch(v.subarray(cut), t.subarray(cut));
        const sb = b.updateBatch(v.subarray(cut), t.subarray(cut));
        expect(Array.from(sb), `${name} restored after ${cut}`).toEqual(Array.from(sa));
        // real scores are compared, not the warm-up's zeros
        expect(sa.filter((x) => x > 0).length, name).toBeGreaterThan(100);
        expect(normal(b.snapshot())).toEqual(normal(a.snapshot()));
      }
    }
  }, 120_000);
});
