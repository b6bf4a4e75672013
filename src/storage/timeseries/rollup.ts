/**
 * Mergeable roll-up state of one time bucket: count, sum, min, max, mean and
 * M2 (Chan et al. pairwise merge), first/last value, and the counter increase
 * (sum of non-negative steps; a drop is a counter reset). Merging bucket states
 * equals computing the state over the union of their points, so a roll-up of
 * roll-ups equals a roll-up of the raw data.
 */

/** Column names of a roll-up chunk, after `ts`. */
export const ROLLUP_COLS = [
  'count',
  'sum',
  'min',
  'max',
  'mean',
  'm2',
  'first',
  'last',
  'inc',
] as const;
export type RollupCol = (typeof ROLLUP_COLS)[number];

/**
 * The mergeable aggregate a roll-up bucket keeps: count, sum, min, max, mean, M2, first, last and
 * counter increase.
 */
export class Rollup {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  mean = 0;
  m2 = 0;
  first = Number.NaN;
  last = Number.NaN;
  inc = 0;

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.mean = 0;
    this.m2 = 0;
    this.first = Number.NaN;
    this.last = Number.NaN;
    this.inc = 0;
  }

  /** Adds one point (finite `v`) with its counter increase `inc`. */
  add(v: number, inc: number): void {
    const n = this.count + 1;
    const d = v - this.mean;
    this.mean += d / n;
    this.m2 += d * (v - this.mean);
    this.count = n;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (n === 1) this.first = v;
    this.last = v;
    this.inc += inc;
  }

  /** Merges a later bucket's state (`o` follows this one in time). */
  mergeFrom(
    count: number,
    sum: number,
    min: number,
    max: number,
    mean: number,
    m2: number,
    first: number,
    last: number,
    inc: number,
  ): void {
    if (count === 0) return;
    if (this.count === 0) {
      this.count = count;
      this.sum = sum;
      this.min = min;
      this.max = max;
      this.mean = mean;
      this.m2 = m2;
      this.first = first;
      this.last = last;
      this.inc = inc;
      return;
    }
    const n = this.count + count;
    const d = mean - this.mean;
    this.m2 += m2 + (d * d * this.count * count) / n;
    this.mean += (d * count) / n;
    this.count = n;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    this.last = last;
    this.inc += inc;
  }

  merge(o: Rollup): void {
    this.mergeFrom(o.count, o.sum, o.min, o.max, o.mean, o.m2, o.first, o.last, o.inc);
  }

  /** Merges row `i` of roll-up columns. */
  mergeRow(cols: Record<string, Float64Array>, i: number): void {
    this.mergeFrom(
      cols.count[i],
      cols.sum[i],
      cols.min[i],
      cols.max[i],
      cols.mean[i],
      cols.m2[i],
      cols.first[i],
      cols.last[i],
      cols.inc[i],
    );
  }

  /** Writes this state into row `i` of roll-up columns. */
  writeRow(cols: Record<string, Float64Array>, i: number): void {
    cols.count[i] = this.count;
    cols.sum[i] = this.sum;
    cols.min[i] = this.min;
    cols.max[i] = this.max;
    cols.mean[i] = this.mean;
    cols.m2[i] = this.m2;
    cols.first[i] = this.first;
    cols.last[i] = this.last;
    cols.inc[i] = this.inc;
  }

  /** Population variance of the points. */
  get variance(): number {
    return this.count > 0 ? this.m2 / this.count : Number.NaN;
  }
}

/** What a query reads from roll-ups per step. */
export type Aggregation =
  | 'mean'
  | 'min'
  | 'max'
  | 'sum'
  | 'count'
  | 'first'
  | 'last'
  | 'stddev'
  | 'increase'
  | 'rate';

/** Every `Aggregation`. */
export const AGGREGATIONS: readonly Aggregation[] = [
  'mean',
  'min',
  'max',
  'sum',
  'count',
  'first',
  'last',
  'stddev',
  'increase',
  'rate',
];

/** The value of `agg` for a bucket (NaN when the bucket is empty). */
export function aggregate(r: Rollup, agg: Aggregation, stepMs: number): number {
  if (r.count === 0) return agg === 'count' ? 0 : Number.NaN;
  switch (agg) {
    case 'mean':
      return r.mean;
    case 'min':
      return r.min;
    case 'max':
      return r.max;
    case 'sum':
      return r.sum;
    case 'count':
      return r.count;
    case 'first':
      return r.first;
    case 'last':
      return r.last;
    case 'stddev':
      return Math.sqrt(r.variance);
    case 'increase':
      return r.inc;
    case 'rate':
      return r.inc / (stepMs / 1000);
  }
}
