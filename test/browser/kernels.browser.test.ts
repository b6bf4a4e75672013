import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/moments.json';
import type { MomentsCase } from '../helpers/fixtures';
import { relErr } from '../helpers/fixtures';
import { expectMomentsCase, type MomentsLike } from '../helpers/moments-case';
import { demoSuite, runSelftest, watchPage } from './suite';

const suite = demoSuite();

describe('Moments in real Chromium (built demo, strict CSP)', () => {
  it('main thread and Web Worker match the numpy/scipy fixtures', async () => {
    const { page, problems } = await watchPage(suite.browser, { console: true });
    const result = await runSelftest<{
      main: MomentsLike[];
      worker: MomentsLike[];
      merged: MomentsLike[];
    }>(page, suite.url('selftest.html'), '__selftest', { name: 'self-test page' });
    expect(problems).toEqual([]);
    const cases = fixture.cases as MomentsCase[];
    expect(result.main).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      expectMomentsCase(result.main[i], c);
      expectMomentsCase(result.worker[i], c);
      // worker state (+) empty (+) main-thread state == the data twice
      const twice = result.merged[i];
      expect(twice.count).toBe(2 * c.count);
      expect(twice.rejected).toBe(2 * c.rejected);
      if (c.count > 0) expect(relErr(twice.mean, c.mean!)).toBeLessThanOrEqual(1e-12);
    });
    await page.close();
  });
});
