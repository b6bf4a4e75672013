/**
 * Checkpoints written before StreamProcessor was split into window
 * strategies, watermarks, timers and checkpointing (commit c98d40c;
 * test/fixtures/generate_stream_checkpoint.ts made the fixture there) restore
 * after it, and the processor still writes them byte for byte: the
 * snapshot's canonical JSON form (key order kept, every kernel state's bytes
 * in base64, non-finite numbers spelled out; `v8.serialize` is no canonical
 * form, as it depends on V8's in-memory number and array representations) is
 * the same text, and so are the results, late events and counters.
 */
import { describe, expect, it } from 'vitest';
import { StreamProcessor, type StreamSnapshot } from '../src/stream/index';
import fixture from './fixtures/stream-checkpoint-c98d40c.json';
import { decode, encode } from './fixtures/stream-checkpoint-codec';
import { options, runScenario, SCENARIOS } from './fixtures/stream-checkpoint-scenarios';

const text = (x: unknown): string => JSON.stringify(encode(x));

describe('StreamProcessor checkpoints of c98d40c (pre-split)', () => {
  it('the fixture covers every scenario and decodes losslessly', () => {
    expect(fixture.scenarios.map((s) => s.name)).toEqual(SCENARIOS.map((s) => s.name));
    for (const s of fixture.scenarios) expect(encode(decode(s.snapshot1))).toEqual(s.snapshot1);
  });

  for (const sc of SCENARIOS) {
    it(`${sc.name}: same snapshot bytes, restores, same results after`, () => {
      const fx = fixture.scenarios.find((s) => s.name === sc.name)!;
      const old1 = decode(fx.snapshot1) as StreamSnapshot;
      const run = runScenario(sc, (o) => new StreamProcessor(options(sc, o)), old1);
      // written by this build from the same input: the bytes of c98d40c
      expect(encode(run.snapshot1)).toEqual(fx.snapshot1);
      expect(text(run.snapshot1)).toBe(JSON.stringify(fx.snapshot1));
      // c98d40c's checkpoint restored here: the same state and outputs as there
      expect(encode(run.snapshot2)).toEqual(fx.snapshot2);
      expect(text(run.snapshot2)).toBe(JSON.stringify(fx.snapshot2));
      expect(encode(run.results)).toEqual(fx.results);
      expect(encode(run.late)).toEqual(fx.late);
      expect(encode(run.stats)).toEqual(fx.stats);
      expect(run.results.length).toBeGreaterThan(0);
    });
  }
});
