import { describeValue, EdgewiseError } from '../../errors';
import { checkBatch, type DetectorSnapshot, type StreamingDetectorApi } from '../streaming';
import {
  type CadOseOptions,
  type Config,
  KIND,
  NEURON_BASE,
  resolve,
  SENSOR_BASE,
  VERSION,
} from './options';
import { emptyCalibrator, parseCadOseState } from './state';
import {
  growF64,
  growI32,
  hHi,
  hLo,
  IntDict,
  Set128,
  Side,
  selectTop,
  tupleHash,
} from './structures';

/** Streaming CAD OSE detector (see `CadOseOptions`, ./options.ts, for the algorithm and the two range modes). */
export class CadOseDetector implements StreamingDetectorApi {
  readonly kind = KIND;
  readonly #cfg: Config;
  #n = 0;
  #rejected = 0;
  #lastRaw = 0;
  #lo = Number.POSITIVE_INFINITY;
  #hi = Number.NEGATIVE_INFINITY;
  // semi-contexts (0: left, 1: right) and contexts
  #left = new Side();
  #right = new Side();
  #dicts: IntDict[] = [];
  #nCtx = 0;
  #ctxLeft = new Int32Array(256);
  #ctxRight = new Int32Array(256);
  #ctxZero = new Uint8Array(256);
  /** Left semi-contexts with at least one zero-level context. */
  #hasZero = new Uint8Array(256);
  #ctxAct = new Float64Array(256); // times fully active
  /** Sensor facts of a right semi-context as a bit mask over 65536 + j. */
  #rightMask = new Int32Array(256);
  // facts of the previous step (sorted): sensor facts then neuron facts
  #leftGroup = new Uint32Array(0);
  // recent scores for the rest period (ring), and how many are >= threshold
  #hist: Float64Array;
  #histHead = 0;
  #histLen = 0;
  #hot = 0;
  // scratch
  #active = new Int32Array(64);
  #top: Int32Array;
  #potFacts: number[][] = [];
  #potHash: number[] = [];
  #potLeft = new Int32Array(64);
  #potRight = new Int32Array(64);
  #seen = new Set128();
  #contained = new Int32Array(64);
  /** Right tuples by sensor-fact mask: index, facts and hash. */
  #rtIndex = new Map<number, number>();
  #rtFacts: number[][] = [];
  #rtHash: number[] = [];
  #newCtx = 0;

  constructor(options: CadOseOptions = {}) {
    this.#cfg = resolve(options);
    this.#hist = new Float64Array(this.#cfg.restPeriod);
    this.#top = new Int32Array(this.#cfg.maxActiveNeurons);
    this.#pushScore(1);
  }

  /** The options in force (a copy). */
  get options(): Readonly<Required<Omit<CadOseOptions, 'length' | 'min' | 'max'>>> & {
    min?: number;
    max?: number;
  } {
    const c = this.#cfg;
    return {
      ...(Number.isNaN(c.min) ? {} : { min: c.min, max: c.max }),
      restPeriod: c.restPeriod,
      threshold: c.threshold,
      maxLeftSemiContexts: c.maxLeftSemiContexts,
      maxActiveNeurons: c.maxActiveNeurons,
      valueBits: c.valueBits,
      maxContexts: c.maxContexts,
      rangeMargin: c.rangeMargin,
    };
  }
  get count(): number {
    return this.#n;
  }
  get rejected(): number {
    return this.#rejected;
  }
  /** The score of the last update before the rest period is applied. */
  get lastRaw(): number {
    return this.#lastRaw;
  }
  /** Contexts learned so far (memory grows with it). */
  get contexts(): number {
    return this.#nCtx;
  }

  #pushScore(s: number): void {
    const cap = this.#hist.length;
    const t = this.#cfg.threshold;
    if (this.#histLen === cap) {
      if (this.#hist[this.#histHead] >= t) this.#hot--;
    } else this.#histLen++;
    this.#hist[this.#histHead] = s;
    if (s >= t) this.#hot++;
    this.#histHead = (this.#histHead + 1) % cap;
  }

  /** Bucket index of x in [0, 2^bits - 1]. */
  #bucket(x: number): number {
    const c = this.#cfg;
    const maxBin = 2 ** c.valueBits - 1;
    let lo = c.min;
    let hi = c.max;
    if (Number.isNaN(lo)) {
      if (x < this.#lo || x > this.#hi) {
        // widen to x, plus a margin of the width so far
        const pad = Number.isFinite(this.#lo) ? c.rangeMargin * (this.#hi - this.#lo) : 0;
        if (x < this.#lo) this.#lo = x - pad;
        if (x > this.#hi) this.#hi = x + pad;
      }
      lo = this.#lo;
      hi = this.#hi;
    }
    let range = hi - lo;
    if (range === 0) range = maxBin;
    const step = range / maxBin;
    const b = Math.trunc((x - lo) / step);
    return b <= 0 ? 0 : Math.min(b, maxBin);
  }

  update(value: number, _timestamp?: number): number {
    if (typeof value !== 'number') {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `${KIND}.update: value must be a number, got ${describeValue(value)}.`,
      );
    }
    if (!Number.isFinite(value)) {
      this.#rejected++;
      return Number.NaN;
    }
    const bits = this.#cfg.valueBits;
    const b = this.#bucket(value);
    // sensor facts: 2k + (bit k of b), ascending
    let sensMask = 0;
    for (let k = 0; k < bits; k++) sensMask |= 1 << (2 * k + ((b >>> k) & 1));
    const [a1, a2] = this.#step(sensMask);
    const score = (1.0 - a1 + a2) / 2.0;
    const out = this.#hot === 0 ? score : 0.0;
    this.#pushScore(score);
    this.#lastRaw = score;
    this.#n++;
    return out;
  }

  updateBatch(values: ArrayLike<number>, timestamps?: ArrayLike<number>): Float64Array {
    checkBatch(values, timestamps, `${KIND}.updateBatch`);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.update(values[i]);
    return out;
  }

  #sensFacts(mask: number, out: number[]): number[] {
    out.length = 0;
    for (let j = 0; mask !== 0; j++, mask >>>= 1) if (mask & 1) out.push(SENSOR_BASE + j);
    return out;
  }

  #addContext(l: number, r: number, zero: number): void {
    const id = this.#nCtx++;
    if (id >= this.#ctxLeft.length) {
      const cap = this.#ctxLeft.length * 2;
      this.#ctxLeft = growI32(this.#ctxLeft, cap);
      this.#ctxRight = growI32(this.#ctxRight, cap);
      const z = new Uint8Array(cap);
      z.set(this.#ctxZero);
      this.#ctxZero = z;
      this.#ctxAct = growF64(this.#ctxAct, cap);
    }
    this.#ctxLeft[id] = l;
    this.#ctxRight[id] = r;
    this.#ctxZero[id] = zero;
    if (zero === 1) this.#markZero(l);
  }

  /** Left semi-context s has a zero-level context. */
  #markZero(s: number): void {
    if (s >= this.#hasZero.length) {
      const z = new Uint8Array(Math.max(s + 1, this.#hasZero.length * 2));
      z.set(this.#hasZero);
      this.#hasZero = z;
    }
    this.#hasZero[s] = 1;
  }

  #rightSemi(facts: number[], h: number, l: number): number {
    const R = this.#right;
    const before = R.n;
    const r = R.find(facts, 0, facts.length, h, l);
    if (r === before) {
      this.#rightMask = growI32(this.#rightMask, R.n);
      let m = 0;
      for (const f of facts) m |= 1 << (f - SENSOR_BASE);
      this.#rightMask[r] = m;
    }
    return r;
  }

  #leftSemi(facts: ArrayLike<number>, len: number, h: number, l: number): number {
    const L = this.#left;
    const before = L.n;
    const s = L.find(facts, 0, len, h, l);
    if (s === before) this.#dicts.push(new IntDict());
    return s;
  }

  /** One step of the context machinery; returns [share active, share new]. */
  #step(sensMask: number): [number, number] {
    const cfg = this.#cfg;
    const L = this.#left;
    const R = this.#right;
    const sens = this.#sensFacts(sensMask, []);
    const prev = this.#leftGroup;
    // the left semi-contexts that existed when `prev` was formed (the reference crosses them then)
    const limit = L.n;
    let newFlag = false;
    let zlh = 0;
    let zll = 0;
    let zrh = 0;
    let zrl = 0;
    if (prev.length > 0) {
      // the zero-level context (previous facts -> current sensor facts)
      tupleHash(prev, 0, prev.length);
      zlh = hHi;
      zll = hLo;
      tupleHash(sens, 0, sens.length);
      zrh = hHi;
      zrl = hLo;
      let s: number;
      let r: number;
      let c: number;
      if (this.#nCtx < cfg.maxContexts) {
        s = this.#leftSemi(prev, prev.length, zlh, zll);
        r = this.#rightSemi(sens, zrh, zrl);
        const next = this.#nCtx;
        c = this.#dicts[s].setdefault(r, next);
        if (c === next) {
          this.#addContext(s, r, 1);
          this.#newCtx = c;
          newFlag = true;
        }
      } else {
        // memory is full: only existing contexts are recognised
        s = L.byHash.get(zlh, zll);
        r = R.byHash.get(zrh, zrl);
        c = s >= 0 && r >= 0 ? this.#dicts[s].get(r) : -1;
      }
      if (c >= 0 && !newFlag && this.#ctxZero[c] === 0) {
        this.#ctxZero[c] = 1;
        this.#dicts[s].dirty = true;
        this.#markZero(s);
      }
    }
    R.cross(sens, sens.length, false, R.n);

    // review the left semi-contexts crossed at the previous step
    const skip = this.#newCtx; // 0 when no new context: the reference never reviews context 0 then
    const maxLeft = cfg.maxLeftSemiContexts;
    const ctxAct = this.#ctxAct;
    const ctxZero = this.#ctxZero;
    const rCount = R.count;
    const rLen = R.len;
    let active = this.#active;
    let nActive = 0;
    let nSel = 0;
    // potential new contexts: left tuple (index into potFacts/potHash) and right facts (mask)
    const potFacts = this.#potFacts;
    const potHash = this.#potHash;
    potFacts.length = 0;
    potHash.length = 0;
    let potLeft = this.#potLeft;
    let potRight = this.#potRight;
    let nPot = 0;
    const dicts = this.#dicts;
    const rightMask = this.#rightMask;
    // Only steps that made a new zero-level context propose new contexts, and
    // only those need the partial overlaps; other steps need the left
    // semi-contexts contained in `prev`, found from their largest fact.
    const hasZero = this.#hasZero;
    let crossedL: Int32Array;
    if (newFlag) {
      L.cross(prev, prev.length, true, limit);
      crossedL = L.crossed;
    } else crossedL = this.#containedIn(prev, limit);
    for (let i = 0; i < crossedL.length; i++) {
      const s = crossedL[i];
      const cnt = newFlag ? L.count[s] : L.len[s];
      const full = cnt === L.len[s];
      const grow = newFlag && cnt <= maxLeft; // may propose new contexts
      if (!full && !(grow && hasZero[s] === 1)) continue;
      const d = dicts[s];
      d.dense(ctxZero);
      let lt = -1;
      if (full) {
        const dk = d.dk;
        const dv = d.dv;
        for (let j = 0; j < dk.length; j++) {
          const c = dv[j];
          if (c === skip) continue;
          const r = dk[j];
          const rc = rCount[r];
          nSel++;
          if (rc === 0) continue;
          if (rc === rLen[r]) {
            ctxAct[c]++;
            if (nActive === active.length) active = this.#active = growI32(active, nActive * 2);
            active[nActive++] = c;
          } else if (grow && ctxZero[c] === 1) {
            if (lt < 0) lt = this.#leftTuple(s, prev);
            if (nPot === potLeft.length) {
              potLeft = this.#potLeft = growI32(potLeft, nPot * 2);
              potRight = this.#potRight = growI32(potRight, nPot * 2);
            }
            potLeft[nPot] = lt;
            potRight[nPot++] = rightMask[r] & sensMask;
          }
        }
      } else {
        const zk = d.zk;
        const zv = d.zv;
        for (let j = 0; j < zk.length; j++) {
          const c = zv[j];
          const r = zk[j];
          if (c === skip || rCount[r] === 0) continue;
          if (lt < 0) lt = this.#leftTuple(s, prev);
          if (nPot === potLeft.length) {
            potLeft = this.#potLeft = growI32(potLeft, nPot * 2);
            potRight = this.#potRight = growI32(potRight, nPot * 2);
          }
          potLeft[nPot] = lt;
          potRight[nPot++] = rightMask[r] & sensMask;
        }
      }
    }
    this.#newCtx = 0;

    let shareNew = 0;
    if (newFlag) {
      // distinct potential new contexts, the zero-level one included
      const seen = this.#seen;
      seen.clear();
      seen.add(zlh, zll, zrh, zrl);
      for (let i = 0; i < nPot; i++) {
        const lt = potLeft[i];
        const rt = this.#rightTuple(potRight[i]);
        seen.add(
          potHash[2 * lt],
          potHash[2 * lt + 1],
          this.#rtHash[2 * rt],
          this.#rtHash[2 * rt + 1],
        );
      }
      const nUniq = seen.size;
      // create the potential new contexts, in order
      let added = 0;
      for (let i = 0; i < nPot; i++) {
        if (this.#nCtx >= cfg.maxContexts) break; // memory is full
        const lt = potLeft[i];
        const lf = potFacts[lt];
        const sl = this.#leftSemi(lf, lf.length, potHash[2 * lt], potHash[2 * lt + 1]);
        const rt = this.#rightTuple(potRight[i]);
        const r = this.#rightSemi(
          this.#rtFacts[rt],
          this.#rtHash[2 * rt],
          this.#rtHash[2 * rt + 1],
        );
        const next = this.#nCtx;
        if (dicts[sl].setdefault(r, next) === next) {
          this.#addContext(sl, r, 0);
          added++;
        }
      }
      added += 1;
      if (nUniq > 0) shareNew = added / nUniq;
    }
    const shareActive = nSel > 0 ? nActive / nSel : 0.0;

    // the maxActiveNeurons most active contexts (by activations, then hashes)
    const nTop = this.#selectTop(active, nActive);
    const top = this.#top.subarray(0, nTop).sort();
    const group = new Uint32Array(sens.length + nTop);
    for (let k = 0; k < sens.length; k++) group[k] = sens[k];
    for (let k = 0; k < nTop; k++) group[sens.length + k] = NEURON_BASE + top[k];
    this.#leftGroup = group;

    return [shareActive, shareNew];
  }

  /** Left semi-contexts with id < limit whose facts are all in `group` (sorted). */
  #containedIn(group: Uint32Array, limit: number): Int32Array {
    const L = this.#left;
    let out = this.#contained;
    let n = 0;
    for (let k = 0; k < group.length; k++) {
      const list = L.byMax.get(group[k]);
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const s = list[j];
        if (s >= limit) continue;
        // facts of s (sorted, the last one is group[k]) all in group[0..k]?
        let a = L.start[s];
        const end = a + L.len[s] - 1;
        let b = 0;
        while (a < end && b < k) {
          const x = L.facts[a];
          const y = group[b];
          if (x === y) {
            a++;
            b++;
          } else if (x > y) b++;
          else break;
        }
        if (a < end) continue;
        if (n === out.length) out = this.#contained = growI32(out, n * 2);
        out[n++] = s;
      }
    }
    return out.subarray(0, n);
  }

  /** Index (into #potFacts / #potHash) of the facts of left semi-context s found in `group`. */
  #leftTuple(s: number, group: Uint32Array): number {
    const f = this.#intersect(s, group);
    tupleHash(f, 0, f.length);
    this.#potFacts.push(f);
    this.#potHash.push(hHi, hLo);
    return this.#potFacts.length - 1;
  }

  /** Index (into #rtFacts / #rtHash) of the sensor facts of `mask`. */
  #rightTuple(mask: number): number {
    let t = this.#rtIndex.get(mask);
    if (t === undefined) {
      const f = this.#sensFacts(mask, []);
      tupleHash(f, 0, f.length);
      t = this.#rtFacts.length;
      this.#rtFacts.push(f);
      this.#rtHash.push(hHi, hLo);
      this.#rtIndex.set(mask, t);
    }
    return t;
  }

  /** Facts of left semi-context s that are in the sorted list `group`. */
  #intersect(s: number, group: Uint32Array): number[] {
    const L = this.#left;
    const out: number[] = [];
    let a = L.start[s];
    const end = a + L.len[s];
    let b = 0;
    while (a < end && b < group.length) {
      const x = L.facts[a];
      const y = group[b];
      if (x === y) {
        out.push(x);
        a++;
        b++;
      } else if (x < y) a++;
      else b++;
    }
    return out;
  }

  /** Keeps in #top the k largest active contexts (any order); returns how many. */
  #selectTop(active: Int32Array, n: number): number {
    return selectTop(
      active,
      n,
      this.#cfg.maxActiveNeurons,
      this.#top,
      this.#ctxAct,
      this.#ctxLeft,
      this.#ctxRight,
      this.#left,
      this.#right,
    );
  }

  /** The options as saved in snapshots (JSON has no NaN: an unset range is null). */
  #configJson() {
    const o = this.options;
    return { ...o, min: o.min ?? null, max: o.max ?? null };
  }

  /**
   * The whole state, versioned and JSON-safe (the learned contexts, so its size
   * grows with `contexts`). The `calibrator` field is empty: CAD OSE's score is
   * not calibrated.
   */
  snapshot(): DetectorSnapshot {
    const L = this.#left;
    const R = this.#right;
    const hist: number[] = [];
    const cap = this.#hist.length;
    for (let i = 0; i < this.#histLen; i++) {
      hist.push(this.#hist[(this.#histHead - this.#histLen + i + cap) % cap]);
    }
    return {
      kind: KIND,
      version: VERSION,
      n: this.#n,
      rejected: this.#rejected,
      calibrator: emptyCalibrator(),
      state: {
        config: this.#configJson(),
        lastRaw: this.#lastRaw,
        lo: Number.isFinite(this.#lo) ? this.#lo : null,
        hi: Number.isFinite(this.#hi) ? this.#hi : null,
        leftLen: Array.from(L.len.subarray(0, L.n)),
        leftFacts: Array.from(L.facts.subarray(0, L.factsUsed)),
        rightLen: Array.from(R.len.subarray(0, R.n)),
        rightFacts: Array.from(R.facts.subarray(0, R.factsUsed)),
        ctxLeft: Array.from(this.#ctxLeft.subarray(0, this.#nCtx)),
        ctxRight: Array.from(this.#ctxRight.subarray(0, this.#nCtx)),
        ctxZero: Array.from(this.#ctxZero.subarray(0, this.#nCtx)),
        ctxAct: Array.from(this.#ctxAct.subarray(0, this.#nCtx)),
        leftGroup: Array.from(this.#leftGroup),
        hist,
      },
    };
  }

  /** Resumes from a `snapshot()`: every field is checked first (see `parseCadOseState`), so a refused snapshot changes nothing. */
  restore(snapshot: DetectorSnapshot): this {
    const p = parseCadOseState(snapshot, this.#cfg, this.#configJson());
    this.#left = p.left;
    this.#right = p.right;
    this.#dicts = p.dicts;
    this.#rightMask = p.rightMask;
    this.#nCtx = p.nCtx;
    this.#ctxLeft = p.ctxLeft;
    this.#ctxRight = p.ctxRight;
    this.#ctxZero = p.ctxZero;
    this.#hasZero = p.hasZero;
    this.#ctxAct = p.ctxAct;
    this.#leftGroup = p.leftGroup;
    this.#hist = new Float64Array(this.#cfg.restPeriod);
    this.#histHead = 0;
    this.#histLen = 0;
    this.#hot = 0;
    for (const x of p.hist) this.#pushScore(x);
    this.#lastRaw = p.lastRaw;
    this.#lo = p.lo;
    this.#hi = p.hi;
    this.#n = p.n;
    this.#rejected = p.rejected;
    this.#newCtx = 0;
    return this;
  }
}
