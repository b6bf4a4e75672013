import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openKvStore } from '../src/storage/kv';

describe('KvStore', () => {
  for (const kind of ['memory', 'indexeddb'] as const) {
    it(`${kind}: round-trips structured values, setMany is atomic, keys and delete`, async () => {
      const kv = await openKvStore(`t-${kind}`, { memory: kind === 'memory' });
      expect(kv.kind).toBe(kind);
      await kv.set('a', { x: new Float64Array([1, 2, 3]), n: 4 });
      const a = await kv.get<{ x: Float64Array; n: number }>('a');
      expect(a?.x).toEqual(new Float64Array([1, 2, 3]));
      await kv.setMany({ b: 1, c: [2] });
      expect((await kv.keys()).sort()).toEqual(['a', 'b', 'c']);
      // a value that cannot be cloned fails the whole batch, nothing changes
      await expect(kv.setMany({ b: 5, d: () => 1 })).rejects.toThrow();
      expect(await kv.get('b')).toBe(1);
      expect(await kv.get('d')).toBeUndefined();
      await kv.delete('a');
      expect(await kv.get('a')).toBeUndefined();
      kv.close();
    });
  }
});
