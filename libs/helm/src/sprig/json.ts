// encoding/json as Sprig's toPrettyJson, toRawJson and mustFromJson use it: Marshal/MarshalIndent of the value
// model (sorted map keys, HTML escaping unless raw, Go's float format, json.Number literal, []byte as base64,
// time.Time as RFC 3339) and Unmarshal into interface{} (numbers are float64) with Go's syntax errors.
import { formatFloat } from '../template/fmt.ts';
import { GoFloat, GoInt, GoStruct, JsonNumber, isMap, sortedEntries } from '../template/values.ts';
import { GoTime } from './time.ts';

function quote(s: string, html: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || (html && (ch === '<' || ch === '>' || ch === '&')) || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

function float(x: number, bits: 32 | 64): string {
  if (!Number.isFinite(x))
    throw new Error(`json: unsupported value: ${Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf'}`);
  const abs = Math.abs(x);
  let fmt: 'e' | 'f' = 'f';
  if (abs !== 0 && ((bits === 64 && (abs < 1e-6 || abs >= 1e21)) || (bits === 32 && (abs < 1e-6 || abs >= 1e21))))
    fmt = 'e';
  let s = formatFloat(x, fmt, -1, bits);
  if (fmt === 'e') s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

/** json.Marshal (indent: MarshalIndent with that indent; html: escape <, >, &). */
export function marshal(v: unknown, html: boolean, indent = ''): string {
  const enc = (x: unknown, depth: number): string => {
    const nl = indent === '' ? '' : '\n' + indent.repeat(depth + 1);
    const end = indent === '' ? '' : '\n' + indent.repeat(depth);
    const colon = indent === '' ? ':' : ': ';
    if (x === null || x === undefined) return 'null';
    switch (typeof x) {
      case 'boolean':
        return x ? 'true' : 'false';
      case 'string':
        return quote(x, html);
      case 'bigint':
        return String(x);
      case 'number':
        return float(x, 64);
      default:
    }
    if (x instanceof GoInt) return String(x.value);
    if (x instanceof GoFloat) return float(x.value, x.type === 'float32' ? 32 : 64);
    if (x instanceof JsonNumber) return x.value === '' ? '0' : x.value;
    if (x instanceof Uint8Array) return quote(Buffer.from(x).toString('base64'), html);
    if (x instanceof GoTime) return quote(x.format('2006-01-02T15:04:05.999999999Z07:00'), html);
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + x.map((e) => nl + enc(e, depth + 1)).join(',') + end + ']';
    }
    if (isMap(x)) {
      const es = sortedEntries(x);
      if (es.length === 0) return '{}';
      return '{' + es.map(([k, e]) => nl + quote(k, html) + colon + enc(e, depth + 1)).join(',') + end + '}';
    }
    if (x instanceof GoStruct) {
      if (x.json !== undefined) return enc(x.json(), depth);
      const str = x.methods['String'];
      if (x.typeName === '*semver.Version' && str !== undefined)
        return quote(String((str.fn as () => unknown)()), html);
      const es = [...x.fields.entries()];
      if (es.length === 0) return '{}';
      return '{' + es.map(([k, e]) => nl + quote(k, html) + colon + enc(e, depth + 1)).join(',') + end + '}';
    }
    throw new Error(`json: unsupported type: ${typeof x}`);
  };
  return enc(v, 0);
}

/** json.Unmarshal into interface{}; throws Go's syntax errors. */
export function unmarshal(s: string): unknown {
  let i = 0;
  const desc = (c: string): string => {
    if (c === "'") return "'\\''";
    if (c === '"') return "'\"'";
    const cp = c.codePointAt(0) ?? 0;
    if (cp < 0x20) return `'\\x${cp.toString(16).padStart(2, '0')}'`;
    return `'${c}'`;
  };
  const eof = (): never => {
    throw new Error('unexpected end of JSON input');
  };
  const bad = (ctx: string): never => {
    if (i >= s.length) eof();
    throw new Error(`invalid character ${desc(String.fromCodePoint(s.codePointAt(i) ?? 0))} ${ctx}`);
  };
  const ws = (): void => {
    while (i < s.length && ' \t\n\r'.includes(s[i] as string)) i++;
  };
  const value = (): unknown => {
    ws();
    if (i >= s.length) eof();
    const c = s[i] as string;
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (s[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') bad('looking for beginning of object key string');
        const k = str();
        ws();
        if (s[i] !== ':') bad('after object key');
        i++;
        out[k] = value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return out;
        }
        bad('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (s[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return out;
        }
        bad('after array element');
      }
    }
    if (c === '"') return str();
    for (const [w, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (c === w[0]) {
        for (let k = 1; k < w.length; k++) {
          i++;
          if (s[i] !== w[k]) bad(`in literal ${w} (expecting ${desc(w[k] as string)})`);
        }
        i++;
        return v;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i));
    if (m && m[0] !== '-') {
      i += m[0].length;
      return Number(m[0]);
    }
    if (c === '-') {
      i++;
      bad('in numeric literal');
    }
    bad('looking for beginning of value');
    return undefined;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') i++;
      else if ((s.codePointAt(i) ?? 0) < 0x20) bad('in string literal');
      i++;
    }
    if (i >= s.length) eof();
    i++;
    return JSON.parse(s.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i < s.length) bad('after top-level value');
  return v;
}
