/**
 * An incremental RFC 4180 CSV reader (used by the `edgewise` command line):
 * text goes in as chunks of any size, complete records come out, so a file of
 * any length is read in constant memory. It accepts quoted fields with
 * embedded commas, doubled quotes (`""`) and line breaks, CRLF / LF / CR line
 * ends, a UTF-8 byte order mark, and a last record without a line end. A
 * record that breaks the grammar is reported with the line it starts on and
 * skipped; the reader resynchronises at the next line end outside quotes.
 *
 * Also: strict timestamps for CSV input (`parseStrictTimestamp`).
 */

/** One CSV record: its fields and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A record the reader could not read, with the 1-based line it starts on. */
export interface CsvSyntaxError {
  line: number;
  reason: string;
  /** The reader cannot continue (a quoted field never closes): stop reading. */
  fatal?: boolean;
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

// States of the reader.
const FIELD_START = 0; // at the start of a field
const UNQUOTED = 1; // inside an unquoted field
const QUOTED = 2; // inside a quoted field
const QUOTE_IN_QUOTED = 3; // just read a " inside a quoted field: "" or the closing quote
const SKIP = 4; // in a bad record: skip to the next line end outside quotes
const SKIP_QUOTED = 5; // in a bad record, inside quotes

export interface CsvReaderOptions {
  /**
   * Longest record, in characters (default 1 MiB). A quoted field that grows
   * past it (a quote that never closes) is fatal; an unquoted record is skipped.
   */
  maxRecordLength?: number;
}

/**
 * Incremental RFC 4180 reader:
 *
 * ```ts
 * const r = new CsvReader();
 * for await (const chunk of stream) handle(r.push(chunk));
 * handle(r.end());
 * ```
 */
export class CsvReader {
  readonly #max: number;
  #state = FIELD_START;
  #field = '';
  #fields: string[] = [];
  #line = 1;
  #recordLine = 1;
  #recordLength = 0;
  #quotedFrom = 1;
  #hadQuote = false;
  #afterCR = false;
  #first = true;
  #done = false;
  #records: CsvRecord[] = [];
  #errors: CsvSyntaxError[] = [];

  constructor(options: CsvReaderOptions = {}) {
    this.#max = options.maxRecordLength ?? 1 << 20;
  }

  /** The line the reader is on (1-based). */
  get line(): number {
    return this.#line;
  }

  /** Reads a chunk; returns the records completed in it and the bad records found. */
  push(chunk: string): { records: CsvRecord[]; errors: CsvSyntaxError[] } {
    if (this.#done) return { records: [], errors: [] };
    let s = chunk;
    if (this.#first && s.length) {
      this.#first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1); // UTF-8 byte order mark
    }
    this.#scan(s);
    return this.#take();
  }

  /** End of input: the last record (which needs no line end) and any unclosed quote. */
  end(): { records: CsvRecord[]; errors: CsvSyntaxError[] } {
    if (this.#done) return { records: [], errors: [] };
    this.#done = true;
    if (this.#state === QUOTED || this.#state === SKIP_QUOTED) {
      this.#errors.push({
        line: this.#quotedFrom,
        reason: 'a quoted field opened on this line is never closed (missing ")',
        fatal: true,
      });
    } else if (this.#state === SKIP) {
      // the bad record was reported already
    } else if (this.#state !== FIELD_START || this.#fields.length > 0) {
      this.#endRecord();
    }
    return this.#take();
  }

  #take(): { records: CsvRecord[]; errors: CsvSyntaxError[] } {
    const out = { records: this.#records, errors: this.#errors };
    this.#records = [];
    this.#errors = [];
    return out;
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
  }

  #endRecord(): void {
    this.#endField();
    const f = this.#fields;
    // A blank line is no record (RFC 4180 has none; spreadsheets write them); `""` is one.
    if (this.#hadQuote || !(f.length === 1 && f[0] === '')) {
      this.#records.push({ fields: f, line: this.#recordLine });
    }
    this.#hadQuote = false;
    this.#fields = [];
    this.#recordLength = 0;
  }

  #fail(reason: string, quoted: boolean): void {
    this.#errors.push({ line: this.#recordLine, reason });
    this.#fields = [];
    this.#field = '';
    this.#recordLength = 0;
    this.#hadQuote = false;
    this.#state = quoted ? SKIP_QUOTED : SKIP;
  }

  /** Counts a line end (CR, LF or CRLF). Returns true for the LF of a CRLF (already counted). */
  #newline(c: number): boolean {
    if (c === LF && this.#afterCR) {
      this.#afterCR = false;
      return true; // the LF of a CRLF: the line was counted at the CR
    }
    this.#afterCR = c === CR;
    this.#line++;
    return false;
  }

  #scan(s: string): void {
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      switch (this.#state) {
        case FIELD_START: {
          if (c === CR || c === LF) {
            const lfOfCrlf = this.#newline(c);
            if (!lfOfCrlf) {
              this.#endRecord();
              this.#recordLine = this.#line;
            }
            i++;
            break;
          }
          this.#afterCR = false;
          if (c === QUOTE) {
            this.#state = QUOTED;
            this.#hadQuote = true;
            this.#quotedFrom = this.#line;
            i++;
          } else if (c === COMMA) {
            this.#endField();
            i++;
          } else {
            this.#state = UNQUOTED;
          }
          break;
        }
        case UNQUOTED: {
          // Copy the run up to the next special character at once.
          let j = i;
          while (j < n) {
            const d = s.charCodeAt(j);
            if (d === COMMA || d === CR || d === LF || d === QUOTE) break;
            j++;
          }
          this.#field += s.slice(i, j);
          this.#recordLength += j - i;
          i = j;
          if (this.#recordLength > this.#max) {
            this.#fail(`record longer than ${this.#max} characters`, false);
            break;
          }
          if (i >= n) break;
          const d = s.charCodeAt(i);
          if (d === QUOTE) {
            this.#fail(
              'a quote (") inside an unquoted field: quote the whole field and double the quote ("")',
              false,
            );
            i++;
          } else if (d === COMMA) {
            this.#endField();
            this.#state = FIELD_START;
            i++;
          } else {
            this.#state = FIELD_START; // the line end is handled there
          }
          break;
        }
        case QUOTED: {
          let j = i;
          while (j < n) {
            const d = s.charCodeAt(j);
            if (d === QUOTE) break;
            if (d === CR || d === LF) {
              // Line ends inside quotes belong to the field, but lines are still counted.
              this.#newline(d);
            } else this.#afterCR = false;
            j++;
          }
          this.#field += s.slice(i, j);
          this.#recordLength += j - i;
          i = j;
          if (this.#recordLength > this.#max) {
            this.#errors.push({
              line: this.#quotedFrom,
              reason: `a quoted field opened on this line runs past ${this.#max} characters (missing closing ")`,
              fatal: true,
            });
            this.#done = true;
            return;
          }
          if (i < n) {
            this.#afterCR = false;
            this.#state = QUOTE_IN_QUOTED;
            i++;
          }
          break;
        }
        case QUOTE_IN_QUOTED: {
          if (c === QUOTE) {
            this.#field += '"';
            this.#recordLength++;
            this.#state = QUOTED;
            i++;
          } else if (c === COMMA) {
            this.#endField();
            this.#state = FIELD_START;
            i++;
          } else if (c === CR || c === LF) {
            this.#state = FIELD_START; // the line end is handled there
          } else {
            this.#fail(
              `text after the closing quote of a field (${JSON.stringify(s.slice(i, i + 10).split(/[\r\n]/)[0])}): a quoted field must end at a comma or a line end`,
              false,
            );
            i++;
          }
          break;
        }
        case SKIP: {
          if (c === CR || c === LF) {
            if (!this.#newline(c)) {
              this.#state = FIELD_START;
              this.#recordLine = this.#line;
            }
          } else {
            this.#afterCR = false;
            if (c === QUOTE) {
              this.#state = SKIP_QUOTED;
              this.#quotedFrom = this.#line;
            }
          }
          i++;
          break;
        }
        case SKIP_QUOTED: {
          if (c === CR || c === LF) this.#newline(c);
          else {
            this.#afterCR = false;
            if (c === QUOTE) this.#state = SKIP;
          }
          i++;
          break;
        }
      }
    }
  }
}

const MAX_DATE_MS = 8.64e15;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A timestamp in milliseconds since the epoch, read strictly: epoch
 * milliseconds (`1700000000000`, `-5`, `1.5`) or ISO-8601
 * `YYYY-MM-DD[( |T)hh:mm[:ss[.fff]]][Z|±hh[:mm]]` (UTC without a zone) with a
 * real calendar date. Anything else (`March 7`, `2020-02-30`, `0x10`, a
 * number beyond the range of dates) returns a reason instead.
 */
export function parseStrictTimestamp(text: string): number | { reason: string } {
  const t = text.trim();
  const shown = JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}...` : t);
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) {
    const v = Number(t);
    if (!(Math.abs(v) <= MAX_DATE_MS)) {
      return {
        reason: `timestamp ${shown} is outside the range of dates (at most ±8.64e15 epoch milliseconds)`,
      };
    }
    return v;
  }
  const m = ISO.exec(t);
  const bad = {
    reason: `timestamp ${shown} is not ISO-8601 (YYYY-MM-DD hh:mm:ss, optional zone) or epoch milliseconds`,
  };
  if (!m) return bad;
  const [, y, mo, d, hh = '0', mm = '0', ss = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    return { reason: `timestamp ${shown} is not a calendar date` };
  }
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) {
    return { reason: `timestamp ${shown} is not a time of day` };
  }
  let ms =
    Date.UTC(year, month - 1, day, Number(hh), Number(mm), Number(ss)) +
    (frac ? Number(`0.${frac}`) * 1000 : 0);
  if (zone !== 'Z') {
    const offset = zoneOffsetMs(zone, shown);
    if (typeof offset !== 'number') return offset;
    ms -= offset;
  }
  return ms;
}

/**
 * The offset east of UTC, in milliseconds, of a zone written `±hh`, `±hhmm`
 * or `±hh:mm` (subtract it from the wall-clock time), or a reason naming the
 * timestamp `shown` when the hours or minutes are out of range. @internal
 */
export function zoneOffsetMs(zone: string, shown: string): number | { reason: string } {
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (oh > 23 || om > 59) return { reason: `timestamp ${shown} has an invalid zone offset` };
  return sign * (oh * 60 + om) * 60_000;
}
