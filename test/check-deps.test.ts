// npm run check:deps (scripts/check-deps.mjs with .dependency-cruiser.cjs):
// the layer order and no-cycle rules of docs/architecture.md. Fixture trees
// prove that it fails on each kind of violation (and passes a clean tree);
// the last test holds the repository itself to the rules.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}
type CheckDeps = (o: {
  root?: string;
  dirs?: string[];
}) => Promise<{ violations: Violation[]; modules: number }>;

const repo = join(import.meta.dirname, '..');
const script = join(repo, 'scripts', 'check-deps.mjs');
const { checkDeps } = (await import(script as string)) as { checkDeps: CheckDeps };

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A fixture tree: { 'src/kernels/a.ts': '...' }. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'edgewise-deps-fixture-'));
  roots.push(root);
  for (const [rel, code] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), code);
  }
  return root;
}

const clean = {
  'src/errors.ts': 'export class EdgewiseError extends Error {}\n',
  'src/kernels/moments.ts':
    "import { EdgewiseError } from '../errors';\nexport const m = (): Error => new EdgewiseError();\n",
  'src/anomaly/detector.ts':
    "import type { EdgewiseError } from '../errors';\nimport { m } from '../kernels/moments';\n" +
    'export const d = (): EdgewiseError => m();\n',
  'src/anomaly/index.ts': "export { d } from './detector';\n",
  'src/threads/anomaly/service.ts': "export const load = () => import('../../anomaly/detector');\n",
};

const rules = (vs: Violation[]): string[] => [...new Set(vs.map((v) => v.rule))].sort();

describe('check:deps: the layer order and no cycles', () => {
  it('passes a tree that follows the rules', async () => {
    const r = await checkDeps({ root: tree(clean) });
    expect(r.modules).toBe(5);
    expect(r.violations).toEqual([]);
  });

  it('fails on an import against the layer order (kernels importing anomaly)', async () => {
    const root = tree({
      ...clean,
      'src/kernels/bad.ts': "import { d } from '../anomaly/detector';\nexport const b = d;\n",
    });
    const r = await checkDeps({ root });
    expect(r.violations).toMatchObject([
      { rule: 'layer-kernels', from: 'src/kernels/bad.ts', to: 'src/anomaly/detector.ts' },
    ]);
    // the command exits 1 and names the rule, the edge and the document
    const run = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('layer-kernels: src/kernels/bad.ts -> src/anomaly/detector.ts');
    expect(run.stderr).toContain('docs/architecture.md');
  });

  it('fails on a cycle made of type-only imports, and on one through a dynamic import()', async () => {
    const typeOnly = await checkDeps({
      root: tree({
        ...clean,
        'src/stats/x.ts': "import type { Y } from './y';\nexport type X = Y[];\n",
        'src/stats/y.ts': "export type Y = number;\nexport type Z = typeof import('./x');\n",
      }),
    });
    expect(rules(typeOnly.violations)).toEqual(['no-circular']);
    expect(typeOnly.violations[0].cycle).toContain('src/stats/x.ts');

    const dynamic = await checkDeps({
      root: tree({
        ...clean,
        'src/stats/x.ts': "import { y } from './y';\nexport const x = y;\n",
        'src/stats/y.ts': "export const y = 1;\nexport const lazy = () => import('./x');\n",
      }),
    });
    expect(rules(dynamic.violations)).toEqual(['no-circular']);
  });

  it('fails on a module importing a public entry, a folder in no layer, an import out of src', async () => {
    const r = await checkDeps({
      root: tree({
        ...clean,
        'src/anomaly/other.ts': "import { d } from './index';\nexport const o = d;\n",
        'src/newfolder/x.ts': "import { m } from '../kernels/moments';\nexport const x = m;\n",
        'src/kernels/demo-use.ts': "import { app } from '../../demo/app';\nexport const a = app;\n",
      }),
    });
    expect(rules(r.violations)).toEqual(['layer-unlisted', 'no-entry-import', 'src-only']);
  });

  it('the repository follows its rules (exit 0)', () => {
    const run = spawnSync(process.execPath, [script], { cwd: repo, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/check:deps: \d+ modules, 0 violation/);
  });
});
