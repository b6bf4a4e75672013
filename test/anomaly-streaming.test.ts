import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAB_PROFILES, nabScore, probationLength } from '../scripts/nab/scorer';
import { ARTimeMember } from '../src/anomaly/artime-member';
import { ScoreCalibrator } from '../src/anomaly/calibration';
import { EnsembleCombiner } from '../src/anomaly/ensemble-combiner';
import {
  allDetectors,
  defaultMembers,
  SEASONAL_ALARM_TAIL,
  StreamingDetector,
  withARTime,
} from '../src/anomaly/ensemble-stream';
import { Rng } from '../src/anomaly/matrix';
import {
  type BaseDetector,
  type DetectorSnapshot,
  type EwmaDetector,
  GaussianDetector,
  MadDetector,
  SeasonalDetector,
} from '../src/anomaly/streaming';
import v1 from './fixtures/streaming-detector-v1.json';
import v02 from './fixtures/streaming-snapshot-0.2-default.json';
import { expectCode } from './helpers/errors';
import { normals } from './helpers/random';

const factories: Record<string, () => BaseDetector | StreamingDetector> = {
  ...allDetectors(),
  StreamingDetector: () => new StreamingDetector(),
  'StreamingDetector (fisher)': () => new StreamingDetector({ combine: 'fisher' }),
  'StreamingDetector (min)': () => new StreamingDetector({ combine: 'min' }),
};

/** A seasonal series with noise, 5-minute steps, plus a spike and a level shift. */
function series(n: number, seed: number): { v: Float64Array; t: Float64Array } {
  const r = new Rng(seed);
  const v = new Float64Array(n);
  const t = new Float64Array(n);
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    t[i] = t0 + i * 300_000;
    v[i] = 10 + 3 * Math.sin((2 * Math.PI * i) / 288) + (r.next() - 0.5);
  }
  return { v, t };
}

const valuesArb = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 5, 5, 5) },
  ),
  { minLength: 0, maxLength: 160 },
);

describe('streaming detectors: properties', () => {
  for (const [name, make] of Object.entries(factories)) {
    it(`${name}: updateBatch equals update in a loop; scores in [0, 1] (NaN for non-finite input)`, () => {
      fc.assert(
        fc.property(valuesArb, (vals) => {
          const a = make();
          const b = make();
          const batch = a.updateBatch(vals);
          for (let i = 0; i < vals.length; i++) {
            const s = b.update(vals[i]);
            expect(Object.is(s, batch[i])).toBe(true);
            if (Number.isFinite(vals[i])) {
              expect(s).toBeGreaterThanOrEqual(0);
              expect(s).toBeLessThanOrEqual(1);
            } else expect(s).toBeNaN();
          }
          expect(a.rejected).toBe(vals.filter((x) => !Number.isFinite(x)).length);
        }),
        { numRuns: 25 },
      );
    });

    it(`${name}: snapshot/restore (through JSON) resumes identically`, () => {
      fc.assert(
        fc.property(valuesArb, valuesArb, (head, tail) => {
          const a = make();
          a.updateBatch(head);
          const snap = JSON.parse(JSON.stringify(a.snapshot()));
          const b = make().restore(snap);
          expect(b.count).toBe(a.count);
          const sa = a.updateBatch(tail);
          const sb = b.updateBatch(tail);
          expect(Array.from(sb)).toEqual(Array.from(sa));
        }),
        { numRuns: 15 },
      );
    });
  }

  it('snapshot/restore resumes identically after long runs with timestamps (calibrator tail refits)', () => {
    const { v, t } = series(3000, 2);
    const a = new StreamingDetector();
    a.updateBatch(v.subarray(0, 2001), t.subarray(0, 2001));
    const b = new StreamingDetector().restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(Array.from(b.updateBatch(v.subarray(2001), t.subarray(2001)))).toEqual(
      Array.from(a.updateBatch(v.subarray(2001), t.subarray(2001))),
    );
  });

  it('restore rejects snapshots of another detector or version', () => {
    const g = new GaussianDetector();
    const m = new MadDetector();
    expect(() => m.restore(g.snapshot())).toThrowError(/MadDetector/);
    expect(() => g.restore({ ...g.snapshot(), version: 99 })).toThrowError(/version/);
    const s = new StreamingDetector();
    expect(() => s.restore(g.snapshot())).toThrowError(/StreamingDetector/);
    expect(() => s.restore({ ...s.snapshot(), version: 4 })).toThrowError(/version 4/);
    // version 1 (previous release) is read, but still checked
    expect(() => s.restore({ ...s.snapshot(), version: 1, state: {} })).toThrowError(/member/);
    const other = new StreamingDetector({ likelihoodWindows: [4] });
    expect(() => s.restore(other.snapshot())).toThrowError(/likelihood windows/);
  });

  it('a 0.2/0.3 default snapshot (seasonal + EWMA, likelihoods over [8, 16, 32, 64]) restores into the default: ARTime starts afresh', () => {
    // written by `new StreamingDetector().snapshot()` of 0.2 after 3,000 five-minute records
    const snap = v02 as unknown as DetectorSnapshot;
    const old = (snap.state as { members: Record<string, DetectorSnapshot> }).members;
    expect(Object.keys(old)).toEqual(['seasonal', 'ewma']);
    const d = new StreamingDetector().restore(structuredClone(snap));
    expect(d.count).toBe(snap.n);
    const now = (d.snapshot().state as { members: Record<string, DetectorSnapshot> }).members;
    expect(now.seasonal).toEqual(old.seasonal);
    expect(now.ewma).toEqual(old.ewma);
    expect(d.members.artime.count).toBe(0);
    // the 0.2/0.3 default's likelihood windows were [8, 16, 32, 64]: those over 16 and 64 records,
    // the current default's, resume exactly; the others are dropped
    type Lik = { ring: number[]; i: number; sum: number; cal: unknown; z: number[] };
    const oldLik = (snap.state as { likelihoods: Lik[][] }).likelihoods;
    const nowLik = (d.snapshot().state as { likelihoods: Lik[][] }).likelihoods;
    expect(d.likelihoodWindows).toEqual([16, 64]);
    expect(oldLik.map((m) => m.map((l) => l.ring.length))).toEqual([
      [8, 16, 32, 64],
      [8, 16, 32, 64],
    ]);
    expect(nowLik.slice(0, 2)).toEqual(oldLik.map((m) => [m[1], m[3]]));
    // ARTime's likelihoods start afresh
    expect(nowLik[2].every((l) => l.ring.every((e) => e === 0) && l.i === 0)).toBe(true);
    // it scores on, and the seasonal + EWMA part goes on exactly as in a 2-member detector
    const two = new StreamingDetector({
      members: { seasonal: withARTime().seasonal, ewma: withARTime().ewma },
      likelihoodWindows: [8, 16, 32, 64],
    }).restore(structuredClone(snap));
    const t0 = Date.UTC(2024, 0, 1) + 3000 * 300_000;
    for (let i = 0; i < 500; i++) {
      const v = 10 + Math.sin((3000 + i) / 20);
      const s = d.update(v, t0 + i * 300_000);
      two.update(v, t0 + i * 300_000);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(d.members.seasonal.snapshot()).toEqual(two.members.seasonal.snapshot());
    expect(d.members.artime.count).toBe(500);
    // only a default detector upgrades: one with explicit members or explicit windows (even the
    // default's) still refuses it, unchanged
    for (const explicit of [
      new StreamingDetector({ members: withARTime() }),
      new StreamingDetector({ likelihoodWindows: [16, 64] }),
    ]) {
      const before = JSON.stringify(explicit.snapshot());
      expectCode(() => explicit.restore(structuredClone(snap)), 'CORRUPT_STATE');
      expect(JSON.stringify(explicit.snapshot())).toBe(before);
    }
    // a snapshot with one of the four rings damaged is refused, not half restored
    const bad = structuredClone(snap) as unknown as { state: { likelihoods: Lik[][] } };
    bad.state.likelihoods[1][2].ring = [1, 2, 3];
    const fresh = new StreamingDetector();
    const before = JSON.stringify(fresh.snapshot());
    expectCode(() => fresh.restore(bad as unknown as DetectorSnapshot), 'CORRUPT_STATE');
    expect(JSON.stringify(fresh.snapshot())).toBe(before);
  });

  it('StreamingDetector resumes from a version-1 snapshot (previous release): members kept, the new parts relearnt', () => {
    const snap = v1.snapshot as unknown as DetectorSnapshot;
    expect(snap.version).toBe(1);
    const d = new StreamingDetector().restore(snap);
    expect(d.count).toBe(v1.n);
    // the members resume exactly where the old detector left them
    const members = (snap.state as { members: Record<string, DetectorSnapshot> }).members;
    const now = d.snapshot();
    expect(now.version).toBe(3);
    expect(d.memberNames).toEqual([...Object.keys(members), 'artime']);
    for (const k of Object.keys(members)) {
      expect((now.state as { members: Record<string, DetectorSnapshot> }).members[k]).toEqual(
        members[k],
      );
    }
    expect(d.members.artime.count).toBe(0); // joined in 0.3: starts afresh
    // the likelihoods and the range are learnt during one more learning period
    let s = 999;
    const noise = () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s / 2 ** 32 - 0.5;
    };
    const next = (i: number) => 10 * Math.sin((2 * Math.PI * i) / 288) + noise();
    const ts = (i: number) => v1.t0 + i * 300_000;
    const out: number[] = [];
    for (let i = v1.n; i < v1.n + 400; i++)
      out.push(d.update(i === v1.n + 350 ? 60 : next(i), ts(i)));
    expect(Math.max(...out.slice(0, 150))).toBeLessThanOrEqual(0.5);
    expect(out[350]).toBe(1); // far beyond everything seen since: a range novelty
    // and it round-trips as version 2 from there
    const again = new StreamingDetector().restore(JSON.parse(JSON.stringify(d.snapshot())));
    expect(again.update(next(v1.n + 400), ts(v1.n + 400))).toBe(
      d.update(next(v1.n + 400), ts(v1.n + 400)),
    );
  });

  it('StreamingDetector.restore is all or nothing: a snapshot refused half-way changes nothing', () => {
    const { v, t } = series(1200, 9);
    const d = new StreamingDetector();
    d.updateBatch(v.subarray(0, 1000), t.subarray(0, 1000));
    const before = JSON.stringify(d.snapshot());
    const twin = new StreamingDetector();
    twin.updateBatch(v.subarray(0, 500), t.subarray(0, 500));
    // Valid members (applied first), then a likelihood ring cut short, a member
    // snapshot of the wrong kind, a malformed likelihood list.
    const good = JSON.parse(JSON.stringify(twin.snapshot()));
    const cut = structuredClone(good);
    cut.state.likelihoods[1][0].ring = [1, 2];
    const wrongMember = structuredClone(good);
    wrongMember.state.members.ewma = new GaussianDetector().snapshot();
    const malformed = structuredClone(good);
    malformed.state.likelihoods[0] = null;
    const badIndex = structuredClone(good);
    badIndex.state.likelihoods[0][1].i = 99;
    const badSum = structuredClone(good);
    badSum.state.likelihoods[1][1].sum += 5;
    for (const bad of [cut, wrongMember, malformed, badIndex, badSum]) {
      expectCode(() => d.restore(bad), 'CORRUPT_STATE');
      expect(JSON.stringify(d.snapshot())).toBe(before);
    }
    // and it still continues exactly like an untouched twin
    const ref = new StreamingDetector();
    ref.updateBatch(v.subarray(0, 1000), t.subarray(0, 1000));
    expect(Array.from(d.updateBatch(v.subarray(1000), t.subarray(1000)))).toEqual(
      Array.from(ref.updateBatch(v.subarray(1000), t.subarray(1000))),
    );
  });
});

describe('streaming detectors: behaviour', () => {
  it('change detectors (CUSUM, Page-Hinkley) flag a level shift of a noisy series within 20 records', () => {
    const r = new Rng(12);
    const v = Float64Array.from({ length: 3000 }, (_, i) => (i >= 2500 ? 3 : 0) + (r.next() - 0.5));
    const t = undefined;
    for (const name of ['cusum', 'pageHinkley']) {
      const s = factories[name]().updateBatch(v, t);
      expect(Math.max(...s.subarray(2500, 2520)), name).toBeGreaterThan(0.99);
    }
  });

  it('every point detector scores a large spike above the 99th percentile of its own scores', () => {
    const { v, t } = series(3000, 1);
    v[2500] += 30;
    for (const [name, make] of Object.entries(factories)) {
      if (name === 'cusum' || name === 'pageHinkley') continue;
      const s = make().updateBatch(v, t);
      const sorted = Array.from(s.subarray(500)).sort((a, b) => a - b);
      const p99 = sorted[Math.floor(0.99 * sorted.length)];
      expect(s[2500], name).toBeGreaterThanOrEqual(p99);
      expect(s[2500], name).toBeGreaterThan(0.99);
    }
  });

  it('StreamingDetector reports member contributions and cools down after an alarm', () => {
    const { v, t } = series(3000, 3);
    v[2500] += 30;
    v[2520] += 30;
    const d = new StreamingDetector();
    const s = d.updateBatch(v.subarray(0, 2501), t.subarray(0, 2501));
    expect(s[2500]).toBeGreaterThan(0.99);
    expect(Array.from(d.contributions).some((c) => c > 0.99)).toBe(true);
    expect(d.memberNames).toEqual(['seasonal', 'ewma', 'artime']);
    const later = d.updateBatch(v.subarray(2501), t.subarray(2501));
    expect(later[19]).toBeLessThanOrEqual(0.5); // second spike inside the cooldown: halved
    const noCool = new StreamingDetector({ cooldown: 0 }).updateBatch(v, t);
    expect(noCool[2520]).toBeGreaterThan(0.99);
  });

  it('StreamingDetector cooldown: an ongoing incident extends the quiet period', () => {
    const { v, t } = series(3000, 5);
    // each 90 records (7.5 h) after the previous one, none beyond the first (not a range novelty)
    for (const i of [2500, 2590, 2680]) v[i] = i === 2500 ? 45 : 44;
    const s = new StreamingDetector().updateBatch(v, t);
    expect(s[2500]).toBeGreaterThan(0.99);
    expect(s[2590]).toBeLessThanOrEqual(0.5);
    expect(s[2680]).toBeLessThanOrEqual(0.5); // 180 records after the first alarm: still one incident
    expect(Math.max(...s.subarray(2900))).toBeLessThan(0.99);
    // the quiet period ends after `cooldown` records or `cooldownMs`, whichever comes first
    expect(new StreamingDetector().updateBatch(v)[2590]).toBeLessThanOrEqual(0.5);
    expect(new StreamingDetector({ cooldown: 50 }).updateBatch(v)[2590]).toBeGreaterThan(0.99);
    const shortMs = new StreamingDetector({ cooldownMs: 3_600_000 }).updateBatch(v, t);
    expect(shortMs[2590]).toBeGreaterThan(0.99); // 7.5 h > 1 h
    expect(
      new StreamingDetector({ cooldownMs: 3_600_000 }).updateBatch(v)[2590],
    ).toBeLessThanOrEqual(0.5); // no timestamps: records only
  });

  it('StreamingDetector cooldown: the default quiet period is one day (288 records or 24 h)', () => {
    const { v, t } = series(3300, 5);
    // 5-minute records: a second spike 240 records (20 h) after the first, a third 360 records (30 h)
    // after the second (the second, at alarm level before halving, extends the quiet period)
    for (const i of [2500, 2740, 3100]) v[i] = i === 2500 ? 45 : 44;
    const d = new StreamingDetector();
    expect([d.cooldown, d.cooldownMs]).toEqual([288, 86_400_000]);
    const s = d.updateBatch(v, t);
    expect(s[2500]).toBeGreaterThan(0.99);
    expect(s[2740]).toBeLessThanOrEqual(0.5); // 20 h: the same incident
    expect(s[3100]).toBeGreaterThan(0.99); // 30 h later: a new one
    // the 0.4 defaults (100 records, 12 h) let the 20-hour one through
    const old = new StreamingDetector({ cooldown: 100, cooldownMs: 12 * 3_600_000 });
    expect(old.updateBatch(v, t)[2740]).toBeGreaterThan(0.99);
    // without timestamps: 288 records
    const r = new StreamingDetector().updateBatch(v);
    expect(r[2740]).toBeLessThanOrEqual(0.5);
    expect(r[3100]).toBeGreaterThan(0.99);
  });

  it('StreamingDetector likelihood: a sustained moderate shift outscores everything before it', () => {
    const r = new Rng(21);
    const g = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
    // Gaussian noise whose level rises by 1.5 sd for 100 records: no single record is extreme
    const v = Float64Array.from(
      { length: 3000 },
      (_, i) => (i >= 2500 && i < 2600 ? 1.5 : 0) + g(),
    );
    const opts = { rangeTolerance: Number.POSITIVE_INFINITY, cooldown: 0 };
    const withLik = new StreamingDetector(opts).updateBatch(v);
    const pointOnly = new StreamingDetector({ ...opts, likelihoodWindows: [] }).updateBatch(v);
    const peak = (s: Float64Array) => Math.max(...s.subarray(2500, 2600));
    const earlier = (s: Float64Array) => Math.max(...s.subarray(1000, 2500));
    expect(peak(withLik)).toBeGreaterThan(0.9999);
    expect(peak(withLik)).toBeGreaterThan(earlier(withLik));
    expect(peak(pointOnly)).toBeLessThan(earlier(pointOnly)); // the point scores alone do not
  });

  it("deviationFloor: a member's alarm needs another member's raw deviation at the same record", () => {
    const opts = { likelihoodWindows: [], rangeTolerance: Number.POSITIVE_INFINITY, warmup: 0 };
    const specs = [
      { warmup: 0, alarmFloor: 3 },
      { warmup: 0, deviationFloor: 3.5 },
    ];
    const score = (raw0: number): number =>
      new EnsembleCombiner(specs, opts).step([0.5, 0.99999], 1, 0, [raw0, 0.9]);
    // Šidák over 2 members: max^2; held at 0.999 below the floor, passes at or above it
    expect(score(3.4)).toBeCloseTo(0.999 ** 2, 12);
    expect(score(3.5)).toBeCloseTo(0.99999 ** 2, 12);
    // without raw deviations (no floors apply) it passes, as the alarm floors do
    expect(new EnsembleCombiner(specs, opts).step([0.5, 0.99999], 1, 0)).toBeCloseTo(
      0.99999 ** 2,
      12,
    );
    // a member with a deviation floor does not back another one (only members without it count)
    const both = new EnsembleCombiner(
      [
        { warmup: 0, deviationFloor: 3.5 },
        { warmup: 0, deviationFloor: 3.5 },
      ],
      opts,
    ).step([0.99999, 0.99999], 1, 0, [9, 9]);
    expect(both).toBeCloseTo(0.999 ** 2, 12);
    expectCode(() => new ARTimeMember({ deviationFloor: -1 }), 'INVALID_ARGUMENT');
  });

  it("alarmTail: a member's point alarm also needs its calibrated tail probability at most this", () => {
    const opts = { likelihoodWindows: [], rangeTolerance: Number.POSITIVE_INFINITY, warmup: 0 };
    const score = (p: number, raw: number, alarmTail?: number): number =>
      new EnsembleCombiner([{ warmup: 0, alarmFloor: 4, alarmTail }], opts).step([p], 1, 0, [raw]);
    // one member, no likelihoods: the combined score is the member's
    expect(score(0.9999, 10, 6.33e-5)).toBeCloseTo(0.999, 12); // tail 1e-4: held below the alarm levels
    expect(score(0.99995, 10, 6.33e-5)).toBeCloseTo(0.99995, 12); // tail 5e-5: passes
    expect(score(0.9999, 10)).toBeCloseTo(0.9999, 12); // no alarm tail (the default of a member)
    expect(score(0.999999, 3.9, 6.33e-5)).toBeCloseTo(0.999, 12); // the alarm floor still applies
    // the default seasonal member's: the two-sided Gaussian tail of its 4-sigma alarm floor
    // (scipy 1.10: 2 * scipy.stats.norm.sf(4) = 6.334248366623973e-05)
    expect(Math.abs(SEASONAL_ALARM_TAIL / 6.334248366623973e-5 - 1)).toBeLessThan(1e-12);
    const seasonal = defaultMembers().seasonal();
    expect([seasonal.alarmFloor, seasonal.alarmTail]).toEqual([4, SEASONAL_ALARM_TAIL]);
    expect(defaultMembers().ewma().alarmTail).toBe(1);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '0.1']) {
      expectCode(
        () => new SeasonalDetector({ alarmTail: bad as number }),
        'INVALID_ARGUMENT',
        /alarmTail must be a probability in \(0, 1\]/,
      );
    }
  });

  it('slotTolerance: a pattern half an hour late raises no seasonal point alarm, one at another time still can', () => {
    // 5-minute records around 30 and a daily job (10 minutes at 70-90 from 02:00); on day 10 it
    // runs half an hour late (02:30, a slot that has never seen it), on day 12 it also runs at
    // 14:20 (no slot within half an hour has seen it)
    const DAY = 288;
    const n = 13 * DAY;
    const t0 = Date.UTC(2026, 0, 5);
    const r = new Rng(3);
    const v = Float64Array.from({ length: n }, () => 30 + (r.next() - 0.5) * 2);
    const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * 300_000);
    const run = (i: number): void => {
      v[i] = 70 + 20 * r.next();
      v[i + 1] = 70 + 20 * r.next();
    };
    for (let d = 0; d < 13; d++) if (d !== 10) run(d * DAY + 24);
    const late = 10 * DAY + 30;
    run(late);
    const other = 12 * DAY + 172;
    run(other);
    const at = (k: number | undefined, i: number) => {
      const s = new SeasonalDetector(k === undefined ? {} : { slotTolerance: k });
      s.updateBatch(v.subarray(0, i), ts.subarray(0, i));
      s.update(v[i], ts[i]);
      return { raw: s.lastRaw, alarm: s.lastAlarmDeviation };
    };
    // the default tolerance is one slot either side: the late run deviates by many standard
    // deviations from its own slot but, from the 02:00 slot's level and spread, less than the
    // default member's alarm floor (4)
    const lateDefault = at(undefined, late);
    expect(lateDefault.raw).toBeGreaterThan(20);
    expect(lateDefault.alarm).toBeLessThan(4);
    expect(at(1, late)).toEqual(lateDefault);
    // 0: only the own slot, as before 0.7
    const late0 = at(0, late);
    expect(late0.alarm).toBe(late0.raw);
    expect(late0.raw).toBe(lateDefault.raw); // the member's own score does not change
    // at 14:20 no slot within half an hour has seen a spike: the alarm deviation stays large
    const far = at(undefined, other);
    expect(far.alarm).toBeGreaterThan(20);
    expect(far.alarm).toBeLessThanOrEqual(far.raw);
    // inside the default ensemble: the late run's seasonal point score stays below the alarm
    // levels with the tolerance, and passes them without it
    const seasonalContribution = (k: number): number => {
      const d = new StreamingDetector({
        members: {
          ...withARTime({ alarmFloor: 0, deviationFloor: 3.5 }),
          seasonal: new SeasonalDetector({
            alarmFloor: 4,
            alarmTail: SEASONAL_ALARM_TAIL,
            slotTolerance: k,
          }),
        },
      });
      d.updateBatch(v.subarray(0, late + 1), ts.subarray(0, late + 1));
      return d.contributions[d.memberNames.indexOf('seasonal')];
    };
    expect(seasonalContribution(1)).toBeLessThanOrEqual(0.999);
    expect(seasonalContribution(0)).toBeGreaterThan(0.999);
    // and the default members are the tolerance-1 ones, bit for bit
    const def = new StreamingDetector();
    def.updateBatch(v.subarray(0, late + 1), ts.subarray(0, late + 1));
    expect(def.contributions[def.memberNames.indexOf('seasonal')]).toBe(seasonalContribution(1));
    // the slots wrap at midnight: a job at 23:45 that runs at 00:05 is one slot late, not 47 early
    const v2 = Float64Array.from({ length: n }, () => 30 + (r.next() - 0.5) * 2);
    for (let d = 0; d < 10; d++) v2[d * DAY + 285] = 80;
    const wrapped = 10 * DAY + 1; // 00:05 on day 10
    v2[wrapped] = 80;
    const midnight = (k: number): number => {
      const s = new SeasonalDetector({ slotTolerance: k });
      s.updateBatch(v2.subarray(0, wrapped + 1), ts.subarray(0, wrapped + 1));
      return s.lastAlarmDeviation;
    };
    expect(midnight(1)).toBeLessThan(4);
    expect(midnight(0)).toBeGreaterThan(20);
    // during the warm-up there is no alarm deviation
    const cold = new SeasonalDetector();
    cold.update(5, t0);
    expect(cold.lastAlarmDeviation).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN, '1', 24, Number.POSITIVE_INFINITY]) {
      expectCode(
        () => new SeasonalDetector({ slotTolerance: bad as number }),
        'INVALID_ARGUMENT',
        /slotTolerance must be an integer >= 0/,
      );
    }
    // without timestamps the slots are records modulo the period
    expectCode(() => new SeasonalDetector({ period: 4, slotTolerance: 2 }), 'INVALID_ARGUMENT');
    expect(new SeasonalDetector({ period: 5, slotTolerance: 2 }).opts.slotTolerance).toBe(2);
  });

  it("historyCheck: a z-scored member's point alarm needs its own history to agree", () => {
    const opts = { likelihoodWindows: [], rangeTolerance: Number.POSITIVE_INFINITY, warmup: 0 };
    // one member, no likelihoods: one score combined, so the member's share of the level is 0.004
    const score = (exc: number, alarmFloor = 3, historyCheck?: boolean): number =>
      new EnsembleCombiner([{ warmup: 0, alarmFloor }], { ...opts, historyCheck }).step(
        [0.99999],
        1,
        0,
        [10],
        [10],
        [exc],
      );
    expect(score(0.003)).toBeCloseTo(0.99999, 12); // seen less often than the level: passes
    expect(score(0.005)).toBeCloseTo(0.999, 12); // more often: held under the alarm levels
    expect(score(0.005, 3, false)).toBeCloseTo(0.99999, 12); // the check off
    expect(score(0.005, 0)).toBeCloseTo(0.99999, 12); // members without an alarm floor: no check
    expect(new StreamingDetector().historyCheck).toBe(true);
    for (const bad of ['yes', 1, 0]) {
      expectCode(
        () => new StreamingDetector({ historyCheck: bad as unknown as boolean }),
        'INVALID_ARGUMENT',
        /historyCheck must be true or false/,
      );
    }
  });

  it('historyCheck: a burst that keeps recurring stops alarming, its first occurrences do not', () => {
    // Gaussian noise with a +8 burst every 500 records from record 2000 (no timestamps)
    const n = 6000;
    const v = Float64Array.from(normals(n, 11));
    const bursts = [2000, 2500, 3000, 3500, 4000, 4500, 5000, 5500];
    for (const i of bursts) v[i] += 8;
    const run = (historyCheck: boolean) => {
      const d = new StreamingDetector({ historyCheck });
      const ewma = d.members.ewma as EwmaDetector;
      const raws: number[] = [];
      const at: { score: number; exceedance: number; brute: number }[] = [];
      for (let i = 0; i < n; i++) {
        const score = d.update(v[i]);
        if (i >= ewma.warmup) {
          // the exceedance against a brute-force count over the member's earlier deviations
          // (at or above the record's calibration bin)
          const b = ScoreCalibrator.bin(ewma.lastRaw);
          const brute = raws.filter((r) => ScoreCalibrator.bin(r) >= b).length / raws.length;
          if (bursts.includes(i)) at.push({ score, exceedance: ewma.lastExceedance, brute });
          raws.push(ewma.lastRaw);
        }
      }
      return at;
    };
    const on = run(true);
    const off = run(false);
    for (const a of on) {
      expect(Number.isNaN(a.exceedance)).toBe(false); // computed: the member's score passed 0.999
      expect(a.exceedance).toBeCloseTo(a.brute, 12);
    }
    // the default's member share of the level: 1 - 0.996 ** (1 / 9)
    const level = 1 - 0.996 ** (1 / 9);
    expect(level).toBeCloseTo(4.454e-4, 6);
    for (let k = 0; k < bursts.length; k++) {
      expect(off[k].score).toBeGreaterThanOrEqual(0.996); // without the check, every burst alarms
      if (on[k].exceedance <= level) expect(on[k].score).toBeGreaterThanOrEqual(0.996);
      else expect(on[k].score).toBeLessThan(0.996);
    }
    // measured: the first four bursts alarm (shares 0, 0, 3.4e-4, 2.9e-4), the last four do not
    expect(on.filter((a) => a.score >= 0.996).length).toBe(4);
  });

  it('alarmTail: overdispersed counts raise fewer alarms with the default seasonal member than without its tail', () => {
    // 5 series of 8 weeks of 5-minute counts around a daily cycle (mean 20), the rate times lognormal
    // noise (log-SD 0.3), no anomaly: 4-sigma seasonal deviations are common there
    const DAY = 288;
    const n = 56 * DAY;
    const t0 = Date.UTC(2026, 0, 5);
    const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * 300_000);
    let withTail = 0;
    let without = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const z = normals(2 * n, seed);
      const v = Float64Array.from({ length: n }, (_, i) => {
        const rate =
          20 * (1 + 0.6 * Math.sin((2 * Math.PI * i) / DAY)) * Math.exp(0.3 * z[i] - 0.045);
        return Math.max(0, Math.round(rate + Math.sqrt(rate) * z[n + i]));
      });
      const alarms = (d: StreamingDetector): number =>
        d
          .updateBatch(v, ts)
          .subarray(1000)
          .filter((x) => x >= 0.996).length;
      const m = defaultMembers();
      withTail += alarms(new StreamingDetector());
      if (seed === 1) {
        // the CHANGELOG's recipe: the 0.5 members plus the alarm tail are the default, bit for bit
        const recipe = new StreamingDetector({
          members: {
            ...withARTime({ alarmFloor: 0, deviationFloor: 3.5 }),
            seasonal: new SeasonalDetector({ alarmFloor: 4, alarmTail: SEASONAL_ALARM_TAIL }),
          },
        }).updateBatch(v, ts);
        const def = new StreamingDetector().updateBatch(v, ts);
        expect(recipe.every((x, i) => Object.is(x, def[i]))).toBe(true);
      }
      without += alarms(
        new StreamingDetector({
          members: {
            seasonal: new SeasonalDetector({ alarmFloor: 4 }),
            ewma: m.ewma(),
            artime: m.artime(),
          },
        }),
      );
    }
    // measured: 42 and 49
    expect(withTail).toBeLessThan(without);
  });

  it('StreamingDetector combination rules: max (Šidák), Fisher, min, against their formulas', () => {
    const { v, t } = series(1500, 31);
    v[1400] += 4; // moderate spike
    const opts = { likelihoodWindows: [], rangeTolerance: Number.POSITIVE_INFINITY, cooldown: 0 };
    const run = (combine: 'max' | 'fisher' | 'min') => {
      const d = new StreamingDetector({ ...opts, combine });
      const s = d.updateBatch(v.subarray(0, 1401), t.subarray(0, 1401));
      return { s: s[1400], c: Array.from(d.contributions) };
    };
    const mx = run('max');
    const m = mx.c.length; // the default's members (3: seasonal, EWMA, ARTime)
    expect(m).toBe(3);
    expect(mx.s).toBeCloseTo(Math.max(...mx.c) ** m, 12);
    const mn = run('min');
    expect(mn.s).toBeCloseTo(Math.min(...mn.c), 12);
    const fi = run('fisher');
    // P(Gamma(m, 1) <= x) = 1 - e^-x sum_{j<m} x^j / j!, x = sum of surprisals
    const x = fi.c.reduce((a, p) => a - Math.log(1 - p), 0);
    let term = 1;
    let sum = 1;
    for (let j = 1; j < m; j++) {
      term *= x / j;
      sum += term;
    }
    expect(fi.s).toBeCloseTo(1 - Math.exp(-x) * sum, 12);
    expect(() => new StreamingDetector({ combine: 'mean' as 'max' })).toThrowError(/combine/);
  });

  it('StreamingDetector range novelty: a value beyond the range seen (+5%) scores 1', () => {
    const r = new Rng(22);
    const v = Float64Array.from({ length: 1000 }, () => r.next());
    v[900] = 1.2;
    expect(new StreamingDetector().updateBatch(v)[900]).toBe(1);
    const off = new StreamingDetector({ rangeTolerance: Number.POSITIVE_INFINITY });
    expect(off.updateBatch(v)[900]).toBeLessThan(1);
    v[900] = 1.04; // within the tolerance: not a range novelty
    expect(new StreamingDetector().updateBatch(v)[900]).toBeLessThan(1);
    v[900] = 1.2;
    v[920] = 1.5; // a new range novelty inside the quiet period of the first is not halved
    const s = new StreamingDetector().updateBatch(v);
    expect(s[900]).toBe(1);
    expect(s[920]).toBe(1);
  });

  it('StreamingDetector warm-up: no alarm while it learns, the same detector afterwards', () => {
    const r = new Rng(23);
    const v = Float64Array.from({ length: 1000 }, () => r.next());
    v[100] = 50; // during the learning period
    v[700] = 80;
    const s = new StreamingDetector().updateBatch(v);
    expect(Math.max(...s.subarray(0, 150))).toBeLessThanOrEqual(0.5);
    expect(s[700]).toBe(1);
    const none = new StreamingDetector({ warmup: 0 }).updateBatch(v);
    expect(none[100]).toBe(1); // a range novelty once the members are warm (30 records)
    // After the learning period the scores are those of the detector without one,
    // except where its alarms during the warm-up started a cooldown.
    const later = new StreamingDetector({ warmup: 150, cooldown: 0 }).updateBatch(v);
    const laterNone = new StreamingDetector({ warmup: 0, cooldown: 0 }).updateBatch(v);
    expect(Array.from(later.subarray(150))).toEqual(Array.from(laterNone.subarray(150)));
    expect(() => new StreamingDetector({ warmup: -1 })).toThrowError(/warmup/);
    expect(() => new StreamingDetector({ warmup: 1.5 })).toThrowError(/warmup/);
  });

  it('the seasonal detector learns the daily profile: a normal peak is not an anomaly, an off-hour one is', () => {
    const { v, t } = series(288 * 10, 4);
    const d = new SeasonalDetector();
    const s = d.updateBatch(v, t);
    // after learning, the daily maximum (sin peak) is ordinary
    const peak = 288 * 9 + 72;
    expect(s[peak]).toBeLessThan(0.99);
    const off = new SeasonalDetector();
    const w = Float64Array.from(v);
    w[288 * 9 + 216] = 13; // the peak level at the trough's time
    expect(off.updateBatch(w, t)[288 * 9 + 216]).toBeGreaterThan(0.99);
  });

  it('bad arguments throw INVALID_ARGUMENT and change nothing', () => {
    const d = new GaussianDetector();
    d.updateBatch([1, 2, 3]);
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update('x' as unknown as number)).toThrowError(/number/);
    expect(() => d.updateBatch([1, 'a' as unknown as number])).toThrowError(/element 1/);
    expect(() => d.updateBatch([1, 2], [1])).toThrowError(/timestamps/);
    expect(JSON.stringify(d.snapshot())).toBe(before);
    expect(() => new GaussianDetector({ window: 1 })).toThrowError(/window/);
    expect(() => new SeasonalDetector({ slotMs: 7 * 60_000 })).toThrowError(/divide a day/);
    expectCode(() => new StreamingDetector({ alarmLevel: 2 }), 'INVALID_ARGUMENT');
    expect(() => new StreamingDetector({ likelihoodWindows: [0] })).toThrowError(
      /likelihoodWindows/,
    );
    expect(() => new StreamingDetector({ likelihoodWindows: [2.5] })).toThrowError(
      /likelihoodWindows/,
    );
    expect(() => new StreamingDetector({ rangeTolerance: -1 })).toThrowError(/rangeTolerance/);
    expect(() => new StreamingDetector({ cooldownMs: -1 })).toThrowError(/cooldownMs/);
  });
});

describe('ScoreCalibrator', () => {
  it('exceedance: the share of the scores seen at or above a bin, against a brute-force count', () => {
    const r = new Rng(5);
    const c = new ScoreCalibrator();
    const seen: number[] = [];
    expect(c.exceedance(1)).toBe(1); // nothing seen
    for (let i = 0; i < 3000; i++) {
      const x = -Math.log(1 - r.next()) * (i % 7 === 0 ? 5 : 1);
      if (i % 100 === 0) {
        const b = ScoreCalibrator.bin(x);
        const brute = seen.filter((y) => ScoreCalibrator.bin(y) >= b).length / seen.length;
        if (seen.length > 0) expect(c.exceedance(x)).toBeCloseTo(brute, 12);
      }
      const q = c.score(x);
      // lastExceedance: the same share before x was added, only where the score passed 0.999
      if (q > 0.999) {
        const b = ScoreCalibrator.bin(x);
        expect(c.lastExceedance).toBeCloseTo(
          seen.filter((y) => ScoreCalibrator.bin(y) >= b).length / seen.length,
          12,
        );
      } else expect(c.lastExceedance).toBeNaN();
      seen.push(x);
    }
  });
  it('is the mid-rank ECDF (to bin resolution) and merges exactly', () => {
    const r = new Rng(9);
    const a = new ScoreCalibrator();
    const b = new ScoreCalibrator();
    const all = new ScoreCalibrator();
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = -Math.log(1 - r.next());
      xs.push(x);
      (i % 2 ? a : b).add(x);
      all.add(x);
    }
    a.merge(b);
    for (const q of [0.1, 0.5, 0.9]) {
      const x = -Math.log(1 - q);
      expect(Math.abs(a.calibrate(x) - all.calibrate(x))).toBeLessThan(1e-12);
      const emp = xs.filter((v) => v < x).length / xs.length;
      expect(Math.abs(all.calibrate(x) - emp)).toBeLessThan(0.03);
    }
    // tail: strictly increasing beyond the data, below 1
    const top = Math.max(...xs);
    const c1 = all.calibrate(top * 1.5);
    const c2 = all.calibrate(top * 3);
    expect(c2).toBeGreaterThan(c1);
    expect(c2).toBeLessThan(1);
    expect(new ScoreCalibrator().calibrate(3)).toBe(0.5);
  });
});

describe('NAB scorer', () => {
  const ts = Float64Array.from({ length: 100 }, (_, i) => i * 1000);
  const win: [number, number][] = [[60_000, 69_000]]; // records 60..69
  const file = (scores: number[]) => ({
    name: 'f',
    timestamps: ts,
    windows: win,
    scores: Float64Array.from(scores),
  });
  const zeros = () => new Array(100).fill(0);

  it('null detector scores 0, perfect (detect at window start) scores 100', () => {
    expect(nabScore([file(zeros())], NAB_PROFILES.standard).score).toBeCloseTo(0, 12);
    const p = zeros();
    p[60] = 1;
    expect(nabScore([file(p)], NAB_PROFILES.standard).score).toBeCloseTo(100, 12);
    expect(probationLength(100)).toBe(15);
  });

  it('late detection earns less; FP costs follow the sigmoid from the preceding window', () => {
    const late = zeros();
    late[69] = 1; // last record: y = -1/10
    const sig = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;
    const r = nabScore([file(late)], NAB_PROFILES.standard);
    const raw = sig(-0.1) / sig(-1);
    expect(r.raw).toBeCloseTo(raw, 12);
    expect(r.score).toBeCloseTo((100 * (raw + 1)) / 2, 10);
    // a TP plus an FP right after the window, and one far before it
    const s = zeros();
    s[60] = 1;
    s[72] = 1; // 3 records after the end: y = 3/9
    s[20] = 1; // before any window: full cost
    const r2 = nabScore([file(s)], NAB_PROFILES.standard);
    expect(r2.raw).toBeCloseTo(1 + 0.11 * sig(3 / 9) - 0.11, 12);
    // detections in the probationary period are ignored
    const pr = zeros();
    pr[5] = 1;
    expect(nabScore([file(pr)], NAB_PROFILES.standard).fp).toBe(0);
  });

  it('follows NAB sweeper edge rules: windows inside probation, y = 3 after a window', () => {
    // a window wholly inside the probationary period (records 0..14) is not scored
    // (NAB's sweep only sees post-probation records) but counts in "perfect"
    const early = { ...file(zeros()), windows: [[2_000, 5_000], ...win] as [number, number][] };
    const r = nabScore([early], NAB_PROFILES.standard);
    expect(r).toMatchObject({ raw: -1, fn: 1, tp: 0 });
    expect(r.score).toBeCloseTo((100 * (-1 + 1)) / (2 + 1), 12);
    const hit = zeros();
    hit[60] = 1;
    expect(
      nabScore([{ ...early, scores: Float64Array.from(hit) }], NAB_PROFILES.standard).score,
    ).toBeCloseTo((100 * 2) / 3, 12);
    // an FP exactly 3 window-widths (minus one) after the window costs the full weight
    const s = zeros();
    s[60] = 1;
    s[69 + 27] = 1; // y = 27 / 9 = 3
    expect(nabScore([file(s)], NAB_PROFILES.standard).raw).toBeCloseTo(1 - 0.11, 12);
  });

  it('optimises one threshold over the corpus', () => {
    const s = zeros();
    s[62] = 0.9;
    s[30] = 0.8; // FP below the TP: the best threshold is 0.9
    const r = nabScore([file(s)], NAB_PROFILES.standard);
    expect(r.threshold).toBe(0.9);
    expect(r.tp).toBe(1);
    expect(r.fp).toBe(0);
    // a fixed threshold scores the corpus there instead of optimising
    expect(nabScore([file(s)], NAB_PROFILES.standard, 0.9)).toEqual(r);
    const low = nabScore([file(s)], NAB_PROFILES.standard, 0.8);
    expect(low).toMatchObject({ threshold: 0.8, tp: 1, fp: 1 });
    expect(low.score).toBeLessThan(r.score);
    // NaN scores (missing values) are never detections, and do not stall the sweep
    const gap = s.slice();
    gap[10] = Number.NaN;
    gap[64] = Number.NaN;
    expect(nabScore([file(gap)], NAB_PROFILES.standard)).toMatchObject({
      threshold: 0.9,
      tp: 1,
      fp: 0,
    });
    expect(nabScore([file(gap)], NAB_PROFILES.standard, 0.8)).toMatchObject({ tp: 1, fp: 1 });
    expect(nabScore([file(s)], NAB_PROFILES.standard, 0.95)).toMatchObject({
      score: 0,
      tp: 0,
      fp: 0,
      fn: 1,
      threshold: 0.95,
    });
  });
});
