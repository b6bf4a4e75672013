import { describe, expect, it } from 'vitest';
import {
  checkSnapshot,
  openState,
  pad8,
  type SnapshotFormat,
  type StateFormat,
  StateReader,
  StateWriter,
  snapshotHeader,
  stateFormat,
  writeF64State,
} from '../src/core/state-codec';
import { expectCode } from './helpers/errors';

const SHORT: StateFormat = {
  name: 'Thing',
  where: 'Thing.deserialize',
  magic: 0x48545745, // 'EWTH'
  version: 3,
  versionWidth: 2,
};
const WIDE: StateFormat = { ...SHORT, name: 'Wide', where: 'Wide.load', versionWidth: 4 };

describe('state codec: header layout', () => {
  it('writes magic, u16 version and u16 tag little-endian, then the fields', () => {
    const b = new StateWriter(SHORT, 8 + 8 + 4, 0x0102).f64(1.5).i32(-2).finish();
    // Independent reference: the bytes written by hand.
    const ref = new Uint8Array(20);
    ref.set([0x45, 0x57, 0x54, 0x48, 3, 0, 0x02, 0x01]); // 'EWTH', 3, 0x0102
    new DataView(ref.buffer).setFloat64(8, 1.5, true);
    new DataView(ref.buffer).setInt32(16, -2, true);
    expect([...b]).toEqual([...ref]);
    expect(String.fromCharCode(...b.subarray(0, 4))).toBe('EWTH');
  });

  it('writes a u32 version when versionWidth is 4', () => {
    const b = new StateWriter(WIDE, 12).u32(0xdeadbeef).finish();
    expect([...b]).toEqual([0x45, 0x57, 0x54, 0x48, 3, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
  });

  it('writeF64State is the header plus the f64 fields', () => {
    const b = writeF64State(SHORT, [1, -0, Number.NaN], 7);
    expect(b.length).toBe(32);
    const r = openState(b, SHORT);
    expect(r.tag).toBe(7);
    const f = r.reader.f64Rest();
    expect(f[0]).toBe(1);
    expect(Object.is(f[1], -0)).toBe(true);
    expect(f[2]).toBeNaN();
    r.reader.end();
  });

  it('round-trips every field type with alignment and raw bytes', () => {
    const raw = Uint8Array.from([9, 8, 7]);
    const w = new StateWriter(WIDE, 8 + 2 + 4 + 3 + 7 + 16);
    w.u16(65535).u32(4e9).raw(raw).align8().f64s([Math.PI, -1e300]);
    expect(w.offset).toBe(8 + 2 + 4 + 3 + 7 + 16);
    const { reader } = openState(w.finish(), WIDE);
    expect(reader.u16()).toBe(65535);
    expect(reader.u32()).toBe(4e9);
    expect([...reader.raw(3)]).toEqual([9, 8, 7]);
    expect(reader.align8().offset).toBe(24);
    expect([...reader.f64s(2)]).toEqual([Math.PI, -1e300]);
    expect(reader.remaining).toBe(0);
    reader.end();
  });

  it('stateFormat: the magic is the four letters as a little-endian u32', () => {
    // the magic constants the formats had before the codec
    expect(stateFormat('Ewma', 'EWEM', 1).magic).toBe(0x4d455745);
    expect(stateFormat('IsolationForest', 'EWIF', 1).magic).toBe(0x46495745);
    expect(stateFormat('X', 'EWML', 1).magic).toBe(0x4c4d5745);
    const f = stateFormat('Thing', 'EWTH', 3, { minLength: 12 });
    expect(f).toEqual({ ...SHORT, minLength: 12 });
    expect(stateFormat('M', 'EWML', 1, { where: 'load', versionWidth: 4 })).toMatchObject({
      where: 'load',
      versionWidth: 4,
    });
    expectCode(() => stateFormat('X', 'EWE', 1), 'INVALID_ARGUMENT', /four ASCII letters/);
    expectCode(() => stateFormat('X', 'EWÉM', 1), 'INVALID_ARGUMENT');
  });

  it('pad8 rounds up to a multiple of 8', () => {
    expect([0, 1, 7, 8, 9, 16].map(pad8)).toEqual([0, 8, 8, 8, 16, 16]);
  });
});

describe('state codec: refusing bad input', () => {
  const good = writeF64State(SHORT, [1, 2]);

  it('accepts an ArrayBuffer and a subarray view at an offset', () => {
    expect(openState(good.slice().buffer, SHORT).reader.f64()).toBe(1);
    const padded = new Uint8Array(good.length + 5);
    padded.set(good, 5);
    expect(openState(padded.subarray(5), SHORT).reader.f64()).toBe(1);
  });

  it('not bytes: INVALID_ARGUMENT, or the format inputCode', () => {
    expectCode(() => openState([1, 2, 3], SHORT), 'INVALID_ARGUMENT', /pass the Uint8Array/);
    expectCode(() => openState('x', { ...SHORT, inputCode: 'CORRUPT_STATE' }), 'CORRUPT_STATE');
  });

  it('too short: bad magic (CORRUPT_STATE), or inputCode when the format sets one', () => {
    expectCode(() => openState(good.subarray(0, 7), SHORT), 'CORRUPT_STATE', /bad magic/);
    expectCode(() => openState(good, { ...SHORT, minLength: 40 }), 'CORRUPT_STATE', /bad magic/);
    expectCode(
      () => openState(good.subarray(0, 4), { ...SHORT, inputCode: 'INVALID_ARGUMENT' }),
      'INVALID_ARGUMENT',
    );
  });

  it('wrong magic: CORRUPT_STATE; wrong version: UNSUPPORTED_VERSION', () => {
    const m = good.slice();
    m[3] ^= 1;
    expectCode(() => openState(m, SHORT), 'CORRUPT_STATE', /Thing\.deserialize: .*bad magic/);
    const v = good.slice();
    v[4] = 4;
    expectCode(() => openState(v, SHORT), 'UNSUPPORTED_VERSION', /version 4 .*reads 3/);
    // the wide format reads all four version bytes: a high byte set is another version
    const w = new StateWriter(WIDE, 8).finish();
    w[7] = 1;
    expectCode(() => openState(w, WIDE), 'UNSUPPORTED_VERSION');
  });

  it('reads past the end, partial f64s and trailing bytes: CORRUPT_STATE', () => {
    const r = new StateReader(Uint8Array.from([1, 2, 3]), 'X.read');
    expectCode(() => r.u32(), 'CORRUPT_STATE', /X\.read: truncated/);
    expect(r.offset).toBe(0); // a refused read consumes nothing
    expect(r.u16()).toBe(0x0201);
    expectCode(() => r.end(), 'CORRUPT_STATE', /trailing bytes/);
    expectCode(() => r.f64s(1), 'CORRUPT_STATE', /truncated/);
    expectCode(() => r.raw(-1), 'CORRUPT_STATE', /truncated/);
    const odd = new StateReader(new Uint8Array(12), 'X.read');
    expectCode(() => odd.f64Rest('odd length'), 'CORRUPT_STATE', /odd length/);
  });

  it('the writer refuses overruns and an unfinished state', () => {
    expectCode(() => new StateWriter(SHORT, 8).f64(1), 'INVALID_STATE', /overruns/);
    expectCode(() => new StateWriter(SHORT, 16).finish(), 'INVALID_STATE', /wrote 8 of 16/);
    expectCode(() => new StateWriter(SHORT, 4), 'INVALID_ARGUMENT');
  });
});

describe('state codec: object snapshots', () => {
  const F: SnapshotFormat = { kind: 'Thing', version: 3, reads: [1], where: 'Thing.restore' };

  it('writes kind and version; accepts the current and the listed older versions', () => {
    expect(snapshotHeader(F)).toEqual({ kind: 'Thing', version: 3 });
    expect(snapshotHeader({ ...F, kindField: 'format' })).toEqual({ format: 'Thing', version: 3 });
    for (const version of [3, 1]) {
      const s: unknown = { kind: 'Thing', version, n: 2 };
      checkSnapshot(s, F);
      expect(s.version).toBe(version);
    }
    checkSnapshot({ format: 'Thing', version: 3 }, { ...F, kindField: 'format' });
  });

  it('refuses non-objects and other kinds (CORRUPT_STATE) and other versions (UNSUPPORTED_VERSION)', () => {
    for (const s of [null, undefined, 5, 'Thing', { kind: 'Other', version: 3 }, { version: 3 }]) {
      expectCode(() => checkSnapshot(s, F), 'CORRUPT_STATE', /Thing\.restore: pass a snapshot\(\)/);
    }
    expectCode(
      () => checkSnapshot({ kind: 'Thing', version: 3 }, { ...F, kindField: 'format' }),
      'CORRUPT_STATE',
    );
    for (const version of [2, '3', undefined, 4]) {
      expectCode(
        () => checkSnapshot({ kind: 'Thing', version }, F),
        'UNSUPPORTED_VERSION',
        /reads 1 or 3/,
      );
    }
  });
});
