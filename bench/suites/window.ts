/**
 * Window suite: `SlidingWindow.push(batch)` (the call the README shows first)
 * against a plain-JS streaming window (ring buffer + running sum + monotonic
 * deques, bench/suites/window-peer.ts).
 *
 * - Steady state (what a streaming user does): 10M values pushed in batches
 *   of 64K, window sizes 100, 1,000 and 100,000. `push(batch)` returns rows in
 *   memory the window reuses (valid until its next push). The JS peer runs
 *   both ways: fresh columns per batch, and one reused buffer (the same rule
 *   as ours). Beside them: `push(batch, { copy: true })` (fresh columns per
 *   batch), `push(batch, { out })` (caller-owned columns), `pushEach`
 *   (zero-copy views), and the cost of fresh result columns alone.
 * - One shot: `push(x)` of 10M values on a new window returns 3 x 80 MB of
 *   new columns (a window's first push allocates its row memory); first-touch
 *   page faults of those columns dominate. The row "fresh result columns
 *   only" allocates and writes the same 240 MB once: the ceiling of any
 *   implementation that returns new arrays.
 */
import { SlidingWindow } from 'edgewise/kernels';
import { lognormal } from '../data';
import { consume, type Workload } from '../harness';
import { JsSlidingWindow } from './window-peer';

const STATS = ['mean', 'min', 'max'] as const;
const BATCH = 65_536;

/** Max relative difference of the means and whether min/max agree exactly, over the whole stream. */
function agreement(x: Float64Array, w: number): string {
  const ours = new SlidingWindow({ size: w, stats: STATS });
  const js = new JsSlidingWindow(w);
  let dm = 0;
  let same = true;
  for (let off = 0; off < x.length; off += BATCH) {
    const b = x.subarray(off, off + BATCH);
    const o = ours.push(b);
    const p = js.push(b);
    for (let i = 0; i < o.length; i++) {
      dm = Math.max(dm, Math.abs(o.mean![i] - p.mean[i]) / Math.abs(p.mean[i]));
      same &&= o.min![i] === p.min[i] && o.max![i] === p.max[i];
    }
  }
  ours.dispose();
  return `min/max identical: ${same}; max rel. diff of means ${dm.toExponential(1)} (js subtracts on evict)`;
}

function streaming(x: Float64Array, w: number): Workload {
  const n = x.length;
  const ours = `edgewise SlidingWindow.push(batch)`;
  const js = 'js ring buffer + monotonic deques (same batches, fresh columns per batch)';
  const jsReuse = 'js ring buffer + monotonic deques (same batches, one reused buffer)';
  return {
    suite: 'window',
    name: `SlidingWindow w=${w.toLocaleString('en')}, mean/min/max, 10M lognormal values pushed in batches of 64K`,
    items: n,
    unit: 'values',
    ours,
    rounds: 9,
    warmup: 2,
    impls: [
      {
        name: ours,
        run: () => {
          const s = new SlidingWindow({ size: w, stats: STATS });
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            const r = s.push(x.subarray(off, off + BATCH));
            last += r.max![r.length - 1];
          }
          consume(last);
          s.dispose();
        },
      },
      {
        name: js,
        run: () => {
          const s = new JsSlidingWindow(w);
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            const r = s.push(x.subarray(off, off + BATCH));
            last += r.max[r.max.length - 1];
          }
          consume(last);
        },
      },
      {
        name: jsReuse,
        run: () => {
          const s = new JsSlidingWindow(w);
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            const r = s.push(x.subarray(off, off + BATCH), true);
            last += r.max[r.max.length - 1];
          }
          consume(last);
        },
      },
      {
        name: 'edgewise SlidingWindow.push(batch, { copy: true }) (fresh columns per batch)',
        run: () => {
          const s = new SlidingWindow({ size: w, stats: STATS });
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            const r = s.push(x.subarray(off, off + BATCH), { copy: true });
            last += r.max![r.length - 1];
          }
          consume(last);
          s.dispose();
        },
      },
      {
        name: 'edgewise SlidingWindow.push(batch, { out }) (caller reuses 3 columns)',
        run: () => {
          const s = new SlidingWindow({ size: w, stats: STATS });
          const out = {
            mean: new Float64Array(BATCH),
            min: new Float64Array(BATCH),
            max: new Float64Array(BATCH),
          };
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            const r = s.push(x.subarray(off, off + BATCH), { out });
            last += r.max![r.length - 1];
          }
          consume(last);
          s.dispose();
        },
      },
      {
        name: 'edgewise SlidingWindow.pushEach (zero-copy views, no result arrays)',
        run: () => {
          const s = new SlidingWindow({ size: w, stats: STATS });
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            s.pushEach(x.subarray(off, off + BATCH), (r) => {
              last += r.max![r.length - 1];
            });
          }
          consume(last);
          s.dispose();
        },
      },
      {
        name: 'ceiling: fresh result columns only (1.5 MB per batch, each value written once)',
        run: () => {
          let last = 0;
          for (let off = 0; off < n; off += BATCH) {
            const b = x.subarray(off, off + BATCH);
            const buf = new ArrayBuffer(24 * b.length);
            for (let c = 0; c < 3; c++) new Float64Array(buf, 8 * c * b.length, b.length).set(b);
            last += new Float64Array(buf)[0];
          }
          consume(last);
        },
      },
    ],
    notes: { [js]: agreement(x.subarray(0, 2_000_000), w) },
  };
}

export default async function suite(): Promise<Workload[]> {
  const n = 10_000_000;
  const x = lognormal(n, 42);
  const w = 1000;
  return [
    streaming(x, 100),
    streaming(x, 1000),
    streaming(x, 100_000),
    {
      suite: 'window',
      name: `SlidingWindow w=${w}, mean/min/max, one push of 10M lognormal values (3 x 80 MB of fresh result columns)`,
      items: n,
      unit: 'values',
      ours: 'edgewise SlidingWindow.push(x)',
      rounds: 5,
      warmup: 1,
      impls: [
        {
          name: 'edgewise SlidingWindow.push(x)',
          run: () => {
            const s = new SlidingWindow({ size: w, stats: STATS });
            consume(s.push(x).max);
            s.dispose();
          },
        },
        {
          name: 'js ring buffer + monotonic deques, push(x)',
          run: () => consume(new JsSlidingWindow(w).push(x).max),
        },
        {
          name: 'ceiling: fresh result columns only (allocate 240 MB, write each value once)',
          run: () => {
            const buf = new Float64Array(3 * n);
            for (let c = 0; c < 3; c++) buf.subarray(c * n, (c + 1) * n).set(x);
            consume(buf);
          },
        },
      ],
    },
  ];
}
