import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../src/metrics/index';
import { expectCode } from './helpers/errors';

describe('instruments', () => {
  it('counter: unbound, bound handle and value forms', () => {
    const r = new MetricsRegistry();
    const c = r.counter('req_total', { labelNames: ['route'] });
    c.inc({ route: '/' });
    c.inc({ route: '/' }, 2.5);
    const h = c.labels({ route: '/x' });
    for (let i = 0; i < 1000; i++) h.inc();
    expect(c.get({ route: '/' })).toBe(3.5);
    expect(h.value).toBe(1000);
    expect(c.labels({ route: '/x' })).toBe(h); // the same handle, no new series
    expect(c.seriesCount).toBe(2);
    const plain = r.counter('plain_total');
    plain.inc();
    plain.inc(4);
    expect(plain.get()).toBe(5);
  });

  it('counter rejects negative and non-finite increments without changing state', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total');
    c.inc(2);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectCode(() => c.inc(bad), 'INVALID_ARGUMENT');
      expectCode(() => c.labels({}).inc(bad), 'INVALID_ARGUMENT');
    }
    expect(c.get()).toBe(2);
  });

  it('upDownCounter and gauge', () => {
    const r = new MetricsRegistry();
    const u = r.upDownCounter('queue_length', { labelNames: ['q'] });
    u.inc({ q: 'a' }, 5);
    u.dec({ q: 'a' }, 2);
    u.labels({ q: 'a' }).add(-4);
    expect(u.get({ q: 'a' })).toBe(-1);
    expectCode(() => u.add({ q: 'a' }, Number.NaN), 'INVALID_ARGUMENT');
    const g = r.gauge('temp');
    g.set(3);
    g.inc();
    g.dec(0.5);
    expect(g.get()).toBe(3.5);
    g.set(Number.NaN);
    expect(g.get()).toBeNaN();
  });

  it('callback gauge reports exactly what the callback records at each collection', () => {
    const r = new MetricsRegistry();
    let round = 0;
    r.gauge('obs', {
      labelNames: ['k'],
      observe: (rec) => {
        round++;
        rec(round, { k: 'always' });
        if (round === 1) rec(7, { k: 'once' });
      },
    });
    expect(r.expositionSync()).toContain('obs{k="once"} 7');
    const t = r.expositionSync();
    expect(t).toContain('obs{k="always"} 2');
    expect(t).not.toContain('once');
  });

  it('histogram buckets match a direct count', () => {
    const r = new MetricsRegistry();
    const bounds = [0.1, 0.5, 1, 2, 5];
    const h = r.histogram('lat_seconds', { buckets: bounds });
    const xs: number[] = [];
    let s = 1;
    for (let i = 0; i < 5000; i++) {
      s = (s * 16807) % 2147483647;
      xs.push((s / 2147483647) * 7);
    }
    xs.push(0.1, 1, 5); // boundaries are inclusive (le)
    for (const x of xs) h.observe(x);
    h.observe(Number.NaN);
    const series = h.labels({});
    let cum = 0;
    for (let i = 0; i < bounds.length; i++) {
      cum += series.counts[i];
      expect(cum).toBe(xs.filter((x) => x <= bounds[i]).length);
    }
    expect(series.count).toBe(xs.length);
    expect(series.rejected).toBe(1);
    expect(series.sum).toBeCloseTo(
      xs.reduce((a, b) => a + b, 0),
      9,
    );
    // Binary-search path (> 16 buckets) agrees with the linear one.
    const many = Array.from({ length: 40 }, (_, i) => (i + 1) * 0.2);
    const h2 = r.histogram('many', { buckets: many });
    for (const x of xs) h2.observe(x);
    const c2 = h2.labels({}).counts;
    for (let i = 0; i < many.length; i++) {
      const lo = i === 0 ? Number.NEGATIVE_INFINITY : many[i - 1];
      expect(c2[i]).toBe(xs.filter((x) => x > lo && x <= many[i]).length);
    }
  });
});

describe('names, labels and registration', () => {
  it('rejects invalid metric, label and unit names', () => {
    const r = new MetricsRegistry();
    expectCode(() => r.counter('1abc'), 'INVALID_NAME');
    expectCode(() => r.counter('a-b'), 'INVALID_NAME');
    expectCode(() => r.counter('__reserved'), 'INVALID_NAME');
    expectCode(() => r.counter('ok_total', { labelNames: ['bad-label'] }), 'INVALID_NAME');
    expectCode(() => r.counter('ok_total', { labelNames: ['__x'] }), 'INVALID_NAME');
    expectCode(() => r.counter('ok_total', { labelNames: ['a', 'a'] }), 'INVALID_NAME');
    expectCode(() => r.histogram('h', { labelNames: ['le'] }), 'INVALID_NAME');
    expectCode(() => r.gauge('g', { labelNames: ['otel_metric_overflow'] }), 'INVALID_NAME');
    expectCode(() => r.gauge('temperature', { unit: 'celsius' }), 'INVALID_NAME');
    expectCode(() => r.gauge('t_celsius', { unit: 'cel sius' }), 'INVALID_NAME');
    expectCode(() => r.histogram('h2', { buckets: [1, 1] }), 'INVALID_ARGUMENT');
    expectCode(
      () => r.histogram('h3', { buckets: [1, Number.POSITIVE_INFINITY] }),
      'INVALID_ARGUMENT',
    );
    // Nothing half-registered: valid names are still free.
    expect(r.counter('ok_total').name).toBe('ok_total');
    expect(r.gauge('t_celsius', { unit: 'celsius' }).unit).toBe('celsius');
  });

  it('duplicate registration: same definition returns the same metric, others throw', () => {
    const r = new MetricsRegistry();
    const a = r.counter('jobs_total', { labelNames: ['q'] });
    expect(r.counter('jobs_total', { labelNames: ['q'] })).toBe(a);
    expectCode(() => r.gauge('jobs_total'), 'ALREADY_REGISTERED');
    expectCode(() => r.counter('jobs_total', { labelNames: ['other'] }), 'LABEL_MISMATCH');
    // Sample-name collisions across families.
    expectCode(() => r.counter('jobs'), 'ALREADY_REGISTERED');
    r.histogram('lat');
    expectCode(() => r.gauge('lat_bucket'), 'ALREADY_REGISTERED');
    expect(r.remove('lat')).toBe(true);
    expect(r.gauge('lat_bucket').type).toBe('gauge');
  });

  it('label sets must match the declared names exactly; values any UTF-8', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c_total', { labelNames: ['a', 'b'] });
    expectCode(() => c.inc({ a: 'x' }), 'LABEL_MISMATCH');
    expectCode(() => c.inc({ a: 'x', b: 'y', z: 'w' }), 'LABEL_MISMATCH');
    expectCode(() => c.inc(), 'LABEL_MISMATCH');
    expectCode(() => c.inc({ a: 'x', b: {} as unknown as string }), 'LABEL_MISMATCH');
    expectCode(() => c.inc({ a: 'x', b: '\uD800' }), 'LABEL_MISMATCH');
    expect(c.seriesCount).toBe(0);
    c.inc({ a: 'é"\\\n😀', b: 3 });
    expect(c.get({ a: 'é"\\\n😀', b: '3' })).toBe(1);
    // Keys are unambiguous even when values contain separators.
    c.inc({ a: '1:x', b: '' });
    c.inc({ a: '1', b: ':x' });
    expect(c.seriesCount).toBe(3);
  });

  it('cardinality limit: further label sets go to one overflow series, counted and reported', () => {
    const r = new MetricsRegistry({ maxSeriesPerMetric: 10 });
    const events: string[] = [];
    r.onOverflow((e) => events.push(`${e.metric}:${e.maxSeries}`));
    const c = r.counter('hits_total', { labelNames: ['user'] });
    for (let i = 0; i < 100; i++) c.inc({ user: `u${i}` });
    expect(c.seriesCount).toBe(11);
    expect(c.overflowCount).toBe(90);
    expect(events).toEqual(['hits_total:10']);
    c.inc({ user: 'u3' }); // existing series still recorded normally
    expect(c.get({ user: 'u3' })).toBe(2);
    const t = r.expositionSync();
    expect(t).toContain('hits_total{otel_metric_overflow="true"} 90');
    expect(t.split('\n').filter((l) => l.startsWith('hits_total{')).length).toBe(11);
    const g = r.gauge('g', { labelNames: ['k'], maxSeries: 2 });
    g.set({ k: 'a' }, 1);
    g.set({ k: 'b' }, 1);
    g.labels({ k: 'c' }).set(5);
    expect(g.seriesCount).toBe(3);
    expect(r.expositionSync()).toContain('g{otel_metric_overflow="true"} 5');
    // Default limit is 2,000.
    const d = new MetricsRegistry().counter('d_total', { labelNames: ['k'] });
    for (let i = 0; i < 2100; i++) d.inc({ k: String(i) });
    expect(d.seriesCount).toBe(2001);
  });
});

describe('rt.metrics', () => {
  it('createRuntime wires a registry with a time-series store', async () => {
    const { createRuntime } = await import('../src/index');
    const rt = await createRuntime({ metrics: { autoStart: false, intervalMs: 1000 } });
    const c = rt.metrics.counter('requests_total', { help: 'Requests.', labelNames: ['route'] });
    c.inc({ route: '/' });
    expect(await rt.metrics.exposition('prometheus')).toContain('requests_total{route="/"} 1\n');
    const t = Date.now();
    rt.metrics.sample(t - 2000);
    c.inc({ route: '/' }, 4);
    rt.metrics.sample(t - 1000);
    await rt.metrics.flush();
    const q = await rt.metrics.query('requests_total', {
      labels: { route: '/' },
      from: t - 2000,
      to: t,
      step: 2000,
      agg: 'increase',
    });
    expect(q.tier).toBe('raw');
    expect(Array.from(q.series[0].values)).toEqual([4]);
    await rt.dispose();
  });
});

describe('summary', () => {
  /** numpy 'lower' quantile: sorted value at rank floor(q (n - 1)). */
  const lower = (xs: number[], q: number) =>
    [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

  it('window quantiles within the sketch accuracy of the exact quantiles; count and sum all-time', () => {
    let now = 1_000_000;
    const r = new MetricsRegistry({ now: () => now });
    const s = r.summary('lat_seconds', { quantiles: [0.5, 0.9, 0.99, 0.999], labelNames: ['op'] });
    const xs: number[] = [];
    let seed = 3;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 16807) % 2147483647;
      const u = seed / 2147483647;
      const x = Math.exp(3 * u - 1); // log-uniform, spans e^-1..e^2
      xs.push(x);
      s.observe({ op: 'read' }, x);
      now += 1; // 20 s in total, well inside the 10 min window
    }
    s.observe({ op: 'read' }, Number.NaN);
    const h = s.labels({ op: 'read' });
    const got = h.quantiles([0.5, 0.9, 0.99, 0.999]);
    [0.5, 0.9, 0.99, 0.999].forEach((q, i) => {
      const want = lower(xs, q);
      expect(Math.abs(got[i] - want) / want).toBeLessThanOrEqual(0.01);
    });
    expect(h.count).toBe(20_000);
    expect(h.rejected).toBe(1);
    expect(h.sum).toBeCloseTo(
      xs.reduce((a, b) => a + b, 0),
      6,
    );
  });

  it('the window slides: old panes drop out, count and sum stay cumulative', () => {
    let now = 0;
    const r = new MetricsRegistry({ now: () => now });
    const s = r.summary('w', { maxAgeMs: 60_000, ageBuckets: 3, quantiles: [0, 1] });
    const h = s.labels({});
    for (let i = 0; i < 100; i++) h.observe(1000); // pane [0, 20 s)
    now = 25_000;
    for (let i = 0; i < 100; i++) h.observe(1); // pane [20, 40 s)
    expect(Array.from(h.quantiles([0, 1]))).toEqual([1, 1000]);
    expect(h.windowCount).toBe(200);
    now = 65_000; // first pane has left the 3-pane window
    expect(Array.from(h.quantiles([0, 1]))).toEqual([1, 1]);
    expect(h.windowCount).toBe(100);
    now = 10 * 60_000; // everything expired
    expect(h.windowCount).toBe(0);
    expect(Number.isNaN(h.quantiles([0.5])[0])).toBe(true);
    expect(h.count).toBe(200);
    expect(h.sum).toBe(100_100);
  });

  it('validates options; remove() frees the sketches', () => {
    const r = new MetricsRegistry();
    expectCode(() => r.summary('a', { quantiles: [1.5] }), 'INVALID_ARGUMENT');
    expectCode(() => r.summary('b', { maxAgeMs: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => r.summary('c', { ageBuckets: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => r.summary('d', { labelNames: ['quantile'] }), 'INVALID_NAME');
    expectCode(() => r.summary('e', { relativeAccuracy: 2 }), 'INVALID_ARGUMENT');
    const s = r.summary('ok');
    s.observe(1);
    expect(r.remove('ok')).toBe(true);
    expectCode(() => s.labels({}).quantiles([0.5]), 'DISPOSED');
  });
});

describe('exponential histogram', () => {
  it('exposes cumulative le buckets that match a direct count; promtool and the OpenMetrics parser accept it', async () => {
    const { promtoolCheckMetrics, promtoolParseOpenMetrics } = await import('./helpers/prometheus');
    const r = new MetricsRegistry();
    const h = r.histogram('payload_bytes', {
      kind: 'exponential',
      help: 'Payload sizes.',
      unit: 'bytes',
      labelNames: ['dir'],
      maxBuckets: 40,
    });
    const xs: number[] = [];
    let seed = 5;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 16807) % 2147483647;
      const u = seed / 2147483647;
      const x = i % 10 === 0 ? 0 : (i % 7 === 0 ? -1 : 1) * Math.exp(12 * u - 3);
      xs.push(x);
      h.observe({ dir: 'in' }, x);
    }
    h.observe({ dir: 'in' }, Number.NaN);
    const s = h.labels({ dir: 'in' });
    const pt = s.point();
    expect(pt.count).toBe(3000);
    expect(s.rejected).toBe(1);
    expect(pt.scale).toBeLessThan(20); // 40 buckets cannot hold e^12 at scale 20
    expect(pt.positive.bucketCounts.length).toBeLessThanOrEqual(40);
    const text = r.expositionSync('prometheus');
    const lines = text.split('\n').filter((l) => l.startsWith('payload_bytes_bucket{'));
    expect(lines.length).toBeGreaterThan(10);
    let prev = Number.NEGATIVE_INFINITY;
    for (const l of lines) {
      const m = /le="([^"]+)"\} (\d+)$/.exec(l)!;
      const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
      expect(le).toBeGreaterThan(prev);
      prev = le;
      expect(Number(m[2])).toBe(xs.filter((x) => x <= le).length);
    }
    expect(text).toContain('payload_bytes_count{dir="in"} 3000\n');
    const check = promtoolCheckMetrics(text);
    expect(check.output).toBe('');
    expect(promtoolParseOpenMetrics(r.expositionSync('openmetrics')).status).toBe(0);
    expectCode(() => r.histogram('payload_bytes', { labelNames: ['dir'] }), 'ALREADY_REGISTERED');
    expectCode(() => r.histogram('bad', { kind: 'exponential', maxScale: 21 }), 'INVALID_ARGUMENT');
    r.remove('payload_bytes');
    expectCode(() => s.point(), 'DISPOSED');
  });
});
