/**
 * The plain-JavaScript peer of the window suite: a streaming sliding window
 * (size w, slide 1) with a running sum (subtract on evict) over a ring buffer
 * and two monotonic deques (ring buffers of global indexes and values) for min
 * and max. `push(batch)` returns fresh mean/min/max columns (one ArrayBuffer
 * per call); `push(batch, true)` reuses one buffer across calls (the rows are
 * valid until the next push), which is SlidingWindow.push's rule.
 */
export class JsSlidingWindow {
  readonly w: number;
  #ring: Float64Array;
  #slot = 0;
  #seen = 0;
  #sum = 0;
  // Deques: capacity w (a deque never holds more than w live entries).
  #minIdx: Float64Array;
  #minVal: Float64Array;
  #minHead = 0;
  #minLen = 0;
  #maxIdx: Float64Array;
  #maxVal: Float64Array;
  #maxHead = 0;
  #maxLen = 0;

  constructor(w: number) {
    this.w = w;
    this.#ring = new Float64Array(w);
    this.#minIdx = new Float64Array(w + 1);
    this.#minVal = new Float64Array(w + 1);
    this.#maxIdx = new Float64Array(w + 1);
    this.#maxVal = new Float64Array(w + 1);
  }

  #buf: ArrayBuffer | undefined;

  push(
    x: Float64Array,
    reuse = false,
  ): { mean: Float64Array; min: Float64Array; max: Float64Array } {
    const n = x.length;
    let buf: ArrayBuffer;
    if (reuse) {
      if (!this.#buf || this.#buf.byteLength < 24 * n) this.#buf = new ArrayBuffer(24 * n);
      buf = this.#buf;
    } else buf = new ArrayBuffer(24 * n);
    const mean = new Float64Array(buf, 0, n);
    const min = new Float64Array(buf, 8 * n, n);
    const max = new Float64Array(buf, 16 * n, n);
    const w = this.w;
    const cap = w + 1;
    const ring = this.#ring;
    const minIdx = this.#minIdx;
    const minVal = this.#minVal;
    const maxIdx = this.#maxIdx;
    const maxVal = this.#maxVal;
    let slot = this.#slot;
    let seen = this.#seen;
    let sum = this.#sum;
    let mh = this.#minHead;
    let ml = this.#minLen;
    let xh = this.#maxHead;
    let xl = this.#maxLen;
    const invW = 1 / w;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (seen >= w) sum -= ring[slot];
      ring[slot] = v;
      if (++slot === w) slot = 0;
      sum += v;
      // min deque: drop larger-or-equal values from the back, push, expire the front
      while (ml > 0) {
        let b = mh + ml - 1;
        if (b >= cap) b -= cap;
        if (minVal[b] >= v) ml--;
        else break;
      }
      let t = mh + ml;
      if (t >= cap) t -= cap;
      minIdx[t] = seen;
      minVal[t] = v;
      ml++;
      if (minIdx[mh] <= seen - w) {
        if (++mh === cap) mh = 0;
        ml--;
      }
      while (xl > 0) {
        let b = xh + xl - 1;
        if (b >= cap) b -= cap;
        if (maxVal[b] <= v) xl--;
        else break;
      }
      t = xh + xl;
      if (t >= cap) t -= cap;
      maxIdx[t] = seen;
      maxVal[t] = v;
      xl++;
      if (maxIdx[xh] <= seen - w) {
        if (++xh === cap) xh = 0;
        xl--;
      }
      seen++;
      mean[i] = seen < w ? sum / seen : sum * invW;
      min[i] = minVal[mh];
      max[i] = maxVal[xh];
    }
    this.#slot = slot;
    this.#seen = seen;
    this.#sum = sum;
    this.#minHead = mh;
    this.#minLen = ml;
    this.#maxHead = xh;
    this.#maxLen = xl;
    return { mean, min, max };
  }
}
