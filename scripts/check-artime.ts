/**
 * npx tsx scripts/check-artime.ts --data DIR
 *
 * Checks ARTimeDetector against NAB's stored ARTime results: DIR is a NAB-format
 * folder with data/, labels/combined_windows.json and reference/ARTime/ (our
 * development split, ../shared/data/nab-dev, has them for its 24 files). For
 * every file it runs the detector the way NAB's harness ran ARTime (the file's
 * min and max, its length; values read as pandas' legacy parser read them)
 * and compares record by record. Prints the share of records within 1e-9 and
 * the largest difference, for those inputs and for correctly rounded inputs,
 * then the NAB scores (threshold optimised over the files, per profile) of the
 * reference outputs and of ours, and of the streaming mode (no range, no
 * length given) for comparison.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTimeDetector, type ARTimeOptions } from 'edgewise/anomaly';
import {
  nabColumn,
  nabHarnessOptions,
  nabTime,
  pandasLegacyFloat,
} from '../test/helpers/pandas-float';
import { NAB_PROFILES, type NabFile, nabScore } from './nab/scorer';

const argv = process.argv.slice(2);
const at = argv.indexOf('--data');
const dataDir = at >= 0 ? argv[at + 1] : process.env.NAB_DATA;
if (!dataDir || !existsSync(join(dataDir, 'reference', 'ARTime'))) {
  console.error(
    [
      'usage: npx tsx scripts/check-artime.ts --data DIR',
      `DIR must hold NAB's data/, labels/combined_windows.json and reference/ARTime/ (got ${dataDir ?? 'nothing'}).`,
      'In this workspace: --data ../shared/data/nab-dev. Elsewhere: clone https://github.com/numenta/NAB and',
      'copy results/ARTime/<category>/ARTime_<file>.csv to reference/ARTime/<category>/<file>.csv.',
    ].join('\n'),
  );
  process.exit(2);
}

const parseTs = nabTime;
const labels: Record<string, [string, string][]> = JSON.parse(
  readFileSync(join(dataDir, 'labels', 'combined_windows.json'), 'utf8'),
);

interface Row {
  name: string;
  ts: Float64Array;
  legacy: Float64Array;
  exact: Float64Array;
  ref: Float64Array;
  windows: [number, number][];
}
const rows: Row[] = [];
for (const cat of readdirSync(join(dataDir, 'data')).sort()) {
  for (const file of readdirSync(join(dataDir, 'data', cat)).sort()) {
    const refPath = join(dataDir, 'reference', 'ARTime', cat, file);
    if (!existsSync(refPath)) continue;
    const text = readFileSync(join(dataDir, 'data', cat, file), 'utf8');
    const ts = Float64Array.from(
      text
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => parseTs(l.slice(0, l.indexOf(',')))),
    );
    const name = `${cat}/${file}`;
    rows.push({
      name,
      ts,
      legacy: nabColumn(text, pandasLegacyFloat),
      exact: nabColumn(text, Number),
      ref: nabColumn(readFileSync(refPath, 'utf8')),
      windows: (labels[name] ?? []).map(([a, b]) => [parseTs(a), parseTs(b)]),
    });
  }
}

/** NAB's harness: the file's min and max over the whole file, and its length. */
const nabOptions = (v: Float64Array): ARTimeOptions => nabHarnessOptions(v);

interface Run {
  files: NabFile[];
  within: number;
  total: number;
  maxDiff: number;
  perFile: string[];
  recordsPerSecond: number;
}
function run(pick: (r: Row) => Float64Array, options: (v: Float64Array) => ARTimeOptions): Run {
  const out: Run = { files: [], within: 0, total: 0, maxDiff: 0, perFile: [], recordsPerSecond: 0 };
  let ms = 0;
  for (const r of rows) {
    const v = pick(r);
    const d = new ARTimeDetector(options(v));
    const t0 = performance.now();
    const scores = d.updateBatch(v);
    ms += performance.now() - t0;
    let bad = 0;
    let worst = 0;
    for (let i = 0; i < v.length; i++) {
      const diff = Math.abs(scores[i] - r.ref[i]);
      if (diff <= 1e-9) out.within++;
      else bad++;
      worst = Math.max(worst, diff);
    }
    out.total += v.length;
    out.maxDiff = Math.max(out.maxDiff, worst);
    const nz = (a: ArrayLike<number>) =>
      Array.prototype.filter.call(a, (x: number) => x > 0).length;
    out.perFile.push(
      `| ${r.name} | ${v.length} | ${d.sstep} | ${d.categories} | ${nz(r.ref)} / ${nz(scores)} | ${bad} | ${worst.toExponential(2)} |`,
    );
    out.files.push({ name: r.name, timestamps: r.ts, windows: r.windows, scores });
  }
  out.recordsPerSecond = (out.total / ms) * 1000;
  return out;
}

run((r) => r.legacy, nabOptions); // warm-up (JIT), so the speed below is steady state
const nab = run((r) => r.legacy, nabOptions);
const exact = run((r) => r.exact, nabOptions);
const streaming = run(
  (r) => r.exact,
  () => ({}),
);
const refFiles: NabFile[] = rows.map((r) => ({
  name: r.name,
  timestamps: r.ts,
  windows: r.windows,
  scores: r.ref,
}));

console.log(`ARTime parity on ${rows.length} files, ${nab.total} records (${dataDir})\n`);
console.log(
  '| file | records | sstep | categories | detections ref / ours | records off by > 1e-9 | max diff |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const line of nab.perFile) console.log(line);
const pct = (r: Run) => ((100 * r.within) / r.total).toFixed(4);
console.log(
  `\nInputs as NAB's harness read them (pandas legacy float parser): ${nab.within} / ${nab.total} records within 1e-9 (${pct(nab)}%), max difference ${nab.maxDiff.toExponential(3)}`,
);
console.log(
  `Correctly rounded inputs (Number()):                            ${exact.within} / ${exact.total} records within 1e-9 (${pct(exact)}%), max difference ${exact.maxDiff.toExponential(3)}`,
);

console.log('\nNAB score (threshold optimised over these files, per profile):\n');
console.log('| outputs | standard | low FP | low FN | TP/FP/FN (std) |');
console.log('| --- | --- | --- | --- | --- |');
const line = (label: string, files: NabFile[]) => {
  const s = nabScore(files, NAB_PROFILES.standard);
  const f = nabScore(files, NAB_PROFILES.reward_low_FP_rate);
  const n = nabScore(files, NAB_PROFILES.reward_low_FN_rate);
  console.log(
    `| ${label} | ${s.score.toFixed(2)} | ${f.score.toFixed(2)} | ${n.score.toFixed(2)} | ${s.tp}/${s.fp}/${s.fn} |`,
  );
  return s.score;
};
const refStd = line('reference (NAB results/ARTime)', refFiles);
const oursStd = line('ARTimeDetector, NAB mode, pandas-legacy inputs', nab.files);
line('ARTimeDetector, NAB mode, correctly rounded inputs', exact.files);
line('ARTimeDetector, streaming mode (no min/max/length)', streaming.files);
console.log(
  `\nstandard score difference ours - reference: ${(oursStd - refStd).toFixed(4)}; speed (NAB mode, one core, including each file's setup and batch training): ${Math.round(nab.recordsPerSecond).toLocaleString('en')} records/s`,
);
