// The README's examples are code users copy: every ```ts block marked
// `runnable` type-checks (strict) against the package's published types and
// runs here in Node against the built package (dist/, imported as
// `edgewise/...` through the package's own `exports`), and what each
// `console.log(...)` prints must equal the comment at the end of its line.
// So the README cannot drift from the API. (Needs `npm run build:lib`.)
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Inside the package directory, so `import 'edgewise/kernels'` resolves to dist/ by self-reference.
const dir = join(root, '.tmp', 'readme');

interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The section heading the block is under. */
  heading: string;
  code: string;
  /** What the block prints: the trailing comment of each `console.log(...)` line. */
  expected: string[];
}

/** The ```ts runnable blocks of a Markdown text. */
function runnableBlocks(md: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = md.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,4} /.test(lines[i])) heading = lines[i].replace(/^#+ /, '');
    if (!/^```ts runnable\s*$/.test(lines[i])) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const expected: string[] = [];
    for (const l of body) {
      const m = /console\.log\(.*\);\s*\/\/ (.*)$/.exec(l);
      if (m) expected.push(m[1].trim());
    }
    blocks.push({ line: start + 1, heading, code: body.join('\n'), expected });
  }
  return blocks;
}

const blocks = runnableBlocks(readme);
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples (runnable blocks, against the built dist/)', () => {
  it('has a runnable example for the quick start and every Node-runnable entry point', () => {
    const headings = blocks.map((b) => b.heading);
    for (const h of [
      'Quick start',
      '`edgewise/kernels`',
      '`edgewise/events`',
      '`edgewise/stream`',
      '`edgewise/metrics`',
      '`edgewise/storage`',
      '`edgewise/stats`',
      '`edgewise/anomaly`',
      '`edgewise/threads`',
      '`edgewise/gpu`',
      '`edgewise/ml`',
      '`edgewise/onnx`',
      '`edgewise/sync`',
    ])
      expect(headings).toContain(h);
    for (const b of blocks) expect(b.expected.length, `README.md:${b.line}`).toBeGreaterThan(0);
  });

  it('the quick start is about 20 lines', () => {
    const q = blocks.find((b) => b.heading === 'Quick start')!;
    expect(q.code.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('the quick start shows the public pipeline through the root entry', () => {
    const q = blocks.find((b) => b.heading === 'Quick start')!;
    expect(q.code).toMatch(/^import \{ createRuntime \} from 'edgewise';$/m);
    for (const step of [
      'createRuntime(',
      'rt.detect(',
      "rt.bus.on('anomaly.*'",
      '.pushBatch(',
      '.close()',
    ])
      expect(q.code).toContain(step);
  });

  it('extracts expected output from console.log comments', () => {
    const [b] = runnableBlocks(
      '# T\n\n```ts runnable\nconst x = 1; // not output\nconsole.log(x); // 1\n```\n```ts\nconsole.log(2); // 2\n```\n',
    );
    expect(b).toEqual({
      line: 3,
      heading: 'T',
      code: 'const x = 1; // not output\nconsole.log(x); // 1',
      expected: ['1'],
    });
  });

  it('every runnable block type-checks (strict) against the built types', async () => {
    const files = blocks.map((b) => {
      const file = join(dir, `typed-${b.line}.mts`);
      writeFileSync(file, `${b.code}\nexport {};\n`);
      return file;
    });
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const args = ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck'];
    args.push('--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022');
    args.push('--lib', 'es2023,dom', '--types', 'node,@webgpu/types', ...files);
    const r = await run(tsc, args, { cwd: root, timeout: 120_000 }).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout }),
    );
    // Map the temporary files back to README lines.
    const report = r.stdout.replace(/\S*typed-(\d+)\.mts\((\d+),\d+\)/g, (_, at, l) => {
      return `README.md:${Number(at) + Number(l)}`;
    });
    expect(report).toBe('');
  }, 150_000);

  for (const b of blocks) {
    it(`README.md:${b.line} (${b.heading}) runs and prints what its comments say`, async () => {
      const file = join(dir, `block-${b.line}.mts`);
      writeFileSync(file, `${b.code}\n`);
      let stdout: string;
      try {
        ({ stdout } = await run(process.execPath, ['--import', 'tsx', file], {
          cwd: root,
          timeout: 60_000,
        }));
      } catch (e) {
        const x = e as { stderr?: string; message: string };
        throw new Error(`README.md:${b.line} failed:\n${x.stderr ?? x.message}`);
      }
      expect(stdout.trimEnd().split('\n')).toEqual(b.expected);
    }, 90_000);
  }
});
