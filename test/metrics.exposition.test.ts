/**
 * Exposition checked by Debian's real Prometheus: `promtool check metrics`
 * (text 0.0.4, parse + lint), Prometheus's OpenMetrics parser (via `promtool
 * tsdb create-blocks-from openmetrics`), and a real `prometheus` server scraping
 * the Node `/metrics` handler, queried with PromQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry, type MetricsServer, serveMetrics } from '../src/metrics/index';
import {
  type PrometheusServer,
  promtoolCheckMetrics,
  promtoolParseOpenMetrics,
  startPrometheus,
} from './helpers/prometheus';

const NASTY = [
  'quote " here',
  'back\\slash',
  'new\nline',
  'ünïcödé €😀 中文',
  '',
  '\\n literal',
  '"',
  '\\',
];

function fullRegistry(): MetricsRegistry {
  const r = new MetricsRegistry({ now: () => 1_700_000_000_123 });
  const c = r.counter('http_requests_total', {
    help: 'Requests with "quotes", back\\slashes and\nnewlines',
    labelNames: ['route', 'code'],
  });
  NASTY.forEach((v, i) => {
    c.inc({ route: v, code: 200 + i }, i + 1);
  });
  r.counter('bytes_sent_bytes_total', { help: 'Bytes sent.', unit: 'bytes' }).inc(1e21);
  const u = r.upDownCounter('queue_length', { help: 'Jobs waiting.', labelNames: ['queue'] });
  u.inc({ queue: 'a' }, 3);
  u.dec({ queue: 'b' }, 2);
  const g = r.gauge('temperature_celsius', {
    help: 'Temperature.',
    unit: 'celsius',
    labelNames: ['room'],
  });
  g.set({ room: 'kitchen' }, 21.5);
  g.set({ room: 'void' }, Number.NaN);
  g.set({ room: 'sun' }, Number.POSITIVE_INFINITY);
  g.set({ room: 'space' }, Number.NEGATIVE_INFINITY);
  g.set({ room: 'tiny' }, 1.5e-300);
  r.gauge('observed_ratio', {
    help: 'Observed by callback.',
    labelNames: ['k'],
    observe: (rec) => {
      rec(0.25, { k: 'x' });
      rec(-0.5, { k: 'y"\n\\' });
    },
  });
  const h = r.histogram('request_duration_seconds', {
    help: 'Latency.',
    unit: 'seconds',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.1, 1, 2, 10],
  });
  for (const v of [0.001, 0.007, 0.05, 0.5, 1, 1.5, 3, 20]) h.observe({ route: '/a"b' }, v);
  h.observe({ route: 'empty' }, Number.NaN);
  r.histogram('unlabelled_size_bytes', {
    help: 'Sizes.',
    unit: 'bytes',
    buckets: [100, 1000],
  }).observe(50);
  const sm = r.summary('rpc_duration_seconds', {
    help: 'RPC latency.',
    unit: 'seconds',
    labelNames: ['method'],
    quantiles: [0, 0.5, 0.9, 0.99, 1],
  });
  for (let i = 1; i <= 1000; i++) sm.observe({ method: 'get"\\' }, i / 1000);
  sm.observe({ method: 'idle' }, Number.NaN); // a series with an empty window: NaN quantiles
  r.summary('plain_wait', { help: 'No labels.' }).observe(3);
  // Empty metrics: declared, no series yet.
  r.summary('never_summarized', { help: 'Never observed.', labelNames: ['x'] });
  r.counter('never_total', { help: 'Never incremented.', labelNames: ['x'] });
  r.gauge('never_set', { help: 'Never set.', labelNames: ['x'] });
  r.histogram('never_observed_seconds', { help: 'Never observed.', labelNames: ['x'] });
  // Overflow series.
  const o = r.counter('overflowing_total', {
    help: 'Too many label sets.',
    labelNames: ['id'],
    maxSeries: 3,
  });
  for (let i = 0; i < 6; i++) o.inc({ id: String(i) });
  return r;
}

describe('exposition formats', () => {
  it('Prometheus 0.0.4 text passes promtool check metrics', () => {
    const text = fullRegistry().expositionSync('prometheus');
    const r = promtoolCheckMetrics(text);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    expect(text).toContain(
      '# HELP http_requests_total Requests with "quotes", back\\\\slashes and\\nnewlines\n',
    );
    expect(text).toContain('http_requests_total{route="quote \\" here",code="200"} 1\n');
    expect(text).toContain('http_requests_total{route="back\\\\slash",code="201"} 2\n');
    expect(text).toContain('http_requests_total{route="new\\nline",code="202"} 3\n');
    expect(text).toContain('http_requests_total{route="ünïcödé €😀 中文",code="203"} 4\n');
    expect(text).toContain('request_duration_seconds_bucket{route="/a\\"b",le="+Inf"} 8\n');
    expect(text).toContain('request_duration_seconds_bucket{route="/a\\"b",le="1"} 5\n');
    expect(text).toContain('request_duration_seconds_count{route="/a\\"b"} 8\n');
    expect(text).toContain('request_duration_seconds_sum{route="empty"} 0\n');
    expect(text).toContain('temperature_celsius{room="sun"} +Inf\n');
    expect(text).toContain('# TYPE never_total counter\n');
    expect(text).toContain('overflowing_total{otel_metric_overflow="true"} 3\n');
    expect(text).toContain('# TYPE rpc_duration_seconds summary\n');
    expect(text).toContain('rpc_duration_seconds{method="get\\"\\\\",quantile="0"} 0.001\n');
    expect(text).toContain('rpc_duration_seconds{method="idle",quantile="0.5"} NaN\n');
    expect(text).toContain('rpc_duration_seconds_count{method="get\\"\\\\"} 1000\n');
    expect(text).toContain('plain_wait{quantile="0.99"} 3\n');
  });

  it('promtool rejects broken text (the check can fail)', () => {
    expect(promtoolCheckMetrics('# TYPE x counter\nx_total{a="b"c"} 1\n').status).not.toBe(0);
    expect(promtoolCheckMetrics('# TYPE x gauge\nx{a="b\nc"} 1\n').status).not.toBe(0);
  });

  it('OpenMetrics 1.0 text parses with Prometheus’s OpenMetrics parser', () => {
    const text = fullRegistry().expositionSync('openmetrics');
    const r = promtoolParseOpenMetrics(text);
    expect(r.output).not.toMatch(/error|fail/i);
    expect(r.status).toBe(0);
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain(
      '# TYPE http_requests counter\n# HELP http_requests Requests with \\"quotes\\", back\\\\slashes and\\nnewlines\n',
    );
    expect(text).toContain('# TYPE bytes_sent_bytes counter\n# UNIT bytes_sent_bytes bytes\n');
    expect(text).toContain('http_requests_created{route="new\\nline",code="202"} 1700000000.123\n');
    expect(text).toContain('request_duration_seconds_bucket{route="/a\\"b",le="1.0"} 5\n');
    expect(text).toContain('request_duration_seconds_created{route="/a\\"b"} 1700000000.123\n');
    expect(text).toContain('# TYPE queue_length gauge\n');
    expect(text).toContain('rpc_duration_seconds{method="idle",quantile="1.0"} NaN\n');
    expect(text).toContain('rpc_duration_seconds_created{method="idle"} 1700000000.123\n');
    // A broken document is rejected by the same parser.
    expect(
      promtoolParseOpenMetrics('# TYPE x counter\nx_total{a="b"c"} 1\n# EOF\n').status,
    ).not.toBe(0);
  });

  it('unknown format is an INVALID_ARGUMENT', () => {
    expect(() => new MetricsRegistry().expositionSync('json' as 'prometheus')).toThrow(/format/);
  });
});

describe('Node /metrics scraped by a real Prometheus', () => {
  const registry = new MetricsRegistry();
  let server: MetricsServer;
  let prom: PrometheusServer | undefined;
  beforeAll(async () => {
    const c = registry.counter('edgewise_events_total', {
      help: 'Events.',
      labelNames: ['kind'],
    });
    c.inc({ kind: 'click' }, 42);
    c.inc({ kind: 'quote"\\\n' }, 7);
    registry.gauge('edgewise_temp_celsius', { help: 'T.', unit: 'celsius' }).set(21.5);
    const h = registry.histogram('edgewise_latency_seconds', {
      help: 'L.',
      unit: 'seconds',
      buckets: [0.1, 1],
    });
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const sm = registry.summary('edgewise_rpc_seconds', { help: 'R.', unit: 'seconds' });
    for (let i = 1; i <= 100; i++) sm.observe(i);
    server = await serveMetrics(registry);
    prom = await startPrometheus(`127.0.0.1:${server.port}`);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await server?.close();
  });

  it('serves both formats by content negotiation, 404 elsewhere', async () => {
    const a = await fetch(server.url);
    expect(a.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await a.text()).toContain('edgewise_events_total{kind="click"} 42');
    const b = await fetch(server.url, { headers: { accept: 'application/openmetrics-text' } });
    expect(b.headers.get('content-type')).toContain('application/openmetrics-text');
    expect((await b.text()).endsWith('# EOF\n')).toBe(true);
    expect((await fetch(server.url.replace('/metrics', '/nope'))).status).toBe(404);
  });

  it('PromQL returns the recorded values', async () => {
    const deadline = Date.now() + 45_000;
    let got: Awaited<ReturnType<PrometheusServer['query']>> = [];
    while (Date.now() < deadline) {
      got = await prom!.query('edgewise_events_total');
      if (got.length >= 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const byKind = Object.fromEntries(got.map((s) => [s.metric.kind, Number(s.value[1])]));
    expect(byKind).toEqual({ click: 42, 'quote"\\\n': 7 });
    const up = await prom!.query('up{job="edgewise"}');
    expect(up[0].value[1]).toBe('1');
    const t = await prom!.query('edgewise_temp_celsius');
    expect(Number(t[0].value[1])).toBe(21.5);
    const inf = await prom!.query('edgewise_latency_seconds_bucket{le="+Inf"}');
    expect(Number(inf[0].value[1])).toBe(3);
    const q = await prom!.query('histogram_quantile(0.5, edgewise_latency_seconds_bucket)');
    expect(Number(q[0].value[1])).toBeGreaterThan(0.1);
    expect(Number(q[0].value[1])).toBeLessThanOrEqual(1);
    const p50 = await prom!.query('edgewise_rpc_seconds{quantile="0.5"}');
    expect(Math.abs(Number(p50[0].value[1]) - 50)).toBeLessThanOrEqual(0.5);
    const sc = await prom!.query('edgewise_rpc_seconds_count');
    expect(Number(sc[0].value[1])).toBe(100);
    // Later increments show up in later scrapes.
    registry.counter('edgewise_events_total', { labelNames: ['kind'] }).inc({ kind: 'click' }, 8);
    const deadline2 = Date.now() + 30_000;
    let v = 0;
    while (Date.now() < deadline2) {
      const r = await prom!.query('edgewise_events_total{kind="click"}');
      v = Number(r[0]?.value[1]);
      if (v === 50) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(v).toBe(50);
  });
});
