import { EdgewiseError } from '../errors';

/** A row that could not be read, with its 1-based line number. */
export interface CsvRowError {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

/** Columns parsed from `timestamp,value[,series]` CSV, with the rows that could not be read. */
export interface ParsedSeries {
  /** Milliseconds since the epoch (UTC unless the timestamp carries a zone). */
  timestamps: Float64Array;
  values: Float64Array;
  /** Third column, when present (series key per row); otherwise undefined. */
  keys?: string[];
  /** Rows that could not be read; the valid rows still load. */
  errors: CsvRowError[];
}

/** Parses a timestamp: ISO-8601 / 'YYYY-MM-DD hh:mm:ss' (UTC) or epoch milliseconds. */
export function parseTimestamp(s: string): number {
  const t = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)
    ? `${t.replace(' ', 'T')}Z`
    : t;
  return Date.parse(iso);
}

/**
 * Parses `timestamp,value[,series]` CSV text (header row optional). Malformed
 * rows are reported with their line number and reason; valid rows are kept.
 */
export interface ParseCsvOptions {
  /** Stop recording errors after this many (rows are still skipped; default 1000). */
  maxErrors?: number;
  /** Line number of the text's first line, when parsing a file in chunks (default 1). */
  firstLine?: number;
}

/**
 * Parses `timestamp,value[,series]` CSV text (header row optional). Malformed rows are reported
 * with their line number and reason; valid rows are kept.
 */
export function parseSeriesCsv(text: string, options: ParseCsvOptions = {}): ParsedSeries {
  if (typeof text !== 'string') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      'parseSeriesCsv: pass the CSV file contents as a string.',
    );
  }
  const maxErrors = options.maxErrors ?? 1000;
  const ts: number[] = [];
  const vs: number[] = [];
  const keys: string[] = [];
  let hasKeys = false;
  const errors: CsvRowError[] = [];
  const first = options.firstLine ?? 1;
  let lineNo = first - 1;
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      if (end === n) break;
      continue;
    }
    const cols = line.split(',');
    const fail = (reason: string): void => {
      if (errors.length < maxErrors) errors.push({ line: lineNo, reason });
    };
    if (cols.length < 2 || cols.length > 3) {
      fail(`expected 2 or 3 columns (timestamp,value[,series]), found ${cols.length}`);
      continue;
    }
    const t = parseTimestamp(cols[0]);
    const rawValue = cols[1].trim();
    const v = rawValue === '' ? Number.NaN : Number(rawValue);
    if (lineNo === 1 && Number.isNaN(t) && Number.isNaN(v)) continue; // header row (file line 1 only)
    if (Number.isNaN(t)) {
      fail(`timestamp ${JSON.stringify(cols[0].slice(0, 40))} is not a date or epoch milliseconds`);
      continue;
    }
    if (!Number.isFinite(v)) {
      fail(`value ${JSON.stringify(rawValue.slice(0, 40))} is not a finite number`);
      continue;
    }
    ts.push(t);
    vs.push(v);
    if (cols.length === 3) {
      hasKeys = true;
      keys.push(cols[2].trim());
    } else keys.push('');
    if (end === n) break;
  }
  return {
    timestamps: Float64Array.from(ts),
    values: Float64Array.from(vs),
    keys: hasKeys ? keys : undefined,
    errors,
  };
}
