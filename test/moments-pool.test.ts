import { describe, expect, it } from 'vitest';
import { Moments } from '../src/kernels/moments';
import { MomentsPool } from '../src/kernels/moments-pool';

/** Bytes of a Moments state (the serialized form compares every field bit for bit). */
const bytes = (m: Moments) => Array.from(m.serialize());

describe('MomentsPool: Moments states by slot in one WebAssembly block', () => {
  it('slot pushes, copies and merges hold bit for bit what Moments objects hold, across growth', () => {
    const pool = new MomentsPool(2); // grows several times below
    let s = 12345;
    const rnd = () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const batches = Array.from({ length: 40 }, (_, i) => {
      const x = new Float64Array(1 + (i % 7) * 3);
      for (let k = 0; k < x.length; k++) x[k] = 1e6 + (rnd() - 0.5) * 10 ** (i % 5);
      if (i % 9 === 4) x[0] = Number.NaN;
      return x;
    });
    const refs: Moments[] = [];
    const slots: number[] = [];
    for (const b of batches) {
      const m = Moments.of(b);
      refs.push(m);
      const slot = pool.alloc(null);
      pool.push(slot, b);
      slots.push(slot);
    }
    expect(pool.size).toBe(40);
    for (let i = 0; i < 40; i++) {
      const got = pool.toMoments(slots[i]);
      expect(bytes(got), `slot ${i}`).toEqual(bytes(refs[i]));
      got.dispose();
    }
    // a left fold of all states: slot merges vs Moments.merge
    const acc = pool.alloc(refs[0]);
    const ref = refs[0].clone();
    for (let i = 1; i < 40; i++) {
      if (i % 2) pool.merge(acc, slots[i]);
      else pool.mergeMoments(acc, refs[i]);
      ref.merge(refs[i]);
    }
    const folded = pool.toMoments(acc);
    expect(bytes(folded)).toEqual(bytes(ref));
    expect(folded.count).toBe(batches.reduce((n, b) => n + b.filter(Number.isFinite).length, 0));
    // copy, mergeInto, release and reuse of a slot
    const c = pool.copy(acc);
    const into = new Moments();
    pool.mergeInto(into, c);
    expect(bytes(into)).toEqual(bytes(ref));
    pool.release(c);
    const again = pool.alloc(null);
    expect(again).toBe(c);
    const empty = pool.toMoments(again);
    expect(empty.count).toBe(0);
    expect(empty.rejected).toBe(0);
    for (const m of [...refs, ref, folded, into, empty]) m.dispose();
    pool.dispose();
  });
});
