// A YAML emitter that reproduces the exact output style of `kubectl kustomize`. kustomize serialises each resource
// through JSON and then go-yaml v2 (sigs.k8s.io/yaml): keys sorted in go-yaml's "natural" order, sequences not
// indented under their key, go-yaml v2's scalar-style choices and its folding of long lines at 80 columns.
// Hand-written because no JS YAML library reproduces go-yaml v2's style decisions byte for byte.

const BEST_WIDTH = 80;
const INDENT = 2;

/** A JSON-like value as produced by parsing a manifest. */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);

/** go-yaml v2's keyList.Less: letters sort after non-letters, digit runs compare numerically. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + ((ar[ai] as string).charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + ((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

/** Sorts object keys the way go-yaml v2 does when marshalling a map. */
export function sortKeys(keys: string[]): string[] {
  return [...keys].sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0));
}

// go-yaml v2 resolve(): would this plain scalar be read back as something other than a string?
const RESERVED = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP_RES = [
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /^\d{4}-\d{1,2}-\d{1,2}[Tt ]\d{1,2}:\d{2}:\d{2}(\.\d+)?([Zz]|[-+]\d{1,2}(:\d{2})?)?$/,
  /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}(\.\d+)? ?([Zz]|[-+]\d{1,2}(:\d{2})?)?$/,
];

function goParseIntBase0(s: string): boolean {
  // strconv.ParseInt(s, 0, 64) accepts sign, 0x/0o/0b prefixes, leading-0 octal and underscores after a prefix.
  const m = /^[-+]?(.*)$/.exec(s);
  const body = m?.[1] ?? '';
  if (/^0[xX](_?[0-9a-fA-F])+$/.test(body)) return true;
  if (/^0[bB](_?[01])+$/.test(body)) return true;
  if (/^0[oO](_?[0-7])+$/.test(body)) return true;
  if (/^0(_?[0-7])*$/.test(body)) return true;
  if (/^[1-9][0-9]*$/.test(body)) return true;
  return false;
}

function resolvesToNonString(s: string): boolean {
  if (RESERVED.has(s)) return true;
  const c = s.charAt(0);
  if (!/[-+.0-9]/.test(c)) return false;
  const plain = s.replace(/_/g, '');
  if (goParseIntBase0(plain)) return true;
  if (/^[0-9]+$/.test(plain)) return true; // uint
  if (FLOAT_RE.test(plain)) return true;
  if (plain.startsWith('0b') || plain.startsWith('-0b')) {
    if (/^-?0b[01]+$/.test(plain)) return true;
  }
  if (TIMESTAMP_RES.some((re) => re.test(s))) return true;
  return false;
}

function isBase60Float(s: string): boolean {
  // go-yaml v2 quotes YAML 1.1 sexagesimal numbers such as "12:30".
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);
}

const isBreak = (c: string | undefined): boolean =>
  c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isSpace = (c: string | undefined): boolean => c === ' ';
const isBlankz = (c: string | undefined): boolean =>
  c === undefined || c === ' ' || c === '\t' || isBreak(c) || c === '\0';

function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function analyze(value: string): Analysis {
  const chars = Array.from(value);
  if (chars.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const followedByWhitespace = isBlankz(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (c === '?' || c === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(c)) {
        flowIndicators = true;
      } else if (c === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  void flowIndicators;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function chooseStyle(s: string, isKey: boolean): Style {
  let style: Style;
  const canUsePlain = !resolvesToNonString(s) && !isBase60Float(s);
  if (s.includes('\n')) style = 'literal';
  else if (canUsePlain) style = 'plain';
  else style = 'double';
  const a = analyze(s);
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (s.length === 0 && isKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || isKey)) style = 'double';
  return style;
}

/** Writer tracking the current column the way go-yaml's emitter does (in characters). */
class Out {
  buf: string[] = [];
  column = 0;
  /** True right after a line break (go-yaml then does not write another one before indenting). */
  atLineStart = false;
  write(s: string): void {
    this.buf.push(s);
    this.column += Array.from(s).length;
    this.atLineStart = false;
  }
  newline(indent: number): void {
    this.buf.push((this.atLineStart ? '' : '\n') + ' '.repeat(indent));
    this.column = indent;
    this.atLineStart = false;
  }
  lineBreak(): void {
    this.buf.push('\n');
    this.column = 0;
    this.atLineStart = true;
  }
}

function escapeChar(c: string): string {
  switch (c) {
    case '\0':
      return '\\0';
    case '\x07':
      return '\\a';
    case '\b':
      return '\\b';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\x0b':
      return '\\v';
    case '\f':
      return '\\f';
    case '\r':
      return '\\r';
    case '\x1b':
      return '\\e';
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\u0085':
      return '\\N';
    case '\u00a0':
      return '\\_';
    case '\u2028':
      return '\\L';
    case '\u2029':
      return '\\P';
  }
  const cp = c.codePointAt(0) ?? 0;
  if (cp <= 0xff) return '\\x' + cp.toString(16).toUpperCase().padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  return '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
}

function writeScalar(out: Out, s: string, indent: number, isKey: boolean): void {
  const style = chooseStyle(s, isKey);
  const allowBreaks = !isKey;
  const chars = Array.from(s);
  if (style === 'plain') {
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && out.column > BEST_WIDTH && !isSpace(chars[i + 1])) out.newline(indent);
        else out.write(c);
        spaces = true;
      } else {
        out.write(c);
        spaces = false;
      }
    }
    return;
  }
  if (style === 'single') {
    out.write("'");
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (isSpace(c)) {
        if (
          allowBreaks &&
          !spaces &&
          out.column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1 &&
          !isSpace(chars[i + 1])
        ) {
          out.newline(indent);
        } else out.write(c);
        spaces = true;
      } else {
        out.write(c === "'" ? "''" : c);
        spaces = false;
      }
    }
    out.write("'");
    return;
  }
  if (style === 'double') {
    out.write('"');
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
        out.write(escapeChar(c));
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && out.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          out.newline(indent);
          if (isSpace(chars[i + 1])) out.write('\\');
        } else out.write(c);
        spaces = true;
      } else {
        out.write(c);
        spaces = false;
      }
    }
    out.write('"');
    return;
  }
  // literal block scalar
  let hints = '';
  if (isSpace(chars[0]) || isBreak(chars[0])) hints += String(INDENT);
  const last = chars[chars.length - 1];
  if (!isBreak(last)) hints += '-';
  else if (chars.length === 1 || isBreak(chars[chars.length - 2])) hints += '+';
  out.write('|' + hints);
  let breaks = true;
  out.lineBreak();
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (isBreak(c)) {
      out.lineBreak();
      breaks = true;
    } else {
      if (breaks) out.write(' '.repeat(indent));
      out.write(c);
      breaks = false;
    }
  }
}

/** Formats a number as Go's JSON encoder followed by go-yaml v2 would. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : n < 0 ? '-.inf' : '.nan';
  // strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form when exp < -4 || exp >= 6.
  const [mant = '', e = '0'] = n.toExponential().split('e');
  const ev = Number(e);
  if (ev < -4 || ev >= 6) return `${mant}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
  return String(n);
}

function isEmptyContainer(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

function writeInline(out: Out, v: YamlValue, indent: number): void {
  if (v === null || v === undefined) out.write('null');
  else if (typeof v === 'boolean') out.write(v ? 'true' : 'false');
  else if (typeof v === 'number') out.write(formatNumber(v));
  else if (typeof v === 'string') writeScalar(out, v, indent, false);
  else if (Array.isArray(v)) out.write('[]');
  else out.write('{}');
}

function writeMapping(out: Out, obj: { [key: string]: YamlValue }, indent: number, first: boolean): void {
  const keys = sortKeys(Object.keys(obj).filter((k) => obj[k] !== undefined));
  keys.forEach((k, idx) => {
    if (!(first && idx === 0)) out.newline(indent);
    writeScalar(out, k, indent + INDENT, true);
    out.write(':');
    const v = obj[k] as YamlValue;
    if (v !== null && typeof v === 'object' && !isEmptyContainer(v)) {
      if (Array.isArray(v)) writeSequence(out, v, indent, false);
      else writeMapping(out, v, indent + INDENT, false);
    } else {
      out.write(' ');
      writeInline(out, v, indent + INDENT);
    }
  });
}

function writeSequence(out: Out, arr: YamlValue[], indent: number, first: boolean): void {
  arr.forEach((v, idx) => {
    if (!(first && idx === 0)) out.newline(indent);
    out.write('- ');
    if (v !== null && typeof v === 'object' && !isEmptyContainer(v)) {
      if (Array.isArray(v)) writeSequence(out, v, indent + INDENT, true);
      else writeMapping(out, v, indent + INDENT, true);
    } else {
      writeInline(out, v, indent + INDENT);
    }
  });
}

/** Serialises one document (without a leading `---`), ending with a newline. */
export function emitDocument(v: YamlValue): string {
  const out = new Out();
  if (v !== null && typeof v === 'object' && !isEmptyContainer(v)) {
    if (Array.isArray(v)) writeSequence(out, v, 0, true);
    else writeMapping(out, v, 0, true);
  } else writeInline(out, v, 0);
  if (!out.atLineStart) out.buf.push('\n');
  return out.buf.join('');
}
