// Window aggregates, time-based windows (panes); count windows are in
// window.ts.
//
// Panes of length `slide`; a window is k = size / slide consecutive panes,
// [origin + (q - k + 1) slide, origin + (q + 1) slide) for pane q. Timestamps
// must not decrease (older values are counted in `late` and skipped). When a
// value falls in a later pane, the panes before it close, and each closed
// pane q emits the window ending with it, if that window has values.
//
// Time state: 0 slide  1 k  2 origin  3 curPane (NaN before any value)
//   4 lastTs  5 rejected  6 late  7 consumed (values used by the last call)
//   8..12 current pane n, mean (relative to K), M2, min, max  13 K (first value)
//   ring from slot 16: k entries of (paneId, n, mean, M2, min, max, K).
// Outputs: 8 columns of `cap`: start, end, count, sum, mean, variance, min, max.

@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

export function tw_slots(k: i32): i32 {
  return 16 + 7 * k;
}

export function tw_init(s: usize, slide: f64, k: i32, origin: f64): void {
  st(s, 0, slide);
  st(s, 1, <f64>k);
  st(s, 2, origin);
  tw_reset(s);
}

function paneReset(s: usize): void {
  st(s, 8, 0);
  st(s, 9, 0);
  st(s, 10, 0);
  st(s, 11, Infinity);
  st(s, 12, -Infinity);
}

export function tw_reset(s: usize): void {
  const k = <i32>ld(s, 1);
  st(s, 3, NaN);
  st(s, 4, -Infinity);
  st(s, 5, 0);
  st(s, 6, 0);
  st(s, 7, 0);
  paneReset(s);
  for (let i = 0; i < k; i++) {
    st(s, 16 + 7 * i, NaN);
    st(s, 17 + 7 * i, 0);
  }
}

// Closes pane q (the current pane when `current`, else an empty pane) and
// writes the window ending at it, if non-empty. Returns rows written (0/1).
function closePane(s: usize, q: f64, current: bool, out: usize, cap: i32, o: i32): i32 {
  const k = <i32>ld(s, 1);
  const slot = <i32>(q - Math.floor(q / <f64>k) * <f64>k);
  const r = 16 + 7 * slot;
  st(s, r, q);
  if (current) {
    st(s, r + 1, ld(s, 8));
    st(s, r + 2, ld(s, 9));
    st(s, r + 3, ld(s, 10));
    st(s, r + 4, ld(s, 11));
    st(s, r + 5, ld(s, 12));
    st(s, r + 6, ld(s, 13));
  } else {
    st(s, r + 1, 0);
  }
  // Combine panes q-k+1 .. q in order.
  let n: f64 = 0, m: f64 = 0, M2: f64 = 0, mn: f64 = Infinity, mx: f64 = -Infinity;
  let K: f64 = 0;
  for (let i = 0; i < k; i++) {
    const p = q - <f64>(k - 1 - i);
    const ps = <i32>(p - Math.floor(p / <f64>k) * <f64>k);
    const e = 16 + 7 * ps;
    if (ld(s, e) != p) continue;
    const nb = ld(s, e + 1);
    if (nb == 0) continue;
    const mb = ld(s, e + 2);
    const Kb = ld(s, e + 6);
    if (n == 0) K = Kb;
    const nn = n + nb;
    const delta = (Kb - K) + (mb - m);
    m += delta * nb / nn;
    M2 += ld(s, e + 3) + delta * delta * n * nb / nn;
    n = nn;
    mn = min(mn, ld(s, e + 4));
    mx = max(mx, ld(s, e + 5));
  }
  if (n == 0) return 0;
  const slide = ld(s, 0);
  const origin = ld(s, 2);
  const end = origin + (q + 1) * slide;
  st(out, o, end - <f64>k * slide);
  st(out, o + cap, end);
  st(out, o + 2 * cap, n);
  const mean = K + m;
  st(out, o + 3 * cap, mean * n);
  st(out, o + 4 * cap, mean);
  st(out, o + 5 * cap, M2 > 0 ? M2 / n : 0);
  st(out, o + 6 * cap, mn);
  st(out, o + 7 * cap, mx);
  return 1;
}

/**
 * Pushes values with timestamps. Stops early when fewer than k + 1 output rows
 * remain; the number of values consumed is left in slot 7. Returns rows written.
 */
export function tw_push(s: usize, vp: usize, tp: usize, len: i32, out: usize, cap: i32): i32 {
  const k = <i32>ld(s, 1);
  const slide = ld(s, 0);
  const origin = ld(s, 2);
  let o: i32 = 0;
  let i: i32 = 0;
  for (; i < len; i++) {
    const x = ld(vp, i);
    const t = ld(tp, i);
    if (!(x - x == 0) || !(t - t == 0)) {
      st(s, 5, ld(s, 5) + 1);
      continue;
    }
    if (t < ld(s, 4)) {
      st(s, 6, ld(s, 6) + 1);
      continue;
    }
    const p = Math.floor((t - origin) / slide);
    const cp = ld(s, 3);
    if (p != cp) {
      if (o + k + 1 > cap) break;
      if (cp == cp) {
        // Close the current pane, then empty panes while windows can still be non-empty.
        o += closePane(s, cp, true, out, cap, o);
        const last = min(p - 1, cp + <f64>(k - 1));
        for (let q = cp + 1; q <= last; q++) o += closePane(s, q, false, out, cap, o);
      }
      st(s, 3, p);
      paneReset(s);
    }
    st(s, 4, t);
    const n = ld(s, 8) + 1;
    if (n == 1) st(s, 13, x);
    const xs = x - ld(s, 13);
    const m = ld(s, 9);
    const d = xs - m;
    const m2 = m + d / n;
    st(s, 8, n);
    st(s, 9, m2);
    st(s, 10, ld(s, 10) + d * (xs - m2));
    if (x < ld(s, 11)) st(s, 11, x);
    if (x > ld(s, 12)) st(s, 12, x);
  }
  st(s, 7, <f64>i);
  return o;
}

/** Closes the current pane and emits every window that contains it. Returns rows (<= k). */
export function tw_flush(s: usize, out: usize, cap: i32): i32 {
  const cp = ld(s, 3);
  if (cp != cp) return 0;
  const k = <i32>ld(s, 1);
  let o = closePane(s, cp, true, out, cap, 0);
  for (let q = cp + 1; q <= cp + <f64>(k - 1); q++) o += closePane(s, q, false, out, cap, o);
  // Every window containing a flushed pane is final: later values must be
  // past the last of them (older ones count as late).
  const slide = ld(s, 0);
  st(s, 4, max(ld(s, 4), ld(s, 2) + (cp + <f64>k) * slide));
  st(s, 3, NaN);
  paneReset(s);
  return o;
}
