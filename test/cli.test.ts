import { execFile } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StreamingDetector } from '../src/anomaly/ensemble-stream';
import { Rng } from '../src/anomaly/matrix';
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
    expect(r.stderr).toContain(`${f}:3: timestamp "bad" is not ISO-8601`);
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

  it('RFC 4180: quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, a header', async () => {
    const f = join(tmp, 'rfc.csv');
    writeFileSync(
      f,
      '\uFEFF"timestamp","value","series"\r\n' +
        '2024-01-01 00:00:00,"1.5","room ""A"", east"\r\n' +
        '"2024-01-01 00:05:00",2.5,"multi\r\nline"\r\n' +
        '2024-01-01 00:10:00,3.5,"room ""A"", east"\r\n',
    );
    const r = await cli(['score', f]);
    expect(r.stderr).toBe('3 rows scored in 2 series, 0 at score >= 0.996\n');
    expect(r.code).toBe(0);
    // The series names come back quoted as RFC 4180 wants.
    const out = r.stdout.split('\r\n').join('\n');
    // first record of a series: every member says "no evidence" (0.5), 0.5^9 after the Šidák
    // correction over 3 members x (point + 2 likelihoods)
    expect(out).toBe(
      'timestamp,value,score,anomaly,series\n' +
        '2024-01-01T00:00:00.000Z,1.5,0.001953125,0,"room ""A"", east"\n' +
        '2024-01-01T00:05:00.000Z,2.5,0.001953125,0,"multi\nline"\n' +
        '2024-01-01T00:10:00.000Z,3.5,0.001953125,0,"room ""A"", east"\n',
    );
  });

  it('a header is detected (or not), its names may reorder the columns, and line numbers stay right', async () => {
    const noHeader = join(tmp, 'nohead.csv');
    writeFileSync(noHeader, '1700000000000,1\n1700000060000,2\n');
    const a = await cli(['describe', noHeader]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^count\s+2$/m);
    const reordered = join(tmp, 'reordered.csv');
    writeFileSync(
      reordered,
      'Value,Timestamp\n"10",2024-01-01\r\n"x",2024-01-02\r\n30,2024-01-03\r\n',
    );
    const b = await cli(['describe', reordered]);
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(/^count\s+2$/m);
    expect(b.stdout).toMatch(/^mean\s+20$/m);
    expect(b.stdout).toMatch(/^from\s+2024-01-01T00:00:00.000Z$/m);
    expect(b.stderr).toContain(`${reordered}:3: value "x" is not a finite number`);
  });

  it('says which line is wrong when the CSV itself is broken', async () => {
    const f = join(tmp, 'broken.csv');
    writeFileSync(
      f,
      'timestamp,value\n"2024-01-01 00:00","a\nb"\n2024-01-01 00:01,5\n2024-01-01 00:02,1"2\n' +
        '"2024-01-01 00:03"x,3\n2024-01-01 00:04,4,s,extra\n2024-01-01 00:05,"6\n',
    );
    const r = await cli(['describe', f]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `${f}:2: value "a\\nb" is not a finite number`,
      `${f}:5: a quote (") inside an unquoted field: quote the whole field and double the quote ("")`,
      `${f}:6: text after the closing quote of a field ("x,3"): a quoted field must end at a comma or a line end`,
      `${f}:7: expected 2 fields as in the header, found 4`,
      `${f}:8: a quoted field opened on this line is never closed (missing ")`,
      `${f}: 5 rows skipped`,
    ]);
    expect(r.stdout).toMatch(/^count\s+1$/m);
  });

  it('strict timestamps: out-of-range epochs, impossible dates and prose are row errors, not crashes', async () => {
    const f = join(tmp, 'times.csv');
    writeFileSync(
      f,
      '99999999999999999999,1\n2020-02-30 10:00,2\nMarch 7,3\n0x10,4\n2024-03-01T10:00:00+01:00,5\n',
    );
    const r = await cli(['score', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${f}:1: timestamp "99999999999999999999" is outside the range of dates`,
    );
    expect(r.stderr).toContain(`${f}:2: timestamp "2020-02-30 10:00" is not a calendar date`);
    expect(r.stderr).toContain(`${f}:3: timestamp "March 7" is not ISO-8601`);
    expect(r.stderr).toContain(`${f}:4: timestamp "0x10" is not ISO-8601`);
    expect(r.stdout.trim().split('\n')).toEqual([
      'timestamp,value,score,anomaly',
      '2024-03-01T09:00:00.000Z,5,0.001953125,0',
    ]);
    expect(r.stderr).not.toMatch(/RangeError|at .*\.js/);
  });

  it('a directory as input: one line, exit 2', async () => {
    const d = join(tmp, 'a-directory');
    mkdirSync(d, { recursive: true });
    const r = await cli(['score', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`edgewise: cannot read ${d}: it is a directory, not a CSV file\n`);
  });

  it('an unwritable --out: one line, exit 2 (no unhandled error event)', async () => {
    const small = join(tmp, 'small.csv');
    writeFileSync(small, '1700000000000,1\n1700000060000,2\n');
    const noDir = join(tmp, 'no-such-dir', 'out.csv');
    const a = await cli(['score', small, '--out', noDir]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      `edgewise: cannot write --out ${noDir}: the directory ${join(tmp, 'no-such-dir')} does not exist\n`,
    );
    const b = await cli(['score', small, '--out', tmp]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(`edgewise: cannot write --out ${tmp}: it is a directory\n`);
    // A write that fails part-way (ENOSPC: /dev/full accepts the open, refuses every write).
    const c = await cli(['score', data, '--out', '/dev/full']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(
      /^edgewise: cannot write \/dev\/full: ENOSPC: no space left on device/,
    );
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--out naming the input (directly, through a symlink or a hard link) is refused and the input kept', async () => {
    const f = join(tmp, 'keep.csv');
    const text = '1700000000000,1\n1700000060000,2\n';
    writeFileSync(f, text);
    const link = join(tmp, 'keep-link.csv');
    symlinkSync(f, link);
    const hard = join(tmp, 'keep-hard.csv');
    linkSync(f, hard);
    for (const out of [f, join(tmp, '.', 'keep.csv'), link, hard]) {
      const r = await cli(['score', f, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `edgewise: --out ${out} is the input file; write the scores to another file (the input was not touched)\n`,
      );
      expect(readFileSync(f, 'utf8')).toBe(text);
    }
  });

  it('--time-format: a pattern reads day-first dates; an unknown directive or option is a usage error', async () => {
    const f = join(tmp, 'dayfirst.csv');
    writeFileSync(f, 'when,value\n31/12/2024 23:59,1\n01/01/2025 00:00,2\n30/02/2025 10:00,3\n');
    const r = await cli(['score', f, '--time-format', '%d/%m/%Y %H:%M']);
    expect(r.code).toBe(1);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(',')[0]),
    ).toEqual(['timestamp', '2024-12-31T23:59:00.000Z', '2025-01-01T00:00:00.000Z']);
    expect(r.stderr).toContain(`${f}:4: timestamp "30/02/2025 10:00" is not a calendar date`);
    // The same file without the format: every row is refused, nothing is guessed.
    const iso = await cli(['score', f]);
    expect(iso.stdout.trim()).toBe('timestamp,value,score,anomaly');
    const secs = join(tmp, 'secs.csv');
    writeFileSync(secs, '1700000000,1\n1700000060.5,2\n');
    const e = await cli(['describe', secs, '--time-format=epoch-s']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^from\s+2023-11-14T22:13:20\.000Z$/m);
    expect(e.stdout).toMatch(/^to\s+2023-11-14T22:14:20\.500Z$/m);
    const bad = await cli(['score', f, '--time-format', '%d/%q/%Y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^edgewise: --time-format: .*unknown directive %q/);
    const opt = await cli(['score', f, '--treshold', '0.9']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^unknown option --treshold for score/);
  });

  it('rows out of time order are scored in file order with a warning that counts them', async () => {
    const f = join(tmp, 'shuffled.csv');
    // Series a is in order; series b has two rows earlier than the row before them.
    writeFileSync(
      f,
      'timestamp,value,series\n1000,1,a\n5000,1,b\n2000,2,a\n3000,2,b\n4000,3,b\n3500,3,a\n1000,4,b\n',
    );
    const r = await cli(['score', f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `${f}: warning: 2 rows are earlier than the row before them in their series (first at 1970-01-01T00:00:03.000Z)`,
    );
    const sorted = join(tmp, 'sorted.csv');
    writeFileSync(sorted, 'timestamp,value,series\n1000,1,a\n2000,2,a\n1000,1,b\n3000,2,b\n');
    expect((await cli(['score', sorted])).stderr).not.toContain('warning');
  });

  it('--cooldown / --cooldown-hours: the quiet period after an alarm, as the detector options', async () => {
    // a daily sine of 5-minute records with spikes 20 hours apart (records 2,500 and 2,740)
    const r = new Rng(5);
    const t0 = Date.UTC(2024, 0, 1);
    const t = Float64Array.from({ length: 3000 }, (_, i) => t0 + i * 300_000);
    const v = Float64Array.from(
      { length: 3000 },
      (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 288) + (r.next() - 0.5),
    );
    v[2500] = 45;
    v[2740] = 44;
    const f = join(tmp, 'two-spikes.csv');
    writeFileSync(f, `${Array.from(t, (x, i) => `${x},${v[i]}`).join('\n')}\n`);
    const flags = async (args: string[]): Promise<string[]> => {
      const out = join(tmp, 'two-spikes-scores.csv');
      const res = await cli(['score', f, '--out', out, ...args]);
      expect(res.code, res.stderr).toBe(0);
      const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
      const ref = new StreamingDetector({
        ...(args.includes('--cooldown')
          ? { cooldown: Number(args[args.indexOf('--cooldown') + 1]) }
          : {}),
        ...(args.includes('--cooldown-hours')
          ? { cooldownMs: Number(args[args.indexOf('--cooldown-hours') + 1]) * 3_600_000 }
          : {}),
      }).updateBatch(v, t);
      expect(rows.map((row) => Number(row.split(',')[2]))).toEqual(Array.from(ref));
      return rows.map((row) => row.split(',')[3]);
    };
    // the default quiet period is one day: the second spike is part of the first incident
    const byDefault = await flags([]);
    expect([byDefault[2500], byDefault[2740]]).toEqual(['1', '0']);
    // 12 hours (0.4's default) or 100 records: it is a new one
    expect((await flags(['--cooldown-hours', '12']))[2740]).toBe('1');
    expect((await flags(['--cooldown', '100']))[2740]).toBe('1');
    expect((await flags(['--cooldown', '0']))[2740]).toBe('1');
    // bad values and other detectors: exit 2 with one line saying what to fix
    for (const [args, msg] of [
      [['--cooldown', '-1'], /--cooldown must be a whole number of records >= 0/],
      [['--cooldown', '2.5'], /--cooldown must be a whole number/],
      [['--cooldown-hours', 'day'], /--cooldown-hours must be a number of hours >= 0/],
      [['--cooldown-hours', '', '--cooldown', '5'], /--cooldown-hours must be a number/],
      [['--detector', 'ewma', '--cooldown', '5'], /apply to the default detector only/],
    ] as const) {
      const res = await cli(['score', f, ...args]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(msg);
      expect(res.stdout).toBe('');
    }
  });
});
