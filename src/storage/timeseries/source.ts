/**
 * What a `TimeSeriesStore` samples: any `SampleSource`, i.e. a
 * `MetricsRegistry` (src/metrics) or anything that writes its current values
 * into the store's `SampleSink`. The store knows nothing of instruments; the
 * registry knows nothing of tiers and chunks.
 */
import type { QuantileSketch } from '../../kernels/quantile';
import type { SeriesMeta } from '../types';
import type { Rollup } from './rollup';

/**
 * Which store series of a source's series object: its value (or a
 * histogram's `_sum`), a histogram's `_count`, or a summary's observations.
 */
export type SampleSlot = 'value' | 'count' | 'dist';

/** A store series as a sink hands it out (opaque to the source). */
export interface SampledSeries {
  readonly meta: SeriesMeta;
}

/** Where a `SampleSource` writes one sampling pass (a `TimeSeriesStore`). */
export interface SampleSink {
  /** The store series sampled before for (`handle`, `slot`), if any. */
  find(handle: object, slot: SampleSlot): SampledSeries | undefined;
  /** Finds or creates the series `name` + `labels` and remembers it for (`handle`, `slot`). */
  open(
    handle: object,
    slot: SampleSlot,
    name: string,
    kind: SeriesMeta['kind'],
    labels: Record<string, string>,
  ): SampledSeries;
  /** Records value `v` at `t` (ms). */
  value(series: SampledSeries, t: number, v: number): void;
  /** Adds a batch of observations (moments and their sketch) at `t` to a distribution series. */
  observations(series: SampledSeries, t: number, moments: Rollup, sketch: QuantileSketch): void;
}

/** What `TimeSeriesStore.open` samples: a `MetricsRegistry` is one. */
export interface SampleSource {
  /** The source's clock (ms since epoch). */
  readonly now: () => number;
  /** Writes the current value of every series whose metric name passes `include`. */
  sampleInto(sink: SampleSink, t: number, include: (metricName: string) => boolean): void;
}
