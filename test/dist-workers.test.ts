// The built package's worker and WebAssembly layout (npm run build:lib), as
// app bundlers and browsers need it. The apps themselves (Vite build and dev,
// webpack, a page with no bundler) run in Chromium in `npm run test:examples`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAst } from 'rolldown/parseAst';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const WORKERS = ['analytics', 'anomaly', 'stream', 'ml', 'gpu'];
if (!existsSync(join(dist, 'edgewise.wasm'))) throw new Error('dist missing: npm run build:lib');
const read = (f: string): string => readFileSync(join(dist, f), 'utf8');

type Node = { type: string; [k: string]: unknown };
/** Top-level awaits: AwaitExpressions (and for await) outside any function. */
function topLevelAwaits(code: string): number {
  let n = 0;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x);
      return;
    }
    const t = (node as Node).type;
    if (/Function/.test(t)) return; // an await in a function is fine
    if (t === 'AwaitExpression' || (t === 'ForOfStatement' && (node as Node).await)) n++;
    for (const v of Object.values(node as Node)) if (typeof v === 'object') walk(v);
  };
  walk(parseAst(code, { sourceType: 'module' }).body);
  return n;
}

/** The worker files (`<name>.worker.js`) that string literals and templates of `code` name. */
function workerLiterals(code: string): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x);
      return;
    }
    const n = node as Node;
    const text =
      n.type === 'Literal' && typeof n.value === 'string'
        ? n.value
        : n.type === 'TemplateElement'
          ? String((n.value as { cooked?: string; raw: string }).cooked ?? '')
          : undefined;
    const m = text === undefined ? null : /(?:^|\/)([\w-]+)\.worker\.js$/.exec(text);
    if (m) found.add(m[1]);
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(parseAst(code, { sourceType: 'module' }).body);
  return found;
}

describe('dist: workers and the kernel module as bundlers and browsers need them', () => {
  it('the walker finds a top-level await and ignores one inside a function', () => {
    expect(topLevelAwaits('const m = await load(); async function f() { await m; }')).toBe(1);
    expect(topLevelAwaits('for await (const x of y) {}')).toBe(1);
    expect(topLevelAwaits('const f = async () => { await 1; };')).toBe(0);
  });

  it.each(WORKERS)(
    'workers/%s.worker.js: one self-contained module, no top-level await, no bare import',
    (name) => {
      const code = read(`workers/${name}.worker.js`);
      // Bundlers build workers as classic scripts by default: no top-level await.
      expect(topLevelAwaits(code)).toBe(0);
      // A module worker does not see the page's import map: no bare specifier, no chunk import.
      const statics = [...code.matchAll(/^\s*(?:import|export)\b[^;(]*?from\s*["']([^"']+)["']/gm)];
      expect(statics.map((m) => m[1])).toEqual([]);
      const dynamics = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
      expect(dynamics.filter((s) => s !== 'onnxruntime-web')).toEqual([]);
      // It finds the kernel module beside the package code, one level up.
      expect(code).toContain('new URL("../edgewise.wasm", import.meta.url)');
    },
  );

  it('the library starts each worker with the spelling Vite, webpack and browsers resolve', () => {
    const chunks = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const code = chunks.map(read).join('\n');
    for (const name of WORKERS) {
      const spelled = `new Worker(new URL("./workers/${name}.worker.js", import.meta.url), {`;
      expect(code.split(spelled).length - 1, name).toBe(1);
      expect(existsSync(join(dist, 'workers', `${name}.worker.js`))).toBe(true);
    }
    // No other worker URL: the Node entries are not spelled as a bundler asset.
    expect(code).not.toMatch(/new URL\(\s*["'][^"']*node-worker[^"']*["']\s*,\s*import\.meta\.url/);
    expect(code).toContain('new URL("./edgewise.wasm", import.meta.url)');
  });

  it('one kernel module: dist/edgewise.wasm is build/edgewise.wasm, and no JS inlines it', () => {
    const wasm = readFileSync(join(dist, 'edgewise.wasm'));
    expect(wasm.equals(readFileSync(join(dist, '..', 'build', 'edgewise.wasm')))).toBe(true);
    const all = [
      ...readdirSync(dist).filter((f) => f.endsWith('.js')),
      ...WORKERS.map((w) => `workers/${w}.worker.js`),
    ];
    // base64 of the module's first bytes (\0asm + version) would mark an inlined copy.
    const head = wasm.subarray(0, 12).toString('base64').slice(0, 12);
    for (const f of all) expect(read(f).includes(head), f).toBe(false);
    expect(readdirSync(dist).filter((f) => f.endsWith('.wasm'))).toEqual(['edgewise.wasm']);
  });

  it('only edgewise/threads/stream references the stream worker: an app importing edgewise/threads does not bundle it', async () => {
    // Vite and webpack emit a worker for every `new Worker(new URL(...))` in
    // the modules they build, called or not (tree-shaking comes later). So no
    // module in the built graph of an entry but edgewise/threads/stream (the
    // entry file and every chunk it imports, statically or with import(),
    // transitively) may name the stream worker.
    const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as {
      exports: Record<string, string | { import?: string }>;
    };
    const graph = (entry: string): Map<string, string> => {
      const seen = new Map<string, string>();
      const visit = (file: string): void => {
        if (seen.has(file)) return;
        const text = readFileSync(file, 'utf8');
        seen.set(file, text);
        for (const m of text.matchAll(
          /(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g,
        )) {
          visit(join(file, '..', m[1]));
        }
      };
      visit(join(dist, '..', entry));
      return seen;
    };
    const entries = Object.entries(pkg.exports).flatMap(([sub, e]) =>
      typeof e === 'object' && e.import ? [[sub, e.import] as const] : [],
    );
    expect(entries.map(([sub]) => sub)).toEqual(
      expect.arrayContaining(['.', './threads', './threads/stream', './anomaly', './events']),
    );
    for (const [sub, file] of entries) {
      const files = graph(file);
      const hits = [...files].filter(([, code]) => workerLiterals(code).has('stream'));
      if (sub === './threads/stream') {
        expect(hits, sub).toHaveLength(1);
        expect(hits[0][1]).toContain(
          'new Worker(new URL("./workers/stream.worker.js", import.meta.url), {',
        );
      } else {
        const where = hits.map(([f]) => f);
        expect(where, `${sub} (${file}) must not reach the stream worker`).toEqual([]);
      }
    }
    // The walk reaches the chunks where edgewise/threads starts its own
    // workers (an empty result above is not a walk that stopped early).
    const threads = [...graph('./dist/threads.js').values()];
    expect(threads.length).toBeGreaterThan(3);
    for (const w of ['analytics', 'anomaly']) {
      expect(
        threads.some((code) => workerLiterals(code).has(w)),
        w,
      ).toBe(true);
    }
    // The functions moved: edgewise/threads/stream exports them, edgewise/threads does not.
    const load = (f: string) => import(pathToFileURL(join(dist, f)).href);
    const [t, ts] = [await load('threads.js'), await load('threads-stream.js')];
    expect('createStreamWorker' in t || 'serveWindowDetection' in t).toBe(false);
    expect([typeof ts.createStreamWorker, typeof ts.serveWindowDetection]).toEqual([
      'function',
      'function',
    ]);
  });

  it('the literal finder sees worker file names in strings and templates, not in comments', () => {
    const code =
      '// see "./workers/stream.worker.js"\n/* `stream.worker.js` */\n' +
      'const a = new URL("./workers/anomaly.worker.js", import.meta.url);\n' +
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal
      'const b = `../workers/${x}/gpu.worker.js`; const c = "analytics.worker.js.map";';
    expect([...workerLiterals(code)].sort()).toEqual(['anomaly', 'gpu']);
  });
});
