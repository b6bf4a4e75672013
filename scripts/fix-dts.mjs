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

// What a consumer's TypeScript reads: every declaration file reachable from
// the `types` conditions of the exports map. Those must not name an ambient
// type the consumer may not have: WebGPU's (only through WebGpuType in
// gpu/device.ts), Vite's (`import.meta.env`, `?url` modules) or a
// `/// <reference>` to a types package that is not a dependency.
const pkg = JSON.parse(readFileSync(join(root, '..', '..', 'package.json'), 'utf8'));
const entries = Object.values(pkg.exports)
  .map((e) => (typeof e === 'object' ? e.types : undefined))
  .filter(Boolean)
  .map((t) => resolve(root, '..', '..', t));
const seen = new Set();
const stack = [...entries];
const problems = [];
while (stack.length) {
  const file = stack.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  if (!existsSync(file)) {
    problems.push(`${file}: missing`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(SPEC)) {
    stack.push(resolve(dirname(file), m[3].replace(/\.js$/, '.d.ts')));
  }
  const code = text.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\*[\s\S]*?\*\//g, '');
  const gpu = code.match(/\bGPU(?:[A-Z]\w*)?\b/);
  if (gpu) problems.push(`${file}: names ${gpu[0]} (use WebGpuType<'${gpu[0]}'> from gpu/device)`);
  if (/\/\/\/\s*<reference/.test(code)) problems.push(`${file}: has a /// <reference> directive`);
  if (/import\.meta\.env|vite\/client|ImportMetaEnv/.test(code))
    problems.push(`${file}: names Vite's types`);
}
if (problems.length) {
  console.error(
    `fix-dts: public declarations a consumer cannot compile:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `fix-dts: ${seen.size} declaration files reachable from the exports map, no ambient leaks`,
);
