/**
 * Retention tiers of a `TimeSeriesStore`: a raw tier (one point per sample)
 * then roll-up tiers, each a multiple of the resolution below it, and which of
 * them keep quantile sketches. `planTiers` checks the tiers and fixes the
 * layout every other part of the store reads.
 */
import { EdgewiseError } from '../../errors';
import { QuantileSketch } from '../../kernels/quantile';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * One retention tier: name, resolution, retention, chunk length and whether it keeps quantile
 * sketches.
 */
export interface TierSpec {
  /** e.g. 'raw', '1m', '1h'. */
  name: string;
  /** Bucket width; 0 for the raw tier (the first tier, one point per sample). */
  resolutionMs: number;
  /** How long data stays. */
  retentionMs: number;
  /** Time span of one stored record (default: raw 5 min, roll-ups 60 buckets). */
  chunkMs?: number;
  /**
   * Roll-up tiers: store a QuantileSketch per bucket (p50..p999 queries).
   * Default: only the coarsest tier. Sketch tiers must be the coarsest ones.
   */
  sketch?: boolean;
}

/**
 * The default tiers: raw samples for 1 hour, 1-minute roll-ups for 7 days, 1-hour roll-ups (with
 * sketches) for 90 days.
 */
export const DEFAULT_TIERS: readonly TierSpec[] = [
  { name: 'raw', resolutionMs: 0, retentionMs: HOUR, chunkMs: 5 * MIN },
  { name: '1m', resolutionMs: MIN, retentionMs: 7 * DAY, chunkMs: HOUR, sketch: false },
  { name: '1h', resolutionMs: HOUR, retentionMs: 90 * DAY, chunkMs: DAY, sketch: true },
];

/** The checked tiers plus where sketches live: what every part of the store reads. */
export interface TierPlan {
  readonly tiers: readonly Required<TierSpec>[];
  /** Sampling interval (ms): the raw tier's spacing. */
  readonly intervalMs: number;
  /** Whether any tier keeps quantile sketches. */
  readonly sketches: boolean;
  /** Per tier: keeps a live sketch of its open bucket (it or a coarser tier stores sketches). */
  readonly liveSk: readonly boolean[];
  /** Per tier: stores a sketch per closed bucket row. */
  readonly rowSk: readonly boolean[];
  readonly sketchAccuracy: number;
}

export function bad(msg: string): never {
  throw new EdgewiseError('INVALID_ARGUMENT', msg);
}

function checkTiers(tiers: readonly TierSpec[], intervalMs: number): Required<TierSpec>[] {
  if (!Array.isArray(tiers) || tiers.length === 0)
    bad('TimeSeriesStore: tiers must be a non-empty array.');
  const out: Required<TierSpec>[] = [];
  tiers.forEach((t, i) => {
    const where = `TimeSeriesStore: tier ${i} ('${t?.name}')`;
    if (!(t.retentionMs > 0) || !Number.isFinite(t.retentionMs))
      bad(`${where}: retentionMs must be > 0.`);
    if (i === 0 && t.resolutionMs !== 0)
      bad(`${where}: the first tier is raw; set resolutionMs: 0.`);
    if (i > 0) {
      const prevRes = i === 1 ? intervalMs : tiers[i - 1].resolutionMs;
      if (
        !(t.resolutionMs > 0) ||
        (i > 1 && t.resolutionMs % prevRes !== 0) ||
        t.resolutionMs < prevRes
      ) {
        bad(
          `${where}: resolutionMs must be a positive multiple of the tier below (${prevRes} ms).`,
        );
      }
    }
    const chunkMs = t.chunkMs ?? (i === 0 ? 5 * MIN : t.resolutionMs * 60);
    if (!(chunkMs > 0) || (i > 0 && chunkMs % t.resolutionMs !== 0)) {
      bad(`${where}: chunkMs must be a positive multiple of resolutionMs.`);
    }
    const sketch = i > 0 && (t.sketch ?? i === tiers.length - 1);
    if (i > 1 && out[i - 1].sketch && !sketch) {
      bad(`${where}: sketch tiers must be the coarsest ones; set sketch: true here too.`);
    }
    out.push({
      name: String(t.name),
      resolutionMs: t.resolutionMs,
      retentionMs: t.retentionMs,
      chunkMs,
      sketch,
    });
  });
  return out;
}

/** Checks the tiers (INVALID_ARGUMENT) and lays out where sketches live. */
export function planTiers(
  specs: readonly TierSpec[],
  intervalMs: number,
  sketchesOption: boolean | undefined,
  sketchAccuracy: number | undefined,
): TierPlan {
  const tiers = checkTiers(specs, intervalMs);
  const sketches = (sketchesOption ?? true) && tiers.some((t) => t.sketch);
  // A tier keeps a live sketch if it or a coarser tier stores sketches (tier 1 is fed by staging instead).
  const liveSk = tiers.map((_, i) => sketches && tiers.slice(i).some((t) => t.sketch));
  const rowSk = tiers.map((t) => sketches && t.sketch);
  const accuracy = sketchAccuracy ?? 0.01;
  if (!(accuracy >= 1e-5 && accuracy <= 0.5)) {
    bad('TimeSeriesStore: sketchAccuracy must be in [1e-5, 0.5].');
  }
  return { tiers, intervalMs, sketches, liveSk, rowSk, sketchAccuracy: accuracy };
}

/** An empty sketch of the plan's accuracy (all values go to buckets: mergeable, serializable). */
export function newSketch(plan: TierPlan): QuantileSketch {
  return new QuantileSketch({ relativeAccuracy: plan.sketchAccuracy, exactLimit: 0 });
}
