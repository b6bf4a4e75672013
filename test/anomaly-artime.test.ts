import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARTimeDetector, type ARTimeOptions } from '../src/anomaly/artime';
import { Rng } from '../src/anomaly/matrix';
import type { DetectorSnapshot } from '../src/anomaly/streaming';
import type { ErrorCode } from '../src/errors';
import { expectCode } from './helpers/errors';
import { nabColumn, nabHarnessOptions, pandasLegacyFloat } from './helpers/pandas-float';

/**
 * Reference: NAB's stored ARTime results (ARTimeNAB.jl run by NAB's harness)
 * for 5 of the 24 dev files, copied to test/fixtures/nab-ref (NAB, MIT
 * licence). The harness passes the file's min and max and its length, and
 * read the values with pandas' legacy float parser (see helpers/pandas-float).
 */
const dir = join(import.meta.dirname, 'fixtures', 'nab-ref');
const FILES = [
  'exchange-3_cpc_results', // realAdExchange, 1538 records, downsampling step 2
  'rogue_agent_key_hold', // realKnownCause, 1882 records
  'art_load_balancer_spikes', // artificialWithAnomaly, 4032 records, 11 detections
  'ec2_request_latency_system_failure', // realKnownCause, 4032 records
  'ambient_temperature_system_failure', // realKnownCause, 7267 records: probation capped at 750
];
const text = (name: string) => readFileSync(join(dir, name), 'utf8');
const data = (f: string, parse: (s: string) => number = pandasLegacyFloat) =>
  nabColumn(text(`artime-data-${f}.csv`), parse);
const reference = (f: string) => nabColumn(text(`artime-ref-${f}.csv`));
const nabOptions = (v: Float64Array): ARTimeOptions => nabHarnessOptions(v);

describe('pandas legacy float parsing (how NAB read the data)', () => {
  it('matches pandas.read_csv(float_precision="legacy") bit for bit on the fixtures', () => {
    const ref = JSON.parse(text('artime-pandas-legacy.json')) as {
      files: Record<string, { records: number; differs: [number, string][] }>;
    };
    let differing = 0;
    for (const f of FILES) {
      const name = `artime-data-${f}.csv`;
      const exact = data(f, Number);
      const legacy = data(f);
      const expected = Float64Array.from(exact);
      for (const [i, hex] of ref.files[name].differs) {
        expected[i] = Buffer.from(hex, 'hex').readDoubleBE(0);
      }
      expect(legacy.length).toBe(ref.files[name].records);
      for (let i = 0; i < legacy.length; i++) expect(Object.is(legacy[i], expected[i])).toBe(true);
      differing += ref.files[name].differs.length;
    }
    expect(differing).toBeGreaterThan(1000);
  });
});

describe('ARTimeDetector: parity with the published ARTime scores', () => {
  for (const f of FILES) {
    it(`${f}: every record within 1e-9 of the reference`, () => {
      const v = data(f);
      const ref = reference(f);
      expect(v.length).toBe(ref.length);
      const out = new ARTimeDetector(nabOptions(v)).updateBatch(v);
      let worst = 0;
      let detections = 0;
      for (let i = 0; i < v.length; i++) {
        worst = Math.max(worst, Math.abs(out[i] - ref[i]));
        if (ref[i] > 0) detections++;
      }
      expect(worst).toBeLessThanOrEqual(1e-9);
      expect(detections).toBeGreaterThan(0);
    });
  }

  it('the legacy parse matters: with correctly rounded inputs exchange-3_cpc scores 3 records differently', () => {
    const f = 'exchange-3_cpc_results';
    const v = data(f, Number);
    const ref = reference(f);
    const out = new ARTimeDetector(nabOptions(v)).updateBatch(v);
    const off = [];
    for (let i = 0; i < v.length; i++) if (Math.abs(out[i] - ref[i]) > 1e-9) off.push(i);
    expect(off).toEqual([275, 439, 955]);
  });

  it("derives NAB's probation from the length: 15% capped at 750, made even", () => {
    expect(new ARTimeDetector({ length: 4032 }).probation).toBe(604);
    expect(new ARTimeDetector({ length: 4032 }).sstep).toBe(5);
    expect(new ARTimeDetector({ length: 1538 }).probation).toBe(230);
    expect(new ARTimeDetector({ length: 7267 }).probation).toBe(750);
    expect(new ARTimeDetector({ length: 7267 }).sstep).toBe(7);
    expect(new ARTimeDetector().probation).toBe(750);
    expect(new ARTimeDetector({ probation: 101 }).probation).toBe(100);
  });
});

describe('ARTimeDetector: snapshot / restore', () => {
  const f = 'rogue_agent_key_hold';
  const v = data(f);
  const modes: [string, ARTimeOptions][] = [
    ['NAB mode', nabOptions(v)],
    ['streaming mode', {}],
    ['streaming mode, small network', { probation: 200, maxCategories: 16 }],
  ];
  for (const [label, opts] of modes) {
    it(`${label}: restoring mid-stream (through JSON) and continuing equals the uninterrupted run`, () => {
      const full = new ARTimeDetector(opts).updateBatch(v);
      const whole = new ARTimeDetector(opts);
      whole.updateBatch(v);
      for (const cut of [0, 3, 281, 282, 283, 600, 1000, 1881]) {
        const a = new ARTimeDetector(opts);
        const head = a.updateBatch(v.subarray(0, cut));
        const snap = JSON.parse(JSON.stringify(a.snapshot())) as DetectorSnapshot;
        const b = new ARTimeDetector(opts).restore(snap);
        expect(b.count).toBe(cut);
        const tail = b.updateBatch(v.subarray(cut));
        for (let i = 0; i < v.length; i++) {
          expect(Object.is(i < cut ? head[i] : tail[i - cut], full[i])).toBe(true);
        }
        expect(b.categories).toBe(whole.categories);
        expect(b.snapshot()).toEqual(whole.snapshot());
      }
    });
  }

  it('refuses a corrupted snapshot (CORRUPT_STATE / UNSUPPORTED_VERSION) and stays unchanged', () => {
    const opts = nabOptions(v);
    const a = new ARTimeDetector(opts);
    a.updateBatch(v.subarray(0, 900));
    const good = a.snapshot();
    const mutate = (edit: (s: DetectorSnapshot & { state: Record<string, unknown> }) => void) => {
      const s = JSON.parse(JSON.stringify(good));
      edit(s);
      return s as DetectorSnapshot;
    };
    const bad: [DetectorSnapshot, ErrorCode][] = [
      [mutate((s) => (s.kind = 'MadDetector')), 'CORRUPT_STATE'],
      [null as unknown as DetectorSnapshot, 'CORRUPT_STATE'],
      [mutate((s) => (s.version = 2)), 'UNSUPPORTED_VERSION'],
      [mutate((s) => (s.state = null as unknown as Record<string, unknown>)), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.w as number[]).pop()), 'CORRUPT_STATE'],
      [mutate((s) => ((s.state.w as unknown[])[5] = null)), 'CORRUPT_STATE'],
      [mutate((s) => ((s.state.w as number[])[7] = 1.5)), 'CORRUPT_STATE'],
      [mutate((s) => ((s.state.medbin as number[])[3] += 1)), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.medlevel = 81)), 'CORRUPT_STATE'],
      [mutate((s) => (s.n = 950)), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.sim = [])), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.simHead = -1)), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.maskAfterCat = 1)), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.hi = 5)), 'CORRUPT_STATE'],
      [mutate((s) => (s.state.history = 'x')), 'CORRUPT_STATE'],
      [mutate((s) => ((s.state.config as { probation: number }).probation = 500)), 'CORRUPT_STATE'],
    ];
    const b = new ARTimeDetector(opts);
    b.updateBatch(v.subarray(0, 700));
    const before = JSON.stringify(b.snapshot());
    for (const [s, code] of bad) {
      expectCode(() => b.restore(s), code);
      expect(JSON.stringify(b.snapshot())).toBe(before);
    }
    // a snapshot of a detector with other options
    expectCode(() => new ARTimeDetector({}).restore(good), 'CORRUPT_STATE');
    expectCode(
      () => new ARTimeDetector({ ...opts, max: opts.max! + 1 }).restore(good),
      'CORRUPT_STATE',
    );
    // still works, and a good snapshot still restores
    const rest = b.updateBatch(v.subarray(700));
    const c = new ARTimeDetector(opts);
    c.updateBatch(v.subarray(0, 700));
    expect(Array.from(rest)).toEqual(Array.from(c.updateBatch(v.subarray(700))));
    expect(new ARTimeDetector(opts).restore(good).count).toBe(900);
  });
});

describe('ARTimeDetector: input and options', () => {
  it('counts and skips non-finite values: the scores of the finite ones are unchanged', () => {
    const v = data('exchange-3_cpc_results');
    const opts = nabOptions(v);
    const clean = new ARTimeDetector(opts).updateBatch(v);
    const noisy: number[] = [];
    const where: number[] = [];
    for (let i = 0; i < v.length; i++) {
      if (i % 97 === 5) {
        noisy.push([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][i % 3]);
        where.push(-1);
      }
      noisy.push(v[i]);
      where.push(i);
    }
    const d = new ARTimeDetector(opts);
    const out = d.updateBatch(noisy);
    for (let k = 0; k < noisy.length; k++) {
      if (where[k] < 0) expect(out[k]).toBeNaN();
      else expect(Object.is(out[k], clean[where[k]])).toBe(true);
    }
    expect(d.rejected).toBe(where.filter((w) => w < 0).length);
    expect(d.count).toBe(v.length);
    const e = new ARTimeDetector(opts);
    expect(e.update(Number.NaN)).toBeNaN();
    expect(e.rejected).toBe(1);
    expect(e.count).toBe(0);
    expectCode(() => e.update('1' as unknown as number), 'INVALID_ARGUMENT');
    expectCode(() => e.updateBatch(['1'] as unknown as number[]), 'INVALID_ARGUMENT');
    expectCode(() => e.updateBatch([1, 2], [1]), 'INVALID_ARGUMENT');
    expect(e.count).toBe(0);
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      null,
      { min: 0 },
      { max: 1 },
      { min: 2, max: 1 },
      { min: Number.NaN, max: 1 },
      { min: 0, max: Number.POSITIVE_INFINITY },
      { length: 100, probation: 100 },
      { length: 50 },
      { length: 1.5 },
      { probation: 15 },
      { probation: 100.5 },
      { probation: 2e6 },
      { rangeMargin: -0.1 },
      { rangeMargin: '0.1' },
      { maxCategories: 8 },
      { maxCategories: 100.5 },
    ];
    for (const o of bad)
      expectCode(() => new ARTimeDetector(o as ARTimeOptions), 'INVALID_ARGUMENT');
  });
});

describe('ARTimeDetector: streaming mode (no range, no length)', () => {
  /** Daily-like sine with noise, 5-minute steps, plus a spike at `spike`. */
  function series(n: number, seed: number, spike: number): Float64Array {
    const r = new Rng(seed);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + r.next();
    if (spike >= 0) v[spike] += 60;
    return v;
  }

  it('scores 0 during the probation, learns the range from it, and flags a spike far beyond it', () => {
    const d = new ARTimeDetector();
    expect(d.warmup).toBe(749);
    const v = series(6000, 3, 4000);
    const out = d.updateBatch(v);
    for (let i = 0; i < d.warmup; i++) expect(out[i]).toBe(0);
    for (const s of out) expect(s >= 0 && s <= 1).toBe(true);
    // the spike is seen when its block of sstep records is summarised
    const at = out.slice(4000, 4000 + 2 * d.sstep);
    expect(Math.max(...at)).toBeGreaterThan(0.5);
    const [lo, hi] = d.range;
    expect(hi).toBeGreaterThan(110); // widened to take in the spike
    expect(lo).toBeLessThan(40);
    expect(d.categories).toBeGreaterThan(1);
  });

  it('bounds the network at maxCategories, replacing the least recently used category', () => {
    const r = new Rng(9);
    const d = new ARTimeDetector({ probation: 100, maxCategories: 16 });
    for (let i = 0; i < 20000; i++)
      d.update(r.next() * 100 + (i % 1000 < 500 ? 0 : r.next() * 400));
    expect(d.categories).toBe(16);
    const big = new ARTimeDetector({ probation: 100 });
    const r2 = new Rng(9);
    for (let i = 0; i < 20000; i++)
      big.update(r2.next() * 100 + (i % 1000 < 500 ? 0 : r2.next() * 400));
    expect(big.categories).toBeGreaterThan(16);
  });
});

describe('ARTimeDetector: properties (short probation, random input)', () => {
  const values = fc.array(
    fc.oneof(
      { weight: 12, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
      { weight: 3, arbitrary: fc.constantFrom(0, 5, 5, 5, 1e-300, -7.25) },
      { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY, 1e308) },
    ),
    { minLength: 0, maxLength: 400 },
  );
  const options = fc.oneof(
    fc.constant<ARTimeOptions>({ probation: 16 }),
    fc.constant<ARTimeOptions>({ probation: 40, rangeMargin: 0, maxCategories: 16 }),
    fc.constant<ARTimeOptions>({ probation: 24, min: -1e3, max: 1e3 }),
    fc.constant<ARTimeOptions>({ length: 200, min: 5, max: 5 }),
  );

  it('update in a loop equals updateBatch; scores in [0, 1], NaN for non-finite (or beyond 1e300) input', () => {
    fc.assert(
      fc.property(options, values, (o, vals) => {
        const a = new ARTimeDetector(o);
        const b = new ARTimeDetector(o);
        const batch = a.updateBatch(vals);
        for (let i = 0; i < vals.length; i++) {
          const s = b.update(vals[i]);
          expect(Object.is(s, batch[i])).toBe(true);
          if (Math.abs(vals[i]) <= 1e300) expect(s >= 0 && s <= 1).toBe(true);
          else expect(s).toBeNaN();
        }
        expect(a.rejected).toBe(vals.filter((x) => !(Math.abs(x) <= 1e300)).length);
        expect(a.count + a.rejected).toBe(vals.length);
      }),
      { numRuns: 60 },
    );
  });

  it('snapshot/restore through JSON at any point resumes identically', () => {
    fc.assert(
      fc.property(options, values, values, (o, head, tail) => {
        const a = new ARTimeDetector(o);
        a.updateBatch(head);
        const b = new ARTimeDetector(o).restore(JSON.parse(JSON.stringify(a.snapshot())));
        expect(b.count).toBe(a.count);
        expect(b.rejected).toBe(a.rejected);
        expect(Array.from(b.updateBatch(tail))).toEqual(Array.from(a.updateBatch(tail)));
      }),
      { numRuns: 40 },
    );
  });
});
