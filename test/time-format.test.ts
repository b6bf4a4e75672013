import { describe, expect, it } from 'vitest';
import { EdgewiseError } from '../src/errors';
import { parseSeriesCsv } from '../src/stream/csv';
import { timestampParser } from '../src/stream/time-format';

const ok = (r: number | { reason: string }): number => {
  if (typeof r !== 'number') throw new Error(`expected a timestamp, got: ${r.reason}`);
  return r;
};

describe('timestampParser', () => {
  it('iso (default) agrees with Date.UTC on valid dates and refuses prose, impossible dates and hex', () => {
    const p = timestampParser();
    expect(ok(p('2024-02-29 23:59:58.25'))).toBe(Date.UTC(2024, 1, 29, 23, 59, 58, 250));
    expect(ok(p('2024-03-01T10:00:00+01:00'))).toBe(Date.UTC(2024, 2, 1, 9));
    expect(ok(p('1700000000000'))).toBe(1700000000000);
    for (const s of ['March 7', 'foo 1', '2020-02-30 10:00', '2023-02-29', '0x10', '', '1e3']) {
      expect(typeof p(s)).toBe('object');
    }
  });

  it('patterns: every directive, zones, two-digit-year safety and calendar checks', () => {
    const p = timestampParser('%d/%m/%Y %H:%M:%S.%f%z');
    expect(ok(p('05/07/2021 13:04:05.5+02:30'))).toBe(Date.UTC(2021, 6, 5, 10, 34, 5, 500));
    expect(ok(p('05/07/2021 13:04:05.123Z'))).toBe(Date.UTC(2021, 6, 5, 13, 4, 5, 123));
    const b = timestampParser('%b %d %Y');
    expect(ok(b('mar 07 2024'))).toBe(Date.UTC(2024, 2, 7));
    expect(ok(b('DEC 31 1999'))).toBe(Date.UTC(1999, 11, 31));
    expect(typeof b('Mrz 07 2024')).toBe('object');
    const y = timestampParser('%Y-%m-%d');
    const early = new Date(0);
    early.setUTCFullYear(50, 0, 1);
    expect(ok(y('0050-01-01'))).toBe(early.getTime());
    expect(ok(y('2000-02-29'))).toBe(Date.UTC(2000, 1, 29));
    expect((y('1900-02-29') as { reason: string }).reason).toMatch(/not a calendar date/);
    expect((y('2024-13-01') as { reason: string }).reason).toMatch(/no month/);
    expect((y('2024-01-01 junk') as { reason: string }).reason).toMatch(/does not match/);
    const t = timestampParser('%Y%m%d %H%M');
    expect(ok(t('20240102 0304'))).toBe(Date.UTC(2024, 0, 2, 3, 4));
    expect((t('20240102 2460') as { reason: string }).reason).toMatch(/not a time of day/);
    expect(ok(timestampParser('100%% %Y-%m-%d')('100% 2024-01-02'))).toBe(Date.UTC(2024, 0, 2));
  });

  it('epoch formats', () => {
    expect(ok(timestampParser('epoch-s')('1700000000.5'))).toBe(1700000000500);
    expect(ok(timestampParser('epoch-ms')('-5'))).toBe(-5);
    expect(typeof timestampParser('epoch-s')('2024-01-01')).toBe('object');
    expect(typeof timestampParser('epoch-s')('9e15')).toBe('object');
    expect(typeof timestampParser('epoch-s')('9000000000000000')).toBe('object');
  });

  it('bad formats throw INVALID_ARGUMENT saying what to use', () => {
    for (const f of ['%d/%q/%Y', '%Y-%m', '%Y-%m-%d %H%', '%Y %Y-%m-%d', 5 as unknown as string]) {
      let err: unknown;
      try {
        timestampParser(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EdgewiseError);
      expect((err as EdgewiseError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('parseSeriesCsv is strict', () => {
  it('prose, impossible dates and hex values are row errors; valid rows load', () => {
    const r = parseSeriesCsv(
      'March 7,1\nfoo 1,2\n2020-02-30 10:00,3\n2024-01-01 00:00,0x10\n2024-01-01 00:01,4\n2024-01-01 00:02, 5 \n',
    );
    expect(Array.from(r.values)).toEqual([4, 5]);
    expect(Array.from(r.timestamps)).toEqual([
      Date.UTC(2024, 0, 1, 0, 1),
      Date.UTC(2024, 0, 1, 0, 2),
    ]);
    // Line 1 has a number, so it is a bad row, not a header.
    expect(r.errors.map((e) => e.line)).toEqual([1, 2, 3, 4]);
    expect(r.errors[0].reason).toMatch(/"March 7" is not ISO-8601/);
    expect(r.errors[2].reason).toMatch(/not a calendar date/);
    expect(r.errors[3].reason).toMatch(/"0x10" is not a finite number/);
    // A real header on line 1 is skipped without an error.
    expect(parseSeriesCsv('time,value\n1000,1\n').errors).toEqual([]);
  });

  it('timeFormat reads another layout', () => {
    const r = parseSeriesCsv('07.03.2024 10:00,1\n08.03.2024 10:00,2\n', {
      timeFormat: '%d.%m.%Y %H:%M',
    });
    expect(Array.from(r.timestamps)).toEqual([Date.UTC(2024, 2, 7, 10), Date.UTC(2024, 2, 8, 10)]);
    expect(r.errors).toEqual([]);
  });
});
