// text/template's builtin functions (funcs.go) with Go's kind rules and error messages.
import { sprint, sprintf, sprintln, isPrint } from './fmt.ts';
import type { GoComplex } from './values.ts';
import {
  Boxed,
  GoFunc,
  indirectInterface,
  intValue,
  floatValue,
  stringValue,
  kindOf,
  makeInt,
  mapGet,
  mapLen,
  typeName,
  paramTypeName,
  assignable,
  type FuncMap,
  type ParamType,
} from './values.ts';

type BasicKind = 'invalid' | 'bool' | 'complex' | 'int' | 'float' | 'string' | 'uint';

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

function basicKind(v: unknown): { k: BasicKind; err?: string } {
  switch (kindOf(v)) {
    case 'bool':
      return { k: 'bool' };
    case 'int':
      return { k: 'int' };
    case 'uint':
      return { k: 'uint' };
    case 'float':
      return { k: 'float' };
    case 'complex':
      return { k: 'complex' };
    case 'string':
      return { k: 'string' };
    default:
      return { k: 'invalid', err: errBadComparisonType };
  }
}

function isNilValue(v: unknown): boolean {
  return v === undefined || v === null;
}

function truth(v: unknown): boolean {
  const u = indirectInterface(v);
  if (u === undefined) return false;
  switch (kindOf(u)) {
    case 'slice':
      return (u as unknown[]).length > 0;
    case 'bytes':
      return (u as Uint8Array).length > 0;
    case 'map':
      return mapLen(u as Record<string, unknown>) > 0;
    case 'string':
      return stringValue(u).length > 0;
    case 'bool':
      return u as boolean;
    case 'int':
    case 'uint':
      return intValue(u) !== 0n;
    case 'float':
      return floatValue(u) !== 0;
    case 'complex':
      return (u as GoComplex).re !== 0 || (u as GoComplex).im !== 0;
    default:
      return true;
  }
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  arg1 = indirectInterface(arg1);
  if (arg2.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(arg1).k;
  for (let arg of arg2) {
    arg = indirectInterface(arg);
    const k2 = basicKind(arg).k;
    let t = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') t = intValue(arg1) >= 0n && intValue(arg1) === intValue(arg);
      else if (k1 === 'uint' && k2 === 'int') t = intValue(arg) >= 0n && intValue(arg1) === intValue(arg);
      else if (arg1 !== undefined && arg !== undefined) throw new Error(errBadComparison);
    } else {
      switch (k1) {
        case 'bool':
          t = arg1 === arg;
          break;
        case 'float':
          t = floatValue(arg1) === floatValue(arg);
          break;
        case 'complex':
          t = (arg1 as GoComplex).re === (arg as GoComplex).re && (arg1 as GoComplex).im === (arg as GoComplex).im;
          break;
        case 'int':
        case 'uint':
          t = intValue(arg1) === intValue(arg);
          break;
        case 'string':
          t = stringValue(arg1) === stringValue(arg);
          break;
        default: {
          const canCompare = arg1 === undefined || arg === undefined || typeName(arg1) === typeName(arg);
          if (!canCompare) {
            throw new Error(
              `non-comparable types ${sprintf('%s', [arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${sprint([arg])}`,
            );
          }
          if (isNilValue(arg1) || isNilValue(arg)) t = isNilValue(arg) === isNilValue(arg1);
          else {
            const k = kindOf(arg);
            if (k === 'map' || k === 'slice' || k === 'func' || k === 'bytes') {
              throw new Error(`non-comparable type ${sprintf('%s', [arg])}: ${typeName(arg)}`);
            }
            t = arg1 === arg;
          }
        }
      }
    }
    if (t) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = indirectInterface(arg1);
  const b1 = basicKind(arg1);
  if (b1.err) throw new Error(b1.err);
  arg2 = indirectInterface(arg2);
  const b2 = basicKind(arg2);
  if (b2.err) throw new Error(b2.err);
  if (b1.k !== b2.k) {
    if (b1.k === 'int' && b2.k === 'uint') return intValue(arg1) < 0n || intValue(arg1) < intValue(arg2);
    if (b1.k === 'uint' && b2.k === 'int') return intValue(arg2) >= 0n && intValue(arg1) < intValue(arg2);
    throw new Error(errBadComparison);
  }
  switch (b1.k) {
    case 'bool':
    case 'complex':
      throw new Error(errBadComparisonType);
    case 'float':
      return floatValue(arg1) < floatValue(arg2);
    case 'int':
    case 'uint':
      return intValue(arg1) < intValue(arg2);
    case 'string':
      return Buffer.compare(Buffer.from(stringValue(arg1)), Buffer.from(stringValue(arg2))) < 0;
    default:
      throw new Error('invalid kind');
  }
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  switch (kindOf(index)) {
    case 'int':
    case 'uint':
      x = intValue(index);
      break;
    case 'invalid':
      throw new Error('cannot index slice/array with nil');
    default:
      throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  }
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function elem(v: unknown): unknown {
  return v === null || v === undefined ? null : new Boxed(v);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  item = indirectInterface(item);
  if (item === undefined) throw new Error('index of untyped nil');
  for (let ix of indexes) {
    ix = indirectInterface(ix);
    if (item === null) throw new Error('index of nil pointer');
    if (item instanceof Boxed) item = item.v;
    const k = kindOf(item);
    if (k === 'slice' || k === 'bytes') {
      const arr = item as unknown[] | Uint8Array;
      const x = indexArg(ix, arr.length);
      if (x === arr.length) throw new Error('reflect: slice index out of range');
      item = k === 'bytes' ? makeInt('uint8', BigInt((arr as Uint8Array)[x] ?? 0)) : elem((arr as unknown[])[x]);
    } else if (k === 'string') {
      const bytes = Buffer.from(stringValue(item), 'utf8');
      const x = indexArg(ix, bytes.length);
      if (x === bytes.length) throw new Error('reflect: string index out of range');
      item = makeInt('uint8', BigInt(bytes[x] ?? 0));
    } else if (k === 'map') {
      if (ix === undefined) throw new Error('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new Error(`value has type ${typeName(ix)}; should be string`);
      const r = mapGet(item as Record<string, unknown>, ix);
      item = r.has ? elem(r.value) : null;
    } else throw new Error(`can't index item of type ${typeName(item)}`);
  }
  return item;
}

function sliceBytes(s: string, i: number, j: number): string {
  return Buffer.from(s, 'utf8').subarray(i, j).toString('utf8');
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  item = indirectInterface(item);
  if (item === undefined) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let cap: number;
  let len: number;
  if (k === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    len = cap = Buffer.byteLength(stringValue(item), 'utf8');
  } else if (k === 'slice' || k === 'bytes') {
    len = cap = (item as unknown[]).length;
  } else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(indirectInterface(ix), cap);
  });
  const [i0, i1, i2] = idx as [number, number, number];
  if (i0 > i1) throw new Error(`invalid slice index: ${i0} > ${i1}`);
  if (indexes.length === 3 && i1 > i2) throw new Error(`invalid slice index: ${i1} > ${i2}`);
  if (k === 'string') return sliceBytes(stringValue(item), i0, i1);
  return (item as unknown[]).slice(i0, i1);
}

function length(item: unknown): bigint {
  if (item === null) throw new Error('len of nil pointer');
  if (item instanceof Boxed) item = item.v;
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  switch (kindOf(item)) {
    case 'slice':
      return BigInt((item as unknown[]).length);
    case 'bytes':
      return BigInt((item as Uint8Array).length);
    case 'map':
      return BigInt(mapLen(item as Record<string, unknown>));
    case 'string':
      return BigInt(Buffer.byteLength(stringValue(item), 'utf8'));
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

/** text/template's evalArgs: one string as is, else Sprint with nil printed as "<no value>". */
export function evalArgs(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

/** template.HTMLEscapeString. */
export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESC[c] ?? c);
}
const HTML_ESC: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

/** template.JSEscapeString. */
export function jsEscapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
      default:
    }
    if (r < 0x20) out += '\\u00' + r.toString(16).toUpperCase().padStart(2, '0');
    else if (r < 0x80 || isPrint(r)) out += ch;
    else out += '\\u' + r.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function prepareArg(value: unknown, t: ParamType): unknown {
  if (value === undefined) {
    if (t === 'any') return null;
    if (t === 'value') return undefined;
    throw new Error(`value is nil; should be of type ${paramTypeName(t)}`);
  }
  if (t === 'any' || t === 'value' || assignable(value, t)) return value;
  throw new Error(`value has type ${typeName(value)}; should be ${paramTypeName(t)}`);
}

function call(name: string, fn: unknown, ...args: unknown[]): unknown {
  fn = indirectInterface(fn);
  if (fn === undefined) throw new Error('call of nil');
  if (!(fn instanceof GoFunc)) throw new Error(`non-function ${name} of type ${typeName(fn)}`);
  const numIn = fn.params.length + (fn.variadic !== undefined ? 1 : 0);
  if (fn.variadic !== undefined) {
    if (args.length < numIn - 1) {
      throw new Error(`wrong number of args for ${name}: got ${args.length} want at least ${numIn - 1}`);
    }
  } else if (args.length !== numIn) {
    throw new Error(`wrong number of args for ${name}: got ${args.length} want ${numIn}`);
  }
  const argv = args.map((a, i) => {
    const t = fn.variadic === undefined || i < numIn - 1 ? (fn.params[i] as ParamType) : fn.variadic;
    try {
      return prepareArg(indirectInterface(a), t);
    } catch (e) {
      throw new Error(`arg ${i}: ${(e as Error).message}`, { cause: e });
    }
  });
  return (fn.fn as (...a: unknown[]) => unknown)(...argv);
}

const V: ParamType = 'value';

/** The builtin functions of text/template, with their Go signatures. */
export const BUILTINS: FuncMap = {
  and: new GoFunc([V], () => undefined, { variadic: V }),
  or: new GoFunc([V], () => undefined, { variadic: V }),
  not: new GoFunc([V], (a: unknown) => !truth(a)),
  len: new GoFunc([V], length),
  index: new GoFunc([V], index, { variadic: V }),
  slice: new GoFunc([V], slice, { variadic: V }),
  call: new GoFunc([V], call as (...a: never[]) => unknown, { variadic: V }),
  eq: new GoFunc([V], eq, { variadic: V }),
  ne: new GoFunc([V, V], (a: unknown, b: unknown) => !eq(a, b)),
  lt: new GoFunc([V, V], lt),
  le: new GoFunc([V, V], le),
  gt: new GoFunc([V, V], (a: unknown, b: unknown) => !le(a, b)),
  ge: new GoFunc([V, V], (a: unknown, b: unknown) => !lt(a, b)),
  print: new GoFunc([], (...a: unknown[]) => sprint(a), { variadic: 'any' }),
  printf: new GoFunc(['string'], (f: string, ...a: unknown[]) => sprintf(f, a), { variadic: 'any' }),
  println: new GoFunc([], (...a: unknown[]) => sprintln(a), { variadic: 'any' }),
  html: new GoFunc([], (...a: unknown[]) => htmlEscapeString(evalArgs(a)), { variadic: 'any' }),
  js: new GoFunc([], (...a: unknown[]) => jsEscapeString(evalArgs(a)), { variadic: 'any' }),
  urlquery: new GoFunc([], (...a: unknown[]) => queryEscape(evalArgs(a)), { variadic: 'any' }),
};
