/**
 * Makes the emitted declarations resolvable under TypeScript's node16/nodenext
 * module resolution: relative specifiers in dist/types get their real file
 * (`./x.js` for x.d.ts, `./x/index.js` for a folder). tsc keeps the source's
 * extensionless specifiers, which only `moduleResolution: bundler` accepts; with
 * node16/nodenext every import of ours would silently become `any`.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'types');
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*)\2/g;

function fix(file) {
  const dir = dirname(file);
  const text = readFileSync(file, 'utf8');
  let changed = 0;
  const out = text.replace(SPEC, (all, head, q, spec) => {
    if (/\.(js|mjs|cjs|json)$/.test(spec)) return all;
    const base = resolve(dir, spec);
    let to;
    if (existsSync(`${base}.d.ts`)) to = `${spec}.js`;
    else if (existsSync(join(base, 'index.d.ts'))) to = `${spec.replace(/\/$/, '')}/index.js`;
    else throw new Error(`${file}: cannot resolve '${spec}'`);
    changed++;
    return `${head}${q}${to}${q}`;
  });
  if (changed) writeFileSync(file, out);
  return changed;
}

function walk(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) n += walk(p);
    else if (p.endsWith('.d.ts')) n += fix(p);
  }
  return n;
}

const n = walk(root);
console.log(`fix-dts: ${n} relative specifiers made explicit in dist/types`);
