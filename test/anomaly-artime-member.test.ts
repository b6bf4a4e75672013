import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTimeDetector } from '../src/anomaly/artime';
import { ARTimeMember, type ARTimeMemberOptions } from '../src/anomaly/artime-member';
import { ScoreCalibrator } from '../src/anomaly/calibration';
import {
  defaultMembers,
  EnsembleCombiner,
  StreamingDetector,
  withARTime,
} from '../src/anomaly/ensemble-stream';
import { Rng } from '../src/anomaly/matrix';
import type { DetectorSnapshot, StreamingDetectorApi } from '../src/anomaly/streaming';
import { expectCode } from './helpers/errors';
import { nabColumn, nabTime } from './helpers/pandas-float';

/**
 * `ARTimeMember` is what `npm run eval:nab` measured as "ARTime in streaming
 * mode, calibrated online": `ARTimeDetector({ probation: 750, rangeMargin: 1,
 * maxCategories: 1024 })` with each of its scores passed through a
 * `ScoreCalibrator` from the first record. The data: two NAB dev files copied
 * to test/fixtures/nab-ref (NAB, MIT licence).
 */
const dir = join(import.meta.dirname, 'fixtures', 'nab-ref');
function file(name: string): { v: Float64Array; t: Float64Array } {
  const text = readFileSync(join(dir, `artime-data-${name}.csv`), 'utf8');
  const v = nabColumn(text);
  const t = Float64Array.from(text.trim().split('\n').slice(1), (l) => nabTime(l.split(',')[0]));
  return { v, t };
}
const FILES = ['ambient_temperature_system_failure', 'ec2_request_latency_system_failure'];

/** eval:nab's ARTime member pipeline, written out. */
function pipeline(v: ArrayLike<number>): { raw: Float64Array; p: Float64Array } {
  const d = new ARTimeDetector({ probation: 750, rangeMargin: 1, maxCategories: 1024 });
  const cal = new ScoreCalibrator();
  const raw = d.updateBatch(v);
  return { raw, p: raw.map((x) => cal.score(x)) };
}

const normal = (s: unknown): unknown => JSON.parse(JSON.stringify(s));

describe('ARTimeMember: the ARTime member pipeline of eval:nab, record by record', () => {
  for (const f of FILES) {
    it(`${f}: update equals ARTimeDetector + ScoreCalibrator bit for bit`, () => {
      const { v, t } = file(f);
      const ref = pipeline(v);
      const m = new ARTimeMember();
      expect([m.probation, m.rangeMargin, m.maxCategories, m.warmup]).toEqual([750, 1, 1024, 0]);
      expect([m.alarmFloor, m.likelihoodFloor]).toEqual([0.5, 1e9]);
      let detections = 0;
      for (let i = 0; i < v.length; i++) {
        const s = m.update(v[i], t[i]);
        if (!Object.is(s, ref.p[i]) || !Object.is(m.lastRaw, ref.raw[i])) {
          throw new Error(
            `${f}: record ${i}: ${s} / ${m.lastRaw}, expected ${ref.p[i]} / ${ref.raw[i]}`,
          );
        }
        if (ref.raw[i] > 0) detections++;
      }
      // ARTime detects something in these files, and its detections rank at the top
      expect(detections).toBeGreaterThan(1);
      expect(Math.max(...ref.p)).toBeGreaterThan(0.99);
      expect(m.count).toBe(v.length);
    });
  }

  it('skips non-finite values (NaN score, counted in rejected); the finite records score as without them', () => {
    const { v } = file(FILES[1]);
    const ref = pipeline(v);
    const m = new ARTimeMember();
    const holes = new Set([0, 10, 749, 2000, 2001, 3999]);
    let k = 0;
    for (let i = 0; k < v.length; i++) {
      if (holes.has(i)) {
        expect(m.update(i % 2 ? Number.NaN : Number.NEGATIVE_INFINITY)).toBeNaN();
        continue;
      }
      expect(Object.is(m.update(v[k]), ref.p[k])).toBe(true);
      k++;
    }
    expect(m.rejected).toBe(holes.size);
    expect(m.count).toBe(v.length);
    // updateBatch equals update in a loop
    const b = new ARTimeMember().updateBatch(v);
    expect(b.every((x, i) => Object.is(x, ref.p[i]))).toBe(true);
  });

  it('in a StreamingDetector: equals the combination of the members replayed through EnsembleCombiner', () => {
    const { v, t } = file(FILES[0]);
    const direct = new StreamingDetector({ members: withARTime() }).updateBatch(v, t);
    // the default's other members, whatever they are, then ARTime's pipeline
    const members = Object.entries(defaultMembers())
      .filter(([name]) => name !== 'artime')
      .map(([, make]) => make());
    // per member: scores, raw deviations, alarm deviations and exceedances (the history check)
    type Col = Record<'p' | 'r' | 'a' | 'e', Float64Array<ArrayBufferLike>>;
    const cols: Col[] = members.map((d) => {
      const col: Col = {
        p: new Float64Array(v.length),
        r: new Float64Array(v.length),
        a: new Float64Array(v.length),
        e: new Float64Array(v.length),
      };
      for (let i = 0; i < v.length; i++) {
        col.p[i] = d.update(v[i], t[i]);
        col.r[i] = d.lastRaw;
        col.a[i] = d.lastAlarmDeviation;
        col.e[i] = d.lastExceedance;
      }
      return col;
    });
    const art = pipeline(v);
    // ARTime's alarm deviation is its raw score, and the history check does not look at it
    cols.push({ p: art.p, r: art.raw, a: art.raw, e: new Float64Array(v.length).fill(Number.NaN) });
    const comb = new EnsembleCombiner([...members, new ARTimeMember()]);
    const p = new Float64Array(cols.length);
    const r = new Float64Array(cols.length);
    const a = new Float64Array(cols.length);
    const e = new Float64Array(cols.length);
    for (let i = 0; i < v.length; i++) {
      for (let k = 0; k < cols.length; k++) {
        p[k] = cols[k].p[i];
        r[k] = cols[k].r[i];
        a[k] = cols[k].a[i];
        e[k] = cols[k].e[i];
      }
      const s = comb.step(p, v[i], t[i], r, a, e);
      if (!Object.is(s, direct[i])) throw new Error(`record ${i}: ${direct[i]}, expected ${s}`);
    }
    // the ensemble without ARTime scores differently: the member counts
    const rest = Object.entries(defaultMembers()).filter(([name]) => name !== 'artime');
    const without = new StreamingDetector({
      members: Object.fromEntries(rest.map(([name, make]) => [name, make()])),
    }).updateBatch(v, t);
    expect(without.some((x, i) => x !== direct[i])).toBe(true);
  });
});

describe('ARTimeMember: its floors inside a StreamingDetector', () => {
  it('a detection below confidence 0.5 stays at 0.999; without the floors it passes', () => {
    const { v, t } = file(FILES[1]);
    const ref = pipeline(v);
    // the 0.3 default's four likelihood windows: the one over 8 records carries a detection
    const likelihoodWindows = [8, 16, 32, 64];
    const floored = new StreamingDetector({ members: withARTime(), likelihoodWindows });
    const plain = new StreamingDetector({
      members: withARTime({ alarmFloor: 0, likelihoodFloor: 0 }),
      likelihoodWindows,
    });
    const a = floored.memberNames.indexOf('artime');
    let weak = 0;
    let strong = 0;
    let carried = 0;
    for (let i = 0; i < v.length; i++) {
      floored.update(v[i], t[i]);
      plain.update(v[i], t[i]);
      const f = floored.contributions[a];
      const p = plain.contributions[a];
      if (ref.raw[i] > 0 && ref.p[i] > 0.999) {
        // a detection ranked at the top of the member's history: its point score passes 0.999
        expect(p).toBeGreaterThan(0.999);
        if (ref.raw[i] < 0.5) {
          weak++;
          expect(f).toBeLessThanOrEqual(0.999);
        } else {
          strong++;
          expect(f).toBe(p);
        }
      } else if (i >= 100) {
        // its likelihoods alone never pass 0.999 (the plain member's do, after a detection)
        if (f > 0.999) throw new Error(`record ${i}: contribution ${f} without a detection`);
        if (p > 0.999) carried++;
      }
    }
    expect(carried).toBeGreaterThan(0);
    expect(weak).toBeGreaterThan(0);
    expect(strong).toBeGreaterThan(0);
  });
});

describe('ARTimeMember: snapshot / restore', () => {
  const { v, t } = file(FILES[1]);

  it('restoring mid-stream (through JSON) and continuing equals the uninterrupted run', () => {
    const whole = new ARTimeMember();
    const full = whole.updateBatch(v, t);
    for (const cut of [0, 1, 749, 750, 751, 2500, v.length - 1]) {
      const a = new ARTimeMember();
      const head = a.updateBatch(v.subarray(0, cut), t.subarray(0, cut));
      const snap = normal(a.snapshot()) as DetectorSnapshot;
      const b = new ARTimeMember().restore(snap);
      expect(b.count).toBe(cut);
      const tail = b.updateBatch(v.subarray(cut), t.subarray(cut));
      for (let i = 0; i < v.length; i++) {
        expect(Object.is(i < cut ? head[i] : tail[i - cut], full[i])).toBe(true);
      }
      expect(b.categories).toBe(whole.categories);
      expect(normal(b.snapshot())).toEqual(normal(whole.snapshot()));
    }
  });

  it('inside a StreamingDetector: restore mid-stream continues exactly', () => {
    const full = new StreamingDetector({ members: withARTime() }).updateBatch(v, t);
    const cut = 1700;
    const a = new StreamingDetector({ members: withARTime() });
    a.updateBatch(v.subarray(0, cut), t.subarray(0, cut));
    const b = new StreamingDetector({ members: withARTime() }).restore(
      normal(a.snapshot()) as DetectorSnapshot,
    );
    const tail = b.updateBatch(v.subarray(cut), t.subarray(cut));
    expect(tail.every((x, i) => Object.is(x, full[cut + i]))).toBe(true);
  });

  it('refuses a damaged snapshot or one of other options (typed error) and keeps its state', () => {
    const a = new ARTimeMember();
    a.updateBatch(v.subarray(0, 1500));
    const good = normal(a.snapshot()) as DetectorSnapshot & {
      state: { artime: Record<string, unknown> };
    };
    const target = new ARTimeMember();
    target.updateBatch(v.subarray(0, 900));
    const before = normal(target.snapshot());
    const refuse = (
      edit: (s: typeof good) => void,
      code: 'CORRUPT_STATE' | 'UNSUPPORTED_VERSION',
      what?: RegExp,
    ) => {
      const s = structuredClone(good);
      edit(s);
      expectCode(() => target.restore(s), code, what);
      expect(normal(target.snapshot())).toEqual(before);
    };
    refuse((s) => {
      s.kind = 'ARTimeDetector';
    }, 'CORRUPT_STATE');
    refuse((s) => {
      s.version = 2;
    }, 'UNSUPPORTED_VERSION');
    refuse(
      (s) => {
        delete (s.state as { artime?: unknown }).artime;
      },
      'CORRUPT_STATE',
      /no ARTime state/,
    );
    refuse(
      (s) => {
        s.n += 1000;
      },
      'CORRUPT_STATE',
      /ARTime state is refused/,
    );
    refuse(
      (s) => {
        (s.state.artime.w as number[])[5] = 2;
      },
      'CORRUPT_STATE',
      /ARTimeMember.restore/,
    );
    refuse((s) => {
      s.calibrator.total = -1;
    }, 'CORRUPT_STATE');
    // a member with other options cannot take it
    const other = new ARTimeMember({ maxCategories: 512 });
    expectCode(() => other.restore(good), 'CORRUPT_STATE', /other options/);
    expect(other.count).toBe(0);
    // the good one restores
    expect(normal(target.restore(good).snapshot())).toEqual(good);
  });

  it('bounded state: the network stops at maxCategories; only the anomaly history (at most 4096) grows', () => {
    const r = new Rng(4);
    const m = new ARTimeMember({ probation: 100, maxCategories: 16 });
    const sizes: number[] = [];
    let history = 0;
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 15000; i++)
        m.update(r.next() * 100 + (i % 1000 < 500 ? 0 : r.next() * 400));
      const s = normal(m.snapshot()) as { state: { artime: { w: number[]; history: number[] } } };
      expect(s.state.artime.w.length).toBe(16 * 32);
      expect(s.state.artime.history.length).toBeGreaterThan(history);
      expect(s.state.artime.history.length).toBeLessThanOrEqual(4096);
      history = s.state.artime.history.length;
      s.state.artime.history = [];
      sizes.push(JSON.stringify(s).length);
    }
    expect(m.categories).toBe(16);
    // numbers change length in JSON; the rest of the state does not grow
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.05);
    const big = new ARTimeMember({ probation: 100 });
    const r2 = new Rng(4);
    for (let i = 0; i < 15000; i++)
      big.update(r2.next() * 100 + (i % 1000 < 500 ? 0 : r2.next() * 400));
    expect(big.categories).toBeGreaterThan(16);
  });
});

describe('ARTimeMember: input and options', () => {
  it('refuses bad input with INVALID_ARGUMENT and keeps its state', () => {
    const m: StreamingDetectorApi = new ARTimeMember();
    m.updateBatch([1, 2, 3, 4]);
    const before = normal(m.snapshot());
    expectCode(
      () => m.update('5' as unknown as number),
      'INVALID_ARGUMENT',
      /value must be a number/,
    );
    expectCode(() => m.updateBatch([1, 2], [1]), 'INVALID_ARGUMENT', /timestamps/);
    expectCode(
      () => m.updateBatch([1, null as unknown as number]),
      'INVALID_ARGUMENT',
      /element 1/,
    );
    expectCode(() => m.updateBatch('abc' as unknown as number[]), 'INVALID_ARGUMENT');
    expect(normal(m.snapshot())).toEqual(before);
  });

  it('refuses bad options with INVALID_ARGUMENT', () => {
    expectCode(() => new ARTimeMember({ probation: 3 }), 'INVALID_ARGUMENT', /probation/);
    expectCode(() => new ARTimeMember({ rangeMargin: -1 }), 'INVALID_ARGUMENT', /rangeMargin/);
    expectCode(() => new ARTimeMember({ maxCategories: 8 }), 'INVALID_ARGUMENT', /maxCategories/);
    expectCode(() => new ARTimeMember({ alarmFloor: -1 }), 'INVALID_ARGUMENT', /alarmFloor/);
    expectCode(
      () => new ARTimeMember({ likelihoodFloor: Number.NaN }),
      'INVALID_ARGUMENT',
      /likelihoodFloor/,
    );
    expectCode(() => new ARTimeMember({ warmup: 1.5 }), 'INVALID_ARGUMENT', /warmup/);
    expectCode(
      () => new ARTimeMember(null as unknown as ARTimeMemberOptions),
      'INVALID_ARGUMENT',
      /options/,
    );
  });

  it('clamps finite values beyond +-1e300 (ARTime refuses them) instead of skipping them', () => {
    const m = new ARTimeMember({ probation: 16 });
    const vals = [1, 2, 3, 1e308, -1e308, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1e307, 2, 3];
    const clamped = vals.map((x) => Math.max(-1e300, Math.min(1e300, x)));
    const out = m.updateBatch(vals);
    const cal = new ScoreCalibrator();
    const ref = new ARTimeDetector({ probation: 16, rangeMargin: 1, maxCategories: 1024 })
      .updateBatch(clamped)
      .map((x) => cal.score(x));
    expect(out.every((x, i) => Object.is(x, ref[i]))).toBe(true);
    expect(m.rejected).toBe(0);
    expect(m.count).toBe(vals.length);
  });

  it('with a warm-up, ARTime still learns every record (the calibration starts after it)', () => {
    const { v } = file(FILES[1]);
    const m = new ARTimeMember({ warmup: 100 });
    const out = m.updateBatch(v);
    const d = new ARTimeDetector({ probation: 750, rangeMargin: 1, maxCategories: 1024 });
    const raw = d.updateBatch(v);
    const cal = new ScoreCalibrator();
    for (let i = 0; i < v.length; i++) expect(out[i]).toBe(i < 100 ? 0 : cal.score(raw[i]));
    expect(m.categories).toBe(d.categories);
  });
});
