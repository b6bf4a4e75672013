/**
 * Range queries over a store's tiers: picks the finest tier whose retention
 * covers the range (a sketch tier for quantiles), reads the stored chunks with
 * the unflushed and open ones laid over them, and aggregates per output step:
 * moments and counter increase/rate from merged roll-up state, quantiles
 * exactly on the raw tier and from merged bucket sketches on roll-up tiers.
 */
import { QuantileSketch } from '../../kernels/quantile';
import type { ChunkRecord, SeriesMeta, TimeSeriesBackend } from '../types';
import { baseKeyOf, isChunkIntact, openChunkView, rowSketch, type Series } from './buckets';
import { AGGREGATIONS, type Aggregation, aggregate, Rollup } from './rollup';
import { bad, HOUR, newSketch, type TierPlan } from './tiers';

/** Quantile aggregations: 'p50', 'p75', 'p90', 'p95', 'p99', 'p999'. */
export const QUANTILE_AGGREGATIONS = {
  p50: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
} as const;
export type QuantileAggregation = keyof typeof QUANTILE_AGGREGATIONS;

/** Options of `TimeSeriesStore.query`: labels, range, step and aggregation. */
export interface QueryOptions {
  /** Label subset the series must match (default: all series of the metric). */
  labels?: Record<string, string>;
  /** Range start, ms since epoch (default: now - 1 h). */
  from?: number;
  /** Range end, exclusive (default: now). */
  to?: number;
  /** Output step in ms (default: the chosen tier's resolution; raw: the sampling interval). */
  step?: number;
  /** Aggregation per step (default 'mean'): moments, counter increase/rate, or a quantile 'p50'..'p999'. */
  agg?: Aggregation | QuantileAggregation;
}

/** A query's columns: step timestamps and one value column per matching series. */
export interface QueryResult {
  /** The tier the data came from (the finest whose retention covers `from`). */
  tier: string;
  from: number;
  to: number;
  step: number;
  /** Step starts (ms). */
  timestamps: Float64Array;
  series: { labels: Record<string, string>; values: Float64Array }[];
}

/** What a query reads from its store. */
export interface QueryState {
  readonly plan: TierPlan;
  readonly backend: TimeSeriesBackend;
  /** Closed chunks not yet written. */
  readonly pending: readonly ChunkRecord[];
  readonly series: Iterable<Series>;
  /** Stored streams of other writers (other stores on the same database), listed now. */
  others(): Promise<SeriesMeta[]>;
  now(): number;
  /** Called for every stored chunk left out of an answer because it could not be read. */
  damagedRead(): void;
}

/** The tier a query over [from, now] reads: the finest whose retention covers `from`. */
export function tierFor(plan: TierPlan, from: number, now: number): number {
  for (let i = 0; i < plan.tiers.length; i++) {
    if (now - plan.tiers[i].retentionMs <= from) return i;
  }
  return plan.tiers.length - 1;
}

export async function query(
  st: QueryState,
  name: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  const { plan } = st;
  const now = st.now();
  const to = options.to ?? now;
  const from = options.from ?? to - HOUR;
  if (typeof name !== 'string') bad('query: pass the metric name as a string.');
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(from < to)) {
    bad(`query: need finite from < to (ms since epoch), got from=${from}, to=${to}.`);
  }
  const agg = options.agg ?? 'mean';
  const q = Object.hasOwn(QUANTILE_AGGREGATIONS, agg)
    ? QUANTILE_AGGREGATIONS[agg as QuantileAggregation]
    : undefined;
  if (q === undefined && !AGGREGATIONS.includes(agg as Aggregation)) {
    bad(
      `query: agg '${String(agg)}' is not supported; use one of ${[...AGGREGATIONS, ...Object.keys(QUANTILE_AGGREGATIONS)].join(', ')}.`,
    );
  }
  // One group per series (name + labels): this store's stream and other writers' streams.
  const want = options.labels ?? {};
  const matches = (m: SeriesMeta) => {
    if (m.name !== name) return false;
    for (const k in want) if (m.labels[k] !== String(want[k])) return false;
    return true;
  };
  const groups = new Map<string, Group>();
  let distribution = false;
  for (const tr of st.series) {
    if (tr.meta.name === name && tr.meta.kind === 'distribution') distribution = true;
    if (matches(tr.meta)) groups.set(baseKeyOf(tr.meta), { meta: tr.meta, own: tr, others: [] });
  }
  for (const m of await st.others()) {
    if (m.name === name && m.kind === 'distribution') distribution = true;
    if (!matches(m)) continue;
    const k = baseKeyOf(m);
    const g = groups.get(k);
    if (g) g.others.push(m);
    else groups.set(k, { meta: m, others: [m] });
  }
  let ti = tierFor(plan, from, now);
  // Summaries' observations live in roll-up tiers only.
  if (ti === 0 && plan.tiers.length > 1 && distribution) ti = 1;
  if (q !== undefined && ti > 0 && !plan.rowSk[ti]) {
    // Quantiles come from the finest covering tier that keeps sketches.
    const j = plan.rowSk.findIndex((x, k) => x && k > ti);
    if (j > 0) ti = j;
  }
  if (q !== undefined && ti > 0 && !plan.rowSk[ti]) {
    bad(
      `query: '${agg}' on the '${plan.tiers[ti].name}' tier needs roll-up sketches; open the store with sketches: true.`,
    );
  }
  const tier = plan.tiers[ti];
  const step = options.step ?? (ti === 0 ? plan.intervalMs : tier.resolutionMs);
  if (!(step > 0) || !Number.isFinite(step))
    bad(`query: step must be a positive number of ms, got ${step}.`);
  const steps = Math.ceil((to - from) / step);
  if (steps > 11_000) bad(`query: ${steps} steps is too many (max 11000); pass a larger step.`);
  const timestamps = new Float64Array(steps);
  for (let i = 0; i < steps; i++) timestamps[i] = from + i * step;
  const out: QueryResult['series'] = [];
  for (const g of groups.values()) {
    const tr = g.own;
    // Per stream, its chunks by start; several streams are merged by time below.
    const streams: ChunkRecord[][] = [];
    if (tr) streams.push(await chunksFor(st, tr, ti, from, to));
    for (const m of g.others) streams.push(await storedChunks(st, m.id, ti, from, to));
    const labels = { ...g.meta.labels };
    if (q !== undefined) {
      out.push({
        labels,
        values: quantileSteps(plan, tr, ti, streams.flat(), from, to, step, q),
      });
      continue;
    }
    const acc = Array.from({ length: steps }, () => new Rollup());
    const add = (ts: number, fn: (r: Rollup) => void) => {
      if (ts < from || ts >= to) return;
      fn(acc[Math.floor((ts - from) / step)]);
    };
    if (ti === 0) {
      // A counter's increase is per stream (each writer's counter has its own
      // resets); the points of all streams are then added in time order.
      const pts: { t: number; x: number; inc: number }[] = [];
      for (const chunks of streams) {
        let prev = Number.NaN;
        for (const c of chunks) {
          const { ts, v } = c.cols;
          for (let i = 0; i < ts.length; i++) {
            const x = v[i];
            if (!(x > Number.NEGATIVE_INFINITY && x < Number.POSITIVE_INFINITY)) continue;
            const inc =
              g.meta.kind === 'counter' && !Number.isNaN(prev) ? (x >= prev ? x - prev : x) : 0;
            prev = x;
            pts.push({ t: ts[i], x, inc });
          }
        }
      }
      if (streams.length > 1) pts.sort((a, b) => a.t - b.t);
      for (const p of pts) add(p.t, (r) => r.add(p.x, p.inc));
    } else {
      // Rows of one bucket from several streams merge (exact for every column but
      // first/last, which then follow stream order: this store's first).
      const rows: { t: number; c: ChunkRecord; i: number }[] = [];
      for (const chunks of streams) {
        for (const c of chunks)
          for (let i = 0; i < c.cols.ts.length; i++) rows.push({ t: c.cols.ts[i], c, i });
      }
      if (streams.length > 1) rows.sort((a, b) => a.t - b.t);
      for (const { t, c, i } of rows) add(t, (r) => r.mergeRow(c.cols, i));
      if (tr) for (const [b, r] of partialBuckets(plan, tr, ti)) add(b, (a) => a.merge(r));
    }
    const values = new Float64Array(steps);
    for (let i = 0; i < steps; i++) values[i] = aggregate(acc[i], agg as Aggregation, step);
    out.push({ labels, values });
  }
  return { tier: tier.name, from, to, step, timestamps, series: out };
}

/**
 * Quantile `q` per step: exact on the raw tier (numpy 'lower': sorted value at
 * rank floor(q (n - 1))), from merged bucket sketches on roll-up tiers.
 */
function quantileSteps(
  plan: TierPlan,
  tr: Series | undefined,
  ti: number,
  chunks: ChunkRecord[],
  from: number,
  to: number,
  step: number,
  q: number,
): Float64Array {
  const steps = Math.ceil((to - from) / step);
  const values = new Float64Array(steps).fill(Number.NaN);
  const slot = (ts: number) => (ts < from || ts >= to ? -1 : Math.floor((ts - from) / step));
  if (ti === 0) {
    const bins: number[][] = Array.from({ length: steps }, () => []);
    for (const c of chunks) {
      const { ts, v } = c.cols;
      for (let i = 0; i < ts.length; i++) {
        const k = slot(ts[i]);
        const x = v[i];
        if (k >= 0 && x > Number.NEGATIVE_INFINITY && x < Number.POSITIVE_INFINITY) bins[k].push(x);
      }
    }
    for (let k = 0; k < steps; k++) {
      const b = bins[k];
      if (!b.length) continue;
      b.sort((x, y) => x - y);
      values[k] = b[Math.floor(q * (b.length - 1))];
    }
    return values;
  }
  const acc = new Map<number, QuantileSketch>();
  const at = (k: number) => {
    let a = acc.get(k);
    if (!a) {
      a = newSketch(plan);
      acc.set(k, a);
    }
    return a;
  };
  try {
    for (const c of chunks) {
      for (let i = 0; i < c.cols.ts.length; i++) {
        const k = slot(c.cols.ts[i]);
        const bytes = k >= 0 ? rowSketch(c, i) : null;
        if (!bytes) continue;
        const sk = QuantileSketch.deserialize(bytes);
        at(k).merge(sk);
        sk.dispose();
      }
    }
    // Open buckets: this tier's and the tiers' below, and the staged first-tier values.
    const res = plan.tiers[ti].resolutionMs;
    for (let j = ti; j >= 1 && tr; j--) {
      const r = tr.roll[j];
      if (!(r.cur.count > 0)) continue;
      const k = slot(Math.floor(r.bucketStart / res) * res);
      if (k < 0) continue;
      if (r.sk && r.sk.count > 0) at(k).merge(r.sk);
      if (j === 1 && tr.staged > 0) at(k).push(tr.stage.subarray(0, tr.staged));
    }
    for (const [k, a] of acc) if (a.count > 0) values[k] = a.quantile(q);
  } finally {
    for (const a of acc.values()) a.dispose();
  }
  return values;
}

/** A series in a query: this store's stream of it (if any) and other writers' streams. */
interface Group {
  meta: SeriesMeta;
  own?: Series;
  others: SeriesMeta[];
}

/** Stored chunks of stream `id` overlapping [from, to), by start (damaged ones left out and counted). */
async function storedChunks(
  st: QueryState,
  id: number,
  ti: number,
  from: number,
  to: number,
): Promise<ChunkRecord[]> {
  const out: ChunkRecord[] = [];
  for (const c of await st.backend.readChunks(ti, id, from, to)) {
    // A damaged stored chunk is left out of the answer (and counted), not thrown.
    if (isChunkIntact(c, ti === 0 ? ['ts', 'v'] : ['ts'])) out.push(c);
    else st.damagedRead();
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Stored chunks overlapping [from, to), with buffered (unflushed) ones replacing stored copies. */
async function chunksFor(
  st: QueryState,
  tr: Series,
  ti: number,
  from: number,
  to: number,
): Promise<ChunkRecord[]> {
  const byStart = new Map<number, ChunkRecord>();
  if (tr.persisted) {
    for (const c of await storedChunks(st, tr.meta.id, ti, from, to)) byStart.set(c.start, c);
  }
  for (const c of st.pending) if (c.series === tr.meta.id && c.tier === ti) byStart.set(c.start, c);
  const open = openChunkView(st.plan, tr, ti);
  if (open) byStart.set(open.start, open);
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** Buckets of tier `ti` still open in memory (its own plus the open buckets of the tiers below). */
function partialBuckets(plan: TierPlan, tr: Series, ti: number): Map<number, Rollup> {
  const res = plan.tiers[ti].resolutionMs;
  const m = new Map<number, Rollup>();
  for (let j = ti; j >= 1; j--) {
    const r = tr.roll[j];
    if (r.cur.count === 0) continue;
    const b = Math.floor(r.bucketStart / res) * res;
    let a = m.get(b);
    if (!a) {
      a = new Rollup();
      m.set(b, a);
    }
    a.merge(r.cur);
  }
  return m;
}
