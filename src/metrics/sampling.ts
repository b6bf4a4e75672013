/**
 * How a registry's instruments become time series (`MetricsRegistry.sampleInto`,
 * called by `TimeSeriesStore.sample`): counters as `<name>_total`, gauges and
 * up-down counters by name, histograms and summaries as cumulative `_sum` and
 * `_count` counters, and a summary's observations since the last sample as one
 * batch (moments + sketch) into a distribution series' roll-ups.
 */
import type { SampleSink } from '../storage/timeseries/source';
import type { AnyMetric, SeriesBase } from './instruments';

/** Writes the current value of every series of `metrics` (those `include` passes) at `t`. */
export function sampleMetrics(
  metrics: Iterable<AnyMetric>,
  sink: SampleSink,
  t: number,
  include: (metricName: string) => boolean,
): void {
  for (const m of metrics) {
    if (!include(m.name)) continue;
    sampleMetric(m, sink, t);
  }
}

function sampleMetric(m: AnyMetric, sink: SampleSink, t: number): void {
  if (m.type === 'summary') {
    // Observations since the last sample go to the roll-ups as one batch.
    for (const s of m.series()) {
      s._sync();
      const d =
        sink.find(s, 'dist') ?? sink.open(s, 'dist', m.baseName(), 'distribution', m.labelsOf(s));
      sink.observations(d, t, s._deltaMoments, s._delta);
      s._deltaMoments.reset();
      s._delta.reset();
    }
  }
  switch (m.type) {
    case 'summary':
    case 'histogram':
      for (const s of m.series() as IterableIterator<SeriesBase & { sum: number; count: number }>) {
        let a = sink.find(s, 'value');
        let b = sink.find(s, 'count');
        if (!a || !b) {
          const labels = m.labelsOf(s);
          a = sink.open(s, 'value', `${m.baseName()}_sum`, 'counter', labels);
          b = sink.open(s, 'count', `${m.baseName()}_count`, 'counter', labels);
        }
        sink.value(a, t, s.sum);
        sink.value(b, t, s.count);
      }
      return;
    default: {
      const kind = m.type === 'counter' ? 'counter' : 'gauge';
      const name = m.type === 'counter' ? `${m.baseName()}_total` : m.name;
      for (const s of m._series.values() as IterableIterator<SeriesBase & { value: number }>) {
        const tr = sink.find(s, 'value') ?? sink.open(s, 'value', name, kind, m.labelsOf(s));
        sink.value(tr, t, s.value);
      }
      const o = m._overflow as (SeriesBase & { value: number }) | undefined;
      if (o) {
        const tr = sink.find(o, 'value') ?? sink.open(o, 'value', name, kind, m.labelsOf(o));
        sink.value(tr, t, o.value);
      }
    }
  }
}
