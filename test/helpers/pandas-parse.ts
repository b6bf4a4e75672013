/**
 * The decimal -> double conversion of the pandas CSV reader that NAB's harness
 * used (pandas' legacy `xstrtod`: digits accumulated in a double, then divided
 * by powers of ten). It is not correctly rounded: "99.24799999999999" becomes
 * 99.248, one ulp away from Number("99.24799999999999"), and that changes a
 * bucket index in one file. Feeding the detector the values NAB fed it needs
 * the same conversion.
 */
export function pandasParse(s: string): number {
  let i = 0;
  let neg = false;
  if (s[i] === '-' || s[i] === '+') neg = s[i++] === '-';
  let num = 0;
  let exp = 0;
  const digit = () => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
  while (digit()) num = num * 10 + (s.charCodeAt(i++) - 48);
  if (s[i] === '.') {
    i++;
    while (digit()) {
      num = num * 10 + (s.charCodeAt(i++) - 48);
      exp--;
    }
  }
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    let eneg = false;
    if (s[i] === '-' || s[i] === '+') eneg = s[i++] === '-';
    let e = 0;
    while (digit()) e = e * 10 + (s.charCodeAt(i++) - 48);
    exp += eneg ? -e : e;
  }
  if (i !== s.length) return Number.NaN;
  let p10 = 10;
  for (let n = Math.abs(exp); n; n >>= 1, p10 *= p10) {
    if (n & 1) num = exp < 0 ? num / p10 : num * p10;
  }
  return neg ? -num : num;
}
