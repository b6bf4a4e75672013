/**
 * npx tsx scripts/check-cad-ose.ts [--data DIR] [--only NAME,...]
 *
 * Reference parity of CadOseDetector: runs it in NAB mode (the file's min and
 * max, NAB's rest period from the file length) over every file of a NAB-format
 * folder (DIR/data/<category>/<file>.csv) and compares each record's score
 * with DIR/reference/contextOSE/<category>/<file>.csv. Prints, per file and in
 * total, the share of records within 1e-9 and the largest difference, and the
 * records/s of the detector (one core). Values are parsed as NAB's pandas
 * reader parsed them (`--parse js` for Number() instead). Exit code 1 when the total share is
 * below 99.9%. DIR defaults to ../shared/data/nab-dev (the development split).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CadOseDetector } from 'edgewise/anomaly';
import { nabHarnessOptions, pandasLegacyFloat as pandasParse } from '../test/helpers/pandas-float';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = arg('--data') ?? join(root, '..', 'shared', 'data', 'nab-dev');
const only = arg('--only')?.split(',');
if (!existsSync(join(dir, 'reference', 'contextOSE'))) {
  console.error(`No NAB data with reference/contextOSE at ${dir}; pass --data DIR.`);
  process.exit(2);
}

const parse = arg('--parse') === 'js' ? Number : pandasParse;

function column(path: string, conv: (s: string) => number = Number): number[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return lines.slice(1).map((l) => conv(l.slice(l.lastIndexOf(',') + 1).trim()));
}

let total = 0;
let within = 0;
let maxDiff = 0;
let records = 0;
let ms = 0;
const refDir = join(dir, 'reference', 'contextOSE');
for (const cat of readdirSync(refDir).sort()) {
  for (const f of readdirSync(join(refDir, cat)).sort()) {
    if (only && !only.some((o) => f.includes(o))) continue;
    const values = column(join(dir, 'data', cat, f), parse);
    const ref = column(join(refDir, cat, f));
    const det = new CadOseDetector(nabHarnessOptions(values));
    const t0 = performance.now();
    const got = det.updateBatch(values);
    ms += performance.now() - t0;
    records += values.length;
    let ok = 0;
    let worst = 0;
    let first = -1;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(got[i] - ref[i]);
      if (d <= 1e-9) ok++;
      else if (first < 0) first = i;
      if (!(d <= worst)) worst = d;
    }
    total += ref.length;
    within += ok;
    if (!(worst <= maxDiff)) maxDiff = worst;
    console.log(
      `${cat}/${f}: ${ok}/${ref.length} within 1e-9, max diff ${worst.toExponential(2)}` +
        (first >= 0 ? `, first at record ${first}` : '') +
        `, ${det.contexts} contexts`,
    );
  }
}
const share = within / total;
console.log(
  `\ntotal: ${within}/${total} records within 1e-9 (${(100 * share).toFixed(4)}%), max diff ${maxDiff.toExponential(2)}; ${Math.round(records / (ms / 1000))} records/s`,
);
process.exit(share >= 0.999 ? 0 : 1);
