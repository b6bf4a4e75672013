/**
 * npm run eval:nab [-- --data DIR] [-- --only NAME,...]
 * Runs StreamingDetector, ablations of it, and each detector alone over the NAB development split
 * (default ../shared/data/nab-dev relative to the repo root), scores them with
 * src/anomaly/nab.ts (threshold optimised over the corpus per profile) and
 * prints a table. One fixed configuration for all files; labels are only read
 * by the scorer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allDetectors, defaultMembers, StreamingDetector } from '../src/anomaly/ensemble-stream';
import { NAB_PROFILES, type NabFile, nabScore } from '../src/anomaly/nab';
import type { StreamingDetectorApi } from '../src/anomaly/streaming';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const dataDir = arg('--data') ?? join(root, '..', 'shared', 'data', 'nab-dev');
if (!existsSync(join(dataDir, 'labels', 'combined_windows.json'))) {
  console.error(`NAB data not found at ${dataDir}; pass --data <dir with data/ and labels/>.`);
  process.exit(2);
}
const parseTs = (s: string): number =>
  Date.parse(
    `${s
      .trim()
      .replace(' ', 'T')
      .replace(/\.\d+$/, '')}Z`,
  );
const labels: Record<string, [string, string][]> = JSON.parse(
  readFileSync(join(dataDir, 'labels', 'combined_windows.json'), 'utf8'),
);
interface Series {
  name: string;
  ts: Float64Array;
  values: Float64Array;
  windows: [number, number][];
}
const series: Series[] = [];
for (const cat of readdirSync(join(dataDir, 'data')).sort()) {
  for (const file of readdirSync(join(dataDir, 'data', cat)).sort()) {
    const name = `${cat}/${file}`;
    const lines = readFileSync(join(dataDir, 'data', cat, file), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const ts = new Float64Array(lines.length);
    const values = new Float64Array(lines.length);
    lines.forEach((l, i) => {
      const [t, v] = l.split(',');
      ts[i] = parseTs(t);
      values[i] = Number(v);
    });
    series.push({
      name,
      ts,
      values,
      windows: (labels[name] ?? []).map(([a, b]) => [parseTs(a), parseTs(b)]),
    });
  }
}

const candidates: Record<string, () => StreamingDetectorApi> = {
  StreamingDetector: () => new StreamingDetector(),
  // ablations of the default: without the anomaly likelihoods / range novelty / either
  '- likelihood': () => new StreamingDetector({ likelihoodWindows: [] }),
  '- range novelty': () => new StreamingDetector({ rangeTolerance: Number.POSITIVE_INFINITY }),
  '- both': () =>
    new StreamingDetector({ likelihoodWindows: [], rangeTolerance: Number.POSITIVE_INFINITY }),
};
// each default member alone with the likelihoods and range novelty
for (const [name, make] of Object.entries(defaultMembers()))
  candidates[`${name} + likelihood`] = () => new StreamingDetector({ members: { [name]: make() } });
for (const [name, make] of Object.entries(allDetectors())) candidates[name] = make;
const only = arg('--only')?.split(',');

console.log(
  `NAB dev split: ${series.length} files, ${series.reduce((a, s) => a + s.windows.length, 0)} windows, ${series.reduce((a, s) => a + s.values.length, 0)} records`,
);
console.log(
  '| detector | standard | low FP | low FN | threshold (std) | TP/FP/FN (std) | records/s |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, make] of Object.entries(candidates)) {
  if (only && !only.includes(name)) continue;
  const files: NabFile[] = [];
  let t = 0;
  let n = 0;
  for (const s of series) {
    const d = make();
    const t0 = performance.now();
    const scores = d.updateBatch(s.values, s.ts);
    t += performance.now() - t0;
    n += s.values.length;
    files.push({ name: s.name, timestamps: s.ts, windows: s.windows, scores });
  }
  const std = nabScore(files, NAB_PROFILES.standard);
  const lfp = nabScore(files, NAB_PROFILES.reward_low_FP_rate);
  const lfn = nabScore(files, NAB_PROFILES.reward_low_FN_rate);
  if (argv.includes('--per-file')) {
    for (const f of files) {
      const r = nabScore([f], NAB_PROFILES.standard);
      console.log(`  ${f.name}: best-own-threshold ${r.score.toFixed(1)}`);
    }
  }
  console.log(
    `| ${name} | ${std.score.toFixed(1)} | ${lfp.score.toFixed(1)} | ${lfn.score.toFixed(1)} | ${std.threshold.toFixed(4)} | ${std.tp}/${std.fp}/${std.fn} | ${Math.round((n / t) * 1000).toLocaleString('en')} |`,
  );
}
