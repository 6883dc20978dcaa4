// Go's unicode predicates and simple case mappings, per rune, as Sprig's string functions (and the goutils and
// xstrings helpers behind them) use them.

/** unicode.IsSpace. */
export function isSpace(c: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/u.test(c);
}

/** unicode.IsUpper. */
export const isUpper = (c: string): boolean => /^\p{Lu}$/u.test(c);
/** unicode.IsLower. */
export const isLower = (c: string): boolean => /^\p{Ll}$/u.test(c);
/** unicode.IsTitle. */
export const isTitleCase = (c: string): boolean => /^\p{Lt}$/u.test(c);
/** unicode.IsLetter. */
export const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
/** unicode.IsDigit. */
export const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);

/** unicode.ToUpper: simple (one code point) mappings only. */
export const toUpper = (c: string): string => {
  const u = c.toUpperCase();
  return [...u].length === 1 ? u : c;
};

/** unicode.ToLower: simple (one code point) mappings only. */
export const toLower = (c: string): string => {
  const u = c.toLowerCase();
  return [...u].length === 1 ? u : c;
};

/** strings.Map over the runes of s. */
export const mapRunes = (s: string, f: (c: string) => string): string => [...s].map(f).join('');

/** unicode.ToTitle: the digraphs have a title case of their own. */
const TITLE: Record<string, string> = {
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǆ: 'ǅ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǉ: 'ǈ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǌ: 'ǋ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ǳ: 'ǲ',
};

/** unicode.ToTitle. */
export const toTitle = (c: string): string => TITLE[c] ?? toUpper(c);
