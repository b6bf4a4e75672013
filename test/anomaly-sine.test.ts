import { describe, expect, it } from 'vitest';
import { EnsembleCombiner, gammaIsfInt, gammaTailInt } from '../src/anomaly/ensemble-combiner';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import gamma from './fixtures/gamma.json';
import { normals } from './helpers/random';

/** The alarm threshold of `edgewise score` (src/cli.ts, `--threshold` default). */
const CLI_THRESHOLD = 0.996;
const N = 10_000;
const WARMUP = 1_000;

/**
 * Clean periodic data must not raise alarms: a pure sine wave (amplitude 1,
 * period 100 records, one record a minute) plus Gaussian noise, 3 noise
 * levels x 5 seeds, scored by the zero-config detector; after a warm-up of
 * 1,000 records no score reaches the CLI's alarm threshold.
 *
 * What keeps it quiet (issue #16; before, every one of the 15 series
 * reached 0.996 after record 1,000): the daily-profile member learns per
 * unit of time (a 1-minute record weighs a fifth of a 5-minute one, so 30
 * one-minute records in a 30-minute slot do not make the slot a fast
 * tracker) and its contribution counts only after two days; a member's
 * point score needs a raw deviation of 3 standard deviations (4 for the
 * seasonal member) to pass 0.999; the EWMA member's likelihoods need a
 * window mean 3 standard deviations above their running mean; every
 * likelihood needs a window that is improbable in absolute terms once the
 * number of windows already seen is accounted for (`likelihoodAlpha`);
 * range novelty starts after two days and needs a member's 3.5-sigma
 * deviation (`rangeFloor`).
 */
describe('StreamingDetector on a noisy sine wave', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const ts = Float64Array.from({ length: N }, (_, i) => t0 + i * 60_000);
  for (const sd of [0.01, 0.1, 0.3]) {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`noise sd ${sd}, seed ${seed}: no alarm after ${WARMUP} records`, () => {
        const z = normals(N, seed * 7919 + Math.round(sd * 1000));
        const v = Float64Array.from(
          { length: N },
          (_, i) => Math.sin((2 * Math.PI * i) / 100) + sd * z[i],
        );
        const s = new StreamingDetector().updateBatch(v, ts);
        let worst = 0;
        let at = -1;
        for (let i = WARMUP; i < N; i++) {
          if (s[i] > worst) {
            worst = s[i];
            at = i;
          }
        }
        expect(worst, `max score ${worst} at record ${at}`).toBeLessThan(CLI_THRESHOLD);
      });
    }
  }
});

/** Scores `new StreamingDetector()` on sine + noise series; returns those reaching the CLI threshold after the warm-up. */
function alarming(period: number, stepMs: number, seeds: number[]): string[] {
  const alarms: string[] = [];
  const t0 = Date.UTC(2024, 0, 1);
  const ts = Float64Array.from({ length: N }, (_, i) => t0 + i * stepMs);
  for (const sd of [0.01, 0.1, 0.3]) {
    for (const seed of seeds) {
      const z = normals(N, seed * 7919 + Math.round(sd * 1000));
      const v = Float64Array.from(
        { length: N },
        (_, i) => Math.sin((2 * Math.PI * i) / period) + sd * z[i],
      );
      const s = new StreamingDetector().updateBatch(v, ts);
      if (s.subarray(WARMUP).some((x) => x >= CLI_THRESHOLD))
        alarms.push(`period ${period}, sd ${sd}, seed ${seed}`);
    }
  }
  return alarms;
}

/**
 * The same check on series the fixes were not measured on: other seeds, a
 * period of 37 one-minute records, and a daily period (288 five-minute
 * records), the three noise levels.
 *
 * Measured (issue #16), series reaching 0.996 after record 1,000, periods
 * 100 x 1 min / 37 x 1 min / 288 x 5 min: seeds 6-15 (30 series each): 1 /
 * 0 / 1 (first release: 30 / 29 / 29; before the evidence requirements
 * `likelihoodAlpha` and `rangeFloor` and the seasonal alarm floor of 4: 9 /
 * 17 / 28); seeds 16-30, never looked at while choosing them (45 series
 * each): 1 / 0 / 2 (before: 12 / 25 / 45).
 */
describe('StreamingDetector on noisy sines it was not tuned on', () => {
  it('no alarm after 1,000 records: period 37 x 1 min, seeds 6-15', () => {
    expect(alarming(37, 60_000, [6, 7, 8, 9, 10, 11, 12, 13, 14, 15])).toEqual([]);
  });

  /**
   * KNOWN FAILURE (issue #16): declared `it.fails` (it passes while some
   * series still alarm; turn it into `it` once none does). One of these 30
   * series still does: period 100, sd 0.3, seed 7, at record 3,667, where a
   * noise value of about 4.4 sigma lands on a crest of the sine and the
   * EWMA member sees 3.03 standard deviations (its alarm floor is 3). The
   * remaining alarms of the other seeds are of the same kind (Gaussian
   * extremes of 4-5 sigma) or likelihoods just past their requirement.
   * Raising the EWMA alarm floor to 3.5 silences them but loses a labelled
   * NAB window (machine_temperature, EWMA deviations 3.2 and 3.8;
   * docs/anomaly-nab.md).
   */
  it.fails('no alarm after 1,000 records (seeds 6-10, periods 100 x 1 min and 288 x 5 min)', () => {
    expect([
      ...alarming(100, 60_000, [6, 7, 8, 9, 10]),
      ...alarming(288, 300_000, [6, 7, 8, 9, 10]),
    ]).toEqual([]);
  });
});

/**
 * The evidence requirements that keep stationary series quiet (issue #16):
 * a likelihood must also be improbable in absolute terms (the Gamma tail of
 * its window's surprisal sum, checked against scipy), and a range novelty
 * needs a member's deviation of `rangeFloor` standard deviations (or a
 * margin of 4 x `rangeTolerance`).
 */
describe('StreamingDetector evidence requirements', () => {
  it('Gamma(k, 1) tail and inverse tail match scipy (test/fixtures/gamma.json)', () => {
    for (const { k, alpha, x } of gamma.isf) {
      expect(Math.abs(gammaIsfInt(alpha, k) - x) / x, `isf(${alpha}, ${k})`).toBeLessThan(1e-9);
      expect(Math.abs(gammaTailInt(x, k) - alpha) / alpha).toBeLessThan(1e-9);
    }
    for (const { k, x, p } of gamma.cdf) {
      expect(Math.abs(1 - gammaTailInt(x, k) - p), `cdf(${x}, ${k})`).toBeLessThan(1e-12);
    }
  });

  it('a likelihood at the top of its history but not improbable in absolute terms stays at 0.999', () => {
    // one member, one likelihood window of 8 records, nothing else
    const opts = {
      likelihoodWindows: [8],
      rangeTolerance: Number.POSITIVE_INFINITY,
      warmup: 0,
      cooldown: 0,
    };
    /** `history` records at p = 0.5, then 8 at `burst`: the highest score of the burst. */
    const run = (likelihoodAlpha: number | undefined, burst: number, history = 2000): number => {
      const c = new EnsembleCombiner([{ warmup: 0 }], { ...opts, likelihoodAlpha });
      for (let i = 0; i < history; i++) c.step([0.5], 0, i);
      // window means rise to -ln(1 - burst), far above every earlier one
      let top = 0;
      for (let i = 0; i < 8; i++) top = Math.max(top, c.step([burst], 0, history + i));
      return top;
    };
    // the score is max(point, likelihood)^2 (two calibrated scores); 0.999^2 is the cap
    const cap = 0.999 ** 2;
    // p = 0.9 for 8 records: surprisal sum 18.4, P(Gamma(8, 1) > 18.4) = 1.6e-3
    expect(gammaTailInt(-8 * Math.log(0.1), 8)).toBeGreaterThan(1e-3);
    expect(run(undefined, 0.9)).toBeLessThanOrEqual(cap);
    expect(run(0, 0.9)).toBeGreaterThan(cap); // without the requirement it alarms
    // a burst whose sum has P = 1e-6: enough after 100 records (about 12 independent windows of
    // 8: 1e-4 / 12 > 1e-6), not after 20,000 (2,500 windows: 1e-4 / 2,500 < 1e-6)
    const p6 = 1 - Math.exp(-gammaIsfInt(1e-6, 8) / 8);
    expect(run(undefined, p6, 100)).toBeGreaterThan(cap);
    expect(run(undefined, p6, 20_000)).toBeLessThanOrEqual(cap);
    expect(run(0, p6, 20_000)).toBeGreaterThan(cap);
    // p = 0.998: sum 49.7, P(Gamma(8, 1) > 49.7) = 1e-14: evidence enough after 20,000 records
    expect(run(undefined, 0.998, 20_000)).toBeGreaterThan(cap);
    expect(() => new StreamingDetector({ likelihoodAlpha: 1 })).toThrowError(/likelihoodAlpha/);
    expect(() => new StreamingDetector({ likelihoodAlpha: -1 })).toThrowError(/likelihoodAlpha/);
  });

  it('a new extreme of a noisy sine needs a 3.5-sigma member deviation to be a range novelty', () => {
    const z = normals(3000, 4242);
    const v = Float64Array.from(
      { length: 3000 },
      (_, i) => Math.sin((2 * Math.PI * i) / 100) + 0.3 * z[i],
    );
    let hi = Number.NEGATIVE_INFINITY;
    let lo = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 2900; i++) {
      hi = Math.max(hi, v[i]);
      lo = Math.min(lo, v[i]);
    }
    // 6% of the range above the highest value so far: beyond the 5% tolerance, within 4 x 5%
    v[2900] = hi + 0.06 * (hi - lo);
    const d = new StreamingDetector();
    let at = 0;
    for (let i = 0; i <= 2900; i++) at = d.update(v[i]);
    // the premise: no member sees 3.5 standard deviations there
    for (const m of Object.values(d.members)) expect(m.lastRaw).toBeLessThan(3.5);
    expect(at).toBeLessThan(1);
    expect(new StreamingDetector({ rangeFloor: 0 }).updateBatch(v)[2900]).toBe(1);
    // 21% above it: a range novelty without support
    v[2900] = hi + 0.21 * (hi - lo);
    expect(new StreamingDetector().updateBatch(v)[2900]).toBe(1);
    expect(() => new StreamingDetector({ rangeFloor: Number.NaN })).toThrowError(/rangeFloor/);
  });
});
