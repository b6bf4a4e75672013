import { EdgewiseError } from '../errors';
import { type TimestampParser, timestampParser } from './time-format';

/** A decimal number as written in CSV: no hex, no `Infinity`, no blanks. */
export const CSV_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

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

/**
 * Parses a timestamp strictly: ISO-8601 (`YYYY-MM-DD[ hh:mm[:ss[.fff]]]`, UTC
 * unless a zone is given, a real calendar date) or epoch milliseconds; NaN for
 * anything else (`March 7`, `2020-02-30`, `0x10`).
 */
export function parseTimestamp(s: string): number {
  const t = timestampParser('iso')(s);
  return typeof t === 'number' ? t : Number.NaN;
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
  /**
   * How timestamps are written: `'iso'` (default: ISO-8601 or epoch milliseconds),
   * `'epoch-ms'`, `'epoch-s'`, or a pattern such as `'%d/%m/%Y %H:%M'` (see `timestampParser`).
   */
  timeFormat?: string;
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
  const parseTime: TimestampParser = timestampParser(options.timeFormat);
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
    const t = parseTime(cols[0]);
    const rawValue = cols[1].trim();
    const v = CSV_NUMBER.test(rawValue) ? Number(rawValue) : Number.NaN;
    if (lineNo === 1 && typeof t !== 'number' && Number.isNaN(v)) continue; // header row (file line 1 only)
    if (typeof t !== 'number') {
      fail(t.reason);
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
