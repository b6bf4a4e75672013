/**
 * onnxruntime-web is an optional peer dependency: where it is not installed,
 * `edgewise/onnx` fails with MISSING_DEPENDENCY naming the package and the
 * install command, and `edgewise/ml` does not reference it at all (so an app's
 * bundler never has to resolve it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
// A copy of the built package in a directory with no node_modules above it.
const dir = mkdtempSync(join(tmpdir(), 'edgewise-no-ort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('onnxruntime-web is an optional peer', () => {
  it('loading a model without it is a MISSING_DEPENDENCY error that says what to install', async () => {
    cpSync(dist, join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    // Plain Node resolution in a child process (the test runner resolves bare
    // imports from the repository, where onnxruntime-web is installed).
    const script = `
      const onnx = await import(${JSON.stringify(pathToFileURL(join(dir, 'dist', 'onnx.js')).href)});
      const err = await onnx.loadOnnx(Uint8Array.of(8, 1)).catch((e) => e);
      console.log(JSON.stringify({ name: err?.name, code: err?.code, message: err?.message }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
    });
    const err = JSON.parse(out.trim().split('\n').pop() as string);
    expect(err).toMatchObject({ name: 'EdgewiseError', code: 'MISSING_DEPENDENCY' });
    expect(err.message).toMatch(/npm install onnxruntime-web/);
  });

  it('edgewise/ml and the ML worker do not import onnxruntime-web', () => {
    const mlFiles = [join(dist, 'ml.js'), join(dist, 'workers', 'ml.worker.js')];
    // Every chunk ml.js pulls in statically or dynamically, transitively.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.\/[^"']+\.js)["']/g)) {
        visit(join(file, '..', m[1]));
      }
    };
    for (const f of mlFiles) visit(f);
    expect(seen.size).toBeGreaterThan(2);
    for (const f of seen) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/import\s*\(?\s*["']onnxruntime-web["']/);
    }
    // ...while edgewise/onnx does (its worker too).
    const onnxChunks = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(
      onnxChunks.some((f) =>
        /import\s*\(\s*["']onnxruntime-web["']/.test(readFileSync(join(dist, f), 'utf8')),
      ),
    ).toBe(true);
  });
});
