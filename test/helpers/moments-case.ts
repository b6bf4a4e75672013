/**
 * Assertions of a Moments summary against a numpy/scipy fixture case
 * (test/fixtures/moments.json), shared by the Node and the Chromium tests.
 */
import { expect } from 'vitest';
import { type MomentsCase, relErr } from './fixtures';

/** The summary fields a fixture case pins. */
export interface MomentsLike {
  count: number;
  rejected: number;
  mean: number;
  variance: number;
  min: number;
  max: number;
  skewness: number;
  kurtosis: number;
}

/**
 * Count and rejected exactly; for a non-empty case also mean and variance to
 * 1e-12 relative, min and max exactly, and skewness and kurtosis to 1e-9 where
 * the case has them. Returns false for an empty case (nothing else checked).
 */
export function expectMomentsCase(s: MomentsLike, c: MomentsCase): boolean {
  expect(s.count).toBe(c.count);
  expect(s.rejected).toBe(c.rejected);
  if (c.count === 0) return false;
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
  return true;
}
