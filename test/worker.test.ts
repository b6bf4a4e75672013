import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgewiseError, Moments } from '../src/kernels/index';
import { KernelWorkerClient } from '../src/threads/index';
import { normals } from './helpers/fsum';

// The built worker (npm run build:lib) runs the same kernel service that the
// browser worker exposes, here under Node worker_threads via Comlink's adapter.
const workerPath = join(import.meta.dirname, '..', 'dist', 'workers', 'analytics.node-worker.js');

let worker: Worker;
let client: KernelWorkerClient;

beforeAll(() => {
  if (!existsSync(workerPath))
    throw new Error(`${workerPath} missing: run npm run build:lib first`);
  worker = new Worker(workerPath);
  client = new KernelWorkerClient(nodeEndpoint(worker));
});
afterAll(async () => {
  client?.close();
  await worker?.terminate();
});

describe('kernel service in a Node worker thread (Comlink)', () => {
  it('answers the very first call (expose happens before the WASM module loads)', async () => {
    const info = await client.info();
    expect(info.backend).toBe('wasm-simd');
  });

  it('push with transfer, summary, serialize and merge match the in-thread kernel', async () => {
    const x = normals(300_001, 5).map((v) => 1e6 + v);
    const local = Moments.of(x);
    const a = await client.createMoments();
    const b = await client.createMoments();
    const first = x.slice(0, 100_000);
    await a.push(first, { transfer: true });
    expect(first.length).toBe(0); // transferred, not copied
    await b.push(x.slice(100_000), { transfer: true });
    await a.merge(b);
    const s = await a.summary();
    expect(s.count).toBe(local.count);
    expect(Math.abs(s.mean - local.mean) / local.mean).toBeLessThan(1e-15);
    expect(Math.abs(s.variance - local.variance) / local.variance).toBeLessThan(1e-12);
    // a state can leave the worker and come back
    const restored = Moments.deserialize(await a.serialize());
    expect(restored.summary()).toEqual(s);
    const c = await client.createMoments(local.serialize());
    await c.merge(local.serialize());
    expect((await c.summary()).count).toBe(2 * local.count);
    for (const o of [a, b, c]) await o.dispose();
    expect((await client.info()).objects).toBe(0);
  });

  it('errors cross the worker boundary with their code and leave the state alone', async () => {
    const a = await client.createMoments();
    await a.push([1, 2, 3]);
    // The error crosses the worker boundary as an EdgewiseError with its code.
    const err = await a.push(['x'] as unknown as number[]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgewiseError);
    expect(err).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('element 0'),
    });
    expect((await a.summary()).count).toBe(3);
    await a.dispose();
    await expect(a.summary()).rejects.toMatchObject({
      message: expect.stringContaining('does not exist'),
    });
    await expect(client.createMoments(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'CORRUPT_STATE',
      message: expect.stringContaining('not a serialized Moments'),
    });
    // Plain errors still cross as Errors (Comlink's own behaviour is kept).
    await expect(client.createMoments('x' as never)).rejects.toBeInstanceOf(Error);
  });
});
