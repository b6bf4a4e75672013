import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CsvReader,
  type CsvRecord,
  type CsvSyntaxError,
  parseStrictTimestamp,
} from '../src/stream/csv-reader';

function readAll(
  text: string,
  cuts: number[] = [],
): { records: CsvRecord[]; errors: CsvSyntaxError[] } {
  const r = new CsvReader();
  const records: CsvRecord[] = [];
  const errors: CsvSyntaxError[] = [];
  let at = 0;
  for (const c of [
    ...cuts.filter((x) => x > 0 && x < text.length).sort((a, b) => a - b),
    text.length,
  ]) {
    const o = r.push(text.slice(at, c));
    records.push(...o.records);
    errors.push(...o.errors);
    at = c;
  }
  const o = r.end();
  return { records: [...records, ...o.records], errors: [...errors, ...o.errors] };
}

/** RFC 4180 writer (the independent side): quotes a field when it must, or when asked. */
function writeCsv(rows: string[][], eol: string[], quoteAll: boolean, finalEol: boolean): string {
  const field = (s: string): string =>
    quoteAll || /[",\r\n]/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s;
  return rows
    .map((r, i) => r.map(field).join(',') + (i < rows.length - 1 || finalEol ? eol[i] : ''))
    .join('');
}

const lineBreaks = (s: string): number => (s.match(/\r\n|\r|\n/g) ?? []).length;

describe('CsvReader (RFC 4180, incremental)', () => {
  it('reads back what an RFC 4180 writer wrote, with its start lines, however the text is chunked', () => {
    const char = fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\r', '\n', 'é', '😀', ';');
    const fieldArb = fc.array(char, { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.array(fc.array(fieldArb, { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 12, maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat({ max: 400 }), { maxLength: 8 }),
        (rows, eol, quoteAll, finalEol, bom, cuts) => {
          const body = writeCsv(rows, eol, quoteAll, finalEol);
          const text = (bom ? '\uFEFF' : '') + body;
          const { records, errors } = readAll(text, cuts);
          expect(errors).toEqual([]);
          expect(records.map((r) => r.fields)).toEqual(rows);
          // Each record starts on 1 + the line breaks before it (breaks inside quotes count).
          let before = 0;
          rows.forEach((row, i) => {
            expect(records[i].line).toBe(1 + before);
            before += lineBreaks(writeCsv([row], [eol[i]], quoteAll, true));
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('skips blank lines, reports a broken record with its line and resynchronises after it', () => {
    const text = 'a,b\r\n\r\nx"y,1\n"q"z,2\n"ok","1"\n';
    const { records, errors } = readAll(text);
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['ok', '1'], line: 5 },
    ]);
    expect(errors.map((e) => e.line)).toEqual([3, 4]);
  });

  it('an unclosed quote is fatal and names the line it opened on', () => {
    expect(readAll('1,2\n3,"4\n5,6\n').errors).toEqual([
      {
        line: 2,
        reason: 'a quoted field opened on this line is never closed (missing ")',
        fatal: true,
      },
    ]);
    const r = new CsvReader({ maxRecordLength: 100 });
    const o = r.push(`1,"${'x'.repeat(200)}`);
    expect(o.errors[0]).toMatchObject({ line: 1, fatal: true });
    expect(r.push('"\n2,3\n').records).toEqual([]); // stopped: nothing after a fatal error
  });
});

describe('parseStrictTimestamp', () => {
  it('reads ISO-8601 and epoch milliseconds as Date does for valid input', () => {
    for (const [s, iso] of [
      ['2024-02-29 23:59:59', '2024-02-29T23:59:59Z'],
      ['2024-03-01T10:00:00+01:00', '2024-03-01T10:00:00+01:00'],
      ['2024-03-01T10:00-0530', '2024-03-01T10:00:00-05:30'],
      ['2024-03-01', '2024-03-01T00:00:00Z'],
      ['2024-03-01 10:00:00.123', '2024-03-01T10:00:00.123Z'],
    ])
      expect(parseStrictTimestamp(s)).toBe(Date.parse(iso));
    expect(parseStrictTimestamp(' 1700000000000 ')).toBe(1_700_000_000_000);
    expect(parseStrictTimestamp('-8640000000000000')).toBe(-8.64e15);
  });

  it('refuses prose, impossible dates, hex and numbers beyond the range of dates', () => {
    for (const s of [
      'March 7',
      'foo 1',
      '2020-02-30 10:00',
      '2023-02-29',
      '2024-13-01',
      '2024-01-01 24:00',
      '0x10',
      '1e3',
      '',
      '99999999999999999999',
      '8640000000000001',
    ]) {
      const r = parseStrictTimestamp(s);
      expect(typeof r, s).toBe('object');
    }
  });
});
