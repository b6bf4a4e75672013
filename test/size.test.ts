import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { BUDGET, build, measure } from '../scripts/size.mjs';

describe('bundle size budget (npm run size)', () => {
  it('the core entry, minified with its static imports and the inlined WASM, is at most 80 KB gzip', () => {
    build();
    const { rows, core } = measure() as { rows: { entry: string; bytes: number }[]; core: number };
    expect(rows.map((r) => r.entry)).toContain('index');
    console.log(`core: ${(core / 1024).toFixed(1)} KB gzip`);
    expect(core).toBeGreaterThan(20 * 1024); // the measurement sees the real bundle
    expect(core).toBeLessThanOrEqual(BUDGET);
  }, 120_000);
});
