import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import { parseSeriesCsv } from '../src/stream/csv';
import fixture from './fixtures/moments.json';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'edgewise.js');
const data = join(
  import.meta.dirname,
  '..',
  'demo',
  'public',
  'data',
  'machine_temperature_system_failure.csv',
);
const tmp = mkdtempSync(join(tmpdir(), 'edgewise-cli-'));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('edgewise CLI (built dist/cli.js)', () => {
  it('score: the same scores as the StreamingDetector in-process, written to --out', async () => {
    const out = join(tmp, 'scores.csv');
    const r = await cli(['score', data, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/22695 rows scored/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,score,anomaly');
    expect(lines).toHaveLength(22696);
    const s = parseSeriesCsv(readFileSync(data, 'utf8'));
    const ref = new StreamingDetector().updateBatch(s.values, s.timestamps);
    for (let i = 0; i < ref.length; i++) expect(Number(lines[i + 1].split(',')[2])).toBe(ref[i]);
  });

  it('describe: matches the exact reference statistics and quantiles within 0.1%', async () => {
    const r = await cli(['describe', data]);
    expect(r.code).toBe(0);
    const get = (k: string): number =>
      Number(r.stdout.match(new RegExp(`^${k}\\s+(\\S+)$`, 'm'))![1]);
    const ref = fixture.datasets.find((d) => d.name === 'machine_temperature_system_failure.csv')!;
    expect(get('count')).toBe(ref.count);
    expect(Math.abs(get('mean') - ref.mean) / ref.mean).toBeLessThan(1e-12);
    expect(get('min')).toBe(ref.min);
    const sorted = Float64Array.from(parseSeriesCsv(readFileSync(data, 'utf8')).values).sort();
    for (const p of [1, 50, 99]) {
      const exact = sorted[Math.floor((p / 100) * (sorted.length - 1))];
      expect(Math.abs(get(`p${p} \\(±0.1%\\)`) - exact) / exact).toBeLessThanOrEqual(0.001 + 1e-12);
    }
  });

  it('bad rows: line-numbered errors on stderr, valid rows still scored, exit code 1', async () => {
    const f = join(tmp, 'bad.csv');
    writeFileSync(
      f,
      'timestamp,value\n2024-01-01 00:00:00,1\nbad,2\n2024-01-01 00:05:00,x\n2024-01-01 00:10:00,3\n',
    );
    const r = await cli(['score', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:3: timestamp "bad"`);
    expect(r.stderr).toContain(`${f}:4: value "x"`);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('usage errors exit 2 with the usage text', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['score'])).stderr).toMatch(/usage:/);
    expect((await cli(['score', join(tmp, 'missing.csv')])).code).toBe(2);
    expect((await cli(['score', data, '--detector', 'nope'])).code).toBe(2);
  });

  it('large files stream with progress on stderr', async () => {
    const f = join(tmp, 'big.csv');
    const rows: string[] = [];
    for (let i = 0; i < 400_000; i++)
      rows.push(`${1.7e12 + i * 60_000},${(Math.sin(i / 50) * 10 + (i % 7)).toFixed(6)}`);
    writeFileSync(f, rows.join('\n'));
    const r = await cli(['describe', f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/100% \(400,000 rows\)/);
    expect(r.stdout).toMatch(/^count\s+400000$/m);
  });
});
