import { describe, expect, it } from 'vitest';
import { wasm } from '../src/kernels/wasm';
import { StreamProcessor, type WindowResult } from '../src/stream/index';

describe('10-million-event replay', () => {
  it('runs in bounded memory: state, WASM memory and JS heap stay flat', () => {
    const total = 10_000_000;
    const chunk = 100_000;
    const keys = ['k0', 'k1', 'k2', 'k3'];
    let results = 0;
    let counted = 0;
    const p = new StreamProcessor({
      window: { type: 'sliding', size: 2_000, slide: 1_000 },
      outOfOrderness: 50,
      onResult: (r: WindowResult) => {
        results++;
        counted += r.count;
      },
    });
    const ts = new Float64Array(chunk);
    const vs = new Float64Array(chunk);
    const ks: string[] = new Array(chunk);
    let maxOpen = 0;
    let heapAt1M = 0;
    let wasmAt1M = 0;
    let heapMax = 0;
    let seed = 7;
    for (let off = 0; off < total; off += chunk) {
      for (let i = 0; i < chunk; i++) {
        const n = off + i;
        seed = (seed * 1103515245 + 12345) >>> 0;
        // 10 events per ms of event time, up to 40 ms out of order
        ts[i] = n / 10 - (seed % 40);
        vs[i] = (seed % 1000) / 10;
        ks[i] = keys[n & 3];
      }
      p.pushColumns({ timestamps: ts, values: vs, keys: ks }, 'replay');
      maxOpen = Math.max(maxOpen, p.stats.openStates);
      if (off + chunk === 1_000_000) {
        heapAt1M = process.memoryUsage().heapUsed;
        wasmAt1M = wasm.memory.buffer.byteLength;
      } else if (off + chunk > 1_000_000) {
        heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
      }
    }
    expect(p.stats.late).toBe(0);
    p.flush();
    expect(p.stats.events).toBe(total);
    // every event is in exactly two sliding windows
    expect(counted).toBe(2 * total);
    // windows start every 1000 ms from -2000 (early events are up to 40 ms before 0) to 999000
    expect(results).toBe(4 * (total / 10 / 1000 + 2));
    // open panes: 4 keys x (window span + out-of-orderness + one chunk of event time) / pane
    expect(maxOpen).toBeLessThanOrEqual(4 * 16);
    expect(wasm.memory.buffer.byteLength).toBe(wasmAt1M);
    expect(heapMax - heapAt1M).toBeLessThan(64 * 1024 * 1024);
    p.dispose();
  });
});
