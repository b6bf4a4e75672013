import { describe, expect, it } from 'vitest';
import type { AnomalySelftest } from '../../demo/src/anomaly-selftest';
import { demoSuite, runSelftest, watchPage } from './suite';

const suite = demoSuite();

describe('anomaly detection in real Chromium (built demo, strict CSP)', () => {
  it('worker pool scoring, a hosted streaming detector, crash replacement and abort', async () => {
    const { page, problems } = await watchPage(suite.browser, {
      ignore: (m) => m.includes('crashForTest'),
    });
    const r = await runSelftest<AnomalySelftest>(page, suite.url('anomaly.html'), '__anomaly', {
      timeout: 90_000,
      name: 'anomaly self-test',
    });
    expect(problems).toEqual([]);
    expect(r.poolSize).toBe(2);
    expect(r.poolEqual).toBe(true);
    expect(r.streamEqual).toBe(true);
    expect(r.events.some((e) => e.series === 'page.latency' && e.score >= 0.995)).toBe(true);
    expect(r.crashCode).toBe('WORKER_FAILED');
    expect(r.afterCrashEqual).toBe(true);
    expect(r.abortCode).toBe('ABORTED');
    console.log(
      `chromium: IsolationForest score ${Math.round(r.pointsPerSecondMain)} points/s main thread, ${Math.round(r.pointsPerSecondPool)} points/s through the 2-worker pool`,
    );
    await page.close();
  });
});
