/**
 * How a point flows through the tiers: appended to the open raw chunk, added
 * to the first roll-up tier's open bucket, and when a bucket closes, written as
 * a row of its tier's open chunk and merged into the next tier's open bucket
 * (so a roll-up of roll-ups equals a roll-up of the raw data). Chunks that
 * close go to `pending`, written by the next flush.
 */
import type { QuantileSketch } from '../../kernels/quantile';
import type { ChunkRecord } from '../types';
import { ensureRaw, ensureRoll, type RollState, rawChunk, rollChunk, type Series } from './buckets';
import type { Rollup } from './rollup';
import { newSketch, type TierPlan } from './tiers';

/** Pushes staged first-tier values into tier `i`'s open bucket sketch. */
export function drainStage(plan: TierPlan, tr: Series, i: number): void {
  if (tr.staged === 0) return;
  const r = tr.roll[i];
  r.sk ??= newSketch(plan);
  r.sk.push(tr.stage.subarray(0, tr.staged));
  tr.staged = 0;
}

/** The first roll-up tier's open bucket for time `t` (the bucket before it closes first). */
function firstBucket(plan: TierPlan, pending: ChunkRecord[], tr: Series, t: number): RollState {
  const r = tr.roll[1];
  const res = plan.tiers[1].resolutionMs;
  const b = Math.floor(t / res) * res;
  if (r.bucketStart !== b) {
    if (r.cur.count > 0) closeBucket(plan, pending, tr, 1);
    r.bucketStart = b;
    r.cur.reset();
  }
  return r;
}

/** Records one value of one series at time `t` (ms). Non-finite values are kept raw but skipped by roll-ups. */
export function record(
  plan: TierPlan,
  pending: ChunkRecord[],
  tr: Series,
  t: number,
  v: number,
): void {
  const raw = tr.raw;
  const span = plan.tiers[0].chunkMs;
  const cs = Math.floor(t / span) * span;
  if (raw.start !== cs) {
    if (raw.n > 0 && raw.dirty) pending.push(rawChunk(plan, tr));
    raw.start = cs;
    raw.n = 0;
  }
  if (raw.n === raw.ts.length) ensureRaw(raw, raw.n + 1);
  raw.ts[raw.n] = t;
  raw.v[raw.n] = v;
  raw.n++;
  raw.dirty = true;
  tr.touched = true;
  if (!(v > Number.NEGATIVE_INFINITY && v < Number.POSITIVE_INFINITY)) return;
  let inc = 0;
  if (tr.meta.kind === 'counter' && !Number.isNaN(tr.prev)) inc = v >= tr.prev ? v - tr.prev : v;
  tr.prev = v;
  if (plan.tiers.length < 2) return;
  firstBucket(plan, pending, tr, t).cur.add(v, inc);
  if (plan.sketches) {
    if (tr.staged === tr.stage.length) {
      const bigger = new Float64Array(tr.stage.length * 2 + 8);
      bigger.set(tr.stage);
      tr.stage = bigger;
    }
    tr.stage[tr.staged++] = v;
  }
}

/** Adds a batch of observations (moments + sketch) at time `t` to a distribution series' roll-ups. */
export function recordDistribution(
  plan: TierPlan,
  pending: ChunkRecord[],
  tr: Series,
  t: number,
  m: Rollup,
  sk: QuantileSketch,
): void {
  if (m.count === 0 || plan.tiers.length < 2) return;
  tr.touched = true;
  const r = firstBucket(plan, pending, tr, t);
  r.cur.merge(m);
  if (plan.liveSk[1]) {
    r.sk ??= newSketch(plan);
    r.sk.merge(sk);
  }
}

/** Appends tier i's current bucket to its chunk and feeds it to tier i + 1. */
function closeBucket(plan: TierPlan, pending: ChunkRecord[], tr: Series, i: number): void {
  const { tiers, rowSk, liveSk } = plan;
  const r = tr.roll[i];
  const tier = tiers[i];
  const cs = Math.floor(r.bucketStart / tier.chunkMs) * tier.chunkMs;
  if (r.chunkStart !== cs) {
    if (r.n > 0 && r.dirty) pending.push(rollChunk(plan, tr, i));
    r.chunkStart = cs;
    r.n = 0;
  }
  if (i === 1 && rowSk[1]) drainStage(plan, tr, 1);
  if (r.n === r.cols.ts.length) ensureRoll(r, r.n + 1);
  r.cols.ts[r.n] = r.bucketStart;
  r.cur.writeRow(r.cols, r.n);
  r.skRows[r.n] = rowSk[i] && r.sk && r.sk.count > 0 ? r.sk.serialize() : null;
  r.n++;
  r.dirty = true;
  if (i + 1 < tiers.length) {
    const up = tr.roll[i + 1];
    const res = tiers[i + 1].resolutionMs;
    const b = Math.floor(r.bucketStart / res) * res;
    if (up.bucketStart !== b) {
      if (up.cur.count > 0) closeBucket(plan, pending, tr, i + 1);
      up.bucketStart = b;
      up.cur.reset();
    }
    up.cur.merge(r.cur);
    if (r.sk && r.sk.count > 0 && liveSk[i + 1]) {
      up.sk ??= newSketch(plan);
      up.sk.merge(r.sk);
    }
    // Tier 1 without sketches: its values go straight to tier 2's open bucket.
    if (i === 1 && !rowSk[1] && liveSk[2]) drainStage(plan, tr, 2);
  }
  r.sk?.reset();
}

/**
 * Closes every open bucket (finest tier first, so each feeds the next) into a
 * row of its tier's open chunk: used to finish the streams of a writer that is
 * gone. A bucket finished this way may be continued by a later row of the same
 * bucket; queries merge rows of one bucket.
 */
export function closeOpenBuckets(plan: TierPlan, pending: ChunkRecord[], tr: Series): void {
  for (let i = 1; i < plan.tiers.length; i++) {
    const r = tr.roll[i];
    if (r.cur.count > 0) closeBucket(plan, pending, tr, i);
    r.cur.reset();
    r.sk?.reset();
    r.bucketStart = Number.NaN;
    tr.touched = true;
  }
  tr.staged = 0;
}
