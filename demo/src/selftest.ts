// Self-test page: the browser tests (test/browser) load it from the built demo
// and compare what it computes, on the main thread and in a Web Worker, with
// the numpy/scipy fixtures.
import { Moments, type MomentsSummary } from 'edgewise/kernels';
import { KernelWorkerClient } from 'edgewise/threads';
import fixture from '../../test/fixtures/moments.json';
import { decodeF64 } from '../../test/helpers/fixtures';

declare global {
  interface Window {
    __selftest?:
      | { main: MomentsSummary[]; worker: MomentsSummary[]; merged: MomentsSummary[] }
      | { error: string };
  }
}

async function run(): Promise<void> {
  const worker = new Worker(new URL('../../src/threads/kernels/worker.ts', import.meta.url), {
    type: 'module',
  });
  const client = new KernelWorkerClient(worker);
  const main: MomentsSummary[] = [];
  const inWorker: MomentsSummary[] = [];
  const merged: MomentsSummary[] = [];
  for (const c of fixture.cases) {
    const x = decodeF64(c.data);
    const m = Moments.of(x);
    main.push(m.summary());
    // Worker: push in two transferred halves, then merge a main-thread state in.
    const half = x.length >> 1;
    const r = await client.createMoments();
    await r.push(x.slice(0, half), { transfer: true });
    await r.push(x.slice(half), { transfer: true });
    inWorker.push(await r.summary());
    const other = await client.createMoments(new Moments().serialize());
    await r.merge(other);
    await r.merge(m.serialize());
    merged.push(await r.summary());
    await r.dispose();
    await other.dispose();
    m.dispose();
  }
  window.__selftest = { main, worker: inWorker, merged };
  worker.terminate();
}

const out = document.querySelector('#result')!;
run().then(
  () => {
    out.textContent = JSON.stringify(window.__selftest, null, 1);
    document.body.dataset.done = '1';
  },
  (e: unknown) => {
    window.__selftest = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    out.textContent = String(e);
    document.body.dataset.done = '1';
  },
);
