import { describe, expect, it } from 'vitest';
import { launchChromium } from './chromium';
import { demoSuite, runSelftest, watchPage } from './suite';

interface Report {
  where: string;
  status: { available: boolean; reason?: string };
  backends: string[];
  maxRelErr: Record<string, number>;
  lofExcused: number;
}

const suite = demoSuite(); // WebGPU on (--enable-unsafe-webgpu)

describe('WebGPU in real Chromium (SwiftShader adapter), main thread and Web Worker', () => {
  it('GPU ops match their CPU twins in both contexts', async () => {
    const seed = (Date.now() ^ (Math.random() * 2 ** 30)) % 1e9;
    console.log(`[gpu browser] seed ${seed}`);
    const { page, problems: errors } = await watchPage(suite.browser);
    const res = await runSelftest<{
      reports: Report[];
      anomalyWorker: { backend: string; maxAbsErr: number };
    }>(page, suite.url(`gpu-selftest.html?seed=${seed}`), '__gpuSelftest', {
      timeout: 90_000,
      name: `gpu self-test (seed ${seed})`,
    });
    expect(errors).toEqual([]);
    expect(res.reports.map((r) => r.where)).toEqual(['main', 'worker']);
    // Isolation Forest scored on the GPU inside the anomaly worker matches its WASM scorer.
    expect(res.anomalyWorker.backend).toBe('webgpu');
    expect(res.anomalyWorker.maxAbsErr).toBeLessThan(1e-6);
    for (const r of res.reports) {
      expect(r.status.available, `${r.where}: ${r.status.reason}`).toBe(true);
      expect(r.backends).toEqual(['webgpu', 'webgpu', 'webgpu', 'webgpu']);
      expect(r.maxRelErr.mean).toBeLessThan(1e-5);
      expect(r.maxRelErr.variance).toBeLessThan(1e-4);
      expect(r.maxRelErr.max).toBe(0);
      expect(r.maxRelErr.denseOutput).toBeLessThan(1e-4);
      expect(r.maxRelErr.reconstruction).toBeLessThan(1e-4);
      expect(r.maxRelErr.knnDistance).toBeLessThan(1e-5);
      // over the points whose two-hop neighbourhoods agree as sets (f32 ties aside)
      expect(r.maxRelErr.lof).toBeLessThan(1e-4);
      expect(r.lofExcused, `${r.where}: points left out of the LOF check`).toBeLessThan(517 * 0.05);
      expect(r.maxRelErr.forestScore).toBeLessThan(1e-6);
    }
    await page.close();
  });

  it("without WebGPU, 'auto' falls back to WASM and says why", async () => {
    const b = await launchChromium([], { webgpu: false });
    try {
      const page = await b.newPage();
      const res = await runSelftest<{
        fallback: { available: boolean; backend: string; reason: string; agrees: boolean };
      }>(page, suite.url('gpu-selftest.html?mode=fallback'), '__gpuSelftest');
      expect(res.fallback.available).toBe(false);
      expect(res.fallback.backend).toBe('wasm');
      expect(res.fallback.reason).toMatch(/no WebGPU/);
      expect(res.fallback.agrees).toBe(true);
      await page.close();
    } finally {
      await b.close();
    }
  });
});
