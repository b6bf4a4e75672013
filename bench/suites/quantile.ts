import { QuantileSketch } from 'edgewise/kernels';
import * as hdr from 'hdr-histogram-js';
import { TDigest } from 'tdigest';
import { lognormal } from '../data';
import { consume, type Workload } from '../harness';

const QS = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999];
/** hdr-histogram-js records integers: values are scaled by this and rounded. */
const HDR_SCALE = 1e6;

function maxRelErr(est: ArrayLike<number>, exact: number[]): number {
  let w = 0;
  for (let i = 0; i < exact.length; i++) w = Math.max(w, Math.abs(est[i] - exact[i]) / exact[i]);
  return w;
}

export default async function suite(): Promise<Workload[]> {
  const n = 10_000_000;
  const x = lognormal(n, 42);
  const sorted = x.slice().sort();
  const exact = QS.map((q) => sorted[Math.floor(q * (n - 1))]);
  // tdigest.push takes plain arrays only; the conversion is done once, untimed.
  const xs = Array.from(x);
  await hdr.initWebAssembly();

  const runOurs = (): QuantileSketch => new QuantileSketch({ relativeAccuracy: 0.01 }).push(x);
  const runHdr = (): hdr.Histogram => {
    const h = hdr.build({
      useWebAssembly: true,
      numberOfSignificantValueDigits: 2,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 1e12,
    });
    for (let i = 0; i < n; i++) h.recordValue(Math.round(x[i] * HDR_SCALE));
    return h;
  };
  const runTd = (): TDigest => {
    const td = new TDigest();
    td.push(xs);
    td.compress();
    return td;
  };
  const ours = runOurs();
  const ourErr = maxRelErr(ours.quantiles(QS), exact);
  const bytes = ours.byteSize;
  const buckets = ours.bucketCount;
  ours.dispose();
  const h = runHdr();
  const hdrErr = maxRelErr(
    QS.map((q) => h.getValueAtPercentile(q * 100) / HDR_SCALE),
    exact,
  );
  const hdrBytes = h.estimatedFootprintInBytes;
  h.destroy();
  const td = runTd();
  const tdErr = maxRelErr(
    QS.map((q) => td.percentile(q)),
    exact,
  );
  const note = (e: number, b: string): string =>
    `max rel.err over q in {0.001..0.999}: ${(e * 100).toFixed(3)}%; ${b}`;
  return [
    {
      suite: 'quantile',
      name: 'QuantileSketch insert, 10M lognormal float64 (1% relative accuracy), batched',
      items: n,
      unit: 'values',
      ours: 'edgewise QuantileSketch (wasm simd)',
      rounds: 3,
      warmup: 1,
      impls: [
        {
          name: 'edgewise QuantileSketch (wasm simd)',
          run: () => {
            const q = runOurs();
            consume(q.count);
            q.dispose();
          },
        },
        {
          name: 'hdr-histogram-js (wasm, 2 digits)',
          run: () => {
            const hh = runHdr();
            consume(hh.totalCount);
            hh.destroy();
          },
        },
        { name: 'tdigest', run: () => consume(runTd().size()) },
      ],
      notes: {
        'edgewise QuantileSketch (wasm simd)': note(ourErr, `${bytes} bytes, ${buckets} buckets`),
        'hdr-histogram-js (wasm, 2 digits)': note(hdrErr, `${hdrBytes} bytes`),
        tdigest: note(tdErr, 'default compression'),
      },
    },
  ];
}
