/**
 * Numbers as NAB's harness read them. NAB loads each data file with
 * `pandas.read_csv`; before pandas 1.2 the C engine's default float
 * conversion was `xstrtod` (now `float_precision="legacy"`), which is not
 * correctly rounded: it accumulates the digits in a double and scales by
 * powers of ten by repeated squaring, so a value can land one ulp away from
 * what `Number()` gives. The published reference scores were computed from
 * those values (with correctly rounded inputs, ARTime's scores differ on 6
 * of the 123,523 dev records), so parity checks feed the detector the same
 * values. This is our transcription of that algorithm (pandas
 * `tokenizer.c`, BSD-3), for inputs in NAB's plain decimal format.
 */
export function pandasLegacyFloat(text: string): number {
  const s = text.trim();
  let p = 0;
  const digit = (k: number): number => {
    const c = s.charCodeAt(k);
    return c >= 48 && c <= 57 ? c - 48 : -1;
  };
  let negative = false;
  if (s[p] === '-') {
    negative = true;
    p++;
  } else if (s[p] === '+') p++;
  let exponent = 0;
  let digits = 0;
  // up to 9 leading digits in an unsigned int, the rest in a double
  let iNumber = 0;
  while (digit(p) >= 0 && digits <= 8) {
    iNumber = iNumber * 10 + digit(p);
    p++;
    digits++;
  }
  let number = iNumber;
  if (digits > 8) {
    while (digit(p) >= 0) {
      number = number * 10 + digit(p);
      p++;
      digits++;
    }
  }
  if (s[p] === '.') {
    p++;
    let decimals = 0;
    while (digit(p) >= 0) {
      number = number * 10 + digit(p);
      p++;
      digits++;
      decimals++;
    }
    exponent -= decimals;
  }
  if (digits === 0) return Number.NaN;
  if (negative) number = -number;
  if (s[p] === 'e' || s[p] === 'E') {
    p++;
    let negExp = false;
    if (s[p] === '-') {
      negExp = true;
      p++;
    } else if (s[p] === '+') p++;
    let n = 0;
    while (digit(p) >= 0) {
      n = n * 10 + digit(p);
      p++;
    }
    exponent += negExp ? -n : n;
  }
  if (exponent < -1021 || exponent > 1024) return negative ? -Infinity : Infinity;
  let p10 = 10;
  let n = Math.abs(exponent);
  while (n) {
    if (n & 1) {
      if (exponent < 0) number /= p10;
      else number *= p10;
    }
    n >>= 1;
    p10 *= p10;
  }
  return number;
}

/** A NAB-format CSV (`timestamp,value` or `timestamp,anomaly_score`): its second column, parsed by `parse`. */
export function nabColumn(text: string, parse: (s: string) => number = Number): Float64Array {
  const lines = text.trim().split('\n').slice(1);
  const out = new Float64Array(lines.length);
  for (let i = 0; i < lines.length; i++) out[i] = parse(lines[i].slice(lines[i].indexOf(',') + 1));
  return out;
}

/** A NAB timestamp (`2014-04-01 00:00:00`, UTC) in ms since the epoch. */
export function nabTime(s: string): number {
  return Date.parse(
    `${s
      .trim()
      .replace(' ', 'T')
      .replace(/\.\d+$/, '')}Z`,
  );
}

/** NAB's harness options for a port in NAB mode: the whole file's min and max, and its length. */
export function nabHarnessOptions(v: ArrayLike<number>): {
  min: number;
  max: number;
  length: number;
} {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  return { min, max, length: v.length };
}
