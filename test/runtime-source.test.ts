// loadKernels() from each kind of source, in a fresh module instance per test
// (vi.resetModules) so that nothing has loaded the module yet.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const bytes = readFileSync(new URL('../build/edgewise.wasm', import.meta.url));
type Runtime = typeof import('../src/kernels/runtime');
const fresh = async (): Promise<Runtime> => import('../src/kernels/runtime');

let base = '';
let server: ReturnType<typeof createServer>;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/edgewise.wasm') {
      res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
    } else if (req.url === '/octet.wasm') {
      // a server that does not know the wasm MIME type: compileStreaming refuses it
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  vi.resetModules();
});

/**
 * Runs a kernel on a freshly loaded module: count and mean of 1..4 through
 * moments_push (state slots: 0 count, 1 origin, 2 mean offset; see Moments).
 */
async function meanOf1to4(rt: Runtime): Promise<number[]> {
  const w = rt.wasmLive;
  const state = rt.allocBytes(10 * 8);
  w.moments_init(state);
  const ptr = rt.allocBytes(32);
  rt.heapF64().set([1, 2, 3, 4], ptr >>> 3);
  w.moments_push(state, ptr, 4);
  const h = rt.heapF64();
  return [h[state >>> 3], h[(state >>> 3) + 1] + h[(state >>> 3) + 2]];
}

describe('loadKernels(source)', () => {
  it('before loading, kernel calls fail with WASM_UNAVAILABLE saying what to do', async () => {
    const rt = await fresh();
    expect(rt.kernelsLoaded()).toBe(false);
    expect(() => rt.allocBytes(8)).toThrow(/await loadKernels\(\)/);
  });

  it('from bytes, a compiled Module, an HTTP URL (with and without the wasm MIME type) and a Response', async () => {
    const sources = [
      () => new Uint8Array(bytes),
      () => new WebAssembly.Module(bytes),
      () => `${base}/edgewise.wasm`,
      () => new URL(`${base}/octet.wasm`),
      () => fetch(`${base}/edgewise.wasm`),
    ];
    for (const source of sources) {
      vi.resetModules();
      const rt = await fresh();
      await rt.loadKernels(source());
      expect(rt.kernelsLoaded()).toBe(true);
      expect(await meanOf1to4(rt)).toEqual([4, 2.5]);
    }
  });

  it('a missing file fails with WASM_UNAVAILABLE naming the URL, and can be retried', async () => {
    const rt = await fresh();
    const err = await rt.loadKernels(`${base}/missing.wasm`).catch((e) => e);
    expect(err.code).toBe('WASM_UNAVAILABLE');
    expect(err.message).toContain('/missing.wasm');
    expect(err.message).toContain('HTTP 404');
    expect(rt.kernelsLoaded()).toBe(false);
    await rt.loadKernels(new Uint8Array(bytes));
    expect(await meanOf1to4(rt)).toEqual([4, 2.5]);
  });

  it('bytes that are not a module fail with WASM_UNAVAILABLE', async () => {
    const rt = await fresh();
    const err = await rt.loadKernels(new Uint8Array([1, 2, 3])).catch((e) => e);
    expect(err.code).toBe('WASM_UNAVAILABLE');
  });
});
