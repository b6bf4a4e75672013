import { checkSnapshot } from '../../core/state-codec';
import { describeValue, EdgewiseError } from '../../errors';
import { checkBatch, type DetectorSnapshot, type StreamingDetectorApi } from '../streaming';
import { Art, initRho } from './art';
import { haar8, juliaSum, roundEven } from './numerics';
import {
  type ARTimeOptions,
  CHOMP,
  DIM,
  DIM2,
  KIND,
  MASK,
  MAX_ABS,
  MAX_HISTORY,
  NLEVELS,
  type ResolvedOptions,
  resolveOptions,
  SNAPSHOT_VERSION,
  WIN,
} from './options';
import { type ARTimeState, corrupt, emptyCalibrator, floats, int, num } from './state';

/** ARTime as a streaming detector. See `ARTimeOptions` (./options.ts) for the algorithm and its two modes. */
export class ARTimeDetector implements StreamingDetectorApi {
  readonly kind = KIND;
  /** Records before the first possible non-zero score (the probation). */
  readonly warmup: number;
  /** Downsampling step: one feature vector every `sstep` records. */
  readonly sstep: number;
  readonly #o: ResolvedOptions;
  readonly #options: ARTimeOptions;

  // counters
  #i = 1; // 1-based index of the next record (ARTime's p.i)
  #rejected = 0;
  #last = 0;
  // value range
  #lo = Number.POSITIVE_INFINITY; // streaming mode: min / max of the training records, then the range
  #hi = Number.NEGATIVE_INFINITY;
  // downsampling
  #dsBuf: Float64Array;
  #dsi = 1;
  #dsAvg = 0;
  #train: Float64Array; // raw downsampled values of the training period
  // levels and running median
  #medbin = new Int32Array(NLEVELS + 1);
  #medlevel = 0;
  #below = 0;
  #above = 0;
  #fwin: Float64Array = new Float64Array(WIN);
  #feat = new Float64Array(DIM);
  #dw = new Float64Array(WIN);
  #fw = new Float64Array(WIN);
  // network and detection state
  #art: Art;
  #lastAnomalyI = 0;
  #lastAnomalySim = 0;
  #lastRhoUpdateI = 0;
  #maskAfterCat = false;
  #noNewCat = 0;
  #history = new Float64Array(16);
  #historyLen = 0;
  #simDiff: Float64Array;
  #simDiffHead = 0;
  #sim: Float64Array;
  #simHead = 0;
  #meanN = 0;
  #meanMu = 0;
  #scratch: Float64Array;

  constructor(options: ARTimeOptions = {}) {
    this.#o = resolveOptions(options);
    this.#options = { ...options };
    const o = this.#o;
    this.warmup = o.sstep * o.trend;
    this.sstep = o.sstep;
    this.#dsBuf = new Float64Array(o.sstep);
    this.#train = new Float64Array(o.trend);
    this.#simDiff = new Float64Array(o.trend + 1);
    this.#sim = new Float64Array((o.trend >> 1) + 1).fill(1);
    this.#scratch = new Float64Array(o.trend + 1);
    this.#art = new Art(o.maxCategories);
    if (o.fixed) {
      this.#lo = o.min;
      this.#hi = o.max;
    }
  }

  /** The options this detector was built with (for `restore` checks and copies). */
  get options(): ARTimeOptions {
    return { ...this.#options };
  }
  /** Training length in records (even). */
  get probation(): number {
    return this.#o.probation;
  }
  get count(): number {
    return this.#i - 1;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get lastRaw(): number {
    return this.#last;
  }
  /** Categories in the network. */
  get categories(): number {
    return this.#art.n;
  }
  /** Current value range [min, max] used for normalisation (NaN before it is known). */
  get range(): [number, number] {
    if (!this.#o.fixed && this.#dsi <= this.#o.trend) return [Number.NaN, Number.NaN];
    return [this.#lo, this.#hi];
  }

  /**
   * Scores then learns one value (timestamps are not used: ARTime works on
   * the record order). A non-finite value, or one beyond +-1e300, is counted
   * in `rejected`, skipped, and scored NaN.
   */
  update(value: number, _timestamp?: number): number {
    if (typeof value !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${KIND}.update: value must be a number, got ${describeValue(value)}.`,
      );
    }
    if (!(Math.abs(value) <= MAX_ABS)) {
      this.#rejected++;
      return Number.NaN;
    }
    return this.#step(value);
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, `${KIND}.updateBatch`);
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (Math.abs(v) <= MAX_ABS) out[k] = this.#step(v);
      else {
        this.#rejected++;
        out[k] = Number.NaN;
      }
    }
    return out;
  }

  #step(value: number): number {
    const o = this.#o;
    const i = this.#i;
    const sstep = o.sstep;
    this.#dsBuf[(i - 1) % sstep] = value;
    if (!o.fixed && this.#dsi <= o.trend) {
      if (value < this.#lo) this.#lo = value;
      if (value > this.#hi) this.#hi = value;
    }
    let anomaly = 0;
    if (i % sstep === 0) {
      const b = this.#dsBuf;
      const mean = juliaSum(b, 0, sstep) / sstep;
      let mx = b[0];
      let mn = b[0];
      for (let k = 1; k < sstep; k++) {
        const v = b[k];
        if (v > mx) mx = v;
        if (v < mn) mn = v;
      }
      const dsi = this.#dsi;
      if (dsi === 1) this.#dsAvg = mean;
      const avg = (this.#dsAvg + mean) / 2;
      this.#dsAvg = avg;
      let ds = mx;
      if (Math.abs(mx - avg) < Math.abs(mn - avg)) ds = mn; // spike below the mean
      if (Math.abs(ds - mean) < 0.1 * mean) ds = mean; // a spike must be at least 10%
      if (dsi < o.trend) this.#train[dsi - 1] = ds;
      else if (dsi === o.trend) {
        this.#train[dsi - 1] = ds;
        this.#trainBatch();
      } else {
        if (!o.fixed) this.#widen(ds);
        this.#features(ds, dsi);
        anomaly = this.#detect(this.#feat, 0, dsi);
      }
      this.#dsi = dsi + 1;
    }
    this.#i = i + 1;
    this.#last = anomaly;
    return anomaly;
  }

  /** Streaming mode: the range takes in a value outside it, with the margin. */
  #widen(ds: number): void {
    if (ds >= this.#lo && ds <= this.#hi) return;
    const lo = Math.min(this.#lo, ds);
    const hi = Math.max(this.#hi, ds);
    const pad = (hi - lo) * this.#o.rangeMargin;
    this.#lo = ds < this.#lo ? lo - pad : lo;
    this.#hi = ds > this.#hi ? hi + pad : hi;
  }

  /** Normalise, quantise, median-chomp `ds` and build the feature vector in #feat (zeros before a full window). */
  #features(ds: number, dsi: number): void {
    const span = this.#hi - this.#lo;
    let v = ds - this.#lo;
    if (span !== 0) v /= span;
    let level = roundEven(v * NLEVELS);
    if (level < 0) level = 0;
    else if (level > NLEVELS) level = NLEVELS;
    let q = level / NLEVELS;
    const bins = this.#medbin;
    bins[level]++;
    const medpos = dsi >> 1;
    if (dsi === 1) this.#medlevel = level;
    if (this.#medlevel > level) this.#below++;
    else if (this.#medlevel < level) this.#above++;
    // not strictly a running median but close enough (ARTime)
    if (medpos < this.#above) {
      this.#below += bins[this.#medlevel];
      this.#medlevel++;
      while (bins[this.#medlevel] === 0) this.#medlevel++;
      this.#above -= bins[this.#medlevel];
    } else if (medpos < this.#below) {
      this.#above += bins[this.#medlevel];
      this.#medlevel--;
      while (bins[this.#medlevel] === 0) this.#medlevel--;
      this.#below -= bins[this.#medlevel];
    }
    const med = this.#medlevel / NLEVELS;
    if (Math.abs(q - med) < CHOMP) q = med;
    const fwin = this.#fwin;
    for (let k = 0; k < WIN - 1; k++) fwin[k] = fwin[k + 1];
    fwin[WIN - 1] = q;
    const f = this.#feat;
    if (dsi < WIN) {
      f.fill(0);
      return;
    }
    const dw = this.#dw;
    let mn = fwin[0];
    for (let k = 1; k < WIN; k++) if (fwin[k] < mn) mn = fwin[k];
    let mx = 0;
    for (let k = 0; k < WIN; k++) {
      dw[k] = fwin[k] - mn;
      if (k === 0 || dw[k] > mx) mx = dw[k];
    }
    if (mx !== 0) for (let k = 0; k < WIN; k++) dw[k] /= mx;
    haar8(dw, this.#fw);
    const fw = this.#fw;
    let fmn = fw[0];
    for (let k = 1; k < WIN; k++) if (fw[k] < fmn) fmn = fw[k];
    let fmx = 0;
    for (let k = 0; k < WIN; k++) {
      fw[k] -= fmn;
      if (k === 0 || fw[k] > fmx) fmx = fw[k];
    }
    for (let k = 0; k < WIN; k++) {
      f[k] = fmx !== 0 ? fw[k] / fmx : fw[k];
      f[WIN + k] = fwin[k];
    }
  }

  /** End of the training period: features of the buffered values, starting vigilance, batch training. */
  #trainBatch(): void {
    const o = this.#o;
    const tw = o.trend;
    if (!o.fixed) {
      let lo = this.#lo;
      let hi = this.#hi;
      let span = hi - lo;
      if (span === 0) span = Math.abs(lo) > 0 ? Math.abs(lo) : 1;
      lo -= span * o.rangeMargin;
      hi += span * o.rangeMargin;
      if (hi === lo) hi = lo + 1;
      this.#lo = lo;
      this.#hi = hi;
    }
    const feats = new Float64Array(tw * DIM);
    for (let k = 0; k < tw; k++) {
      this.#features(this.#train[k], k + 1);
      feats.set(this.#feat, k * DIM);
    }
    const rho = initRho(feats, tw, o.maxCategories);
    this.#art.rhoLb = rho;
    this.#art.rhoUb = rho;
    for (let k = 0; k < tw; k++) this.#detect(feats, k * DIM, k + 1);
  }

  #detect(f: Float64Array, off: number, i: number): number {
    const o = this.#o;
    const tw = o.trend;
    const art = this.#art;
    const sinceAnomaly = i - this.#lastAnomalyI;
    const updateAfterAnomaly = sinceAnomaly === MASK;
    const updateForTrend = i - this.#lastRhoUpdateI >= tw >> 1;
    const maskAfterAnomaly = sinceAnomaly <= MASK;
    if (i > tw + MASK && this.#maskAfterCat && this.#noNewCat >= MASK) this.#maskAfterCat = false;
    let cat: boolean; // true: a new category (ARTime's cat == -1)
    if (i < WIN) {
      art.train(f, off, false, i);
      cat = true;
    } else cat = art.train(f, off, true, i);
    this.#noNewCat = cat ? 0 : this.#noNewCat + 1;
    const a = art.a;
    this.#meanN++;
    this.#meanMu += (1 / this.#meanN) * (a - this.#meanMu);
    this.#sim[this.#simHead] = a;
    this.#simHead = (this.#simHead + 1) % this.#sim.length;
    this.#simDiff[this.#simDiffHead] = art.rhoUb - a;
    this.#simDiffHead = (this.#simDiffHead + 1) % this.#simDiff.length;
    if (sinceAnomaly < MASK && this.#historyLen > 0) {
      const h = this.#historyLen - 1;
      if (a < this.#history[h]) this.#history[h] = a;
    }
    const masking = this.#maskAfterCat || maskAfterAnomaly;
    const belowLast = a < this.#lastAnomalySim * (maskAfterAnomaly ? 0.9 : 0.7);
    let anomaly = 0;
    if (i > tw && cat && (!masking || belowLast)) {
      anomaly = this.#confidence(a, art.ae);
      this.#pushHistory(a);
      this.#lastAnomalySim = a;
      this.#lastAnomalyI = i;
    }
    this.#maskAfterCat = cat || this.#maskAfterCat;
    if (i > tw && (updateAfterAnomaly || updateForTrend)) {
      let minSim = this.#sim[0];
      for (let k = 1; k < this.#sim.length; k++) if (this.#sim[k] < minSim) minSim = this.#sim[k];
      const ub = Math.min(0.97, this.#meanMu);
      const prevLb = art.rhoLb;
      let lb: number;
      if (prevLb <= minSim) lb = prevLb + (minSim - prevLb) * 0.19;
      else {
        let decr = 0;
        if (i > tw * 2) {
          const s = this.#scratch;
          const d = this.#simDiff;
          const len = d.length;
          let n = 0;
          for (let k = 0; k < len; k++) {
            const x = d[(this.#simDiffHead + k) % len];
            if (x > 0.05) s[n++] = Math.min(0.37, x);
          }
          if (n > 0) decr = juliaSum(s, 0, n) / n;
        }
        decr = Math.max(0.01, decr);
        lb = prevLb - decr / 2;
        if (this.#historyLen > 0) {
          lb = Math.max(juliaSum(this.#history, 0, this.#historyLen) / this.#historyLen, lb);
        }
      }
      lb = Math.min(ub, lb);
      art.rhoLb = lb;
      art.rhoUb = ub;
      this.#lastRhoUpdateI = i;
      this.#maskAfterCat = true;
    }
    return anomaly;
  }

  #pushHistory(a: number): void {
    if (this.#historyLen === MAX_HISTORY) {
      this.#history.copyWithin(0, 1);
      this.#historyLen--;
    } else if (this.#historyLen === this.#history.length) {
      const h = new Float64Array(this.#history.length * 2);
      h.set(this.#history);
      this.#history = h;
    }
    this.#history[this.#historyLen++] = a;
  }

  #confidence(sim: number, energy: number): number {
    const art = this.#art;
    const fs = Math.min(0.999, sim);
    const ub = (1 - fs - (1 - art.rhoUb)) / (1 - fs);
    const lb = (1 - fs - (1 - art.rhoLb)) / (1 - fs);
    let s = ub * 0.35 + lb * 0.65 + (1.0 - energy) * 1.5;
    s = Math.min(1.0, s);
    return roundEven(s * 1e6) / 1e6;
  }

  /**
   * The detector's whole state, versioned; JSON-safe. The snapshot carries
   * an empty `calibrator` (ARTime's score is not calibrated) so that it has
   * the shape of every other detector's snapshot.
   */
  snapshot(): DetectorSnapshot {
    const o = this.#o;
    const art = this.#art;
    const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const state: ARTimeState = {
      config: {
        probation: o.probation,
        min: o.fixed ? o.min : null,
        max: o.fixed ? o.max : null,
        rangeMargin: o.rangeMargin,
        maxCategories: o.maxCategories,
      },
      last: this.#last,
      lo: fin(this.#lo),
      hi: fin(this.#hi),
      dsBuf: Array.from(this.#dsBuf),
      dsi: this.#dsi,
      dsAvg: this.#dsAvg,
      train: Array.from(this.#train),
      medbin: Array.from(this.#medbin),
      medlevel: this.#medlevel,
      below: this.#below,
      above: this.#above,
      fwin: Array.from(this.#fwin),
      categories: art.n,
      rhoLb: art.rhoLb,
      rhoUb: art.rhoUb,
      lastBest: art.lastBest,
      w: Array.from(art.w.subarray(0, art.n * DIM2)),
      used: Array.from(art.used.subarray(0, art.n)),
      lastAnomalyI: this.#lastAnomalyI,
      lastAnomalySim: this.#lastAnomalySim,
      lastRhoUpdateI: this.#lastRhoUpdateI,
      maskAfterCat: this.#maskAfterCat,
      noNewCat: this.#noNewCat,
      history: Array.from(this.#history.subarray(0, this.#historyLen)),
      simDiff: Array.from(this.#simDiff),
      simDiffHead: this.#simDiffHead,
      sim: Array.from(this.#sim),
      simHead: this.#simHead,
      meanN: this.#meanN,
      meanMu: this.#meanMu,
    };
    return {
      kind: KIND,
      version: SNAPSHOT_VERSION,
      n: this.#i - 1,
      rejected: this.#rejected,
      calibrator: emptyCalibrator(),
      state,
    };
  }

  /**
   * Resumes from a `snapshot()` of an ARTimeDetector built with the same
   * options. A snapshot that is not one (or was altered) is refused with
   * CORRUPT_STATE, another version with UNSUPPORTED_VERSION; either way the
   * detector is left unchanged.
   */
  restore(snapshot: DetectorSnapshot): this {
    const s = snapshot as Partial<DetectorSnapshot> | null;
    checkSnapshot(s, { kind: KIND, version: SNAPSHOT_VERSION, where: `${KIND}.restore` });
    // the score is not calibrated: the snapshot's calibrator is always the empty one
    if (JSON.stringify(s.calibrator) !== JSON.stringify(emptyCalibrator())) {
      throw corrupt('the calibrator is not the empty one');
    }
    const o = this.#o;
    const st = s.state as ARTimeState;
    if (!st || typeof st !== 'object' || !st.config || typeof st.config !== 'object') {
      throw corrupt('the snapshot has no state');
    }
    const c = st.config;
    if (
      c.probation !== o.probation ||
      c.rangeMargin !== o.rangeMargin ||
      c.maxCategories !== o.maxCategories ||
      (o.fixed ? c.min !== o.min || c.max !== o.max : c.min !== null || c.max !== null)
    ) {
      throw corrupt(
        'the snapshot was taken with other options (probation, min/max, rangeMargin or maxCategories)',
      );
    }
    const n = int(s.n, 0, Number.MAX_SAFE_INTEGER - 1, 'n');
    const rejected = int(s.rejected, 0, Number.MAX_SAFE_INTEGER, 'rejected');
    const dsi = int(st.dsi, 1, Number.MAX_SAFE_INTEGER, 'dsi');
    if (dsi - 1 !== Math.floor(n / o.sstep))
      throw corrupt('the record and feature counts disagree');
    const cats = int(st.categories, 0, o.maxCategories, 'categories');
    const art = new Art(o.maxCategories, Math.max(cats, 16));
    art.n = cats;
    art.w.set(floats(st.w, cats * DIM2, 'w', 0, 1));
    art.used.set(floats(st.used, cats, 'used'));
    for (let j = 0; j < cats; j++) art.cache(j);
    art.rhoLb = num(st.rhoLb, 'rhoLb');
    art.rhoUb = num(st.rhoUb, 'rhoUb');
    art.lastBest = int(st.lastBest, 0, Math.max(0, cats - 1), 'lastBest');
    const medbin = Int32Array.from(
      floats(st.medbin, NLEVELS + 1, 'medbin', 0, Number.MAX_SAFE_INTEGER),
    );
    if (medbin.some((v, k) => v !== st.medbin[k])) throw corrupt('medbin must hold integers');
    const trained = dsi > o.trend;
    const levelled = trained ? dsi - 1 : 0;
    if (medbin.reduce((a, b) => a + b, 0) !== levelled || trained !== cats > 0) {
      throw corrupt('the level histogram or the network does not match the record count');
    }
    const medlevel = int(st.medlevel, 0, NLEVELS, 'medlevel');
    if (levelled > 0 && medbin[medlevel] === 0) throw corrupt('the median level is empty');
    const history = floats(st.history, -1, 'history');
    if (history.length > MAX_HISTORY) throw corrupt(`history holds at most ${MAX_HISTORY} values`);
    const lo = st.lo === null && !o.fixed && !trained ? Number.POSITIVE_INFINITY : num(st.lo, 'lo');
    const hi = st.hi === null && !o.fixed && !trained ? Number.NEGATIVE_INFINITY : num(st.hi, 'hi');
    if (o.fixed ? lo !== o.min || hi !== o.max : Number.isFinite(lo) && !(hi >= lo)) {
      throw corrupt('the value range is inconsistent');
    }
    const next = {
      last: num(st.last, 'last', 0, 1),
      dsBuf: floats(st.dsBuf, o.sstep, 'dsBuf'),
      dsAvg: num(st.dsAvg, 'dsAvg'),
      train: floats(st.train, o.trend, 'train'),
      fwin: floats(st.fwin, WIN, 'fwin', 0, 1),
      below: int(st.below, 0, levelled, 'below'),
      above: int(st.above, 0, levelled, 'above'),
      lastAnomalyI: int(st.lastAnomalyI, 0, dsi, 'lastAnomalyI'),
      lastAnomalySim: num(st.lastAnomalySim, 'lastAnomalySim'),
      lastRhoUpdateI: int(st.lastRhoUpdateI, 0, dsi, 'lastRhoUpdateI'),
      noNewCat: int(st.noNewCat, 0, dsi, 'noNewCat'),
      simDiff: floats(st.simDiff, o.trend + 1, 'simDiff'),
      simDiffHead: int(st.simDiffHead, 0, o.trend, 'simDiffHead'),
      sim: floats(st.sim, (o.trend >> 1) + 1, 'sim'),
      simHead: int(st.simHead, 0, o.trend >> 1, 'simHead'),
      meanN: int(st.meanN, 0, dsi, 'meanN'),
      meanMu: num(st.meanMu, 'meanMu'),
    };
    if (typeof st.maskAfterCat !== 'boolean') throw corrupt('maskAfterCat must be a boolean');
    // all checked: commit
    this.#i = n + 1;
    this.#rejected = rejected;
    this.#last = next.last;
    this.#lo = lo;
    this.#hi = hi;
    this.#dsBuf = next.dsBuf;
    this.#dsi = dsi;
    this.#dsAvg = next.dsAvg;
    this.#train = next.train;
    this.#medbin = medbin;
    this.#medlevel = medlevel;
    this.#below = next.below;
    this.#above = next.above;
    this.#fwin = next.fwin;
    this.#art = art;
    this.#lastAnomalyI = next.lastAnomalyI;
    this.#lastAnomalySim = next.lastAnomalySim;
    this.#lastRhoUpdateI = next.lastRhoUpdateI;
    this.#maskAfterCat = st.maskAfterCat;
    this.#noNewCat = next.noNewCat;
    this.#history = new Float64Array(Math.max(16, history.length));
    this.#history.set(history);
    this.#historyLen = history.length;
    this.#simDiff = next.simDiff;
    this.#simDiffHead = next.simDiffHead;
    this.#sim = next.sim;
    this.#simHead = next.simHead;
    this.#meanN = next.meanN;
    this.#meanMu = next.meanMu;
    return this;
  }
}
