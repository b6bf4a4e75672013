/**
 * The NAB evaluation harness (scripts/eval-nab.ts, scripts/check-*.ts and the
 * scorer's tests use it); it is not part of the published package.
 *
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

/**
 * NAB's three scoring profiles (standard, reward low false positives, reward low false negatives)
 * and their weights.
 */
export const NAB_PROFILES: Record<
  'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate',
  NabProfile
> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
};

/** One data file for `nabScore`: timestamps, labelled windows and the detector's scores. */
export interface NabFile {
  name: string;
  /** Timestamps (ms), ascending. */
  timestamps: ArrayLike<number>;
  /** Labelled windows [start, end] in ms (inclusive). */
  windows: ReadonlyArray<readonly [number, number]>;
  /** Detector scores in [0, 1], one per record. */
  scores: ArrayLike<number>;
}

/** A NAB score (normalised: null detector 0, perfect 100) with its threshold and counts. */
export interface NabResult {
  score: number;
  threshold: number;
  raw: number;
  tp: number;
  fp: number;
  fn: number;
}

const sigma = (y: number): number => (y >= 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1);

/** NAB's probationary period for a file of `n` records: min(15% of n, 750) records, not scored. */
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
 * A corpus prepared for scoring: every post-probation record with its
 * window (or its unweighted FP cost), sorted once by score, so scoring any
 * subset of the files under any profile is one linear pass (the threshold
 * sweep of NAB's `calcScoreByThreshold`).
 */
export class NabSweep {
  readonly files: readonly NabFile[];
  /** Rows in descending score order. */
  readonly #s: Float64Array;
  readonly #u: Float64Array; // unweighted FP cost (sigma, negative) outside windows
  readonly #win: Int32Array; // global window id, or -1
  readonly #i: Int32Array; // record index in its file
  readonly #file: Int32Array;
  readonly #winStart: Int32Array;
  readonly #winEnd: Int32Array;
  readonly #winFile: Int32Array;
  /** Whether a window has a record after the probationary period (NAB scores only those). */
  readonly #winScored: Uint8Array;

  constructor(files: readonly NabFile[]) {
    this.files = files;
    // a NaN score (a detector's answer to a missing value) is never a detection
    const score = (x: number): number => (Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x);
    const s: number[] = [];
    const u: number[] = [];
    const win: number[] = [];
    const idx: number[] = [];
    const file: number[] = [];
    const winStart: number[] = [];
    const winEnd: number[] = [];
    const winFile: number[] = [];
    const winScored: number[] = [];
    files.forEach((f, fi) => {
      const ts = f.timestamps;
      const wins = windowIndices(ts, f.windows);
      const base = winStart.length;
      const prob = probationLength(ts.length);
      for (const [a, b] of wins) {
        winStart.push(a);
        winEnd.push(b);
        winFile.push(fi);
        winScored.push(b >= prob ? 1 : 0);
      }
      let w = 0;
      let prev = -1;
      for (let i = prob; i < ts.length; i++) {
        while (w < wins.length && wins[w][1] < i) prev = w++;
        const inWin = w < wins.length && wins[w][0] <= i;
        s.push(score(f.scores[i]));
        idx.push(i);
        file.push(fi);
        if (inWin) {
          win.push(base + w);
          u.push(0);
        } else {
          let c = -1;
          if (prev >= 0) {
            const [pa, pb] = wins[prev];
            c = sigma(Math.abs(i - pb) / Math.max(1, pb - pa));
          }
          win.push(-1);
          u.push(c);
        }
      }
    });
    const order = Uint32Array.from(s, (_, k) => k).sort((x, y) => s[y] - s[x]);
    this.#s = Float64Array.from(order, (k) => s[k]);
    this.#u = Float64Array.from(order, (k) => u[k]);
    this.#win = Int32Array.from(order, (k) => win[k]);
    this.#i = Int32Array.from(order, (k) => idx[k]);
    this.#file = Int32Array.from(order, (k) => file[k]);
    this.#winStart = Int32Array.from(winStart);
    this.#winEnd = Int32Array.from(winEnd);
    this.#winFile = Int32Array.from(winFile);
    this.#winScored = Uint8Array.from(winScored);
  }

  /**
   * Scores the files selected by `use` (all by default) under `profile`:
   * the best threshold over them, or the given `threshold`.
   */
  score(profile: NabProfile, threshold?: number, use?: ArrayLike<boolean>): NabResult {
    const maxTP = sigma(-1);
    const ws = this.#winStart;
    const we = this.#winEnd;
    const tpGain = (win: number, i: number): number =>
      (profile.tpWeight * sigma(-(we[win] - i + 1) / (we[win] - ws[win] + 1))) / maxTP;
    let labelled = 0;
    let scored = 0;
    for (const [fi, f] of this.files.entries()) if (!use || use[fi]) labelled += f.windows.length;
    for (let w = 0; w < ws.length; w++)
      if (this.#winScored[w] && (!use || use[this.#winFile[w]])) scored++;
    const first = new Int32Array(ws.length).fill(-1);
    let raw = -profile.fnWeight * scored;
    let best: NabResult = {
      score: 0,
      threshold: threshold ?? Number.POSITIVE_INFINITY,
      raw,
      tp: 0,
      fp: 0,
      fn: scored,
    };
    let tp = 0;
    let fp = 0;
    const S = this.#s;
    const n = S.length;
    for (let r = 0; r < n; ) {
      const s = S[r];
      if (threshold !== undefined && !(s >= threshold)) break;
      for (; r < n && S[r] === s; r++) {
        if (use && !use[this.#file[r]]) continue;
        const win = this.#win[r];
        const i = this.#i[r];
        if (win < 0) {
          raw += this.#u[r] * profile.fpWeight;
          fp++;
        } else if (first[win] < 0) {
          raw += profile.fnWeight + tpGain(win, i);
          first[win] = i;
          tp++;
        } else if (i < first[win]) {
          raw += tpGain(win, i) - tpGain(win, first[win]);
          first[win] = i;
        }
      }
      if (threshold !== undefined) best = { score: 0, threshold, raw, tp, fp, fn: scored - tp };
      else if (raw > best.raw) best = { score: 0, threshold: s, raw, tp, fp, fn: scored - tp };
    }
    const nul = -profile.fnWeight * scored;
    const perfect = profile.tpWeight * labelled;
    best.score = labelled === 0 ? 0 : (100 * (best.raw - nul)) / (perfect - nul);
    return best;
  }
}

/**
 * Optimises the threshold over the corpus for `profile` and returns the
 * normalised score; with `threshold`, scores the corpus at that fixed
 * threshold instead (e.g. one chosen on other files).
 */
export function nabScore(files: NabFile[], profile: NabProfile, threshold?: number): NabResult {
  return new NabSweep(files).score(profile, threshold);
}

export type NabProfileName = keyof typeof NAB_PROFILES;
const PROFILE_NAMES = Object.keys(NAB_PROFILES) as NabProfileName[];

/** Category of a NAB file name `category/file.csv`. */
export const nabCategory = (name: string): string => name.slice(0, name.indexOf('/'));

export interface NabCvFold {
  /** The held-out category. */
  category: string;
  /** Index of the candidate chosen on the other categories. */
  chosen: number;
  /** Per profile: the threshold chosen on the other categories, and the held-out result at it. */
  threshold: Record<NabProfileName, number>;
  heldOut: Record<NabProfileName, NabResult>;
}

export interface NabCvResult {
  folds: NabCvFold[];
  /** Mean of the held-out normalised scores over the folds whose category has windows. */
  mean: Record<NabProfileName, number>;
  /**
   * Every file scored at the threshold (and with the candidate) chosen
   * without its category, summed and normalised over the whole corpus as NAB
   * does: the held-out counterpart of the plain corpus score.
   */
  pooled: Record<NabProfileName, number>;
}

/**
 * Leave-one-category-out cross-validation. `candidates[k]` is the corpus
 * scored by candidate k (the same files in the same order for every
 * candidate). For each category: the candidate with the best summed
 * normalised score over the three profiles on the other categories is
 * chosen (one detector for all profiles, as NAB's scoreboard), each
 * profile's threshold is optimised on the other categories, and the held-out
 * category is scored at it. With one candidate only the threshold is chosen
 * out of sample.
 */
export function crossValidateByCategory(candidates: Array<NabFile[] | NabSweep>): NabCvResult {
  if (candidates.length === 0) throw new RangeError('crossValidateByCategory: no candidates');
  const sweeps = candidates.map((c) => (c instanceof NabSweep ? c : new NabSweep(c)));
  const files0 = sweeps[0].files;
  const cats = [...new Set(files0.map((f) => nabCategory(f.name)))].sort();
  const folds: NabCvFold[] = [];
  const rec = <T>(f: (p: NabProfileName) => T): Record<NabProfileName, T> =>
    Object.fromEntries(PROFILE_NAMES.map((p) => [p, f(p)])) as Record<NabProfileName, T>;
  for (const cat of cats) {
    const test = files0.map((f) => nabCategory(f.name) === cat);
    const train = test.map((x) => !x);
    let best = -1;
    let bestSum = Number.NEGATIVE_INFINITY;
    let bestTrain: Record<NabProfileName, NabResult> | undefined;
    sweeps.forEach((sw, k) => {
      const r = rec((p) => sw.score(NAB_PROFILES[p], undefined, train));
      const sum = PROFILE_NAMES.reduce((a, p) => a + r[p].score, 0);
      if (sum > bestSum) {
        bestSum = sum;
        best = k;
        bestTrain = r;
      }
    });
    const chosen = bestTrain as Record<NabProfileName, NabResult>;
    folds.push({
      category: cat,
      chosen: best,
      threshold: rec((p) => chosen[p].threshold),
      heldOut: rec((p) => sweeps[best].score(NAB_PROFILES[p], chosen[p].threshold, test)),
    });
  }
  const labelled = files0.reduce((a, f) => a + f.windows.length, 0);
  const withWindows = folds.filter((f) => f.heldOut.standard.tp + f.heldOut.standard.fn > 0);
  return {
    folds,
    mean: rec(
      (p) =>
        withWindows.reduce((a, f) => a + f.heldOut[p].score, 0) / Math.max(1, withWindows.length),
    ),
    pooled: rec((p) => {
      const w = NAB_PROFILES[p];
      const raw = folds.reduce((a, f) => a + f.heldOut[p].raw, 0);
      const scored = folds.reduce((a, f) => a + f.heldOut[p].tp + f.heldOut[p].fn, 0);
      const nul = -w.fnWeight * scored;
      return labelled === 0 ? 0 : (100 * (raw - nul)) / (w.tpWeight * labelled - nul);
    }),
  };
}
