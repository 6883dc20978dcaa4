// Go conversions Sprig relies on: spf13/cast v1.7.0 (ToInt64, ToInt, ToFloat64), strconv parsing, Sprig's strval
// and empty, reflect.DeepEqual and reflect kinds, over the value model of ../template/values.ts.
import { sprint } from '../template/fmt.ts';
import {
  GO_TYPE,
  GoComplex,
  GoFloat,
  GoFunc,
  GoInt,
  GoStruct,
  JsonNumber,
  isMap,
  mapLen,
  sortedEntries,
  typeName,
  type GoMap,
} from '../template/values.ts';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Wraps to int64 as Go's arithmetic does. */
export function wrap64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/** A Go int64 value of the model. */
export function int64(n: bigint): GoInt {
  return new GoInt('int64', wrap64(n));
}

/** Go's conversion of a float64 to int64 (truncation; out of range gives the amd64 result, math.MinInt64). */
export function floatToInt(f: number): bigint {
  if (!Number.isFinite(f)) return INT64_MIN;
  const t = BigInt(Math.trunc(f));
  return t < INT64_MIN || t > INT64_MAX ? INT64_MIN : t;
}

/** strconv.ParseInt(s, base, 64); throws on syntax errors, returns `{ range: true }` clamped on overflow. */
export function parseGoInt(s: string, base: number): { value: bigint; range: boolean } {
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  let body = s.slice(i);
  let b = base;
  let underscores = false;
  if (base === 0) {
    b = 10;
    underscores = true;
    if (body.length > 1 && body[0] === '0') {
      const p = body[1]?.toLowerCase();
      if (p === 'x') [b, body] = [16, body.slice(2)];
      else if (p === 'o') [b, body] = [8, body.slice(2)];
      else if (p === 'b') [b, body] = [2, body.slice(2)];
      else [b, body] = [8, body.slice(1)];
    }
  }
  if (body.length === 0) throw new Error('invalid syntax');
  if (underscores) {
    const full = s.slice(i);
    if (!/^(0[xXoObB]?)?_?[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/.test(full)) throw new Error('invalid syntax');
    body = body.replaceAll('_', '');
  }
  let v = 0n;
  for (const ch of body) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= b) throw new Error('invalid syntax');
    v = v * BigInt(b) + BigInt(d);
  }
  if (neg) v = -v;
  if (v > INT64_MAX) return { value: INT64_MAX, range: true };
  if (v < INT64_MIN) return { value: INT64_MIN, range: true };
  return { value: v, range: false };
}

/** strconv.ParseFloat(s, 64); throws on a syntax error. */
export function parseGoFloat(s: string): number {
  const t = s.replaceAll(/^[+-]/g, '');
  if (/^(inf|infinity)$/i.test(t)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(s) && s.includes('_')) {
    throw new Error('invalid syntax');
  }
  throw new Error('invalid syntax');
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** cast.ToInt64 (errors give 0). */
export function toInt64(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof GoInt) return wrap64(v.value);
  if (typeof v === 'number') return floatToInt(v);
  if (v instanceof GoFloat) return floatToInt(v.value);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' || v instanceof JsonNumber) {
    try {
      const r = parseGoInt(trimZeroDecimal(String(v)), 0);
      return r.range ? 0n : r.value;
    } catch {
      return 0n;
    }
  }
  return 0n;
}

/** cast.ToFloat64 (errors give 0). */
export function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof GoInt) return Number(v.value);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' || v instanceof JsonNumber) {
    try {
      return parseGoFloat(String(v));
    } catch {
      return 0;
    }
  }
  return 0;
}

/** Sprig's strval: strings and []byte as is, Stringers and errors by their method, else `%v`. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof JsonNumber) return v.value;
  if (v instanceof GoStruct && !v.pointerMethods && v.methods['String'] !== undefined) {
    return String((v.methods['String'].fn as () => unknown)());
  }
  return sprint([v === undefined ? null : v]);
}

/** Sprig's empty: the zero value of its type (nil, "", 0, false, empty slice or map); structs never are. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.length === 0;
  if (v instanceof JsonNumber) return v.value.length === 0;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (v instanceof GoInt) return v.value === 0n;
  if (v instanceof GoFloat) return v.value === 0;
  if (v instanceof GoComplex) return v.re === 0 && v.im === 0;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (isMap(v)) return mapLen(v) === 0;
  return false;
}

/** reflect.Kind.String() of a model value (`invalid` for nil). */
export function goKind(v: unknown): string {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    default:
  }
  if (v instanceof GoInt || v instanceof GoFloat) return v.type;
  if (v instanceof GoComplex) return 'complex128';
  if (v instanceof JsonNumber) return 'string';
  if (Array.isArray(v) || v instanceof Uint8Array) return 'slice';
  if (v instanceof GoFunc) return 'func';
  if (v instanceof GoStruct) return v.typeName.startsWith('*') ? 'ptr' : 'struct';
  if (isMap(v)) return 'map';
  return 'struct';
}

/** reflect.DeepEqual over the model. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeName(a) !== typeName(b)) return false;
  if (typeof a !== 'object') return a === b;
  if (a instanceof GoInt) return a.value === (b as GoInt).value;
  if (a instanceof GoFloat) return a.value === (b as GoFloat).value;
  if (a instanceof GoComplex) return a.re === (b as GoComplex).re && a.im === (b as GoComplex).im;
  if (a instanceof JsonNumber) return a.value === (b as JsonNumber).value;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((e, i) => deepEqual(e, y[i]));
  }
  if (a instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b as Uint8Array));
  if (isMap(a)) {
    const x = sortedEntries(a);
    const y = sortedEntries(b as GoMap);
    return x.length === y.length && x.every(([k, e], i) => y[i]?.[0] === k && deepEqual(e, y[i]?.[1]));
  }
  return a === b;
}

/** A []string (or other typed slice) of the model. */
export function typedSlice<T>(type: string, items: T[]): T[] {
  Object.defineProperty(items, GO_TYPE, { value: type, enumerable: false });
  return items;
}

/** A map of a named Go type (map[string]string). */
export function typedMap(type: string, m: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(m, GO_TYPE, { value: type, enumerable: false });
  return m;
}

/** Elements of a slice or array value (reflect Index), or undefined if v is not one. */
export function sliceItems(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return [...v].map((b) => new GoInt('uint8', BigInt(b)));
  return undefined;
}

/** Entries of a Go map value. */
export function entries(m: GoMap): [string, unknown][] {
  return m instanceof Map ? [...m.entries()] : Object.entries(m);
}
