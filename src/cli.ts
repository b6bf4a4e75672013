/**
 * The `edgewise` command line (Node):
 *
 *   edgewise score <file.csv> [--detector default|<member>] [--threshold 0.996] [--out scores.csv]
 *   edgewise describe <file.csv>
 *
 * Files are read as a stream (constant memory whatever their size), in
 * batches of lines; progress goes to stderr for large files. Rows that cannot
 * be read are reported with their line number and skipped; the exit code is
 * then 1 (2 for usage errors or unreadable files).
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { allDetectors, StreamingDetector } from './anomaly/ensemble-stream';
import type { StreamingDetectorApi } from './anomaly/streaming';
import { Moments } from './kernels/moments';
import { QuantileSketch } from './kernels/quantile';
import { type CsvRowError, parseSeriesCsv } from './stream/csv';

const USAGE = `usage:
  edgewise score <file.csv> [--detector default|${Object.keys(allDetectors()).join('|')}] [--threshold 0.996] [--out scores.csv]
  edgewise describe <file.csv>

CSV rows: timestamp,value[,series] (header optional; ISO dates or epoch ms).`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const BATCH_LINES = 8192;

/** Reads `path` in batches of parsed rows; returns the row errors. */
async function forEachBatch(
  path: string,
  io: Io,
  fn: (t: Float64Array, v: Float64Array) => void | Promise<void>,
): Promise<{ errors: CsvRowError[]; errorCount: number; rows: number }> {
  const size = statSync(path).size;
  const stream = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const errors: CsvRowError[] = [];
  let errorCount = 0;
  let rows = 0;
  let buf: string[] = [];
  let firstLine = 1;
  let lastReport = Date.now();
  const flush = async (): Promise<void> => {
    if (!buf.length) return;
    const p = parseSeriesCsv(buf.join('\n'), { firstLine, maxErrors: BATCH_LINES });
    errorCount += p.errors.length;
    for (const e of p.errors) if (errors.length < 20) errors.push(e);
    firstLine += buf.length;
    buf = [];
    if (p.values.length) {
      rows += p.values.length;
      await fn(p.timestamps, p.values);
    }
    if (size > 8 << 20 && Date.now() - lastReport > 1000) {
      lastReport = Date.now();
      io.stderr.write(
        `\r${((100 * stream.bytesRead) / size).toFixed(0)}% (${rows.toLocaleString('en')} rows)`,
      );
    }
  };
  for await (const line of rl) {
    buf.push(line);
    if (buf.length >= BATCH_LINES) await flush();
  }
  await flush();
  if (size > 8 << 20) io.stderr.write(`\r100% (${rows.toLocaleString('en')} rows)\n`);
  return { errors, errorCount, rows };
}

function reportErrors(
  path: string,
  r: { errors: CsvRowError[]; errorCount: number },
  io: Io,
): void {
  for (const e of r.errors) io.stderr.write(`${path}:${e.line}: ${e.reason}\n`);
  if (r.errorCount > r.errors.length)
    io.stderr.write(`${path}: ... and ${r.errorCount - r.errors.length} more bad rows\n`);
  if (r.errorCount) io.stderr.write(`${path}: ${r.errorCount} rows skipped\n`);
}

async function write(out: WriteStream | NodeJS.WritableStream, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

async function score(path: string, opts: Record<string, string>, io: Io): Promise<number> {
  const name = opts.detector ?? 'default';
  const members = allDetectors();
  let det: StreamingDetectorApi;
  if (name === 'default') det = new StreamingDetector();
  else if (members[name]) det = members[name]();
  else {
    io.stderr.write(
      `unknown detector '${name}'; use default or one of ${Object.keys(members).join(', ')}\n`,
    );
    return 2;
  }
  const threshold = opts.threshold === undefined ? 0.996 : Number(opts.threshold);
  if (!(threshold > 0 && threshold < 1)) {
    io.stderr.write('--threshold must be a number in (0, 1)\n');
    return 2;
  }
  const out = opts.out ? createWriteStream(opts.out) : io.stdout;
  await write(out, 'timestamp,value,score,anomaly\n');
  let flagged = 0;
  const r = await forEachBatch(path, io, async (t, v) => {
    const s = det.updateBatch(v, t);
    const lines: string[] = [];
    for (let i = 0; i < v.length; i++) {
      const a = s[i] >= threshold ? 1 : 0;
      flagged += a;
      lines.push(`${new Date(t[i]).toISOString()},${v[i]},${s[i]},${a}`);
    }
    await write(out, `${lines.join('\n')}\n`);
  });
  if (out !== io.stdout) {
    (out as WriteStream).end();
    await once(out, 'finish');
  }
  io.stderr.write(
    `${r.rows} rows scored, ${flagged} at score >= ${threshold}${opts.out ? ` -> ${opts.out}` : ''}\n`,
  );
  reportErrors(path, r, io);
  return r.errorCount > 0 ? 1 : 0;
}

async function describeFile(path: string, io: Io): Promise<number> {
  const m = new Moments();
  const q = new QuantileSketch({ relativeAccuracy: 0.001 });
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  try {
    const r = await forEachBatch(path, io, (t, v) => {
      m.push(v);
      q.push(v);
      for (let i = 0; i < t.length; i++) {
        if (t[i] < t0) t0 = t[i];
        if (t[i] > t1) t1 = t[i];
      }
    });
    const qs = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
    const qv = m.count ? q.quantiles(qs) : new Float64Array(qs.length).fill(Number.NaN);
    const rows: [string, string | number][] = [
      ['count', m.count],
      ['from', m.count ? new Date(t0).toISOString() : '-'],
      ['to', m.count ? new Date(t1).toISOString() : '-'],
      ['mean', m.mean],
      ['std (sample)', m.sampleStd],
      ['min', m.min],
      ['max', m.max],
      ['skewness', m.skewness],
      ['excess kurtosis', m.kurtosis],
      ...qs.map((p, i): [string, number] => [`p${p * 100} (±0.1%)`, qv[i]]),
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows)
      io.stdout.write(`${k.padEnd(w)}  ${typeof v === 'number' ? String(v) : v}\n`);
    reportErrors(path, r, io);
    return r.errorCount > 0 ? 1 : 0;
  } finally {
    m.dispose();
    q.dispose();
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [cmd, ...rest] = argv;
  const files: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      opts[k] = v ?? rest[++i];
      if (opts[k] === undefined) {
        io.stderr.write(`option --${k} needs a value\n${USAGE}\n`);
        return 2;
      }
    } else files.push(a);
  }
  if ((cmd !== 'score' && cmd !== 'describe') || files.length !== 1) {
    io.stderr.write(`${USAGE}\n`);
    return cmd === '--help' || cmd === 'help' ? 0 : 2;
  }
  try {
    statSync(files[0]);
  } catch {
    io.stderr.write(`cannot read ${files[0]}\n`);
    return 2;
  }
  return cmd === 'score' ? score(files[0], opts, io) : describeFile(files[0], io);
}
