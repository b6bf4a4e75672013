/**
 * Saved states under attack (#18.9): every `deserialize` gets valid states with
 * bytes flipped, float slots overwritten with specials, truncations and
 * extensions. Each must either throw a typed `EdgewiseError` or give back a
 * state that serializes to the same bytes and whose outputs are not ±Infinity
 * (NaN only where an empty state defines it). `FUZZ_RUNS` scales the run (the
 * default, 1,500 per type, is 10^4 cases in all; nightly: FUZZ_RUNS=15000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import { EdgewiseError } from '../src/errors';
import {
  Covariance,
  Ewma,
  Histogram,
  Moments,
  QuantileSketch,
  SlidingWindow,
} from '../src/kernels/index';
import { mulberry32 } from './helpers/random';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const CODES = new Set(['CORRUPT_STATE', 'UNSUPPORTED_VERSION', 'INVALID_ARGUMENT']);

interface Target {
  name: string;
  make(seed: number): Uint8Array;
  load(bytes: Uint8Array): { serialize(): Uint8Array; dispose?(): void };
  /** Outputs that must not be ±Infinity (and not NaN when `nonEmpty`). */
  outputs(x: unknown): number[];
}

const data = (seed: number, n: number, scale = 100): Float64Array => {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (r() - 0.3) * scale);
};

const TARGETS: Target[] = [
  {
    name: 'Moments',
    make: (s) => Moments.of(data(s, 50)).serialize(),
    load: (b) => Moments.deserialize(b),
    outputs: (x) => {
      const m = x as Moments;
      return m.count > 0 ? [m.mean, m.variance, m.min, m.max] : [];
    },
  },
  {
    name: 'QuantileSketch',
    make: (s) => QuantileSketch.of(data(s, 200).map(Math.abs)).serialize(),
    load: (b) => QuantileSketch.deserialize(b),
    outputs: (x) => {
      const q = x as QuantileSketch;
      return q.count > 0 ? [q.quantile(0.5), q.quantile(0.99), q.min, q.max] : [];
    },
  },
  {
    name: 'Histogram (exponential)',
    make: (s) => {
      const h = new Histogram({ kind: 'exponential', maxBuckets: 20 });
      h.push(data(s, 100));
      return h.serialize();
    },
    load: (b) => Histogram.deserialize(b),
    outputs: (x) => {
      const h = x as Histogram;
      return h.count > 0 ? [h.sum, h.min, h.max, h.count] : [];
    },
  },
  {
    name: 'Histogram (explicit)',
    make: (s) => {
      const h = new Histogram({ bounds: [-10, 0, 10, 50] });
      h.push(data(s, 100));
      return h.serialize();
    },
    load: (b) => Histogram.deserialize(b),
    outputs: (x) => {
      const h = x as Histogram;
      return h.count > 0 ? [h.sum, h.min, h.max, ...h.bucketCounts] : [];
    },
  },
  {
    name: 'Ewma',
    make: (s) => {
      const e = new Ewma({ alpha: 0.1 });
      e.push(data(s, 30));
      return e.serialize();
    },
    load: (b) => Ewma.deserialize(b),
    outputs: (x) => {
      const e = x as Ewma;
      return e.count > 0 ? [e.mean, e.variance] : [];
    },
  },
  {
    name: 'Covariance',
    make: (s) => Covariance.of(data(s, 60), { dims: 3 }).serialize(),
    load: (b) => Covariance.deserialize(b),
    outputs: (x) => {
      const c = x as Covariance;
      return c.count > 1 ? [...c.mean, ...c.covariance] : [];
    },
  },
  {
    name: 'SlidingWindow',
    make: (s) => {
      const w = new SlidingWindow({ size: 8, stats: ['mean', 'min', 'max'] });
      w.push(data(s, 20));
      return w.serialize();
    },
    load: (b) => SlidingWindow.deserialize(b),
    outputs: (x) => {
      const w = x as SlidingWindow;
      const out = w.push([1]);
      return [...(out.mean ?? []), ...(out.min ?? []), ...(out.max ?? [])];
    },
  },
];

// IsolationForest states are larger; fewer cases, same rule.
const forest: Target = {
  name: 'IsolationForest',
  make: (s) => {
    const f = new IsolationForest({ trees: 4, sampleSize: 16, seed: s });
    f.fit(data(s, 64), { dims: 2 });
    return f.serialize();
  },
  load: (b) => IsolationForest.deserialize(b),
  outputs: (x) => {
    const f = x as IsolationForest;
    const row = Float64Array.from({ length: 2 * f.dims }, (_, i) => (i % 2 ? 50 : -50));
    return [...f.score(row, { dims: f.dims })];
  },
};

const SPECIAL = [
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  -1,
  0,
  // Large but with a finite square: data of 1e308 overflows a variance in any
  // implementation, damaged or not, so it says nothing about state validation.
  1e150,
  -1e150,
  2 ** 53,
  0.5,
  -0,
];

/** One corruption of `b` (a copy). */
const mutation = (len: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('bytes' as const),
      at: fc.array(fc.nat({ max: len - 1 }), { minLength: 1, maxLength: 4 }),
      v: fc.array(fc.nat({ max: 255 }), { minLength: 4, maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('float' as const),
      slot: fc.nat({ max: Math.max(0, (len >> 3) - 1) }),
      v: fc.constantFrom(...SPECIAL),
    }),
    fc.record({
      kind: fc.constant('u32' as const),
      slot: fc.nat({ max: Math.max(0, (len >> 2) - 1) }),
      v: fc.constantFrom(0, 1, 2, 0xffff, 0xffffffff, 7),
    }),
    fc.record({ kind: fc.constant('cut' as const), to: fc.nat({ max: len }) }),
    fc.record({ kind: fc.constant('grow' as const), by: fc.integer({ min: 1, max: 24 }) }),
  );

type Mutation = ReturnType<typeof mutation> extends fc.Arbitrary<infer M> ? M : never;

function apply(b: Uint8Array, m: Mutation): Uint8Array {
  const out = b.slice();
  const dv = new DataView(out.buffer);
  switch (m.kind) {
    case 'bytes':
      m.at.forEach((a, i) => {
        out[a] = m.v[i];
      });
      return out;
    case 'float':
      if (m.slot * 8 + 8 <= out.length) dv.setFloat64(m.slot * 8, m.v, true);
      return out;
    case 'u32':
      if (m.slot * 4 + 4 <= out.length) dv.setUint32(m.slot * 4, m.v, true);
      return out;
    case 'cut':
      return out.slice(0, m.to);
    case 'grow': {
      const g = new Uint8Array(out.length + m.by);
      g.set(out);
      return g;
    }
  }
}

function check(t: Target, bytes: Uint8Array): void {
  let x: ReturnType<Target['load']> | undefined;
  try {
    x = t.load(bytes);
  } catch (e) {
    if (!(e instanceof EdgewiseError) || !CODES.has(e.code)) {
      throw new Error(`${t.name}: untyped error ${String(e)}`);
    }
    return;
  }
  try {
    const again = x.serialize();
    // Accepted: the state is what the bytes say (nothing silently repaired or ignored).
    expect(again.length, `${t.name}: round trip length`).toBe(bytes.length);
    expect(Buffer.from(again).equals(Buffer.from(bytes)), `${t.name}: round trip bytes`).toBe(true);
    for (const v of t.outputs(x)) {
      if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY || Number.isNaN(v)) {
        throw new Error(`${t.name}: accepted a state whose outputs include ${v}`);
      }
    }
  } finally {
    x.dispose?.();
  }
}

describe('corrupted saved states: typed error or exact round trip, never ±Infinity', () => {
  for (const t of [...TARGETS, forest]) {
    it(`${t.name}`, () => {
      const valid = [1, 2, 3].map((s) => t.make(s));
      for (const b of valid) check(t, b); // the valid states themselves round-trip
      const runs = t === forest ? Math.ceil(RUNS / 3) : RUNS;
      fc.assert(
        fc.property(
          fc
            .nat({ max: valid.length - 1 })
            .chain((i) =>
              fc.tuple(
                fc.constant(i),
                fc.array(mutation(valid[i].length), { minLength: 1, maxLength: 3 }),
              ),
            ),
          ([i, ms]) => {
            let b = valid[i];
            for (const m of ms) if (b.length > 0) b = apply(b, m);
            check(t, b);
          },
        ),
        { numRuns: runs, seed: 42 },
      );
    });
  }
});
