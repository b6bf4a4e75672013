import { Moments } from 'edgewise/kernels';
import jStat from 'jstat';
import * as ss from 'simple-statistics';
import { allocBytes, forEachChunk } from '../../src/kernels/runtime';
import { wasm } from '../../src/kernels/wasm';
import { lognormal } from '../data';
import { consume, type Workload } from '../harness';

/** Tuned one-pass JS loop: shifted sum and sum of squares, min, max (mean + variance). */
function jsLoopMeanVar(x: Float64Array): number[] {
  const n = x.length;
  const k = x[0];
  let s1 = 0;
  let s2 = 0;
  let t1 = 0;
  let t2 = 0;
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = x[i] - k;
    const b = x[i + 1] - k;
    s1 += a;
    s2 += a * a;
    t1 += b;
    t2 += b * b;
    if (a < mn) mn = a;
    if (a > mx) mx = a;
    if (b < mn) mn = b;
    if (b > mx) mx = b;
  }
  for (; i < n; i++) {
    const a = x[i] - k;
    s1 += a;
    s2 += a * a;
  }
  const S1 = s1 + t1;
  const m = S1 / n;
  return [k + m, (s2 + t2 - S1 * m) / n, mn + k, mx + k];
}

/** The same statistics as Moments (4 central moments, min, max) in one JS pass. */
function jsLoopFourMoments(x: Float64Array): number[] {
  const n = x.length;
  const k = x[0];
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const d = v - k;
    const d2 = d * d;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const m = s1 / n;
  return [k + m, s2 / n - m * m, s3, s4, mn, mx];
}

export default async function suite(): Promise<Workload[]> {
  const n = 10_000_000;
  const x = lognormal(n, 42);
  // simple-statistics is typed for number[]; it reads any array-like.
  const xs = x as unknown as number[];
  const ref = Moments.of(x);
  const refMean = ref.mean;
  const refVar = ref.variance;
  ref.dispose();
  const agree = (mean: number, variance: number): string =>
    `mean rel.err ${(Math.abs(mean - refMean) / refMean).toExponential(1)}, var rel.err ${(Math.abs(variance - refVar) / refVar).toExponential(1)}`;
  const jm = jStat.mean(x);
  const jv = jStat.variance(x);
  const sm = ss.mean(xs);
  const sv = ss.variance(xs);
  const [lm, lv] = jsLoopMeanVar(x);
  // The same values already in WebAssembly memory (e.g. another kernel's output).
  const inWasm = allocBytes(n * 8);
  new Float64Array(wasm.memory.buffer, inWasm, n).set(x);
  const wasmView = (): Float64Array => new Float64Array(wasm.memory.buffer, inWasm, n);
  const sumF64 = (wasm as unknown as { sum_f64(ptr: number, len: number): number }).sum_f64;
  return [
    {
      suite: 'moments',
      name: 'Moments batched ingestion, 10M lognormal float64 (edgewise computes 4 moments + min/max)',
      items: n,
      unit: 'values',
      ours: 'edgewise Moments (wasm simd)',
      impls: [
        {
          name: 'edgewise Moments (wasm simd)',
          run: () => {
            const m = new Moments().push(x);
            consume(m.variance);
            m.dispose();
          },
        },
        {
          name: 'ceiling: wasm SIMD sum, staged like Moments.push',
          run: () => {
            let t = 0;
            forEachChunk(x, 'sum', (p, len) => {
              t += sumF64(p, len);
            });
            consume(t);
          },
        },
        {
          name: 'edgewise Moments, input already in wasm memory (no staging copy)',
          run: () => {
            const m = new Moments().push(wasmView());
            consume(m.variance);
            m.dispose();
          },
        },
        {
          name: 'ceiling: wasm SIMD sum over wasm memory',
          run: () => consume(sumF64(inWasm, n)),
        },
        { name: 'js loop, mean+var (tuned)', run: () => consume(jsLoopMeanVar(x)) },
        { name: 'js loop, 4 moments', run: () => consume(jsLoopFourMoments(x)) },
        {
          name: 'jstat mean+variance',
          run: () => consume(jStat.mean(x) + jStat.variance(x)),
        },
        {
          name: 'simple-statistics mean+variance',
          run: () => consume(ss.mean(xs) + ss.variance(xs)),
        },
      ],
      notes: {
        'ceiling: wasm SIMD sum, staged like Moments.push':
          'memory-bandwidth ceiling of a batch in JS memory: copy into wasm + one add per value',
        'ceiling: wasm SIMD sum over wasm memory':
          'numpy.sum on this machine: ~2.26 G f64/s (not in this process)',
        'js loop, mean+var (tuned)': agree(lm, lv),
        'jstat mean+variance': agree(jm, jv),
        'simple-statistics mean+variance': agree(sm, sv),
      },
    },
  ];
}
