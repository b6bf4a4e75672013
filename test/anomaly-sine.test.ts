import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
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
 * point score needs a raw deviation of 3 standard deviations to pass 0.999;
 * the EWMA member's likelihoods need a window mean 3 standard deviations
 * above their running mean; range novelty starts after two days.
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

/**
 * The same check on series the fix was not measured on: seeds 6-10, the
 * period of 100 one-minute records and a daily period (288 five-minute
 * records), the three noise levels.
 *
 * KNOWN FAILURE (issue #16): declared `it.fails` (it passes while some
 * series still alarm; turn it into `it` once none does). Measured: of 30
 * series at each of these periods with seeds 6-15, 9 (100 minutes) and 28
 * (daily) still reach 0.996 after record 1,000 (before the fix: 30 and 29).
 * What still fires: the members' anomaly likelihoods, which are calibrated
 * against their own history and so reach the top of it on any long
 * stationary series; a likelihood floor on the seasonal member, or an
 * absolute one on both, cost 1 to 4 points of NAB score in our measurements.
 */
describe('StreamingDetector on noisy sines it was not tuned on', () => {
  it.fails('no alarm after 1,000 records (seeds 6-10, periods 100 x 1 min and 288 x 5 min)', () => {
    const alarms: string[] = [];
    for (const [period, stepMs] of [
      [100, 60_000],
      [288, 300_000],
    ]) {
      const t0 = Date.UTC(2024, 0, 1);
      const ts = Float64Array.from({ length: N }, (_, i) => t0 + i * stepMs);
      for (const sd of [0.01, 0.1, 0.3]) {
        for (let seed = 6; seed <= 10; seed++) {
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
    }
    expect(alarms).toEqual([]);
  });
});
