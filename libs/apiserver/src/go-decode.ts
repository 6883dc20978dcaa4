/**
 * Go standard library behaviour the API server's messages depend on, ported byte for byte: `encoding/base64`
 * StdEncoding decoding (how `[]byte` fields are read from JSON), `encoding/json` syntax checking and
 * `json.Unmarshal` into `map[string]interface{}` (Secret `.dockerconfigjson` validation), and `strconv.Quote`
 * (`%q` in validation messages).
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_DECODE[B64.charCodeAt(i)] = i;

const LF = 0x0a;
const CR = 0x0d;
const PAD = 0x3d;

/** The result of decoding: the bytes, or Go's error text. */
export type Decoded = { ok: true; bytes: Buffer } | { ok: false; error: string };

const CANONICAL_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const corrupt = (at: number): Decoded => ({ ok: false, error: `illegal base64 data at input byte ${at}` });

/**
 * `base64.StdEncoding.DecodeString` (padding required, `\r` and `\n` ignored, non-zero trailing bits accepted),
 * with its `illegal base64 data at input byte N` errors at the same offsets (N counts UTF-8 bytes).
 */
export const goBase64Decode = (s: string): Decoded => {
  if (CANONICAL_B64.test(s)) return { ok: true, bytes: Buffer.from(s, 'base64') };
  const src = Buffer.from(s, 'utf8');
  const out: number[] = [];
  let si = 0;
  // One iteration per quantum, as Go's decodeQuantum.
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: Decoded | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: Buffer.from(out) };
        return corrupt(si - j);
      }
      const c = src[si++] as number;
      const v = B64_DECODE[c] as number;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (c === LF || c === CR) {
        j--;
        continue;
      }
      if (c !== PAD || j < 2) return corrupt(si - 1);
      if (j === 2) {
        // "==" is expected, the first "=" is already consumed.
        while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
      if (si < src.length) trailing = corrupt(si);
      dlen = j;
      break;
    }
    const val =
      ((dbuf[0] as number) << 18) | ((dbuf[1] as number) << 12) | ((dbuf[2] as number) << 6) | (dbuf[3] as number);
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (trailing) return trailing;
  }
  return { ok: true, bytes: Buffer.from(out) };
};

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's `quoteChar`: a byte in an `invalid character …` message. */
const quoteChar = (c: number): string => {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const q = goQuote(String.fromCharCode(c));
  return `'${q.slice(1, -1)}'`;
};

class JsonSyntaxError extends Error {}

/** The parse states of Go's `encoding/json` scanner. */
const OBJECT_KEY = 0;
const OBJECT_VALUE = 1;
const ARRAY_VALUE = 2;

type State = (c: number) => void;

/**
 * Go's `checkValid`: the `encoding/json` SyntaxError message for the first invalid byte
 * (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`), or undefined.
 */
export const goJsonSyntaxError = (data: Buffer): string | undefined => {
  const stack: number[] = [];
  let endTop = false;
  let step: State = (): void => undefined;
  const fail = (c: number, context: string): never => {
    throw new JsonSyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  };
  const push = (c: number, p: number): void => {
    stack.push(p);
    if (stack.length > 10000) fail(c, 'exceeded max depth');
  };
  const pop = (): void => {
    stack.pop();
    if (stack.length === 0) {
      step = endTopState;
      endTop = true;
    } else step = endValue;
  };
  const endTopState: State = (c) => {
    if (!isSpace(c)) fail(c, 'after top-level value');
  };
  const endValue: State = (c) => {
    const n = stack.length;
    if (n === 0) {
      step = endTopState;
      endTop = true;
      endTopState(c);
      return;
    }
    if (isSpace(c)) {
      step = endValue;
      return;
    }
    const ps = stack[n - 1];
    if (ps === OBJECT_KEY) {
      if (c !== 0x3a) fail(c, 'after object key');
      stack[n - 1] = OBJECT_VALUE;
      step = beginValue;
    } else if (ps === OBJECT_VALUE) {
      if (c === 0x2c) {
        stack[n - 1] = OBJECT_KEY;
        step = beginString;
      } else if (c === 0x7d) pop();
      else fail(c, 'after object key:value pair');
    } else {
      if (c === 0x2c) step = beginValue;
      else if (c === 0x5d) pop();
      else fail(c, 'after array element');
    }
  };
  const literal =
    (expect: number, next: () => State, word: string): State =>
    (c) => {
      if (c !== expect) fail(c, `in literal ${word} (expecting ${quoteChar(expect)})`);
      step = next();
    };
  const word = (w: string): State => {
    // states for the letters after the first: t-r-u-e
    let s: State = endValue;
    for (let i = w.length - 1; i >= 1; i--) {
      const nextState = s;
      s = literal(w.charCodeAt(i), () => nextState, w);
    }
    return s;
  };
  const inStringEscU =
    (left: number): State =>
    (c) => {
      if (!isHex(c)) fail(c, 'in \\u hexadecimal character escape');
      step = left === 1 ? inString : inStringEscU(left - 1);
    };
  const inStringEsc: State = (c) => {
    if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) step = inString;
    else if (c === 0x75) step = inStringEscU(4);
    else fail(c, 'in string escape code');
  };
  const inString: State = (c) => {
    if (c === 0x22) step = endValue;
    else if (c === 0x5c) step = inStringEsc;
    else if (c < 0x20) fail(c, 'in string literal');
  };
  const e0: State = (c) => {
    if (!isDigit(c)) endValue(c);
  };
  const eSign: State = (c) => {
    if (!isDigit(c)) fail(c, 'in exponent of numeric literal');
    step = e0;
  };
  const e: State = (c) => {
    if (c === 0x2b || c === 0x2d) step = eSign;
    else eSign(c);
  };
  const dot0: State = (c) => {
    if (isDigit(c)) return;
    if (c === 0x65 || c === 0x45) step = e;
    else endValue(c);
  };
  const dot: State = (c) => {
    if (!isDigit(c)) fail(c, 'after decimal point in numeric literal');
    step = dot0;
  };
  const zero: State = (c) => {
    if (c === 0x2e) step = dot;
    else if (c === 0x65 || c === 0x45) step = e;
    else endValue(c);
  };
  const one: State = (c) => {
    if (!isDigit(c)) zero(c);
  };
  const neg: State = (c) => {
    if (c === 0x30) step = zero;
    else if (c >= 0x31 && c <= 0x39) step = one;
    else fail(c, 'in numeric literal');
  };
  const beginValue: State = (c) => {
    if (isSpace(c)) return;
    if (c === 0x7b) {
      step = beginStringOrEmpty;
      push(c, OBJECT_KEY);
    } else if (c === 0x5b) {
      step = beginValueOrEmpty;
      push(c, ARRAY_VALUE);
    } else if (c === 0x22) step = inString;
    else if (c === 0x2d) step = neg;
    else if (c === 0x30) step = zero;
    else if (c === 0x74) step = word('true');
    else if (c === 0x66) step = word('false');
    else if (c === 0x6e) step = word('null');
    else if (c >= 0x31 && c <= 0x39) step = one;
    else fail(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: State = (c) => {
    if (isSpace(c)) return;
    if (c === 0x5d) endValue(c);
    else beginValue(c);
  };
  const beginString: State = (c) => {
    if (isSpace(c)) return;
    if (c !== 0x22) fail(c, 'looking for beginning of object key string');
    step = inString;
  };
  const beginStringOrEmpty: State = (c) => {
    if (isSpace(c)) return;
    if (c === 0x7d) {
      stack[stack.length - 1] = OBJECT_VALUE;
      endValue(c);
    } else beginString(c);
  };
  step = beginValue;
  try {
    for (const c of data) step(c);
    // eof: a space ends a number or literal at the top level
    if (!endTop) step(0x20);
    if (!endTop) return 'unexpected end of JSON input';
  } catch (err) {
    if (err instanceof JsonSyntaxError) return err.message;
    throw err;
  }
  return undefined;
};

/** Go's name for the JSON value an `UnmarshalTypeError` reports (`array`, `bool`, `number`, …). */
export const goJsonKind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;

/** The first number literal outside float64's range (Go reports these when decoding into interface{}). */
const overflowingNumber = (text: string): string | undefined => {
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
    if (m[0].startsWith('"')) continue;
    if (!Number.isFinite(Number(m[0]))) return m[0];
  }
  return undefined;
};

/** The error of Go's `json.Unmarshal(data, &map[string]interface{}{})`, or undefined when it succeeds. */
export const goJsonMapError = (data: Buffer): string | undefined => {
  const syntax = goJsonSyntaxError(data);
  if (syntax) return syntax;
  const text = data.toString('utf8');
  const value: unknown = JSON.parse(text);
  if (value !== null && (typeof value !== 'object' || Array.isArray(value)))
    return `json: cannot unmarshal ${goJsonKind(value)} into Go value of type map[string]interface {}`;
  const big = value === null ? undefined : overflowingNumber(text);
  return big === undefined ? undefined : `json: cannot unmarshal number ${big} into Go value of type float64`;
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's `strconv.Quote` (`%q`): printable runes as they are, the rest escaped. */
export const goQuote = (s: string): string => {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const r = cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : ch;
    if (SHORT_ESCAPES[r] !== undefined) out += SHORT_ESCAPES[r];
    else if (PRINTABLE.test(r)) out += r;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
};
