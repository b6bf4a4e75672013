import { EdgewiseError } from '../errors';
import { parseStrictTimestamp, zoneOffsetMs } from './csv-reader';

/** A timestamp parser: milliseconds since the epoch, or the reason the text is not a timestamp. */
export type TimestampParser = (text: string) => number | { reason: string };

const MAX_DATE_MS = 8.64e15;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type Field = 'Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f' | 'z' | 'b';
const FIELD_RE: Record<Field, string> = {
  Y: '(\\d{4})',
  m: '(\\d{1,2})',
  d: '(\\d{1,2})',
  H: '(\\d{1,2})',
  M: '(\\d{2})',
  S: '(\\d{2})',
  f: '(\\d{1,9})',
  z: '(Z|[+-]\\d{2}(?::?\\d{2})?)',
  b: '([A-Za-z]{3})',
};

function epoch(scale: number, name: string): TimestampParser {
  return (text) => {
    const t = text.trim();
    if (!/^[+-]?\d+(\.\d+)?$/.test(t)) {
      return { reason: `timestamp ${JSON.stringify(t.slice(0, 40))} is not ${name}` };
    }
    const v = Number(t) * scale;
    if (!(Math.abs(v) <= MAX_DATE_MS)) {
      return {
        reason: `timestamp ${JSON.stringify(t.slice(0, 40))} is outside the range of dates`,
      };
    }
    return v;
  };
}

/**
 * A strict timestamp parser for a format:
 *
 * - `'iso'` (the default): ISO-8601 `YYYY-MM-DD[( |T)hh:mm[:ss[.fff]]][Z|±hh[:mm]]`
 *   (UTC without a zone) or epoch milliseconds;
 * - `'epoch-ms'` / `'epoch-s'`: numbers only, milliseconds or seconds since the epoch;
 * - a pattern of `%Y` (4-digit year), `%m` (month 1-12), `%d` (day), `%H` (hour 0-23),
 *   `%M` (minute), `%S` (second), `%f` (fraction of a second, 1-9 digits), `%b`
 *   (English month abbreviation, any case), `%z` (`Z` or `±hh[:mm]`; UTC without one)
 *   and `%%`; every other character must appear as it is. `'%d/%m/%Y %H:%M'` reads
 *   `31/12/2024 23:59`.
 *
 * Whatever the format, a date that is not on the calendar (`2020-02-30`), a time
 * that is not on the clock, or trailing text is refused with a reason; nothing
 * is guessed. An unknown `%` directive or a pattern without `%Y`, a month and
 * `%d` throws `EdgewiseError` `INVALID_ARGUMENT`.
 */
export function timestampParser(format = 'iso'): TimestampParser {
  if (typeof format !== 'string') {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `time format must be a string ('iso', 'epoch-ms', 'epoch-s' or a %-pattern), got ${typeof format}`,
    );
  }
  if (format === 'iso') return parseStrictTimestamp;
  if (format === 'epoch-ms') return epoch(1, 'epoch milliseconds');
  if (format === 'epoch-s') return epoch(1000, 'epoch seconds');
  const fields: Field[] = [];
  let re = '^';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const d = format[++i];
    if (d === '%') {
      re += '%';
      continue;
    }
    if (d === undefined || !(d in FIELD_RE)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `time format ${JSON.stringify(format)}: unknown directive %${d ?? ''}; use %Y %m %b %d %H %M %S %f %z or %%, or 'iso', 'epoch-ms', 'epoch-s'`,
      );
    }
    if (fields.includes(d as Field)) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `time format ${JSON.stringify(format)}: %${d} appears twice`,
      );
    }
    fields.push(d as Field);
    re += FIELD_RE[d as Field];
  }
  re += '$';
  if (
    !fields.includes('Y') ||
    !(fields.includes('m') || fields.includes('b')) ||
    !fields.includes('d')
  ) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `time format ${JSON.stringify(format)} needs a year (%Y), a month (%m or %b) and a day (%d)`,
    );
  }
  const rx = new RegExp(re);
  return (text) => {
    const t = text.trim();
    const shown = JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}...` : t);
    const m = rx.exec(t);
    if (!m) return { reason: `timestamp ${shown} does not match the time format ${format}` };
    const get = (f: Field): string | undefined => {
      const k = fields.indexOf(f);
      return k < 0 ? undefined : m[k + 1];
    };
    const year = Number(get('Y'));
    const b = get('b');
    const month = b !== undefined ? MONTHS.indexOf(b.toLowerCase()) + 1 : Number(get('m'));
    const day = Number(get('d'));
    const hh = Number(get('H') ?? 0);
    const mm = Number(get('M') ?? 0);
    const ss = Number(get('S') ?? 0);
    const frac = get('f');
    if (month < 1 || month > 12) return { reason: `timestamp ${shown} has no month 1-12` };
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const daysInMonth =
      month === 2 ? (leap ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    if (day < 1 || day > daysInMonth)
      return { reason: `timestamp ${shown} is not a calendar date` };
    if (hh > 23 || mm > 59 || ss > 59) return { reason: `timestamp ${shown} is not a time of day` };
    const at = new Date(Date.UTC(2000, month - 1, day, hh, mm, ss));
    at.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
    let ms = at.getTime() + (frac ? Number(`0.${frac}`) * 1000 : 0);
    const zone = get('z');
    if (zone !== undefined && zone !== 'Z') {
      const offset = zoneOffsetMs(zone, shown);
      if (typeof offset !== 'number') return offset;
      ms -= offset;
    }
    return ms;
  };
}
