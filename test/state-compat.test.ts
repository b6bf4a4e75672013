/**
 * Saved states written before the formats moved onto src/core/state-codec.ts
 * (bytes from commit c98d40c, test/fixtures/generate_state_formats.ts) still
 * load: the current code reads each to the state that build read (same
 * summaries, quantiles, scores, window outputs) and writes it back to the same bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IsolationForest } from '../src/anomaly/iforest';
import {
  Covariance,
  Ewma,
  Histogram,
  Moments,
  QuantileSketch,
  SlidingWindow,
  TumblingWindow,
} from '../src/kernels/index';
import { deserializeModel } from '../src/ml/models';

interface Fixture {
  commit: string;
  probe: (number | string)[];
  formats: Record<string, { bytes: string; state: Record<string, unknown> }>;
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/state-formats-c98d40c.json', import.meta.url), 'utf8'),
) as Fixture;

/** Numbers as the generator wrote them (non-finite ones as strings). */
const num = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const nums = (a: ArrayLike<number>): (number | string)[] => Array.from(a, num);
const PROBE = Float64Array.from(fx.probe, Number);

const bytesOf = (name: string): Uint8Array => {
  const f = fx.formats[name];
  if (!f) throw new Error(`fixture has no format ${name}`);
  return new Uint8Array(Buffer.from(f.bytes, 'hex'));
};

/** Reads `name`, compares what it reads to the fixture, and checks the bytes written back. */
function check<T extends { serialize(): Uint8Array; dispose(): void }>(
  name: string,
  load: (b: Uint8Array) => T,
  state: (x: T) => Record<string, unknown>,
): void {
  const bytes = bytesOf(name);
  const x = load(bytes);
  try {
    expect(
      Buffer.from(x.serialize()).equals(Buffer.from(bytes)),
      `${name}: bytes written back`,
    ).toBe(true);
    expect(state(x)).toEqual(fx.formats[name].state);
  } finally {
    x.dispose();
  }
}

describe(`saved states written by ${fx.commit} load to the same state`, () => {
  it('covers every binary format', () => {
    expect(Object.keys(fx.formats).sort()).toEqual(
      [
        'Covariance',
        'Ewma',
        'Histogram (explicit)',
        'Histogram (exponential)',
        'IsolationForest',
        'Model (isolation-forest)',
        'Model (lof)',
        'Model (logistic)',
        'Model (ols)',
        'Model (robust-gaussian)',
        'Moments',
        'Moments (empty)',
        'QuantileSketch',
        'QuantileSketch (exact)',
        'SlidingWindow',
        'TumblingWindow (time)',
      ].sort(),
    );
  });

  it('Moments', () => {
    check('Moments', Moments.deserialize, (r) => ({
      ...r.summary(),
      mean: num(r.mean),
      variance: num(r.variance),
    }));
    check('Moments (empty)', Moments.deserialize, (r) => ({ count: r.count }));
  });

  it('QuantileSketch (sketch and exact mode)', () => {
    check('QuantileSketch', QuantileSketch.deserialize, (r) => ({
      exact: r.exact,
      count: r.count,
      min: r.min,
      max: r.max,
      quantiles: nums(r.quantiles([0.01, 0.25, 0.5, 0.9, 0.99])),
    }));
    check('QuantileSketch (exact)', QuantileSketch.deserialize, (r) => ({
      exact: r.exact,
      count: r.count,
      min: r.min,
      max: r.max,
      quantiles: nums(r.quantiles([0.1, 0.5, 0.9])),
    }));
  });

  it('Histogram (exponential and explicit)', () => {
    check('Histogram (exponential)', Histogram.deserialize, (r) => ({
      count: r.count,
      sum: r.sum,
      min: r.min,
      max: r.max,
      scale: r.scale,
      zeroCount: r.zeroCount,
      positive: { offset: r.positive.offset, counts: nums(r.positive.bucketCounts) },
      negative: { offset: r.negative.offset, counts: nums(r.negative.bucketCounts) },
    }));
    check('Histogram (explicit)', Histogram.deserialize, (r) => ({
      count: r.count,
      sum: r.sum,
      min: r.min,
      max: r.max,
      bounds: nums(r.bounds),
      counts: nums(r.bucketCounts),
    }));
  });

  it('Ewma', () => {
    check('Ewma', Ewma.deserialize, (r) => ({
      count: r.count,
      rejected: r.rejected,
      mean: r.mean,
      variance: r.variance,
    }));
  });

  it('Covariance', () => {
    check('Covariance', Covariance.deserialize, (r) => ({
      dims: r.dims,
      count: r.count,
      mean: nums(r.mean),
      covariance: nums(r.covariance),
    }));
  });

  it('SlidingWindow and TumblingWindow (time): the next windows match', () => {
    // the bytes are compared before pushing (check() serializes first)
    const w = SlidingWindow.deserialize(bytesOf('SlidingWindow'));
    expect(Buffer.from(w.serialize()).equals(Buffer.from(bytesOf('SlidingWindow')))).toBe(true);
    const next = w.push([1, 2, 3]);
    expect({
      tumbling: w instanceof TumblingWindow,
      next: {
        length: next.length,
        mean: nums(next.mean ?? []),
        min: nums(next.min ?? []),
        max: nums(next.max ?? []),
        p50: nums(next.quantiles?.[0] ?? []),
      },
    }).toEqual(fx.formats.SlidingWindow.state);
    w.dispose();

    const tb = bytesOf('TumblingWindow (time)');
    const t = SlidingWindow.deserialize(tb);
    expect(Buffer.from(t.serialize()).equals(Buffer.from(tb))).toBe(true);
    const last = 1_767_225_600_000 + 29 * 170;
    const nt = t.push([5, 6], [last + 900, last + 1900]);
    expect({
      tumbling: t instanceof TumblingWindow,
      next: {
        length: nt.length,
        start: nums(nt.start ?? []),
        count: nums(nt.count ?? []),
        sum: nums(nt.sum ?? []),
        p90: nums(nt.quantiles?.[0] ?? []),
      },
    }).toEqual(fx.formats['TumblingWindow (time)'].state);
    t.dispose();
  });

  it('IsolationForest', () => {
    check('IsolationForest', IsolationForest.deserialize, (r) => ({
      dims: r.dims,
      threshold: r.threshold,
      scores: nums(r.score(PROBE, { dims: 2 })),
    }));
  });

  it('trained models (all five kinds)', () => {
    for (const kind of ['isolation-forest', 'lof', 'robust-gaussian', 'ols', 'logistic']) {
      check(`Model (${kind})`, deserializeModel, (m) => ({
        header: m.header,
        scores: nums(m.score(PROBE, { dims: 2 })),
      }));
    }
  });
});
