import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateModule } from '../src/kernels/runtime';
import { WASM_BYTES, WASM_DEFLATE_BASE64 } from '../src/kernels/wasm-binary.generated';

describe('inlined WebAssembly module', () => {
  it('inflates to exactly the compiled build/edgewise.wasm', async () => {
    const built = readFileSync(new URL('../build/edgewise.wasm', import.meta.url));
    const inflated = new Uint8Array(await inflateModule(WASM_DEFLATE_BASE64, WASM_BYTES));
    expect(inflated.length).toBe(built.length);
    expect(Buffer.from(inflated).equals(built)).toBe(true);
    // It is a WebAssembly binary (magic \0asm, version 1).
    expect([...inflated.subarray(0, 8)]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });

  it('refuses a truncated or mis-sized payload', async () => {
    const payload = deflateSync(Buffer.from('not a module, but deflated')).toString('base64');
    await expect(inflateModule(payload, 5)).rejects.toThrow(/expected 5/);
    await expect(inflateModule(WASM_DEFLATE_BASE64.slice(0, 400), WASM_BYTES)).rejects.toThrow();
  });
});
