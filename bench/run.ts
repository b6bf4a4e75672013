/**
 * npm run bench [-- suite ...]: runs the benchmark suites (all by default),
 * prints medians, throughput and ratios to peers, and merges the results into
 * bench/results/latest.json (suites not run keep their previous entries).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  printResult,
  runWorkload,
  updateReadme,
  type Workload,
  type WorkloadResult,
} from './harness';

type Suite = () => Promise<Workload[]>;
const suites: Record<string, () => Promise<{ default: Suite }>> = {
  anomaly: () => import('./suites/anomaly'),
  moments: () => import('./suites/moments'),
  gpu: () => import('./suites/gpu'),
  quantile: () => import('./suites/quantile'),
  window: () => import('./suites/window'),
  events: () => import('./suites/events'),
  stream: () => import('./suites/stream'),
  metrics: () => import('./suites/metrics'),
  stats: () => import('./suites/stats'),
  ml: () => import('./suites/ml'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
for (const n of names) {
  if (!suites[n]) {
    console.error(`unknown suite '${n}'; suites: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'results', 'latest.json');
const previous: { suites?: Record<string, WorkloadResult[]> } = existsSync(out)
  ? JSON.parse(readFileSync(out, 'utf8'))
  : {};
const all: Record<string, WorkloadResult[]> = previous.suites ?? {};

console.log(`Edgewise bench — node ${process.version}, ${cpus()[0]?.model} x${cpus().length}`);
console.log('Medians over interleaved rounds; ratios are peer median / edgewise median.');
for (const n of names) {
  const { default: suite } = await suites[n]();
  const results: WorkloadResult[] = [];
  for (const w of await suite()) {
    const r = await runWorkload(w);
    printResult(r);
    results.push(r);
  }
  all[n] = results;
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      date: new Date().toISOString(),
      suites: all,
    },
    null,
    1,
  )}\n`,
);
console.log(`\nwrote ${out}`);
updateReadme(join(here, '..', 'docs', 'benchmarks.md'), all);
