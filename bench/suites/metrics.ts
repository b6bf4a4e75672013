import { MetricsRegistry } from 'edgewise/metrics';
import client from 'prom-client';
import { consume, type Workload } from '../harness';

const LABEL_SETS = 5;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** 500 counters + 500 gauges + 100 histograms (10 buckets), each with 5 label sets, in both libraries. */
function build(): {
  ours: MetricsRegistry;
  peer: client.Registry;
  peerOm: client.Registry<typeof client.openMetricsContentType>;
} {
  const ours = new MetricsRegistry();
  const peer = new client.Registry();
  const peerOm = new client.Registry<typeof client.openMetricsContentType>();
  peerOm.setContentType(client.openMetricsContentType);
  let x = 1;
  const next = () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
  for (let i = 0; i < 500; i++) {
    const c = ours.counter(`bench_counter_${i}_total`, {
      help: `Counter ${i}.`,
      labelNames: ['route', 'code'],
    });
    const pc = new client.Counter({
      name: `bench_counter_${i}_total`,
      help: `Counter ${i}.`,
      labelNames: ['route', 'code'],
      registers: [peer, peerOm],
    });
    for (let l = 0; l < LABEL_SETS; l++) {
      const v = Math.floor(next() * 1e6);
      c.inc({ route: `/api/v${l}`, code: '200' }, v);
      pc.inc({ route: `/api/v${l}`, code: '200' }, v);
    }
    const g = ours.gauge(`bench_gauge_${i}`, { help: `Gauge ${i}.`, labelNames: ['host'] });
    const pg = new client.Gauge({
      name: `bench_gauge_${i}`,
      help: `Gauge ${i}.`,
      labelNames: ['host'],
      registers: [peer, peerOm],
    });
    for (let l = 0; l < LABEL_SETS; l++) {
      const v = next() * 100;
      g.set({ host: `host-${l}` }, v);
      pg.set({ host: `host-${l}` }, v);
    }
  }
  for (let i = 0; i < 100; i++) {
    const h = ours.histogram(`bench_latency_${i}_seconds`, {
      help: `Latency ${i}.`,
      labelNames: ['route'],
      buckets: BUCKETS,
    });
    const ph = new client.Histogram({
      name: `bench_latency_${i}_seconds`,
      help: `Latency ${i}.`,
      labelNames: ['route'],
      buckets: BUCKETS,
      registers: [peer, peerOm],
    });
    for (let l = 0; l < LABEL_SETS; l++) {
      for (let k = 0; k < 20; k++) {
        const v = next() * 6;
        h.observe({ route: `/r${l}` }, v);
        ph.observe({ route: `/r${l}` }, v);
      }
    }
  }
  return { ours, peer, peerOm };
}

const sampleLines = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('#')).length;

export default async function suite(): Promise<Workload[]> {
  const { ours, peer, peerOm } = build();
  const ourText = ours.expositionSync('prometheus');
  const peerText = await peer.metrics();
  const n = sampleLines(ourText);
  const ourOm = ours.expositionSync('openmetrics');
  const peerOmText = await peerOm.metrics();

  // Hot path: inc() on a bound handle.
  const incs = 20_000_000;
  const r = new MetricsRegistry();
  const bound = r.counter('hot_total', { labelNames: ['route'] }).labels({ route: '/' });
  const pr = new client.Registry();
  const pbound = new client.Counter({
    name: 'hot_total',
    help: 'h',
    labelNames: ['route'],
    registers: [pr],
  }).labels({ route: '/' });
  const unbound = r.counter('hot2_total', { labelNames: ['route'] });
  const punbound = new client.Counter({
    name: 'hot2_total',
    help: 'h',
    labelNames: ['route'],
    registers: [pr],
  });
  const labels = { route: '/' };
  const unboundIncs = 2_000_000;

  // observe() on bound handles: explicit histogram, exponential histogram, summary.
  const nObs = 1_000_000;
  const obs = new Float64Array(nObs);
  for (let i = 0; i < nObs; i++) obs[i] = Math.exp(((i * 7919) % 1000) / 100 - 5);
  const hist = r.histogram('obs_seconds', { buckets: BUCKETS }).labels({});
  const phist = new client.Histogram({
    name: 'obs_seconds',
    help: 'h',
    buckets: BUCKETS,
    registers: [pr],
  });
  const ehist = r.histogram('obs_exp_seconds', { kind: 'exponential' }).labels({});
  const summ = r.summary('obs_sum_seconds', { quantiles: [0.5, 0.99] }).labels({});
  const psumm = new client.Summary({
    name: 'obs_sum_seconds',
    help: 'h',
    percentiles: [0.5, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [pr],
  });

  return [
    {
      suite: 'metrics',
      name: `Prometheus text exposition: 500 counters + 500 gauges + 100 histograms (10 buckets) x 5 label sets (${n} samples)`,
      items: n,
      unit: 'samples',
      ours: 'edgewise exposition',
      impls: [
        { name: 'edgewise exposition', run: () => consume(ours.expositionSync('prometheus')) },
        { name: 'prom-client registry.metrics()', run: async () => consume(await peer.metrics()) },
      ],
      notes: { 'prom-client registry.metrics()': `same samples: ${sampleLines(peerText) === n}` },
    },
    {
      suite: 'metrics',
      name: 'OpenMetrics exposition, same registry',
      items: sampleLines(ourOm),
      unit: 'samples',
      ours: 'edgewise exposition',
      impls: [
        { name: 'edgewise exposition', run: () => consume(ours.expositionSync('openmetrics')) },
        {
          name: 'prom-client registry.metrics() (OpenMetrics)',
          run: async () => consume(await peerOm.metrics()),
        },
      ],
      notes: {
        'prom-client registry.metrics() (OpenMetrics)': `prom-client lines ${sampleLines(peerOmText)} (no _created), ours ${sampleLines(ourOm)}`,
      },
    },
    {
      suite: 'metrics',
      name: `Counter inc() on a bound handle (${incs / 1e6} M calls)`,
      items: incs,
      unit: 'inc',
      ours: 'edgewise handle.inc()',
      rounds: 5,
      impls: [
        {
          name: 'edgewise handle.inc()',
          run: () => {
            for (let i = 0; i < incs; i++) bound.inc();
            consume(bound.value);
          },
        },
        {
          name: 'prom-client labels().inc()',
          run: () => {
            for (let i = 0; i < incs; i++) pbound.inc();
          },
        },
      ],
    },
    {
      suite: 'metrics',
      name: `Counter inc({ route }) with a label object (${unboundIncs / 1e6} M calls)`,
      items: unboundIncs,
      unit: 'inc',
      ours: 'edgewise c.inc(labels)',
      rounds: 5,
      impls: [
        {
          name: 'edgewise c.inc(labels)',
          run: () => {
            for (let i = 0; i < unboundIncs; i++) unbound.inc(labels);
          },
        },
        {
          name: 'prom-client c.inc(labels)',
          run: () => {
            for (let i = 0; i < unboundIncs; i++) punbound.inc(labels);
          },
        },
      ],
    },
    {
      suite: 'metrics',
      name: `Histogram observe() on a bound handle (${nObs / 1e6} M values, 10 buckets)`,
      items: nObs,
      unit: 'obs',
      ours: 'edgewise histogram',
      rounds: 5,
      impls: [
        {
          name: 'edgewise histogram',
          run: () => {
            for (let i = 0; i < nObs; i++) hist.observe(obs[i]);
          },
        },
        {
          name: 'edgewise exponential histogram (OTel, wasm)',
          run: () => {
            for (let i = 0; i < nObs; i++) ehist.observe(obs[i]);
            ehist._sync();
          },
        },
        {
          name: 'prom-client histogram',
          run: () => {
            for (let i = 0; i < nObs; i++) phist.observe(obs[i]);
          },
        },
      ],
    },
    {
      suite: 'metrics',
      name: `Summary observe() (${nObs / 1e6} M values, sliding 10 min window, 5 panes)`,
      items: nObs,
      unit: 'obs',
      ours: 'edgewise summary (QuantileSketch panes)',
      rounds: 3,
      warmup: 1,
      impls: [
        {
          name: 'edgewise summary (QuantileSketch panes)',
          run: () => {
            for (let i = 0; i < nObs; i++) summ.observe(obs[i]);
            summ._sync();
          },
        },
        {
          name: 'prom-client summary (t-digest)',
          run: () => {
            for (let i = 0; i < nObs; i++) psumm.observe(obs[i]);
          },
        },
      ],
    },
  ];
}
