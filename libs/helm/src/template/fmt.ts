// Go's fmt package (Sprint, Sprintln, Sprintf) over the value model of values.ts: verbs, flags, widths,
// precisions, argument indexes and fmt's error notations (%!d(string=x), %!s(MISSING), %!(EXTRA …)).
import {
  Boxed,
  GoComplex,
  GoFloat,
  GoFunc,
  GoInt,
  GoStruct,
  JsonNumber,
  isMap,
  kindOf,
  sortedEntries,
  typeName,
  type GoIntKind,
} from './values.ts';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(r: number): boolean {
  if (r === 0x20) return true;
  if (r < 0x20 || r === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

function hex(n: number, width: number, upper = false): string {
  const s = n.toString(16).padStart(width, '0');
  return upper ? s.toUpperCase() : s;
}

function escapeRune(r: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(r);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) return ch;
  switch (r) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
    default:
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if ((r >= 0xd800 && r <= 0xdfff) || r > 0x10ffff) r = 0xfffd;
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}

/** strconv.Quote (or QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0) ?? 0, '"', asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune (or QuoteRuneToASCII). */
export function goQuoteRune(r: number, asciiOnly = false): string {
  return "'" + escapeRune(r, "'", asciiOnly) + "'";
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0;
    if (ch === '`' || r === 0xfeff) return false;
    if (r < 0x20 && r !== 9) return false;
    if (r === 0x7f) return false;
  }
  return true;
}

// ---- decimal digits of floats (strconv's decimal representation) ----

interface Digits {
  d: string; // significant digits, no trailing zeros ("" for zero)
  dp: number; // decimal point position
}

function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return trimDigits({ d: s, dp });
}

function trimDigits(x: Digits): Digits {
  let d = x.d;
  let end = d.length;
  while (end > 0 && d[end - 1] === '0') end--;
  d = d.slice(0, end);
  return { d, dp: d === '' ? 0 : x.dp };
}

function shortestDigits(x: number, size: 32 | 64): Digits {
  if (x === 0) return { d: '', dp: 0 };
  let s: string;
  if (size === 32) {
    s = x.toExponential();
    for (let p = 1; p <= 9; p++) {
      const c = x.toExponential(p - 1);
      if (Math.fround(Number(c)) === x) {
        s = c;
        break;
      }
    }
  } else s = x.toExponential();
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`unexpected float ${s}`);
  return trimDigits({ d: (m[1] ?? '') + (m[2] ?? ''), dp: Number(m[3]) + 1 });
}

function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return nd < 0 ? { d: '', dp: 0 } : x;
  const c = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (c === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 5;
  if (!up) return trimDigits({ d: x.d.slice(0, nd), dp: x.dp });
  let i = nd - 1;
  while (i >= 0 && x.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

function fmtE(digs: Digits, prec: number, e: string): string {
  let out = digs.d.length ? (digs.d[0] ?? '0') : '0';
  if (prec > 0) {
    out += '.';
    out += digs.d.slice(1, Math.min(digs.d.length, prec + 1)).padEnd(prec, '0');
  }
  let exp = digs.dp - 1;
  if (digs.d.length === 0) exp = 0;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + e + sign + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(digs: Digits, prec: number): string {
  let out = '';
  if (digs.dp > 0) {
    out = digs.d.slice(0, Math.min(digs.d.length, digs.dp)).padEnd(digs.dp, '0');
  } else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = digs.dp + i - 1;
      out += j >= 0 && j < digs.d.length ? digs.d[j] : '0';
    }
  }
  return out;
}

/** The sign, mantissa (with the implicit bit) and unbiased exponent of a float, as strconv's formatBits. */
function floatBits(x: number, size: 32 | 64): { neg: boolean; mant: bigint; exp: number; mantbits: number } {
  const view = new DataView(new ArrayBuffer(8));
  let bits: bigint;
  let mantbits: number;
  let expbits: number;
  let bias: number;
  if (size === 32) {
    view.setFloat32(0, x);
    bits = BigInt(view.getUint32(0));
    mantbits = 23;
    expbits = 8;
    bias = -127;
  } else {
    view.setFloat64(0, x);
    bits = view.getBigUint64(0);
    mantbits = 52;
    expbits = 11;
    bias = -1023;
  }
  const neg = bits >> BigInt(mantbits + expbits) !== 0n;
  let exp = Number((bits >> BigInt(mantbits)) & ((1n << BigInt(expbits)) - 1n));
  let mant = bits & ((1n << BigInt(mantbits)) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << BigInt(mantbits);
  return { neg, mant, exp: exp + bias, mantbits };
}

/** strconv's %b: decimal mantissa, 'p', binary exponent. */
function fmtB(x: number, size: 32 | 64): string {
  const { neg, mant, exp, mantbits } = floatBits(x, size);
  const e = exp - mantbits;
  return (neg ? '-' : '') + mant.toString() + 'p' + (e >= 0 ? '+' : '') + String(e);
}

/** strconv's %x / %X: -0x1.yyyyp±dd. */
function fmtX(x: number, prec: number, verb: string, size: 32 | 64): string {
  const fb = floatBits(x, size);
  let { mant, exp } = fb;
  if (mant === 0n) exp = 0;
  const ONE60 = 1n << 60n;
  mant <<= BigInt(60 - fb.mantbits);
  while (mant !== 0n && (mant & ONE60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (ONE60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const upper = verb === 'X';
  let out = (fb.neg ? '-' : '') + '0' + verb + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  const digit = (): string => {
    const d = Number((mant >> 60n) & 15n).toString(16);
    mant = (mant << 4n) & ((1n << 64n) - 1n);
    return upper ? d.toUpperCase() : d;
  };
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) out += digit();
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digit();
  }
  out += upper ? 'P' : 'p';
  out += exp < 0 ? '-' : '+';
  const ae = Math.abs(exp);
  return out + (ae < 10 ? '0' + ae : String(ae));
}

/** strconv.FormatFloat(x, verb, prec, size) for verbs b e E f F g G x X (prec -1: shortest). */
export function formatFloat(x: number, verb: string, prec: number, size: 32 | 64 = 64): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (verb === 'b') return fmtB(x, size);
  if (verb === 'x' || verb === 'X') return fmtX(x, prec, verb, size);
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  const shortest = prec < 0;
  let digs: Digits;
  const lower = verb.toLowerCase();
  if (shortest) {
    digs = shortestDigits(ax, size);
    if (lower === 'e') prec = Math.max(digs.d.length - 1, 0);
    else if (lower === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const ex = exactDigits(ax);
    if (lower === 'e') digs = roundDigits(ex, prec + 1);
    else if (lower === 'f') digs = roundDigits(ex, ex.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundDigits(ex, prec);
    }
  }
  let body: string;
  const e = verb === 'E' || verb === 'G' ? 'E' : 'e';
  if (lower === 'e') body = fmtE(digs, prec, e);
  else if (lower === 'f') body = fmtF(digs, prec);
  else {
    let eprec = prec;
    if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
    if (shortest) eprec = 6;
    const exp = digs.dp - 1;
    if (exp < -4 || exp >= eprec) {
      if (prec > digs.d.length) prec = digs.d.length;
      body = fmtE(digs, prec - 1, e);
    } else {
      if (prec > digs.dp) prec = digs.d.length;
      body = fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
  return (neg ? '-' : '') + body;
}

// ---- the printer ----

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const U64 = (1n << 64n) - 1n;

class Printer {
  out = '';
  f: Flags = clearFlags();
  erroring = false;

  writePadding(n: number): void {
    if (n <= 0) return;
    this.out += (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) {
      this.writePadding(width);
      this.out += s;
    } else {
      this.out += s;
      this.writePadding(width);
    }
  }

  truncate(s: string): string {
    if (this.f.precPresent) {
      let n = this.f.prec;
      let i = 0;
      for (const ch of s) {
        n--;
        if (n < 0) return s.slice(0, i);
        i += ch.length;
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtSx(s: string, upper: boolean): void {
    const bytes = Buffer.from(s, 'utf8');
    let length = bytes.length;
    if (this.f.precPresent && this.f.prec < length) length = this.f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.f.space) {
        if (this.f.sharp) width *= 2;
        width += length - 1;
      } else if (this.f.sharp) width += 2;
    } else {
      if (this.f.widPresent) this.writePadding(this.f.wid);
      return;
    }
    if (this.f.widPresent && this.f.wid > width && !this.f.minus) this.writePadding(this.f.wid - width);
    const x = upper ? 'X' : 'x';
    let out = this.f.sharp ? '0' + x : '';
    for (let i = 0; i < length; i++) {
      if (this.f.space && i > 0) {
        out += ' ';
        if (this.f.sharp) out += '0' + x;
      }
      out += hex(bytes[i] ?? 0, 2, upper);
    }
    this.out += out;
    if (this.f.widPresent && this.f.wid > width && this.f.minus) this.writePadding(this.f.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(goQuote(s, this.f.plus));
  }

  fmtInteger(u: bigint, base: number, signed: boolean, verb: string, upper: boolean): void {
    const negative = signed && u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.writePadding(this.f.wid);
        this.f.zero = oldZero;
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (this.f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8) {
        if (digits[0] !== '0') digits = '0' + digits;
      } else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (this.f.plus) digits = '+' + digits;
    else if (this.f.space) digits = ' ' + digits;
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(digits);
    this.f.zero = oldZero;
  }

  fmtFloatNum(v: number, size: 32 | 64, verb: string, prec: number): void {
    if (this.f.precPresent) prec = this.f.prec;
    let num = formatFloat(v, verb, prec, size);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.f.zero;
      this.f.zero = false;
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = oldZero;
      return;
    }
    if (this.f.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let sawNonzeroDigit = false;
      let hasDecimalPoint = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i];
        if (c === '.') {
          hasDecimalPoint = true;
          continue;
        }
        if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        }
        sawNonzeroDigit = sawNonzeroDigit || c !== '0';
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === '0') digits--;
        num += '.';
      }
      while (digits > 0) {
        num += '0';
        digits--;
      }
      num += tail;
    }
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.out += num[0];
        this.writePadding(this.f.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  badVerb(verb: string, v: unknown): void {
    this.erroring = true;
    this.out += '%!' + verb + '(';
    if (v === null || v === undefined) this.out += '<nil>';
    else {
      this.out += typeName(v) + '=';
      this.printValue(v, 'v', 0);
    }
    this.out += ')';
    this.erroring = false;
  }

  fmtBool(b: boolean, verb: string, v: unknown): void {
    if (verb === 't' || verb === 'v') this.pad(b ? 'true' : 'false');
    else this.badVerb(verb, v);
  }

  fmtInt(n: bigint, kind: GoIntKind, verb: string, v: unknown): void {
    const signed = !kind.startsWith('u');
    switch (verb) {
      case 'v':
        if (this.f.sharpV && !signed) {
          const oldSharp = this.f.sharp;
          this.f.sharp = true;
          this.fmtInteger(n, 16, false, 'v', false);
          this.f.sharp = oldSharp;
        } else this.fmtInteger(n, 10, signed, verb, false);
        return;
      case 'd':
        return this.fmtInteger(n, 10, signed, verb, false);
      case 'b':
        return this.fmtInteger(n, 2, signed, verb, false);
      case 'o':
      case 'O':
        return this.fmtInteger(n, 8, signed, verb, false);
      case 'x':
        return this.fmtInteger(n, 16, signed, verb, false);
      case 'X':
        return this.fmtInteger(n, 16, signed, verb, true);
      case 'c': {
        const r = n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn) ? 0xfffd : Number(n);
        this.pad(String.fromCodePoint(r));
        return;
      }
      case 'q': {
        const r = n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn) ? 0xfffd : Number(n);
        this.pad(goQuoteRune(r, this.f.plus));
        return;
      }
      case 'U': {
        const u = n & U64;
        let prec = 4;
        if (this.f.precPresent && this.f.prec > 4) prec = this.f.prec;
        let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
        if (this.f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.pad(s);
        this.f.zero = oldZero;
        return;
      }
      default:
        this.badVerb(verb, v);
    }
  }

  fmtFloat(x: number, size: 32 | 64, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        return this.fmtFloatNum(x, size, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.fmtFloatNum(x, size, verb, -1);
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        return this.fmtFloatNum(x, size, verb === 'F' ? 'f' : verb, 6);
      default:
        this.badVerb(verb, v);
    }
  }

  fmtComplex(c: GoComplex, verb: string): void {
    if (!'vbgGxXfFeE'.includes(verb)) {
      this.badVerb(verb, c);
      return;
    }
    const oldPlus = this.f.plus;
    this.out += '(';
    this.fmtFloat(c.re, 64, verb, c.re);
    this.f.plus = true;
    this.fmtFloat(c.im, 64, verb, c.im);
    this.out += 'i)';
    this.f.plus = oldPlus;
  }

  fmtString(s: string, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        return this.fmtS(s);
      case 'x':
        return this.fmtSx(s, false);
      case 'X':
        return this.fmtSx(s, true);
      case 'q':
        return this.fmtQ(s);
      default:
        this.badVerb(verb, v);
    }
  }

  /** fmt's handleMethods for the Stringers of the model (json.Number). */
  handleMethods(v: unknown, verb: string): boolean {
    if (this.erroring || this.f.sharpV) return false;
    if (v instanceof JsonNumber && 'vsxXq'.includes(verb)) {
      this.fmtString(v.value, verb, v);
      return true;
    }
    const str = v instanceof GoStruct && !v.pointerMethods ? v.methods['String'] : undefined;
    if (str !== undefined && str.params.length === 0 && 'vsxXq'.includes(verb)) {
      this.fmtString(String((str.fn as () => unknown)()), verb, v);
      return true;
    }
    return false;
  }

  printArg(arg: unknown, verb: string): void {
    arg = arg instanceof Boxed ? arg.v : arg;
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, null);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    if (verb === 'p') {
      this.badVerb(verb, arg);
      return;
    }
    if (this.handleMethods(arg, verb)) return;
    this.printValue(arg, verb, 0);
  }

  printValue(v: unknown, verb: string, depth: number): void {
    v = v instanceof Boxed ? v.v : v;
    if (depth > 0 && v !== null && v !== undefined && this.handleMethods(v, verb)) return;
    if (v === null || v === undefined) {
      if (this.f.sharpV) this.out += 'interface {}(nil)';
      else this.out += '<nil>';
      return;
    }
    switch (typeof v) {
      case 'boolean':
        return this.fmtBool(v, verb, v);
      case 'bigint':
        return this.fmtInt(v, 'int', verb, v);
      case 'number':
        return this.fmtFloat(v, 64, verb, v);
      case 'string':
        return this.fmtString(v, verb, v);
      default:
    }
    if (v instanceof GoInt) return this.fmtInt(v.value, v.type, verb, v);
    if (v instanceof GoFloat) return this.fmtFloat(v.value, v.type === 'float32' ? 32 : 64, verb, v);
    if (v instanceof GoComplex) return this.fmtComplex(v, verb);
    if (v instanceof JsonNumber) return this.fmtString(v.value, verb, v);
    if (v instanceof Uint8Array) {
      if ('sqxX'.includes(verb)) {
        const s = Buffer.from(v).toString('latin1');
        if (verb === 's') this.fmtS(Buffer.from(v).toString('utf8'));
        else if (verb === 'q') this.fmtQ(Buffer.from(v).toString('utf8'));
        else this.fmtSx(Buffer.from(s, 'latin1').toString('utf8'), verb === 'X');
        return;
      }
      if (this.f.sharpV) {
        this.out += '[]byte{' + [...v].map((b) => '0x' + b.toString(16)).join(', ') + '}';
        return;
      }
      this.out += '[';
      v.forEach((b, i) => {
        if (i > 0) this.out += ' ';
        this.fmtInt(BigInt(b), 'uint8', verb, new GoInt('uint8', BigInt(b)));
      });
      this.out += ']';
      return;
    }
    if (Array.isArray(v)) {
      if (this.f.sharpV) {
        this.out += typeName(v) + '{';
        v.forEach((e, i) => {
          if (i > 0) this.out += ', ';
          this.printValue(e, verb, depth + 1);
        });
        this.out += '}';
      } else {
        this.out += '[';
        v.forEach((e, i) => {
          if (i > 0) this.out += ' ';
          this.printValue(e, verb, depth + 1);
        });
        this.out += ']';
      }
      return;
    }
    if (isMap(v)) {
      this.out += this.f.sharpV ? typeName(v) + '{' : 'map[';
      sortedEntries(v).forEach(([k, e], i) => {
        if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
        this.printValue(k, verb, depth + 1);
        this.out += ':';
        this.printValue(e, verb, depth + 1);
      });
      this.out += this.f.sharpV ? '}' : ']';
      return;
    }
    if (v instanceof GoStruct) {
      // A pointer to a struct prints as &{…} at the top level (deeper, Go prints its address).
      if (depth === 0 && v.typeName.startsWith('*') && !this.f.sharpV) this.out += '&';
      if (this.f.sharpV) this.out += v.typeName;
      this.out += '{';
      let i = 0;
      for (const [name, field] of v.fields) {
        if (i++ > 0) this.out += this.f.sharpV ? ', ' : ' ';
        if (this.f.plusV || this.f.sharpV) this.out += name + ':';
        this.printValue(field, verb, depth + 1);
      }
      this.out += '}';
      return;
    }
    if (v instanceof GoFunc || kindOf(v) === 'func') {
      // A func prints as its address in Go; there is none to print here.
      this.out += this.f.sharpV ? `(${typeName(v)})(0x0)` : '0x0';
      return;
    }
    this.out += String(v);
  }
}

function tooLarge(n: number): boolean {
  return n > 1e6 || n < -1e6;
}

function parseNum(s: string, start: number, end: number): { num: number; isnum: boolean; newi: number } {
  if (start >= end) return { num: 0, isnum: false, newi: end };
  let num = 0;
  let isnum = false;
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (tooLarge(num)) return { num: 0, isnum: false, newi: end };
    num = num * 10 + (c - 48);
    isnum = true;
    i++;
  }
  return { num, isnum, newi: i };
}

function intFromArg(a: readonly unknown[], argNum: number): { num: number; isInt: boolean; newArgNum: number } {
  let num = 0;
  let isInt = false;
  let newArgNum = argNum;
  if (argNum < a.length) {
    const v = a[argNum] instanceof Boxed ? (a[argNum] as Boxed).v : a[argNum];
    let n: bigint | undefined;
    if (typeof v === 'bigint') n = v;
    else if (v instanceof GoInt) n = v.value;
    if (n !== undefined && n >= -(1n << 63n) && n < 1n << 63n) {
      num = Number(n);
      isInt = true;
    }
    newArgNum = argNum + 1;
    if (tooLarge(num)) {
      num = 0;
      isInt = false;
    }
  }
  return { num, isInt, newArgNum };
}

/** fmt.Sprintf. */
export function sprintf(format: string, a: readonly unknown[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): void => {
    if (format.length <= i || format[i] !== '[') {
      afterIndex = false;
      cur = i;
      return;
    }
    reordered = true;
    // parseArgNumber
    let index = 0;
    let wid = 1;
    let ok = false;
    const sub = format.slice(i);
    if (sub.length >= 3) {
      for (let j = 1; j < sub.length; j++) {
        if (sub[j] === ']') {
          const r = parseNum(sub, 1, j);
          if (!r.isnum || r.newi !== j) {
            index = 0;
            wid = j + 1;
            ok = false;
          } else {
            index = r.num - 1;
            wid = j + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < a.length) {
      argNum = index;
      cur = i + wid;
      afterIndex = true;
      return;
    }
    goodArgNum = false;
    cur = i + wid;
    afterIndex = ok;
  };

  let cur = 0;
  let i = 0;
  formatLoop: while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.out += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.f = clearFlags();
    simple: for (; i < end; i++) {
      const c = format[i] ?? '';
      switch (c) {
        case '#':
          p.f.sharp = true;
          break;
        case '0':
          p.f.zero = !p.f.minus;
          break;
        case '+':
          p.f.plus = true;
          break;
        case '-':
          p.f.minus = true;
          p.f.zero = false;
          break;
        case ' ':
          p.f.space = true;
          break;
        default:
          if (c >= 'a' && c <= 'z' && argNum < a.length) {
            if (c === 'v') {
              p.f.sharpV = p.f.sharp;
              p.f.sharp = false;
              p.f.plusV = p.f.plus;
              p.f.plus = false;
            }
            p.printArg(a[argNum], c);
            argNum++;
            i++;
            continue formatLoop;
          }
          break simple;
      }
    }
    argNumber(i);
    i = cur;
    if (i < end && format[i] === '*') {
      i++;
      const r = intFromArg(a, argNum);
      p.f.wid = r.num;
      p.f.widPresent = r.isInt;
      argNum = r.newArgNum;
      if (!p.f.widPresent) p.out += '%!(BADWIDTH)';
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      afterIndex = false;
    } else {
      const r = parseNum(format, i, end);
      p.f.wid = r.num;
      p.f.widPresent = r.isnum;
      i = r.newi;
      if (afterIndex && p.f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      argNumber(i);
      i = cur;
      if (i < end && format[i] === '*') {
        i++;
        const r = intFromArg(a, argNum);
        p.f.prec = r.num;
        p.f.precPresent = r.isInt;
        argNum = r.newArgNum;
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.precPresent = false;
        }
        if (!p.f.precPresent) p.out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const r = parseNum(format, i, end);
        p.f.prec = r.num;
        p.f.precPresent = r.isnum;
        i = r.newi;
        if (!p.f.precPresent) {
          p.f.prec = 0;
          p.f.precPresent = true;
        }
      }
    }
    if (!afterIndex) {
      argNumber(i);
      i = cur;
    }
    if (i >= end) {
      p.out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') p.out += '%';
    else if (!goodArgNum) p.out += '%!' + verb + '(BADINDEX)';
    else if (argNum >= a.length) p.out += '%!' + verb + '(MISSING)';
    else {
      if (verb === 'v') {
        p.f.sharpV = p.f.sharp;
        p.f.sharp = false;
        p.f.plusV = p.f.plus;
        p.f.plus = false;
      }
      p.printArg(a[argNum], verb);
      argNum++;
    }
  }
  if (!reordered && argNum < a.length) {
    p.f = clearFlags();
    p.out += '%!(EXTRA ';
    a.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.out += ', ';
      const v = arg instanceof Boxed ? arg.v : arg;
      if (v === null || v === undefined) p.out += '<nil>';
      else {
        p.out += typeName(v) + '=';
        p.printArg(v, 'v');
      }
    });
    p.out += ')';
  }
  return p.out;
}

function isStringKind(v: unknown): boolean {
  const u = v instanceof Boxed ? v.v : v;
  return typeof u === 'string' || u instanceof JsonNumber;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(a: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  a.forEach((arg, n) => {
    const isString = isStringKind(arg);
    if (n > 0 && !isString && !prevString) p.out += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.out;
}

/** fmt.Sprintln: spaces always, then a newline. */
export function sprintln(a: readonly unknown[]): string {
  const p = new Printer();
  a.forEach((arg, n) => {
    if (n > 0) p.out += ' ';
    p.printArg(arg, 'v');
  });
  return p.out + '\n';
}
