import { Moments } from 'edgewise/kernels';
import { StreamProcessor } from 'edgewise/stream';
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

const DAY = 86_400_000;

/** One key's events: `perSec` per second of event time from `t0` for `seconds`, in order. */
function dayStream(t0: number, seconds: number, perSec: number) {
  const n = seconds * perSec;
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    ts[i] = t0 + Math.floor((i * 1000) / perSec);
    vs[i] = (s % 10_000) / 100;
  }
  return { ts, vs };
}

/**
 * The naive recompute (what the processor did before the Two-Stacks strategy):
 * one Moments per 1 s pane, and each time the 24 h / 1 s window fires, a merge
 * of every pane of the window.
 */
class NaiveSliding {
  panes = new Map<number, Moments>();
  tmp = new Moments();
  acc = 0;
  constructor(readonly panesPerWindow: number) {}
  /** Fills pane `j` (warm-up, no window fired). */
  fill(j: number, values: Float64Array): void {
    this.panes.set(j, Moments.of(values));
  }
  pushPane(j: number, values: Float64Array): void {
    this.fill(j, values);
    this.panes.get(j - this.panesPerWindow)?.dispose();
    this.panes.delete(j - this.panesPerWindow);
    // the window ending with pane j
    const tmp = this.tmp.reset();
    for (let k = j - this.panesPerWindow + 1; k <= j; k++) {
      const m = this.panes.get(k);
      if (m) tmp.merge(m);
    }
    this.acc += tmp.variance;
  }
}

/** 24 h / 1 s sliding windows over one key (#20 item 1). */
function slidingDay(): Workload[] {
  // (1) the target: 2M events over 48 h of event time (about 23 per 1 s pane)
  const n = 2_000_000;
  const seconds = 2 * 86_400;
  const perSec = Math.ceil(n / seconds);
  const big = dayStream(0, seconds, perSec);
  const runBig = () => {
    let acc = 0;
    let fired = 0;
    const p = new StreamProcessor({
      window: { type: 'sliding', size: DAY, slide: 1000 },
      onResult: (r) => {
        acc += r.variance + r.min + r.max;
        fired++;
      },
    });
    const chunk = 65_536;
    for (let off = 0; off < big.ts.length; off += chunk) {
      const end = Math.min(big.ts.length, off + chunk);
      p.pushColumns({ timestamps: big.ts.subarray(off, end), values: big.vs.subarray(off, end) });
    }
    p.close();
    if (fired !== seconds + 86_400 - 1) throw new Error(`fired ${fired} windows`);
    consume(acc);
  };

  // (2) steady state against the naive recompute: both hold a full day of
  // panes (10 events per second) and each round processes the next 60 s
  const rate = 10;
  const slice = 60;
  const warm = dayStream(0, 86_400, rate);
  const ours = new StreamProcessor({
    window: { type: 'sliding', size: DAY, slide: 1000 },
    onResult: (r) => consume(r.variance),
  });
  ours.pushColumns({ timestamps: warm.ts, values: warm.vs });
  const naive = new NaiveSliding(86_400);
  for (let j = 0; j < 86_400; j++) naive.fill(j, warm.vs.subarray(j * rate, (j + 1) * rate));
  let oursAt = 86_400;
  let naiveAt = 86_400;
  const next = dayStream(0, slice, rate).vs;
  return [
    {
      suite: 'stream',
      name: 'sliding 24 h / 1 s, one key, 2M in-order events over 48 h (columnar; 259,199 windows fired)',
      items: big.ts.length,
      unit: 'events',
      ours: 'edgewise StreamProcessor',
      rounds: 5,
      warmup: 1,
      impls: [{ name: 'edgewise StreamProcessor', run: runBig }],
    },
    {
      suite: 'stream',
      name: 'sliding 24 h / 1 s, one key, full day of panes: the next 60 s (600 events, 60 windows)',
      items: slice * rate,
      unit: 'events',
      ours: 'edgewise StreamProcessor',
      rounds: 7,
      warmup: 1,
      impls: [
        {
          name: 'edgewise StreamProcessor',
          run: () => {
            const ts = new Float64Array(slice * rate);
            for (let i = 0; i < ts.length; i++) ts[i] = (oursAt + i / rate) * 1000;
            ours.pushColumns({ timestamps: ts, values: next });
            oursAt += slice;
          },
        },
        {
          name: 'naive recompute (merge all 86,400 panes per window)',
          run: () => {
            for (let k = 0; k < slice; k++) {
              naive.pushPane(naiveAt++, next.subarray(k * rate, (k + 1) * rate));
            }
            consume(naive.acc);
          },
        },
      ],
    },
  ];
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
    ...slidingDay(),
  ];
}
