import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultKernelsUrl, kernelsLoaded, loadKernels } from '../src/kernels/runtime';
import { wasm } from '../src/kernels/wasm';

const built = readFileSync(new URL('../build/edgewise.wasm', import.meta.url));

describe('WebAssembly module loading', () => {
  it('loads edgewise.wasm beside the runtime: the compiled build/edgewise.wasm', () => {
    const file = readFileSync(defaultKernelsUrl());
    expect(file.equals(built)).toBe(true);
    // It is a WebAssembly binary (magic \0asm, version 1).
    expect([...file.subarray(0, 8)]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    // Importing ./wasm (what every kernel class does) has already loaded it.
    expect(kernelsLoaded()).toBe(true);
    const names = WebAssembly.Module.exports(new WebAssembly.Module(built)).map((e) => e.name);
    for (const name of names) expect(wasm[name], name).toBeDefined();
  });

  it('returns the one instance on later calls', async () => {
    expect(await loadKernels()).toBe(wasm);
  });
});
