/**
 * Saved states written before the formats moved onto src/core/state-codec.ts
 * (bytes from commit c98d40c, test/fixtures/generate_state_formats.ts) still
 * load: the current code reads each to the state that build read (same
 * summaries, quantiles, scores, next window outputs: test/helpers/state-formats.ts)
 * and writes it back to the same bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBE, STATE_KINDS } from './helpers/state-formats';

interface Fixture {
  commit: string;
  probe: (number | string)[];
  formats: Record<string, { bytes: string; state: Record<string, unknown> }>;
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/state-formats-c98d40c.json', import.meta.url), 'utf8'),
) as Fixture;

describe(`saved states written by ${fx.commit} load to the same state`, () => {
  it('the fixture covers every binary format, probed with the same rows', () => {
    expect(Object.keys(fx.formats).sort()).toEqual(Object.keys(STATE_KINDS).sort());
    expect(Object.keys(fx.formats)).toHaveLength(16);
    expect(fx.probe).toEqual([...PROBE]);
  });

  for (const [name, { bytes: hex, state }] of Object.entries(fx.formats)) {
    it(name, () => {
      const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
      const k = STATE_KINDS[name];
      const x = k.load(bytes);
      try {
        // written back before observing (observing a window pushes data)
        expect(Buffer.from(x.serialize()).equals(Buffer.from(bytes)), 'bytes written back').toBe(
          true,
        );
        expect(k.observe(x)).toEqual(state);
      } finally {
        x.dispose();
      }
    });
  }

  it('a damaged fixture state is refused (the comparison can fail)', () => {
    const b = new Uint8Array(Buffer.from(fx.formats.Ewma.bytes, 'hex'));
    b[8 + 8 * 5] ^= 0x40; // the count field
    expect(() => STATE_KINDS.Ewma.load(b)).toThrow(/Ewma\.deserialize/);
  });
});
