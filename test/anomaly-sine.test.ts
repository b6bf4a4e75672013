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
 * KNOWN FAILURE (issue #16): the default ensemble does not meet this yet, so
 * each case is declared with `it.fails` (the case passes while the detector
 * still alarms, and fails, to be turned into `it`, once it no longer does).
 * Measured: every one of the 15 series reaches 0.996 after record 1,000. Why:
 * the members' scores are calibrated (the ECDF of their own history), so on
 * any stationary series some record eventually ranks at the top, and the
 * daily-profile member misreads a sub-daily period (its 30-minute slots are
 * learnt within the first day, then the phase moves) and produces extreme
 * residuals. The 'min' rule (every member agrees) stays quiet on 13 of 15 but
 * loses 23 points of cross-validated NAB score (standard, pooled), so it is
 * not the default.
 */
describe('StreamingDetector on a noisy sine wave', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const ts = Float64Array.from({ length: N }, (_, i) => t0 + i * 60_000);
  for (const sd of [0.01, 0.1, 0.3]) {
    for (const seed of [1, 2, 3, 4, 5]) {
      it.fails(`noise sd ${sd}, seed ${seed}: no alarm after ${WARMUP} records`, () => {
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
