// huandu/xstrings v1.5.0 as Sprig calls it: ToSnakeCase and ToKebabCase (snakecase, kebabcase), ToCamelCase
// (camelcase).
import { isDigit, isLetter, isLower, isSpace, isUpper, mapRunes, toLower, toUpper } from './unicode.ts';

/** xstrings-style word splitting for snakecase/kebabcase: the words, lower-cased, joined by sep. */
export function toDelimited(s: string, sep: string): string {
  const words: string[] = [];
  let cur = '';
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '_' || c === '-' || isSpace(c)) {
      if (cur) words.push(cur);
      cur = '';
      continue;
    }
    const prev = chars[i - 1];
    const next = chars[i + 1];
    if (
      cur &&
      isUpper(c) &&
      prev !== undefined &&
      (isLower(prev) || isDigit(prev) || (isUpper(prev) && next !== undefined && isLower(next)))
    ) {
      words.push(cur);
      cur = '';
    } else if (cur && isDigit(c) && prev !== undefined && isLetter(prev)) {
      let j = i;
      while (j < chars.length && isDigit(chars[j] as string)) j++;
      if (chars[j] !== undefined && isLower(chars[j] as string)) {
        words.push(cur);
        cur = '';
      }
    }
    cur += c;
  }
  if (cur) words.push(cur);
  return words.map((w) => mapRunes(w, toLower)).join(sep);
}

/** xstrings.ToCamelCase. */
export function camelCase(str: string): string {
  // xstrings v1.5.0 ToCamelCase: connectors dropped (a run keeps all but one), each word capitalized, the rest of
  // a word that starts with an upper-case run lowered until its first lower-case letter.
  if (str === '') return '';
  const isConn = (r: string): boolean => r === '-' || r === '_' || isSpace(r);
  const rs = [...str];
  let out = '';
  let k = 0;
  let r0 = '';
  let firstUpper = false;
  while (k < rs.length) {
    r0 = rs[k++] as string;
    if (!isConn(r0)) {
      firstUpper = isUpper(r0);
      r0 = toUpper(r0);
      break;
    }
    out += r0;
  }
  if (k >= rs.length) return out + r0;
  while (k < rs.length) {
    const r1 = r0;
    r0 = rs[k++] as string;
    if (isConn(r0) && isConn(r1)) {
      out += r1;
      continue;
    }
    if (isConn(r1)) {
      firstUpper = isUpper(r0);
      r0 = toUpper(r0);
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = toLower(r0);
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}
