import { SlidingWindow } from '../../src/kernels/index';
import { lognormal } from '../data';
import { consume, type Workload } from '../harness';

/**
 * A well-written JS peer: ring buffer with a running sum (subtract on evict)
 * and monotonic deques (typed arrays of indexes) for min and max; writes
 * mean/min/max at every step into Float64Arrays, like SlidingWindow.push.
 */
function jsRingDeques(x: Float64Array, w: number) {
  const n = x.length;
  const mean = new Float64Array(n);
  const min = new Float64Array(n);
  const max = new Float64Array(n);
  const ring = new Float64Array(w);
  // Deques of indexes into x, as flat arrays with head/tail (no modulo: each
  // index enters once, so n slots never wrap).
  const qa = new Int32Array(n);
  const qb = new Int32Array(n);
  let ha = 0;
  let ta = 0;
  let hb = 0;
  let tb = 0;
  let sum = 0;
  let slot = 0;
  const invW = 1 / w;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (i >= w) sum -= ring[slot];
    ring[slot] = v;
    if (++slot === w) slot = 0;
    sum += v;
    while (ta > ha && x[qa[ta - 1]] >= v) ta--;
    qa[ta++] = i;
    if (qa[ha] <= i - w) ha++;
    while (tb > hb && x[qb[tb - 1]] <= v) tb--;
    qb[tb++] = i;
    if (qb[hb] <= i - w) hb++;
    mean[i] = i < w ? sum / (i + 1) : sum * invW;
    min[i] = x[qa[ha]];
    max[i] = x[qb[hb]];
  }
  return { mean, min, max };
}

export default async function suite(): Promise<Workload[]> {
  const n = 10_000_000;
  const w = 1000;
  const x = lognormal(n, 42);
  // Agreement check (max |diff| of the means, min/max must be identical).
  const ours = new SlidingWindow({ size: w, stats: ['mean', 'min', 'max'] });
  const o = ours.push(x);
  ours.dispose();
  const js = jsRingDeques(x, w);
  let dm = 0;
  let same = true;
  for (let i = 0; i < n; i++) {
    dm = Math.max(dm, Math.abs(o.mean![i] - js.mean[i]) / Math.abs(js.mean[i]));
    same &&= o.min![i] === js.min[i] && o.max![i] === js.max[i];
  }
  return [
    {
      suite: 'window',
      name: `SlidingWindow w=${w}, mean/min/max at every step, 10M lognormal float64`,
      items: n,
      unit: 'values',
      ours: 'edgewise SlidingWindow.pushEach (wasm, zero-copy rows)',
      rounds: 5,
      warmup: 1,
      impls: [
        {
          name: 'edgewise SlidingWindow.pushEach (wasm, zero-copy rows)',
          run: () => {
            const s = new SlidingWindow({ size: w, stats: ['mean', 'min', 'max'] });
            let last = 0;
            s.pushEach(x, (r) => {
              last = r.max![r.length - 1];
            });
            consume(last);
            s.dispose();
          },
        },
        {
          name: 'edgewise SlidingWindow.push (wasm, rows copied to new Float64Arrays)',
          run: () => {
            const s = new SlidingWindow({ size: w, stats: ['mean', 'min', 'max'] });
            consume(s.push(x).max);
            s.dispose();
          },
        },
        { name: 'js ring buffer + monotonic deques', run: () => consume(jsRingDeques(x, w).max) },
      ],
      notes: {
        'js ring buffer + monotonic deques': `min/max identical: ${same}; max rel. diff of means ${dm.toExponential(1)} (js subtracts on evict)`,
      },
    },
  ];
}
