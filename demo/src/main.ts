import {
  KERNEL_BACKEND,
  KernelWorkerClient,
  Moments,
  type MomentsSummary,
} from '../../src/kernels/index';
import { parseSeriesCsv } from '../../src/stream/csv';
import { drawLine } from './chart';

const worker = new Worker(new URL('../../workers/analytics.worker.ts', import.meta.url), {
  type: 'module',
});
const client = new KernelWorkerClient(worker);

const select = document.querySelector<HTMLSelectElement>('#dataset')!;
const tbody = document.querySelector<HTMLTableSectionElement>('#stats tbody')!;
const status = document.querySelector<HTMLElement>('#status')!;
const canvas = document.querySelector<HTMLCanvasElement>('#chart')!;

const ROWS: [keyof MomentsSummary, string][] = [
  ['count', 'Count'],
  ['mean', 'Mean'],
  ['std', 'Standard deviation'],
  ['variance', 'Variance'],
  ['min', 'Minimum'],
  ['max', 'Maximum'],
  ['skewness', 'Skewness'],
  ['kurtosis', 'Excess kurtosis'],
  ['rejected', 'Rejected (non-finite)'],
];

const fmt = (v: number): string =>
  Number.isInteger(v) ? v.toLocaleString('en') : v.toPrecision(8).replace(/\.?0+$/, '');

function render(main: MomentsSummary, inWorker: MomentsSummary): void {
  tbody.replaceChildren(
    ...ROWS.map(([key, label]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = label;
      tr.append(th);
      for (const [where, s] of [
        ['main', main],
        ['worker', inWorker],
      ] as const) {
        const td = document.createElement('td');
        td.textContent = fmt(s[key]);
        td.dataset.stat = key;
        td.dataset.where = where;
        td.dataset.value = String(s[key]);
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function load(name: string): Promise<void> {
  document.body.dataset.ready = '';
  status.textContent = `Loading ${name}…`;
  const res = await fetch(`./data/${encodeURIComponent(name)}`);
  const series = parseSeriesCsv(await res.text());
  const t0 = performance.now();
  const m = Moments.of(series.values);
  const mainMs = performance.now() - t0;
  const main = m.summary();
  m.dispose();
  const remote = await client.createMoments();
  await remote.push(series.values.slice(), { transfer: true });
  const inWorker = await remote.summary();
  await remote.dispose();
  render(main, inWorker);
  drawLine(canvas, series.values);
  const bad = series.errors.length ? `, ${series.errors.length} malformed rows skipped` : '';
  status.textContent =
    `${name}: ${main.count.toLocaleString('en')} values${bad}. Kernels: ${KERNEL_BACKEND} ` +
    `(main thread ${mainMs.toFixed(2)} ms; the same numbers from the Web Worker).`;
  document.body.dataset.ready = name;
}

select.addEventListener('change', () => {
  void load(select.value);
});
load(select.value).catch((e: unknown) => {
  status.textContent = `Failed: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = 'error';
});
