import { StreamProcessor } from '../../src/stream/index';
import { consume, type Workload } from '../harness';

/**
 * Stream processor throughput: keyed event-time windows over a columnar
 * replay. The peer is a hand-written JS loop (per key, per window: Welford
 * mean/variance, min, max), i.e. what the processor saves you from writing,
 * without watermarks, lateness or checkpoints.
 */
function jsTumbling(ts: Float64Array, vs: Float64Array, ks: string[], size: number): number {
  const windows = new Map<string, Map<number, number[]>>();
  for (let i = 0; i < ts.length; i++) {
    let byStart = windows.get(ks[i]);
    if (!byStart) {
      byStart = new Map();
      windows.set(ks[i], byStart);
    }
    const start = Math.floor(ts[i] / size) * size;
    let st = byStart.get(start);
    if (!st) {
      st = [0, 0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
      byStart.set(start, st);
    }
    const x = vs[i];
    const n = ++st[0];
    const d = x - st[1];
    st[1] += d / n;
    st[2] += d * (x - st[1]);
    if (x < st[3]) st[3] = x;
    if (x > st[4]) st[4] = x;
  }
  let out = 0;
  for (const byStart of windows.values()) for (const st of byStart.values()) out += st[2] / st[0];
  return out;
}

export default async function suite(): Promise<Workload[]> {
  const n = 2_000_000;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  const ks: string[] = new Array(n);
  let s = 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    ts[i] = i - (s % 100); // 1 event per ms, up to 100 ms out of order
    vs[i] = (s % 10_000) / 100;
    ks[i] = `device-${s % 16}`;
  }
  const runOurs = (window: ConstructorParameters<typeof StreamProcessor>[0]['window']) => () => {
    let acc = 0;
    const p = new StreamProcessor({
      window,
      outOfOrderness: 100,
      onResult: (r) => {
        acc += r.variance;
      },
    });
    const chunk = 65_536;
    for (let off = 0; off < n; off += chunk) {
      const end = Math.min(n, off + chunk);
      p.pushColumns({
        timestamps: ts.subarray(off, end),
        values: vs.subarray(off, end),
        keys: ks.slice(off, end),
      });
    }
    p.close();
    consume(acc);
  };
  return [
    {
      suite: 'stream',
      name: 'keyed tumbling 10 s windows, 16 keys, 2M out-of-order events (columnar replay)',
      items: n,
      unit: 'events',
      ours: 'edgewise StreamProcessor',
      rounds: 5,
      warmup: 1,
      impls: [
        { name: 'edgewise StreamProcessor', run: runOurs({ type: 'tumbling', size: 10_000 }) },
        {
          name: 'edgewise sliding 10 s / 2.5 s (4 panes)',
          run: runOurs({ type: 'sliding', size: 10_000, slide: 2_500 }),
        },
        {
          name: 'hand-written JS (no watermarks)',
          run: () => consume(jsTumbling(ts, vs, ks, 10_000)),
        },
      ],
    },
  ];
}
