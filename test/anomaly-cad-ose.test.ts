import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CadOseDetector, type CadOseOptions } from '../src/anomaly';
import { Rng } from '../src/anomaly/matrix';
import type { DetectorSnapshot } from '../src/anomaly/streaming';
import { expectCode } from './helpers/errors';
import { nabHarnessOptions, pandasLegacyFloat as pandasParse } from './helpers/pandas-float';

/**
 * Reference parity: NAB's stored contextOSE scores (test/fixtures/nab-ref/
 * cadose-ref-*.csv, copied from NAB's results, MIT) for the NAB files
 * cadose-data-*.csv, produced by NAB's harness with the file's min and max and
 * its probationary period. scripts/check-cad-ose.ts runs all 24 dev files.
 */
const FILES = [
  'ec2_request_latency_system_failure', // a value parsed one ulp off by pandas decides a bucket
  'art_daily_jumpsup',
  'exchange-2_cpc_results',
  'rogue_agent_key_hold',
  'art_flatline', // one constant value: context 0 is never reviewed (False == 0 in the reference)
];

function column(name: string, conv: (s: string) => number): number[] {
  const text = readFileSync(new URL(`./fixtures/nab-ref/${name}`, import.meta.url), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => conv(l.slice(l.lastIndexOf(',') + 1).trim()));
}

function nabDetector(values: number[]): CadOseDetector {
  return new CadOseDetector(nabHarnessOptions(values));
}

function noisySeries(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    v[i] = 10 + 3 * Math.sin((2 * Math.PI * i) / 96) + (r.next() - 0.5);
    if (i === 700) v[i] += 9;
    if (i >= 1100) v[i] += 4;
  }
  return v;
}

describe('CadOseDetector: NAB reference parity', () => {
  for (const f of FILES) {
    it(`reproduces NAB's contextOSE scores on ${f}`, () => {
      const values = column(`cadose-data-${f}.csv`, pandasParse);
      const ref = column(`cadose-ref-${f}.csv`, Number);
      expect(values.length).toBe(ref.length);
      const got = nabDetector(values).updateBatch(values);
      let worst = 0;
      let off = 0;
      for (let i = 0; i < ref.length; i++) {
        const d = Math.abs(got[i] - ref[i]);
        worst = Math.max(worst, d);
        if (!(d <= 1e-9)) off++;
      }
      expect(off).toBe(0);
      // the reference is written with 12 decimals
      expect(worst).toBeLessThan(1e-12);
      // and it is not a trivial series of zeros
      expect(ref.some((x) => x > 0)).toBe(true);
    });
  }

  it('needs the pandas-parsed values: Number() parsing changes one bucket in ec2_request_latency', () => {
    expect(pandasParse('99.24799999999999')).toBe(99.248);
    expect(Number('99.24799999999999')).not.toBe(99.248);
    const f = 'ec2_request_latency_system_failure';
    const values = column(`cadose-data-${f}.csv`, Number);
    const ref = column(`cadose-ref-${f}.csv`, Number);
    const got = nabDetector(values).updateBatch(values);
    let first = -1;
    for (let i = 0; i < ref.length && first < 0; i++) {
      if (Math.abs(got[i] - ref[i]) > 1e-9) first = i;
    }
    // record 3395 (the maximum) falls in bucket 7 instead of 6; hidden by the rest period until 3517
    expect(first).toBe(3517);
  });
});

describe('CadOseDetector: streaming behaviour', () => {
  it('streaming mode equals NAB mode when the first two values are the minimum and maximum', () => {
    const v = Array.from(noisySeries(1500, 3));
    const min = Math.min(...v);
    const max = Math.max(...v);
    const series = [min, max, ...v];
    const fixed = new CadOseDetector({ min, max, restPeriod: 40 }).updateBatch(series);
    const running = new CadOseDetector({ restPeriod: 40 }).updateBatch(series);
    expect(Array.from(running)).toEqual(Array.from(fixed));
    // a margin only applies when the range widens again, which never happens here
    const margin = new CadOseDetector({ restPeriod: 40, rangeMargin: 1 }).updateBatch(series);
    expect(Array.from(margin)).toEqual(Array.from(fixed));
    expect(fixed.some((x) => x > 0)).toBe(true);
  });

  it('rangeMargin widens the running range by a share of its width', () => {
    const range = (d: CadOseDetector) => {
      const st = d.snapshot().state as { lo: number; hi: number };
      return [st.lo, st.hi];
    };
    const plain = new CadOseDetector();
    const wide = new CadOseDetector({ rangeMargin: 1 });
    for (const x of [0, 1, 2, 1.5, -1]) {
      plain.update(x);
      wide.update(x);
    }
    expect(range(plain)).toEqual([-1, 2]);
    // [0, 0] -> [0, 1] -> [0, 3] (2 + width 1) -> [-1 - 3, 3]
    expect(range(wide)).toEqual([-4, 3]);
  });

  it('scores the start of the series 0 (rest period) and a clear change high', () => {
    const v = noisySeries(1500, 5);
    const d = new CadOseDetector({ restPeriod: 50 });
    const s = d.updateBatch(v);
    expect(Math.max(...s.subarray(0, 50))).toBe(0);
    for (const x of s) expect(x >= 0 && x <= 1).toBe(true);
    expect(d.count).toBe(1500);
    expect(d.contexts).toBeGreaterThan(10);
  });

  it('maxContexts bounds the memory; above what is used it changes nothing', () => {
    const v = noisySeries(1500, 21);
    const free = new CadOseDetector({ restPeriod: 40 });
    const sFree = free.updateBatch(v);
    const used = free.contexts;
    expect(used).toBeGreaterThan(100);
    const roomy = new CadOseDetector({ restPeriod: 40, maxContexts: used });
    expect(Array.from(roomy.updateBatch(v))).toEqual(Array.from(sFree));
    const capped = new CadOseDetector({ restPeriod: 40, maxContexts: 60 });
    const sCap = capped.updateBatch(v);
    expect(capped.contexts).toBe(60);
    for (const x of sCap) expect(x >= 0 && x <= 1).toBe(true);
    expect(Array.from(sCap)).not.toEqual(Array.from(sFree));
    // a capped detector snapshots and restores exactly as well
    const a = new CadOseDetector({ restPeriod: 40, maxContexts: 60 });
    a.updateBatch(v.subarray(0, 900));
    const b = new CadOseDetector({ restPeriod: 40, maxContexts: 60 }).restore(a.snapshot());
    expect(Array.from(b.updateBatch(v.subarray(900)))).toEqual(Array.from(sCap.subarray(900)));
  });

  it('skips non-finite values (counted in rejected, state unchanged)', () => {
    const v = noisySeries(600, 7);
    const a = new CadOseDetector();
    const b = new CadOseDetector();
    const sa: number[] = [];
    const sb: number[] = [];
    for (let i = 0; i < v.length; i++) {
      sa.push(a.update(v[i]));
      if (i % 97 === 5) {
        expect(b.update(Number.NaN)).toBeNaN();
        expect(b.update(Number.POSITIVE_INFINITY)).toBeNaN();
      }
      sb.push(b.update(v[i]));
    }
    expect(sb).toEqual(sa);
    expect(b.rejected).toBe(2 * 7);
    expect(b.count).toBe(600);
    expect(a.rejected).toBe(0);
    expectCode(() => b.update('1' as unknown as number), 'INVALID_ARGUMENT');
    expectCode(() => b.updateBatch([1, '2'] as unknown as number[]), 'INVALID_ARGUMENT');
    expect(b.count).toBe(600);
  });
});

describe('CadOseDetector: snapshot / restore', () => {
  const cases: [string, CadOseOptions][] = [
    ['streaming mode', { restPeriod: 30 }],
    ['NAB mode', { min: 5, max: 20, length: 2000 }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: restore mid-stream (through JSON) then continue equals the uninterrupted run`, () => {
      const v = noisySeries(2000, 11);
      const whole = new CadOseDetector(opts).updateBatch(v);
      for (const cut of [1, 2, 777, 1300]) {
        const first = new CadOseDetector(opts);
        first.updateBatch(v.subarray(0, cut));
        const snap = JSON.parse(JSON.stringify(first.snapshot())) as DetectorSnapshot;
        // restore into a detector that already has other state
        const second = new CadOseDetector(opts);
        second.updateBatch(noisySeries(300, 99));
        second.restore(snap);
        expect(second.count).toBe(cut);
        expect(second.lastRaw).toBe(first.lastRaw);
        expect(second.contexts).toBe(first.contexts);
        const rest = second.updateBatch(v.subarray(cut));
        expect(Array.from(rest)).toEqual(Array.from(whole.subarray(cut)));
        // the original continues identically too (snapshot does not disturb it)
        expect(Array.from(first.updateBatch(v.subarray(cut)))).toEqual(
          Array.from(whole.subarray(cut)),
        );
      }
    });
  }

  it('refuses a damaged or foreign snapshot and keeps its state', () => {
    const v = noisySeries(900, 13);
    const src = new CadOseDetector({ restPeriod: 30 });
    src.updateBatch(v.subarray(0, 600));
    const good = src.snapshot();
    const twin = new CadOseDetector({ restPeriod: 30 });
    const target = new CadOseDetector({ restPeriod: 30 });
    twin.updateBatch(v.subarray(0, 300));
    target.updateBatch(v.subarray(0, 300));

    const damaged = (edit: (s: { state: Record<string, unknown> } & DetectorSnapshot) => void) => {
      const s = structuredClone(good) as { state: Record<string, unknown> } & DetectorSnapshot;
      edit(s);
      return s;
    };
    const st = good.state as Record<string, number[]>;
    expect(st.ctxLeft.length).toBeGreaterThan(5);
    expectCode(() => target.restore({ ...good, kind: 'GaussianDetector' }), 'CORRUPT_STATE');
    expectCode(() => target.restore(null as unknown as DetectorSnapshot), 'CORRUPT_STATE');
    expectCode(() => target.restore({ ...good, version: 99 }), 'UNSUPPORTED_VERSION');
    const bad = [
      damaged((s) => {
        s.n = -1;
      }),
      damaged((s) => {
        s.state = null as unknown as Record<string, unknown>;
      }),
      damaged((s) => {
        (s.state.ctxLeft as number[])[3] = 1e6; // no such left semi-context
      }),
      damaged((s) => {
        (s.state.ctxRight as number[]).pop(); // arrays of different lengths
      }),
      damaged((s) => {
        const f = s.state.leftFacts as number[];
        [f[0], f[1]] = [f[1], f[0]]; // facts out of order
      }),
      damaged((s) => {
        (s.state.leftLen as number[])[0]++; // lengths no longer add up
      }),
      damaged((s) => {
        (s.state.ctxRight as number[])[4] = (s.state.ctxRight as number[])[3];
        (s.state.ctxLeft as number[])[4] = (s.state.ctxLeft as number[])[3]; // a duplicate context
      }),
      damaged((s) => {
        (s.state.hist as number[]).length = 0;
      }),
      damaged((s) => {
        (s.state.ctxAct as unknown[])[0] = 'x';
      }),
      damaged((s) => {
        (s.state.config as Record<string, unknown>).restPeriod = 31; // other options
      }),
      damaged((s) => {
        (s.state.config as Record<string, unknown>).min = 0;
      }),
    ];
    for (const b of bad) expectCode(() => target.restore(b), 'CORRUPT_STATE');
    // unchanged: continues exactly like its twin
    expect(Array.from(target.updateBatch(v.subarray(300)))).toEqual(
      Array.from(twin.updateBatch(v.subarray(300))),
    );
    // a snapshot taken with other options is refused
    expectCode(() => new CadOseDetector({ restPeriod: 31 }).restore(good), 'CORRUPT_STATE');
  });
});

describe('CadOseDetector: options', () => {
  it('refuses bad options with INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      { min: 0 },
      { max: 1 },
      { min: 2, max: 1 },
      { min: Number.NaN, max: 1 },
      { min: 0, max: Number.POSITIVE_INFINITY },
      { restPeriod: 0 },
      { restPeriod: 2.5 },
      { length: 10 },
      { length: 1000, restPeriod: 10 },
      { threshold: 0 },
      { threshold: Number.NaN },
      { valueBits: 0 },
      { valueBits: 16 },
      { maxActiveNeurons: 0 },
      { maxLeftSemiContexts: -1 },
      { maxContexts: 0 },
      { rangeMargin: -0.5 },
      { min: 0, max: 1, rangeMargin: 1 },
      null,
    ];
    for (const o of bad)
      expectCode(() => new CadOseDetector(o as CadOseOptions), 'INVALID_ARGUMENT');
  });

  it('derives the rest period from the series length as NAB does', () => {
    expect(new CadOseDetector({ length: 4032 }).options.restPeriod).toBe(120);
    expect(new CadOseDetector({ length: 1624 }).options.restPeriod).toBe(48);
    expect(new CadOseDetector({ length: 22695 }).options.restPeriod).toBe(150);
    expect(new CadOseDetector().options.restPeriod).toBe(150);
  });
});
