/**
 * npm run eval:nab -- --data DIR [--only NAME,...] [--halves N]
 * DIR is a NAB-format folder: the root of a clone of https://github.com/numenta/NAB
 * (or any folder with data/<category>/<file>.csv and labels/combined_windows.json).
 * Runs StreamingDetector, ablations of it, and each detector alone over those files, scores them with
 * src/anomaly/nab.ts (threshold optimised over the corpus per profile) and
 * prints a table. One fixed configuration for all files; labels are only read
 * by the scorer. With `--halves N`, N seeded random splits of the files in
 * two halves: the threshold is chosen on one half and the other half is
 * scored at it (held-out files and a held-out threshold), per detector.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allDetectors, defaultMembers, StreamingDetector } from '../src/anomaly/ensemble-stream';
import { NAB_PROFILES, type NabFile, nabScore } from '../src/anomaly/nab';
import type { StreamingDetectorApi } from '../src/anomaly/streaming';

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const HOW_TO_GET_NAB = `Usage: npm run eval:nab -- --data DIR [--only NAME,...] [--halves N]

DIR is a folder in NAB's layout: DIR/data/<category>/<file>.csv (timestamp,value)
and DIR/labels/combined_windows.json. To get the Numenta Anomaly Benchmark:

  git clone https://github.com/numenta/NAB
  npm run eval:nab -- --data NAB
`;
const dataArg = arg('--data');
const dataDir = dataArg === undefined ? undefined : resolve(dataArg);
if (
  dataDir === undefined ||
  !existsSync(join(dataDir, 'labels', 'combined_windows.json')) ||
  !existsSync(join(dataDir, 'data'))
) {
  console.error(
    dataDir === undefined
      ? 'eval:nab: no --data given.\n'
      : `eval:nab: no NAB data at ${dataDir} (expected data/ and labels/combined_windows.json there).\n`,
  );
  console.error(HOW_TO_GET_NAB);
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
const isDir = (p: string): boolean => statSync(p).isDirectory();
for (const cat of readdirSync(join(dataDir, 'data')).sort()) {
  if (!isDir(join(dataDir, 'data', cat))) continue; // NAB's data/README.md
  for (const file of readdirSync(join(dataDir, 'data', cat)).sort()) {
    if (!file.endsWith('.csv')) continue;
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
const results = new Map<string, NabFile[]>();
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
  results.set(name, files);
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

const halves = Number(arg('--halves') ?? 0);
if (halves > 0) {
  // mulberry32, seeded: the same splits on every run
  let a = 0x2545f491;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const splits: number[][] = [];
  for (let h = 0; h < halves; h++) {
    const order = series.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    splits.push(order);
  }
  const heldOut = new Map<string, number[]>();
  for (const [name, files] of results) {
    heldOut.set(
      name,
      splits.map((order) => {
        const half = order.length >> 1;
        const tune = order.slice(0, half).map((i) => files[i]);
        const test = order.slice(half).map((i) => files[i]);
        const th = nabScore(tune, NAB_PROFILES.standard).threshold;
        return nabScore(test, NAB_PROFILES.standard, th).score;
      }),
    );
  }
  const base = heldOut.get('StreamingDetector');
  console.log(
    `\nHeld-out halves (${halves} seeded splits; threshold chosen on one half, standard profile scored on the other):`,
  );
  console.log('| detector | mean | min | max | beaten by StreamingDetector |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, sc] of heldOut) {
    const mean = sc.reduce((x, y) => x + y, 0) / sc.length;
    const wins = base ? sc.filter((v, i) => base[i] > v).length : 0;
    console.log(
      `| ${name} | ${mean.toFixed(1)} | ${Math.min(...sc).toFixed(1)} | ${Math.max(...sc).toFixed(1)} | ${name === 'StreamingDetector' || !base ? '-' : `${wins} of ${sc.length}`} |`,
    );
  }
}
