/**
 * Invariants of the window kernels' state blocks (layouts in
 * assembly/window.ts, window-time.ts), checked before a deserialized block is used.
 */
import { isCount } from '../core/state-codec';

/** An aggregate's (min, max): finite and ordered, or the empty pair (+Inf, -Inf). */
const okRange = (mn: number, mx: number): boolean =>
  (Number.isFinite(mn) && Number.isFinite(mx) && mn <= mx) ||
  (mn === Number.POSITIVE_INFINITY && mx === Number.NEGATIVE_INFINITY);

/**
 * Invariants of a count-window state block (layout in assembly/window.ts): only
 * finite data, counts that are counts, 1/k reciprocals as written, and min/max
 * pairs that are ordered or empty. Returns what is wrong, or undefined.
 */
export function checkCountBlock(b: Float64Array, w: number): string | undefined {
  const j = b[2];
  if (!(isCount(j) && j <= w) || !(b[3] === 0 || b[3] === 1)) return 'block position';
  if (!(Number.isFinite(b[4]) && b[5] >= 0 && Number.isFinite(b[5]))) return 'block aggregate';
  if (!(j === 0 || okRange(b[6], b[7]))) return 'block min/max';
  if (!(isCount(b[8]) && b[8] <= b[1] && isCount(b[9]) && isCount(b[10]))) return 'counters';
  if (!(b[9] <= Number.MAX_SAFE_INTEGER && b[10] <= Number.MAX_SAFE_INTEGER)) return 'counters';
  if (!(Number.isFinite(b[11]) && Number.isFinite(b[12]))) return 'shifts';
  const cur = 16;
  const inv = cur + w;
  const suf = inv + w + 1;
  for (let i = 0; i < w; i++) if (!Number.isFinite(b[cur + i])) return 'window values';
  if (b[inv] !== 0) return 'reciprocals';
  for (let i = 1; i <= w; i++) if (b[inv + i] !== 1 / i) return 'reciprocals';
  const n1 = w + 1;
  for (let i = 0; i <= w; i++) {
    const mean = b[suf + i];
    const m2 = b[suf + n1 + i];
    if (!(Number.isFinite(mean) && Number.isFinite(m2) && m2 >= 0)) return 'suffix aggregates';
    if (!okRange(b[suf + 2 * n1 + i], b[suf + 3 * n1 + i])) return 'suffix min/max';
  }
  return undefined;
}

/** Invariants of a time-window state block (panes; layout in assembly/window-time.ts). */
export function checkTimeBlock(b: Float64Array, k: number): string | undefined {
  if (!(Number.isNaN(b[3]) || Number.isInteger(b[3]))) return 'current pane';
  if (!(Number.isFinite(b[4]) || b[4] === Number.NEGATIVE_INFINITY)) return 'last timestamp';
  if (!(isCount(b[5]) && isCount(b[6]) && isCount(b[7]) && isCount(b[8]))) return 'counters';
  const paneOk = (n: number, mean: number, m2: number, mn: number, mx: number, kk: number) =>
    n === 0 ||
    (Number.isFinite(mean) &&
      Number.isFinite(m2) &&
      m2 >= 0 &&
      okRange(mn, mx) &&
      Number.isFinite(mn) &&
      Number.isFinite(kk));
  if (!paneOk(b[8], b[9], b[10], b[11], b[12], b[13])) return 'current pane aggregate';
  for (let i = 0; i < k; i++) {
    const o = 16 + 7 * i;
    const id = b[o];
    if (!(Number.isNaN(id) || Number.isInteger(id))) return 'pane id';
    if (!isCount(b[o + 1])) return 'pane count';
    if (!paneOk(b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6]))
      return 'pane aggregate';
  }
  return undefined;
}
