/**
 * The `edgewise` command line (Node):
 *
 *   edgewise score <file.csv> [--detector default|<member>] [--threshold 0.996] [--out scores.csv]
 *                  [--cooldown 288] [--cooldown-hours 24]
 *   edgewise describe <file.csv>
 *
 * Input is RFC 4180 CSV (quoted fields with commas, doubled quotes and line
 * breaks; CRLF; a UTF-8 BOM) with `timestamp,value[,series]` columns; a first
 * row with no number or timestamp in it is a header (its names may reorder the
 * columns). Files are read as a stream (constant memory whatever their size),
 * in batches of rows; progress goes to stderr for large files. Rows that cannot
 * be read are reported as `file:line: reason` and skipped; the exit code is
 * then 1. Usage errors, files that cannot be read or written, and `--out`
 * naming the input exit with 2 and a one-line message.
 */

import { once } from 'node:events';
import { createReadStream, type Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { allDetectors, StreamingDetector } from './anomaly/ensemble-stream';
import type { StreamingDetectorApi } from './anomaly/streaming';
import { Moments } from './kernels/moments';
import { QuantileSketch } from './kernels/quantile';
import { type CsvRowError, CSV_NUMBER as NUMBER } from './stream/csv';
import { CsvReader, type CsvRecord } from './stream/csv-reader';
import { type TimestampParser, timestampParser } from './stream/time-format';

const USAGE = `usage:
  edgewise score <file.csv> [--detector default|${Object.keys(allDetectors()).join('|')}] [--threshold 0.996] [--out scores.csv] [--time-format iso] [--cooldown 288] [--cooldown-hours 24]
  edgewise describe <file.csv> [--time-format iso]

CSV (RFC 4180): timestamp,value[,series], header row optional; timestamps are
ISO-8601 (YYYY-MM-DD hh:mm:ss, UTC unless a zone is given) or epoch milliseconds,
or as --time-format says: epoch-ms, epoch-s, or a pattern of %Y %m %b %d %H %M %S
%f %z (e.g. --time-format '%d/%m/%Y %H:%M'). Rows are scored in file order, per
series; rows out of time order are counted in a warning. After an alarm the
default detector halves its scores for a quiet period of --cooldown records or
--cooldown-hours hours, whichever ends first (0 turns it off).`;

const OPTIONS: Record<string, string[]> = {
  score: ['detector', 'threshold', 'out', 'time-format', 'cooldown', 'cooldown-hours'],
  describe: ['time-format'],
};

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A failure that ends the command with a one-line message and exit code 2. */
class CliError extends Error {}

const BATCH_ROWS = 8192;

interface Batch {
  timestamps: Float64Array;
  values: Float64Array;
  /** Series of each row, when the file has a series column. */
  keys: string[] | undefined;
}

interface ReadResult {
  errors: CsvRowError[];
  errorCount: number;
  rows: number;
  /** The file has a series column. */
  series: boolean;
}

/** Column positions: from the header's names when it has them, else timestamp,value[,series]. */
interface Columns {
  timestamp: number;
  value: number;
  series: number;
  /** Fields every row must have (0: 2 or 3). */
  width: number;
}

function columnsFromHeader(fields: string[]): Columns {
  const names = fields.map((f) => f.trim().toLowerCase());
  const find = (...c: string[]): number => names.findIndex((n) => c.includes(n));
  const timestamp = find('timestamp', 'time', 'ts', 'date', 'datetime');
  const value = find('value', 'values', 'y', 'v');
  if (timestamp >= 0 && value >= 0) {
    return { timestamp, value, series: find('series', 'key', 'name', 'id'), width: fields.length };
  }
  return { timestamp: 0, value: 1, series: fields.length >= 3 ? 2 : -1, width: fields.length };
}

/** A header: no field of the first record is a number or a timestamp. */
function isHeader(fields: string[], parseTime: TimestampParser): boolean {
  return fields.every((f) => !NUMBER.test(f.trim()) && typeof parseTime(f) !== 'number');
}

/** Reads `path` as CSV in batches of rows; returns the row errors. */
async function forEachBatch(
  path: string,
  size: number,
  io: Io,
  parseTime: TimestampParser,
  fn: (b: Batch) => void | Promise<void>,
): Promise<ReadResult> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  const reader = new CsvReader();
  const errors: CsvRowError[] = [];
  let errorCount = 0;
  let rows = 0;
  let cols: Columns | undefined;
  let ts = new Float64Array(BATCH_ROWS);
  let vs = new Float64Array(BATCH_ROWS);
  let keys: string[] = [];
  let n = 0;
  let fatal = false;
  let lastReport = Date.now();
  const fail = (line: number, reason: string): void => {
    errorCount++;
    if (errors.length < 20) errors.push({ line, reason });
  };
  const flush = async (): Promise<void> => {
    if (!n) return;
    const b: Batch = {
      timestamps: ts.subarray(0, n),
      values: vs.subarray(0, n),
      keys: cols && cols.series >= 0 ? keys : undefined,
    };
    rows += n;
    n = 0;
    await fn(b);
    ts = new Float64Array(BATCH_ROWS);
    vs = new Float64Array(BATCH_ROWS);
    keys = [];
    if (size > 8 << 20 && Date.now() - lastReport > 1000) {
      lastReport = Date.now();
      io.stderr.write(
        `\r${((100 * stream.bytesRead) / size).toFixed(0)}% (${rows.toLocaleString('en')} rows)`,
      );
    }
  };
  const take = async (out: {
    records: CsvRecord[];
    errors: { line: number; reason: string; fatal?: boolean }[];
  }): Promise<void> => {
    // Bad records and good ones in file order, so the first 20 errors are the first 20 lines.
    let k = 0;
    const errorsBefore = (line: number): void => {
      for (; k < out.errors.length && out.errors[k].line < line; k++) {
        fail(out.errors[k].line, out.errors[k].reason);
        if (out.errors[k].fatal) fatal = true;
      }
    };
    for (const r of out.records) {
      errorsBefore(r.line);
      const f = r.fields;
      if (!cols) {
        if (isHeader(f, parseTime)) {
          cols = columnsFromHeader(f);
          continue;
        }
        cols = { timestamp: 0, value: 1, series: f.length >= 3 ? 2 : -1, width: 0 };
      }
      if (cols.width ? f.length !== cols.width : f.length < 2 || f.length > 3) {
        fail(
          r.line,
          cols.width
            ? `expected ${cols.width} fields as in the header, found ${f.length}`
            : `expected 2 or 3 fields (timestamp,value[,series]), found ${f.length}`,
        );
        continue;
      }
      const t = parseTime(f[cols.timestamp]);
      if (typeof t !== 'number') {
        fail(r.line, t.reason);
        continue;
      }
      const raw = f[cols.value].trim();
      const v = NUMBER.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(v)) {
        fail(r.line, `value ${JSON.stringify(raw.slice(0, 40))} is not a finite number`);
        continue;
      }
      ts[n] = t;
      vs[n] = v;
      if (cols.series >= 0) keys.push(f[cols.series] ?? '');
      n++;
      if (n === BATCH_ROWS) await flush();
    }
    errorsBefore(Number.POSITIVE_INFINITY);
  };
  try {
    for await (const chunk of stream) {
      await take(reader.push(chunk as string));
      if (fatal) break;
    }
    if (!fatal) await take(reader.end());
  } catch (e) {
    stream.destroy();
    if (e instanceof CliError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.syscall === 'read' || err.code === 'EISDIR' || err.code === 'EACCES') {
      throw new CliError(`cannot read ${path}: ${err.message}`);
    }
    throw e;
  }
  stream.destroy();
  await flush();
  if (size > 8 << 20) io.stderr.write(`\r100% (${rows.toLocaleString('en')} rows)\n`);
  return { errors, errorCount, rows, series: cols !== undefined && cols.series >= 0 };
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

/** Where output goes: write errors surface as rejections, never as an unhandled 'error' event. */
interface Sink {
  write(s: string): Promise<void>;
  close(): Promise<void>;
}

function streamSink(out: NodeJS.WritableStream, name: string, own: boolean): Sink {
  let failed: Error | undefined;
  const describe = (e: unknown): CliError =>
    new CliError(`cannot write ${name}: ${(e as Error).message}`);
  out.on('error', (e: Error) => {
    failed = e;
  });
  return {
    async write(s) {
      if (failed) throw describe(failed);
      try {
        if (!out.write(s)) await once(out, 'drain');
      } catch (e) {
        throw describe(e);
      }
      if (failed) throw describe(failed);
    },
    async close() {
      if (failed) throw describe(failed);
      if (!own) return;
      try {
        out.end();
        await once(out, 'finish');
      } catch (e) {
        throw describe(e);
      }
    },
  };
}

/** The real path of `p`, or of its directory joined with its name when it does not exist yet. */
async function realTarget(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    const dir = dirname(resolve(p));
    return join(await realpath(dir).catch(() => dir), basename(p));
  }
}

async function openOut(input: string, inputStat: Stats, out: string): Promise<Sink> {
  let same = (await realTarget(input)) === (await realTarget(out));
  if (!same) {
    const s = await stat(out).catch(() => undefined);
    same = s !== undefined && s.dev === inputStat.dev && s.ino === inputStat.ino; // hard links
  }
  if (same) {
    throw new CliError(
      `--out ${out} is the input file; write the scores to another file (the input was not touched)`,
    );
  }
  try {
    const fh = await open(out, 'w');
    return streamSink(fh.createWriteStream(), out, true);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EISDIR'
        ? 'it is a directory'
        : err.code === 'ENOENT'
          ? `the directory ${dirname(out)} does not exist`
          : err.code === 'EACCES' || err.code === 'EPERM'
            ? 'permission denied'
            : err.message;
    throw new CliError(`cannot write --out ${out}: ${why}`);
  }
}

/** A CSV field, quoted when it needs to be (RFC 4180). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function score(
  path: string,
  inputStat: Stats,
  opts: Record<string, string>,
  parseTime: TimestampParser,
  io: Io,
): Promise<number> {
  const name = opts.detector ?? 'default';
  const members = allDetectors();
  // the quiet period: a number >= 0 per flag (records: whole), or a one-line error
  const quiet: { cooldown?: number; cooldownMs?: number } = {};
  for (const [flag, what, example, whole] of [
    ['cooldown', 'a whole number of records', 288, true],
    ['cooldown-hours', 'a number of hours', 24, false],
  ] as const) {
    const text = opts[flag];
    if (text === undefined) continue;
    const x = Number(text);
    if (!((whole ? Number.isInteger(x) : Number.isFinite(x)) && x >= 0 && text.trim() !== '')) {
      io.stderr.write(`--${flag} must be ${what} >= 0 (e.g. ${example}), got '${text}'\n`);
      return 2;
    }
    if (whole) quiet.cooldown = x;
    else quiet.cooldownMs = x * 3_600_000;
  }
  let make: () => StreamingDetectorApi;
  if (name === 'default') make = () => new StreamingDetector(quiet);
  else if (members[name]) make = members[name];
  else {
    io.stderr.write(
      `unknown detector '${name}'; use default or one of ${Object.keys(members).join(', ')}\n`,
    );
    return 2;
  }
  if (name !== 'default' && (quiet.cooldown !== undefined || quiet.cooldownMs !== undefined)) {
    io.stderr.write(
      `--cooldown and --cooldown-hours apply to the default detector only (got --detector ${name})\n`,
    );
    return 2;
  }
  const threshold = opts.threshold === undefined ? 0.996 : Number(opts.threshold);
  if (!(threshold > 0 && threshold < 1)) {
    io.stderr.write('--threshold must be a number in (0, 1)\n');
    return 2;
  }
  const out = opts.out
    ? await openOut(path, inputStat, opts.out)
    : streamSink(io.stdout, 'stdout', false);
  // One detector per series (the series column), created on first sight.
  const detectors = new Map<string, StreamingDetectorApi>();
  const detectorFor = (key: string): StreamingDetectorApi => {
    let d = detectors.get(key);
    if (!d) {
      d = make();
      detectors.set(key, d);
    }
    return d;
  };
  let flagged = 0;
  let headerWritten = false;
  // Rows earlier than the one before them in their series (scores assume time order).
  const last = new Map<string, number>();
  let unordered = 0;
  let firstUnordered = 0;
  const r = await forEachBatch(
    path,
    inputStat.size,
    io,
    parseTime,
    async ({ timestamps: t, values: v, keys }) => {
      for (let i = 0; i < t.length; i++) {
        const key = keys ? keys[i] : '';
        const prev = last.get(key);
        if (prev !== undefined && t[i] < prev) {
          if (unordered++ === 0) firstUnordered = t[i];
        }
        last.set(key, t[i]);
      }
      if (!headerWritten) {
        headerWritten = true;
        await out.write(`timestamp,value,score,anomaly${keys ? ',series' : ''}\n`);
      }
      let s: Float64Array;
      if (!keys) s = detectorFor('').updateBatch(v, t);
      else {
        // Each series' rows in file order through its own detector, scattered back.
        s = new Float64Array(v.length);
        const groups = new Map<string, number[]>();
        for (let i = 0; i < keys.length; i++) {
          const g = groups.get(keys[i]);
          if (g) g.push(i);
          else groups.set(keys[i], [i]);
        }
        for (const [key, idx] of groups) {
          const gs = detectorFor(key).updateBatch(
            Float64Array.from(idx, (i) => v[i]),
            Float64Array.from(idx, (i) => t[i]),
          );
          for (let j = 0; j < idx.length; j++) s[idx[j]] = gs[j];
        }
      }
      const lines: string[] = [];
      for (let i = 0; i < v.length; i++) {
        const a = s[i] >= threshold ? 1 : 0;
        flagged += a;
        const line = `${new Date(t[i]).toISOString()},${v[i]},${s[i]},${a}`;
        lines.push(keys ? `${line},${csvField(keys[i])}` : line);
      }
      await out.write(`${lines.join('\n')}\n`);
    },
  );
  if (!headerWritten)
    await out.write(`timestamp,value,score,anomaly${r.series ? ',series' : ''}\n`);
  await out.close();
  const per = detectors.size > 1 ? ` in ${detectors.size} series` : '';
  io.stderr.write(
    `${r.rows} rows scored${per}, ${flagged} at score >= ${threshold}${opts.out ? ` -> ${opts.out}` : ''}\n`,
  );
  if (unordered) {
    io.stderr.write(
      `${path}: warning: ${unordered} rows are earlier than the row before them in their series (first at ${new Date(firstUnordered).toISOString()}); rows are scored in file order, so sort the file by time\n`,
    );
  }
  reportErrors(path, r, io);
  return r.errorCount > 0 ? 1 : 0;
}

async function describeFile(
  path: string,
  size: number,
  parseTime: TimestampParser,
  io: Io,
): Promise<number> {
  const m = new Moments();
  const q = new QuantileSketch({ relativeAccuracy: 0.001 });
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  try {
    const r = await forEachBatch(path, size, io, parseTime, ({ timestamps: t, values: v }) => {
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
    const out = streamSink(io.stdout, 'stdout', false);
    await out.write(
      rows.map(([k, v]) => `${k.padEnd(w)}  ${typeof v === 'number' ? String(v) : v}\n`).join(''),
    );
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
  const file = files[0];
  const unknown = Object.keys(opts).filter((k) => !OPTIONS[cmd].includes(k));
  if (unknown.length) {
    io.stderr.write(`unknown option --${unknown[0]} for ${cmd}\n${USAGE}\n`);
    return 2;
  }
  let parseTime: TimestampParser;
  try {
    parseTime = timestampParser(opts['time-format'] ?? 'iso');
  } catch (e) {
    io.stderr.write(`edgewise: --time-format: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    let st: Stats;
    try {
      st = await stat(file);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new CliError(
        `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      );
    }
    if (st.isDirectory())
      throw new CliError(`cannot read ${file}: it is a directory, not a CSV file`);
    return cmd === 'score'
      ? await score(file, st, opts, parseTime, io)
      : await describeFile(file, st.size, parseTime, io);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    io.stderr.write(`edgewise: ${e.message}\n`);
    return 2;
  }
}
