import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/moments.json';
import type { MomentsCase } from '../helpers/fixtures';
import { relErr } from '../helpers/fixtures';
import { demoSuite, runSelftest, watchPage } from './suite';

interface Summary {
  count: number;
  mean: number;
  variance: number;
  min: number;
  max: number;
  skewness: number;
  kurtosis: number;
  rejected: number;
}

const suite = demoSuite();

function check(s: Summary, c: MomentsCase): void {
  expect(s.count).toBe(c.count);
  expect(s.rejected).toBe(c.rejected);
  if (c.count === 0) return;
  expect(relErr(s.mean, c.mean!)).toBeLessThanOrEqual(1e-12);
  if (c.variance === 0) expect(s.variance).toBe(0);
  else expect(relErr(s.variance, c.variance!)).toBeLessThanOrEqual(1e-12);
  expect(s.min).toBe(c.min);
  expect(s.max).toBe(c.max);
  if (c.skewness !== undefined) {
    expect(Math.abs(s.skewness - c.skewness)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(c.skewness)),
    );
    expect(Math.abs(s.kurtosis - c.kurtosis!)).toBeLessThan(
      1e-9 * Math.max(1, Math.abs(c.kurtosis!)),
    );
  }
}

describe('Moments in real Chromium (built demo, strict CSP)', () => {
  it('main thread and Web Worker match the numpy/scipy fixtures', async () => {
    const { page, problems } = await watchPage(suite.browser, { console: true });
    const result = await runSelftest<{ main: Summary[]; worker: Summary[]; merged: Summary[] }>(
      page,
      suite.url('selftest.html'),
      '__selftest',
      { name: 'self-test page' },
    );
    expect(problems).toEqual([]);
    const cases = fixture.cases as MomentsCase[];
    expect(result.main).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      check(result.main[i], c);
      check(result.worker[i], c);
      // worker state (+) empty (+) main-thread state == the data twice
      const twice = result.merged[i];
      expect(twice.count).toBe(2 * c.count);
      expect(twice.rejected).toBe(2 * c.rejected);
      if (c.count > 0) expect(relErr(twice.mean, c.mean!)).toBeLessThanOrEqual(1e-12);
    });
    await page.close();
  });
});
