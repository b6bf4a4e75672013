// npm run check:deps: the import rules of docs/architecture.md (the layer
// order and no cycles), as written in .dependency-cruiser.cjs, checked with
// dependency-cruiser over src/. Exits 1 on a violation, printing each one.
//
// Why not `npx depcruise src` directly: dependency-cruiser 18's CLI refuses
// Node < 22, and it reads TypeScript through the TypeScript compiler API,
// which the native TypeScript 7.0 package does not have. So this script
// parses each module with rolldown's TypeScript parser (the one the build
// uses), writes a stand-in JavaScript module per source file holding only its
// module references (value imports, `import type`, re-exports, `typeof
// import('...')`, dynamic `import()`), and runs dependency-cruiser's API, with
// the same rule set, on those. Type-only and dynamic imports count: they are
// dependencies of the design even when the bundle drops them. Once the
// toolchain allows it (Node 22+, TypeScript 7.1+ or 6.x), `npx depcruise src
// --config .dependency-cruiser.cjs` reads the same config.
//
// Usage: node scripts/check-deps.mjs [--root <dir>] [--config <file>] [dirs...]
//   --root    the tree to check (default: the repository); tests point it at a fixture
//   --config  the rule set (default: <repository>/.dependency-cruiser.cjs)
//   dirs      folders under the root to check (default: src)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import { parseAst } from 'rolldown/parseAst';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Relative module references of one TypeScript source: [specifier, dynamic][]. */
export function moduleReferences(code, file = 'module.ts') {
  const refs = [];
  const visit = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const t = node.type;
    if (
      (t === 'ImportDeclaration' ||
        t === 'ExportAllDeclaration' ||
        t === 'ExportNamedDeclaration') &&
      node.source
    ) {
      refs.push([node.source.value, false]);
    } else if (t === 'TSImportType') {
      const s = node.source ?? node.argument?.literal;
      if (typeof s?.value === 'string') refs.push([s.value, false]);
    } else if (t === 'TSExternalModuleReference' && typeof node.expression?.value === 'string') {
      refs.push([node.expression.value, false]);
    } else if (t === 'ImportExpression' && typeof node.source?.value === 'string') {
      refs.push([node.source.value, true]);
    }
    for (const k in node) if (k !== 'type') visit(node[k]);
  };
  let ast;
  try {
    ast = parseAst(code, { lang: file.endsWith('.tsx') ? 'tsx' : 'ts', sourceType: 'module' });
  } catch (e) {
    throw new Error(`check:deps: cannot parse ${file}: ${e.message}`);
  }
  visit(ast.body);
  return refs.filter(([s]) => s.startsWith('.'));
}

function sources(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const toJs = (p) => p.replace(/\.tsx?$/, '.js');
const toTs = (p, originals) => originals.get(p) ?? p;

/**
 * Checks `dirs` under `root` against the rule set in `configFile`.
 * Returns { violations, ignored, stale, modules }: violations with severity
 * 'error' make the check fail.
 */
export async function checkDeps({
  root = repo,
  configFile = join(repo, '.dependency-cruiser.cjs'),
  dirs = ['src'],
} = {}) {
  const config = require(resolve(configFile));
  const knownFile = join(dirname(resolve(configFile)), '.dependency-cruiser-known-violations.json');
  const known = existsSync(knownFile) ? JSON.parse(readFileSync(knownFile, 'utf8')) : [];
  const stage = mkdtempSync(join(tmpdir(), 'edgewise-deps-'));
  const originals = new Map(); // staged .js path (relative) -> source .ts path (relative)
  try {
    for (const d of dirs) {
      for (const file of sources(join(root, d))) {
        const rel = relative(root, file).split(sep).join('/');
        const refs = moduleReferences(readFileSync(file, 'utf8'), rel);
        const lines = refs.map(([s, dynamic]) => {
          const spec = JSON.stringify(s.replace(/\.tsx?$/, '.js'));
          return dynamic ? `import(${spec});` : `import ${spec};`;
        });
        const out = join(stage, toJs(rel));
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, `${lines.join('\n')}\n`);
        originals.set(toJs(rel), rel);
      }
    }
    const jsPath = (p) => (p.startsWith('src/') ? toJs(p) : p);
    const result = await cruise(
      dirs,
      {
        ...config.options,
        baseDir: stage,
        validate: true,
        ruleSet: { forbidden: config.forbidden, allowed: config.allowed, options: undefined },
        knownViolations: known.map((v) => ({
          ...v,
          from: jsPath(v.from),
          to: jsPath(v.to),
          cycle: v.cycle?.map((c) => ({ ...c, name: jsPath(c.name) })),
        })),
        outputType: 'json',
      },
      { extensions: ['.js'] },
    );
    const output = JSON.parse(result.output);
    const all = output.summary.violations.map((v) => ({
      rule: v.rule.name,
      severity: v.rule.severity,
      from: toTs(v.from, originals),
      to: toTs(v.to, originals),
      cycle: v.cycle?.map((c) => toTs(c.name, originals)),
      comment: config.forbidden.find((r) => r.name === v.rule.name)?.comment,
    }));
    const violations = all.filter((v) => v.severity !== 'ignore');
    const ignored = all.filter((v) => v.severity === 'ignore');
    const stale = known.filter(
      (k) => !ignored.some((v) => v.rule === k.rule.name && v.from === k.from && v.to === k.to),
    );
    return { violations, ignored, stale, modules: output.modules.length };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, v] = args.splice(i, 2);
    return v;
  };
  const root = opt('--root');
  const configFile = opt('--config');
  const { violations, ignored, stale, modules } = await checkDeps({
    root: root ? resolve(root) : undefined,
    configFile,
    dirs: args.length ? args : undefined,
  });
  for (const v of violations) {
    const where = v.cycle ? `${v.from} -> ${v.cycle.join(' -> ')}` : `${v.from} -> ${v.to}`;
    console.error(`${v.severity} ${v.rule}: ${where}`);
    if (v.comment) console.error(`  ${v.comment}`);
  }
  if (ignored.length) {
    console.log(
      `check:deps: ${ignored.length} known violation(s) tolerated (.dependency-cruiser-known-violations.json): ` +
        ignored.map((v) => `${v.rule} ${v.from} -> ${v.to}`).join('; '),
    );
  }
  for (const k of stale) {
    console.log(
      `check:deps: known violation gone, remove it from the baseline: ${k.rule.name} ${k.from} -> ${k.to}`,
    );
  }
  const errors = violations.filter((v) => v.severity === 'error').length;
  console.log(
    `check:deps: ${modules} modules, ${violations.length} violation(s)` +
      (errors ? ` (${errors} error(s)); see docs/architecture.md` : ''),
  );
  process.exit(errors ? 1 : 0);
}
