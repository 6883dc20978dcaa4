// Sprig's strings.go and the string functions functions.go maps inline (Go's strings package, goutils, xstrings):
// case, trimming, substrings, splitting and joining, quoting, indentation, random strings, base64 and base32.
import { sprintf } from '../template/fmt.ts';
import { GoFunc, typeName, type FuncMap } from '../template/values.ts';
import { sliceItems, strval, typedMap } from './cast.ts';
import { b32decode, b32encode, b64decode } from './encoding.ts';
import { abbreviateFull, swapCase, wrapCustom } from './goutils.ts';
import type { SprigRandom } from './random.ts';
import { isDigit, isLetter, isSpace, mapRunes, toLower, toTitle, toUpper } from './unicode.ts';
import { A, I, S, goPanic, n, sliceBytes, strs } from './util.ts';
import { camelCase, toDelimited } from './xstrings.ts';

/** strings.Title. */
function title(s: string): string {
  const isSep = (r: string): boolean => {
    const cp = r.codePointAt(0) ?? 0;
    if (cp <= 0x7f) return !/[0-9a-zA-Z_]/.test(r);
    if (isLetter(r) || isDigit(r)) return false;
    return isSpace(r);
  };
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSep(prev) ? toTitle(c) : c;
    prev = c;
  }
  return out;
}

function trimFunc(s: string, f: (c: string) => boolean): string {
  const cs = [...s];
  let i = 0;
  let j = cs.length;
  while (i < j && f(cs[i] as string)) i++;
  while (j > i && f(cs[j - 1] as string)) j--;
  return cs.slice(i, j).join('');
}
function trimCutset(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const set = new Set(cutset);
  return trimFunc(s, (c) => set.has(c));
}
function indent(spaces: number, v: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + v.replaceAll('\n', '\n' + pad);
}
function replaceAll(s: string, old: string, nw: string): string {
  if (old === '') {
    const cs = [...s];
    return nw + cs.map((c) => c + nw).join('');
  }
  return s.split(old).join(nw);
}

/** substr: s[start:end] on the UTF-8 bytes, with Sprig's clamping and Go's slice panics. */
function substr(start: bigint, end: bigint, s: string): string {
  const len = Buffer.byteLength(s);
  const [st, en] = [n(start), n(end)];
  if (st < 0) {
    if (en > len || en < 0) goPanic(`runtime error: slice bounds out of range [:${en}] with length ${len}`);
    return sliceBytes(s, 0, en);
  }
  if (en < 0 || en > len) {
    if (st > len) goPanic(`runtime error: slice bounds out of range [${st}:${len}]`);
    return sliceBytes(s, st);
  }
  if (st > en) goPanic(`runtime error: slice bounds out of range [${st}:${en}]`);
  return sliceBytes(s, st, en);
}

/** trunc: the first (or, negative, the last) c bytes. */
function trunc(c: bigint, s: string): string {
  const len = Buffer.byteLength(s);
  const k = n(c);
  if (k < 0 && len + k > 0) return sliceBytes(s, len + k);
  if (k >= 0 && len > k) return sliceBytes(s, 0, k);
  return s;
}

/** Sprig's strslice: a []string of a list (nil items dropped) or of one value. */
export function strslice(v: unknown): string[] {
  if (typeName(v) === '[]string') return v as string[];
  const items = sliceItems(v);
  if (items !== undefined) return strs(items.filter((x) => x !== null && x !== undefined).map(strval));
  if (v === null || v === undefined) return strs([]);
  return strs([strval(v)]);
}

/** strings.SplitN. */
function splitGo(orig: string, sep: string, lim: number): string[] {
  if (lim === 0) return [];
  if (sep === '') {
    const cs = [...orig];
    if (lim > 0 && cs.length > lim) return [...cs.slice(0, lim - 1), cs.slice(lim - 1).join('')];
    return cs;
  }
  const parts = orig.split(sep);
  if (lim > 0 && parts.length > lim) return [...parts.slice(0, lim - 1), parts.slice(lim - 1).join(sep)];
  return parts;
}

/** Sprig's split/splitn map: `_0`, `_1`, …. */
const splitMap = (parts: string[]): Record<string, unknown> =>
  typedMap('map[string]string', Object.fromEntries(parts.map((p, i) => [`_${i}`, p])));

/** strings.go's functions and functions.go's inline string functions; rand* and shuffle draw from random. */
export function stringFuncs(random: SprigRandom): FuncMap {
  const randIndex = random.index;
  const randFrom = (count: bigint, alphabet: string): string => {
    let out = '';
    for (let i = 0n; i < count; i++) out += alphabet[randIndex(alphabet.length)];
    return out;
  };
  const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const NUM = '0123456789';
  let ascii = '';
  for (let c = 32; c <= 126; c++) ascii += String.fromCharCode(c);

  return {
    abbrev: new GoFunc([I, S], (w: bigint, s: string) => (w < 4n ? s : abbreviateFull(s, 0, n(w)))),
    abbrevboth: new GoFunc([I, I, S], (l: bigint, r: bigint, s: string) =>
      r < 4n || (l > 0n && r < 7n) ? s : abbreviateFull(s, n(l), n(r)),
    ),
    trunc: new GoFunc([I, S], trunc),
    trim: new GoFunc([S], (s: string) => trimFunc(s, isSpace)),
    upper: new GoFunc([S], (s: string) => mapRunes(s, toUpper)),
    lower: new GoFunc([S], (s: string) => mapRunes(s, toLower)),
    title: new GoFunc([S], title),
    untitle: new GoFunc([S], (s: string) => {
      let gap = true;
      let out = '';
      for (const c of s) {
        out += gap ? toLower(c) : c;
        gap = isSpace(c);
      }
      return out;
    }),
    substr: new GoFunc([I, I, S], substr),
    repeat: new GoFunc([I, S], (c: bigint, s: string) => {
      if (c < 0n) goPanic('strings: negative Repeat count');
      return s.repeat(n(c));
    }),
    trimall: new GoFunc([S, S], (a: string, b: string) => trimCutset(b, a)),
    trimAll: new GoFunc([S, S], (a: string, b: string) => trimCutset(b, a)),
    trimSuffix: new GoFunc([S, S], (a: string, b: string) =>
      a !== '' && b.endsWith(a) ? b.slice(0, b.length - a.length) : b,
    ),
    trimPrefix: new GoFunc([S, S], (a: string, b: string) => (b.startsWith(a) ? b.slice(a.length) : b)),
    nospace: new GoFunc([S], (s: string) => [...s].filter((c) => !isSpace(c)).join('')),
    initials: new GoFunc([S], (s: string) => {
      let out = '';
      let gap = true;
      for (const c of s) {
        if (isSpace(c)) gap = true;
        else if (gap) {
          out += c;
          gap = false;
        }
      }
      return out;
    }),
    randAlphaNum: new GoFunc([I], (c: bigint) => randFrom(c, ALPHA + NUM)),
    randAlpha: new GoFunc([I], (c: bigint) => randFrom(c, ALPHA)),
    randAscii: new GoFunc([I], (c: bigint) => randFrom(c, ascii)),
    randNumeric: new GoFunc([I], (c: bigint) => randFrom(c, NUM)),
    swapcase: new GoFunc([S], swapCase),
    shuffle: new GoFunc([S], (s: string) => {
      const cs = [...s];
      for (let i = cs.length - 1; i > 0; i--) {
        const j = randIndex(i + 1);
        [cs[i], cs[j]] = [cs[j] as string, cs[i] as string];
      }
      return cs.join('');
    }),
    snakecase: new GoFunc([S], (s: string) => toDelimited(s, '_')),
    camelcase: new GoFunc([S], camelCase),
    kebabcase: new GoFunc([S], (s: string) => toDelimited(s, '-')),
    wrap: new GoFunc([I, S], (l: bigint, s: string) => wrapCustom(s, n(l), '', false)),
    wrapWith: new GoFunc([I, S, S], (l: bigint, sep: string, s: string) => wrapCustom(s, n(l), sep, true)),
    contains: new GoFunc([S, S], (a: string, b: string) => b.includes(a)),
    hasPrefix: new GoFunc([S, S], (a: string, b: string) => b.startsWith(a)),
    hasSuffix: new GoFunc([S, S], (a: string, b: string) => b.endsWith(a)),
    quote: new GoFunc(
      [],
      (...a: unknown[]) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => sprintf('%q', [strval(x)]))
          .join(' '),
      { variadic: A },
    ),
    squote: new GoFunc(
      [],
      (...a: unknown[]) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => sprintf("'%v'", [x]))
          .join(' '),
      { variadic: A },
    ),
    cat: new GoFunc(
      [],
      (...a: unknown[]) => {
        const v = a.filter((x) => x !== null && x !== undefined);
        return sprintf(v.map(() => '%v').join(' '), v);
      },
      { variadic: A },
    ),
    indent: new GoFunc([I, S], (k: bigint, v: string) => indent(n(k), v)),
    nindent: new GoFunc([I, S], (k: bigint, v: string) => '\n' + indent(n(k), v)),
    replace: new GoFunc([S, S, S], (o: string, nw: string, s: string) => replaceAll(s, o, nw)),
    plural: new GoFunc([S, S, I], (one: string, many: string, c: bigint) => (c === 1n ? one : many)),
    toString: new GoFunc([A], strval),
    split: new GoFunc([S, S], (sep: string, orig: string) => splitMap(splitGo(orig, sep, -1))),
    splitList: new GoFunc([S, S], (sep: string, orig: string) => strs(splitGo(orig, sep, -1))),
    splitn: new GoFunc([S, I, S], (sep: string, k: bigint, orig: string) => splitMap(splitGo(orig, sep, n(k)))),
    toStrings: new GoFunc([A], strslice),
    join: new GoFunc([S, A], (sep: string, v: unknown) => strslice(v).join(sep)),
    b64enc: new GoFunc([S], (s: string) => Buffer.from(s).toString('base64')),
    b64dec: new GoFunc([S], (s: string) => {
      try {
        return b64decode(s).toString('utf8');
      } catch (e) {
        return (e as Error).message;
      }
    }),
    b32enc: new GoFunc([S], (s: string) => b32encode(Buffer.from(s))),
    b32dec: new GoFunc([S], (s: string) => {
      try {
        return b32decode(s).toString('utf8');
      } catch (e) {
        return (e as Error).message;
      }
    }),
  };
}
