// Random cut forest trees keep the cut invariant: every point under a node's
// left child has x[cutDim] <= cutVal and every point under its right child
// x[cutDim] > cutVal. Inserting used to descend by the dimension drawn for the
// new cut instead of the node's own, which broke it in 1-40% of the nodes.
import { describe, expect, it } from 'vitest';
import { RandomCutForestDetector } from '../src/anomaly/forests-stream';
import { mulberry32 } from './helpers/random';

interface RcfState {
  state: { arrays: number[][] };
}

function violations(
  det: RandomCutForestDetector,
  shingle: number,
): { internal: number; bad: number } {
  const [, left, right, , point, cutDim, cutVal, , , root, , pts] = (
    det.snapshot() as unknown as RcfState
  ).state.arrays;
  let internal = 0;
  let bad = 0;
  const points = (node: number, out: number[]): number[] => {
    if (point[node] >= 0) out.push(point[node]);
    else {
      points(left[node], out);
      points(right[node], out);
    }
    return out;
  };
  const visit = (node: number): void => {
    if (node < 0 || point[node] >= 0) return;
    internal++;
    const d = cutDim[node];
    const ok =
      points(left[node], []).every((s) => pts[s * shingle + d] <= cutVal[node]) &&
      points(right[node], []).every((s) => pts[s * shingle + d] > cutVal[node]);
    if (!ok) bad++;
    visit(left[node]);
    visit(right[node]);
  };
  for (const r of root) visit(r);
  return { internal, bad };
}

describe('RandomCutForestDetector trees', () => {
  it.each([
    ['random walk', (r: () => number, i: number, prev: number) => prev + r() - 0.5 + 0 * i],
    [
      'sine with spikes',
      (r: () => number, i: number) => Math.sin(i / 9) + (i % 97 === 0 ? 5 : 0.1 * r()),
    ],
  ])('every internal node separates its subtrees by its own cut (%s)', (_, next) => {
    const shingle = 4;
    const det = new RandomCutForestDetector({ trees: 8, sampleSize: 64, shingle, seed: 3 });
    const r = mulberry32(11);
    let x = 0;
    for (let i = 0; i < 3000; i++) {
      x = next(r, i, x);
      det.update(x, i * 1000);
    }
    const { internal, bad } = violations(det, shingle);
    expect(internal).toBeGreaterThan(8 * 50);
    expect(bad).toBe(0);
  });
});
