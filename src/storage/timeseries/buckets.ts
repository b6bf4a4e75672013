/**
 * The in-memory state of one stored series (its open raw chunk, and per
 * roll-up tier the open bucket and open chunk) and how it is encoded into the
 * backend's records: columnar chunks (`ChunkRecord`, row sketches packed into
 * one blob plus an offsets column) and the cursor that lets a reopened store
 * resume exactly (`SeriesCursor`). Decoding checks what it reads: stored data
 * can be damaged by other code.
 */
import { EdgewiseError } from '../../errors';
import { QuantileSketch } from '../../kernels/quantile';
import type { ChunkRecord, SeriesCursor, SeriesMeta, TimeSeriesBackend } from '../types';
import { ROLLUP_COLS, Rollup } from './rollup';
import type { TierPlan } from './tiers';

/** The open raw chunk. */
export interface RawState {
  start: number;
  ts: Float64Array;
  v: Float64Array;
  n: number;
  dirty: boolean;
}

/** A roll-up tier's open bucket and open chunk. */
export interface RollState {
  bucketStart: number;
  cur: Rollup;
  /** Sketch of the open bucket (created on first use; null when sketches are off). */
  sk: QuantileSketch | null;
  chunkStart: number;
  cols: Record<string, Float64Array>;
  /** Serialized sketch of each closed row of the open chunk. */
  skRows: (Uint8Array | null)[];
  n: number;
  dirty: boolean;
}

/** One series a store tracks. */
export interface Series {
  meta: SeriesMeta;
  persisted: boolean;
  prev: number;
  raw: RawState;
  roll: RollState[]; // index = tier (0 unused)
  touched: boolean;
  /** Values of the open first-tier bucket not yet pushed into its sketch (one kernel call per bucket). */
  stage: Float64Array;
  staged: number;
}

/** The unique key of a series: name plus canonical (sorted) labels. */
export const keyOf = (name: string, labels: Record<string, string>): string =>
  `${name}\u0000${JSON.stringify(Object.entries(labels).sort((a, b) => (a[0] < b[0] ? -1 : 1)))}`;

/** The key of writer `slot`'s stream of the series `key` (slot 0: the series key itself). */
export const streamKey = (key: string, slot: number): string =>
  slot === 0 ? key : `${key}\u0000w${slot}`;

/** The writer slot of a stored stream (0 when absent). */
export const writerOf = (m: SeriesMeta): number => m.writer ?? 0;

/** The series key of a stream (its key without the writer suffix). */
export function baseKeyOf(m: SeriesMeta): string {
  const w = writerOf(m);
  const suffix = `\u0000w${w}`;
  return w > 0 && m.key.endsWith(suffix) ? m.key.slice(0, -suffix.length) : m.key;
}

export function isSeriesMeta(m: unknown): m is SeriesMeta {
  const x = m as SeriesMeta;
  return (
    typeof x === 'object' &&
    x !== null &&
    (x.writer === undefined || (Number.isInteger(x.writer) && x.writer > 0)) &&
    Number.isFinite(x.id) &&
    typeof x.key === 'string' &&
    typeof x.name === 'string' &&
    (x.kind === 'counter' || x.kind === 'gauge' || x.kind === 'distribution') &&
    typeof x.labels === 'object' &&
    x.labels !== null
  );
}

/** A stored chunk whose columns can be read back (IndexedDB data can be damaged by other code). */
export function isChunkIntact(c: ChunkRecord, cols: readonly string[]): boolean {
  if (typeof c !== 'object' || c === null || typeof c.cols !== 'object' || c.cols === null) {
    return false;
  }
  const ts = c.cols.ts;
  if (!(ts instanceof Float64Array)) return false;
  for (const k of cols) {
    const col = c.cols[k];
    if (!(col instanceof Float64Array) || col.length < ts.length) return false;
  }
  return true;
}

/** Concatenates row sketches into one blob plus an offsets column. */
export function packSketches(
  rows: (Uint8Array | null)[],
  n: number,
): { sko: Float64Array; blob: Uint8Array } {
  const sko = new Float64Array(n + 1);
  let len = 0;
  for (let i = 0; i < n; i++) {
    sko[i] = len;
    len += rows[i]?.byteLength ?? 0;
  }
  sko[n] = len;
  const blob = new Uint8Array(len);
  for (let i = 0; i < n; i++) if (rows[i]) blob.set(rows[i]!, sko[i]);
  return { sko, blob };
}

/** The serialized sketch of row `i` of a roll-up chunk (null: none). */
export function rowSketch(c: ChunkRecord, i: number): Uint8Array | null {
  const o = c.cols.sko;
  if (!o || !c.sketches || o[i + 1] <= o[i]) return null;
  return c.sketches.subarray(o[i], o[i + 1]);
}

function newRollCols(cap: number): Record<string, Float64Array> {
  const c: Record<string, Float64Array> = { ts: new Float64Array(cap) };
  for (const k of ROLLUP_COLS) c[k] = new Float64Array(cap);
  return c;
}

/** Fresh state for a series: empty open chunks sized for one chunk of every tier. */
export function newSeries(plan: TierPlan, meta: SeriesMeta): Series {
  const { tiers, intervalMs } = plan;
  const rawCap = Math.ceil(tiers[0].chunkMs / intervalMs) + 2;
  const roll: RollState[] = [];
  for (let i = 1; i < tiers.length; i++) {
    const t = tiers[i];
    roll[i] = {
      bucketStart: Number.NaN,
      cur: new Rollup(),
      sk: null,
      chunkStart: Number.NaN,
      cols: newRollCols(t.chunkMs / t.resolutionMs),
      skRows: [],
      n: 0,
      dirty: false,
    };
  }
  return {
    meta,
    persisted: false,
    prev: Number.NaN,
    raw: {
      start: Number.NaN,
      ts: new Float64Array(rawCap),
      v: new Float64Array(rawCap),
      n: 0,
      dirty: false,
    },
    roll,
    touched: false,
    stage: new Float64Array(
      tiers.length > 1 ? Math.ceil(tiers[1].resolutionMs / intervalMs) + 2 : 0,
    ),
    staged: 0,
  };
}

/** Grows the open raw chunk's columns to hold `n` points. */
export function ensureRaw(raw: RawState, n: number): void {
  if (raw.ts.length >= n) return;
  let cap = raw.ts.length * 2;
  while (cap < n) cap *= 2;
  const ts = new Float64Array(cap);
  const v = new Float64Array(cap);
  ts.set(raw.ts.subarray(0, raw.n));
  v.set(raw.v.subarray(0, raw.n));
  raw.ts = ts;
  raw.v = v;
}

/**
 * Grows a roll-up tier's open chunk columns to hold `n` rows. A chunk holds one
 * row per bucket, plus a second row for a bucket whose writer was finished by
 * another store and then resumed (queries merge rows of one bucket).
 */
export function ensureRoll(r: RollState, n: number): void {
  if (r.cols.ts.length >= n) return;
  let cap = Math.max(1, r.cols.ts.length * 2);
  while (cap < n) cap *= 2;
  for (const k in r.cols) {
    const c = new Float64Array(cap);
    c.set(r.cols[k].subarray(0, r.n));
    r.cols[k] = c;
  }
}

/** Tier `ti`'s open chunk as a record: fresh copies of its columns, or views of them. */
function chunkOf(plan: TierPlan, tr: Series, ti: number, copy: boolean): ChunkRecord {
  if (ti === 0) {
    const r = tr.raw;
    return {
      tier: 0,
      series: tr.meta.id,
      start: r.start,
      end: r.start + plan.tiers[0].chunkMs,
      cols: copy
        ? { ts: r.ts.slice(0, r.n), v: r.v.slice(0, r.n) }
        : { ts: r.ts.subarray(0, r.n), v: r.v.subarray(0, r.n) },
    };
  }
  const r = tr.roll[ti];
  const cols: Record<string, Float64Array> = {};
  if (copy) for (const k in r.cols) cols[k] = r.cols[k].slice(0, r.n);
  else for (const k in r.cols) cols[k] = r.cols[k].subarray(0, r.n);
  const c: ChunkRecord = {
    tier: ti,
    series: tr.meta.id,
    start: r.chunkStart,
    end: r.chunkStart + plan.tiers[ti].chunkMs,
    cols,
  };
  if (plan.rowSk[ti]) {
    const { sko, blob } = packSketches(r.skRows, r.n);
    cols.sko = sko;
    c.sketches = blob;
  }
  return c;
}

/** The open raw chunk as a record (fresh copies) and marks it clean. */
export function rawChunk(plan: TierPlan, tr: Series): ChunkRecord {
  tr.raw.dirty = false;
  return chunkOf(plan, tr, 0, true);
}

/** Tier `i`'s open chunk as a record (fresh copies) and marks it clean. */
export function rollChunk(plan: TierPlan, tr: Series, i: number): ChunkRecord {
  tr.roll[i].dirty = false;
  return chunkOf(plan, tr, i, true);
}

/** Tier `ti`'s open chunk as a read-only view for queries (undefined when empty). */
export function openChunkView(plan: TierPlan, tr: Series, ti: number): ChunkRecord | undefined {
  const n = ti === 0 ? tr.raw.n : tr.roll[ti].n;
  return n === 0 ? undefined : chunkOf(plan, tr, ti, false);
}

/** Where the series' writer is: written with its chunks so a reopened store resumes exactly. */
export function cursorOf(plan: TierPlan, tr: Series): SeriesCursor {
  const starts = [tr.raw.start];
  const buckets: (number[] | null)[] = [null];
  const sketches: (Uint8Array | null)[] = [null];
  for (let i = 1; i < plan.tiers.length; i++) {
    const r = tr.roll[i];
    starts.push(r.chunkStart);
    const c = r.cur;
    buckets.push(
      c.count > 0
        ? [r.bucketStart, c.count, c.sum, c.min, c.max, c.mean, c.m2, c.first, c.last, c.inc]
        : null,
    );
    sketches.push(r.sk && r.sk.count > 0 ? r.sk.serialize() : null);
  }
  return {
    id: tr.meta.id,
    prev: tr.prev,
    chunkStarts: starts,
    buckets,
    sketches,
    staged: tr.staged > 0 ? tr.stage.slice(0, tr.staged) : undefined,
  };
}

const damaged = (what: string) => new EdgewiseError('CORRUPT_STATE', what);

/**
 * Restores a series' open chunks and buckets from its cursor and stored open
 * chunks. Throws CORRUPT_STATE (the message names what is damaged) on a
 * damaged cursor or chunk.
 */
export async function applyCursor(
  plan: TierPlan,
  tr: Series,
  c: SeriesCursor,
  backend: TimeSeriesBackend,
): Promise<void> {
  const m = tr.meta;
  if (!Array.isArray(c.chunkStarts) || !Array.isArray(c.buckets)) {
    throw damaged('damaged cursor');
  }
  tr.prev = c.prev;
  if (c.staged && plan.sketches) {
    if (tr.stage.length < c.staged.length) tr.stage = new Float64Array(c.staged.length);
    tr.stage.set(c.staged);
    tr.staged = c.staged.length;
  }
  for (let i = 0; i < plan.tiers.length; i++) {
    const start = c.chunkStarts[i];
    const [chunk] = Number.isFinite(start)
      ? await backend.readChunks(i, m.id, start, start + 1)
      : [];
    if (chunk && !isChunkIntact(chunk, i === 0 ? ['ts', 'v'] : Object.keys(tr.roll[i].cols))) {
      throw damaged(`damaged chunk (tier ${i}, start ${start})`);
    }
    if (i === 0) {
      if (chunk?.start === start) {
        const n = chunk.cols.ts.length;
        ensureRaw(tr.raw, n);
        tr.raw.ts.set(chunk.cols.ts);
        tr.raw.v.set(chunk.cols.v);
        tr.raw.n = n;
      }
      tr.raw.start = start;
      continue;
    }
    const r = tr.roll[i];
    r.chunkStart = start;
    if (chunk?.start === start) {
      const n = chunk.cols.ts.length;
      ensureRoll(r, n);
      for (const k in r.cols) r.cols[k].set(chunk.cols[k].subarray(0, n));
      for (let j = 0; j < n; j++) r.skRows[j] = rowSketch(chunk, j)?.slice() ?? null;
      r.n = n;
    }
    const b = c.buckets[i];
    if (b && !(Array.isArray(b) && b.length === 10 && b.every((x) => typeof x === 'number'))) {
      throw damaged(`damaged cursor bucket (tier ${i})`);
    }
    if (b) {
      r.bucketStart = b[0];
      r.cur.mergeFrom(b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]);
    }
    const sk = c.sketches?.[i];
    if (sk && plan.liveSk[i]) r.sk = QuantileSketch.deserialize(sk);
  }
}
