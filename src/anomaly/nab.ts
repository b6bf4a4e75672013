/**
 * NAB scoring (Lavin & Ahmad 2015), our own code following the rules of NAB's
 * scorer (`nab/sweeper.py`: `calcSweepScore`, `calcScoreByThreshold`; the
 * optimiser `nab/optimizer.py` takes the best row of that exact sweep over
 * the concatenated corpus; `runner.normalize` normalises with the null
 * detector's score and perfect = tpWeight * number of windows):
 *
 * - A record is a detection when its score is >= the threshold. Records in
 *   the probationary period (the first min(floor(0.15 n), 750) records of a
 *   file, as in NAB) are never detections.
 * - In a window [a, b] (record indices) only the earliest detection counts:
 *   tpWeight * sigma(y) / sigma(-1) with y = -(b - i + 1) / (b - a + 1) and
 *   sigma(y) = 2 / (1 + e^(5y)) - 1, so a detection at the window start earns
 *   tpWeight. A window with no detection costs -fnWeight.
 * - A detection outside every window costs fpWeight * sigma(y) with
 *   y = |i - b_prev| / (w_prev - 1) measured from the end of the preceding
 *   window (sigma(y) = -1 for y >= 3 or when no window precedes).
 * - A window with no record after the probationary period takes no part in
 *   the raw score (NAB's sweep only sees post-probation records), but still
 *   counts in the perfect score used for normalisation.
 * - One threshold for the whole corpus, chosen (per profile) by an exact sweep
 *   over all distinct scores to maximise the summed raw score; the result is
 *   normalised to 100 (raw - null) / (perfect - null), null = never detects
 *   (-fnWeight per scored window), perfect = tpWeight per labelled window.
 *   Ties between thresholds of equal raw score go to the highest threshold
 *   (NAB's stable sort of the sweep, which starts above every score).
 */
export interface NabProfile {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

export const NAB_PROFILES: Record<
  'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate',
  NabProfile
> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
};

export interface NabFile {
  name: string;
  /** Timestamps (ms), ascending. */
  timestamps: ArrayLike<number>;
  /** Labelled windows [start, end] in ms (inclusive). */
  windows: ReadonlyArray<readonly [number, number]>;
  /** Detector scores in [0, 1], one per record. */
  scores: ArrayLike<number>;
}

export interface NabResult {
  score: number;
  threshold: number;
  raw: number;
  tp: number;
  fp: number;
  fn: number;
}

const sigma = (y: number): number => (y >= 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1);

export function probationLength(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/** Window [start, end] timestamps -> inclusive record index ranges. */
function windowIndices(
  ts: ArrayLike<number>,
  windows: NabFile['windows'],
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [s, e] of windows) {
    let a = 0;
    while (a < ts.length && ts[a] < s) a++;
    let b = a;
    while (b + 1 < ts.length && ts[b + 1] <= e) b++;
    if (a < ts.length && ts[a] <= e) out.push([a, b]);
  }
  return out;
}

/**
 * Optimises the threshold over the corpus for `profile` and returns the
 * normalised score; with `threshold`, scores the corpus at that fixed
 * threshold instead (e.g. one chosen on other files).
 */
export function nabScore(files: NabFile[], profile: NabProfile, threshold?: number): NabResult {
  // a NaN score (a detector's answer to a missing value) is never a detection
  const score = (x: number): number => (Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x);
  const maxTP = sigma(-1);
  interface Row {
    s: number;
    gain: number; // FP cost (negative) for rows outside windows
    win: number; // global window id, or -1
    i: number;
  }
  const rows: Row[] = [];
  const winStart: number[] = [];
  const winEnd: number[] = [];
  // windows with at least one record after the probationary period
  let scored = 0;
  for (const f of files) {
    const ts = f.timestamps;
    const wins = windowIndices(ts, f.windows);
    const base = winStart.length;
    for (const [a, b] of wins) {
      winStart.push(a);
      winEnd.push(b);
    }
    const prob = probationLength(ts.length);
    for (const [, b] of wins) if (b >= prob) scored++;
    let w = 0;
    let prev = -1;
    for (let i = prob; i < ts.length; i++) {
      while (w < wins.length && wins[w][1] < i) prev = w++;
      const inWin = w < wins.length && wins[w][0] <= i;
      if (inWin) rows.push({ s: score(f.scores[i]), gain: 0, win: base + w, i });
      else {
        let u = -1;
        if (prev >= 0) {
          const [pa, pb] = wins[prev];
          u = sigma(Math.abs(i - pb) / Math.max(1, pb - pa));
        }
        rows.push({ s: score(f.scores[i]), gain: u * profile.fpWeight, win: -1, i });
      }
    }
  }
  const nw = winStart.length;
  const tpGain = (win: number, i: number): number => {
    const a = winStart[win];
    const b = winEnd[win];
    return (profile.tpWeight * sigma(-(b - i + 1) / (b - a + 1))) / maxTP;
  };
  rows.sort((x, y) => y.s - x.s);
  const first = new Int32Array(nw).fill(-1);
  let raw = -profile.fnWeight * scored;
  let best: NabResult = {
    score: 0,
    threshold: Number.POSITIVE_INFINITY,
    raw,
    tp: 0,
    fp: 0,
    fn: scored,
  };
  let tp = 0;
  let fp = 0;
  if (threshold !== undefined) best.threshold = threshold;
  for (let r = 0; r < rows.length; ) {
    const s = rows[r].s;
    if (threshold !== undefined && !(s >= threshold)) break;
    for (; r < rows.length && rows[r].s === s; r++) {
      const row = rows[r];
      if (row.win < 0) {
        raw += row.gain;
        fp++;
      } else if (first[row.win] < 0) {
        raw += profile.fnWeight + tpGain(row.win, row.i);
        first[row.win] = row.i;
        tp++;
      } else if (row.i < first[row.win]) {
        raw += tpGain(row.win, row.i) - tpGain(row.win, first[row.win]);
        first[row.win] = row.i;
      }
    }
    if (threshold !== undefined) best = { score: 0, threshold, raw, tp, fp, fn: scored - tp };
    else if (raw > best.raw) best = { score: 0, threshold: s, raw, tp, fp, fn: scored - tp };
  }
  const nul = -profile.fnWeight * scored;
  const perfect = profile.tpWeight * nw;
  best.score = nw === 0 ? 0 : (100 * (best.raw - nul)) / (perfect - nul);
  return best;
}
