// helm's pkg/strvals: the parsers of --set, --set-string, --set-file, --set-json and --set-literal, with their
// type inference (int64, bool, null, string), escapes, lists (`a[0]=x`, `a={x,y}`) and error messages. Go panics
// (type assertions on an existing value) become `unable to parse key: interface conversion: …` as helm recovers them.
import { goQuote } from '../template/fmt.ts';
import { GoInt } from '../template/values.ts';
import type { Values } from './yaml.ts';

/** strvals.MaxIndex. */
export const MAX_INDEX = 65536;
/** strvals.MaxNestedNameLevel. */
export const MAX_NESTED_NAME_LEVEL = 30;

const EOF = Symbol('EOF');
const NOT_LIST = Symbol('not a list');
type Err = Error | typeof EOF | typeof NOT_LIST;

class GoPanic extends Error {}

/** Reads a value from the runes after `=` (typedVal, a file's content, …). */
export type RunesValueReader = (runes: string) => unknown;

class Scanner {
  private readonly runes: string[];
  private pos = 0;
  constructor(s: string) {
    this.runes = [...s];
  }
  read(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }
  unread(): void {
    this.pos--;
  }
  rest(): string {
    return this.runes.slice(this.pos).join('');
  }
  /** Discards n UTF-8 bytes. */
  discardBytes(n: number): void {
    while (n > 0 && this.pos < this.runes.length) n -= Buffer.byteLength(this.runes[this.pos++] as string);
  }
}

function goTypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (v instanceof GoInt) return v.type;
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function assertList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new GoPanic(`interface conversion: interface {} is ${goTypeOf(v)}, not []interface {}`);
}

function assertMap(v: unknown): Values {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoInt)) return v as Values;
  throw new GoPanic(`interface conversion: interface {} is ${goTypeOf(v)}, not map[string]interface {}`);
}

function runesUntil(
  sc: Scanner,
  stop: string,
  escapes: boolean,
): { v: string; last: string | undefined; eof: boolean } {
  let v = '';
  for (;;) {
    const r = sc.read();
    if (r === undefined) return { v, last: undefined, eof: true };
    if (stop.includes(r)) return { v, last: r, eof: false };
    if (escapes && r === '\\') {
      const next = sc.read();
      if (next === undefined) return { v, last: undefined, eof: true };
      v += next;
    } else v += r;
  }
}

function set(data: Values, key: string, val: unknown): void {
  if (key.length === 0) return;
  data[key] = val;
}

function setIndex(list: unknown[], index: number, val: unknown): { list: unknown[]; err?: Error } {
  if (index < 0) return { list, err: new Error(`negative ${index} index not allowed`) };
  if (index > MAX_INDEX) {
    return { list, err: new Error(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`) };
  }
  if (list.length <= index) {
    const n = list.slice();
    while (n.length <= index) n.push(null);
    list = n;
  }
  list[index] = val;
  return { list };
}

/** strconv.Atoi with Go's messages. */
function atoi(s: string): number | Error {
  if (!/^[+-]?[0-9]+$/.test(s)) return new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > (1n << 63n) - 1n || n < -(1n << 63n)) {
    return new Error(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  }
  return Number(n);
}

/** Go's `%q` of a []rune: each rune quoted. */
function quoteRunes(s: string): string {
  return `[${[...s].map((r) => `'${r === "'" ? "\\'" : r === '\\' ? '\\\\' : r}'`).join(' ')}]`;
}

function wrap(e: Err, msg: string): Err {
  if (e === EOF) return new Error(`${msg}: EOF`);
  if (e === NOT_LIST) return new Error(`${msg}: not a list`);
  return new Error(`${msg}: ${e.message}`);
}

function isSpace(r: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(r);
}

/** The end (in characters) of the first JSON value of s after blanks, or an Error as json.Decoder reports it. */
function decodeJson(s: string): { value: unknown; bytes: number } | Error {
  let i = 0;
  while (i < s.length && ' \t\r\n'.includes(s[i] as string)) i++;
  const start = i;
  if (i >= s.length) return new Error('EOF');
  const c = s[i] as string;
  if (c === '{' || c === '[') {
    let depth = 0;
    let inStr = false;
    for (; i < s.length; i++) {
      const ch = s[i] as string;
      if (inStr) {
        if (ch === '\\') i++;
        else if (ch === '"') inStr = false;
      } else if (ch === '"') inStr = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return new Error('unexpected EOF');
  } else if (c === '"') {
    i++;
    for (; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') {
        i++;
        break;
      }
    }
  } else {
    const m = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(s.slice(i));
    if (m === null)
      return new Error(`invalid character ${goQuote(c).replace(/^"|"$/g, "'")} looking for beginning of value`);
    i += m[0].length;
  }
  const text = s.slice(start, i);
  try {
    return { value: JSON.parse(text) as unknown, bytes: Buffer.byteLength(s.slice(0, i)) };
  } catch (e) {
    return new Error((e as Error).message);
  }
}

class Parser {
  private readonly sc: Scanner;
  private readonly data: Values;
  private readonly reader: RunesValueReader;
  private readonly isJson: boolean;
  constructor(s: string, data: Values, reader: RunesValueReader, isJson: boolean) {
    this.sc = new Scanner(s);
    this.data = data;
    this.reader = reader;
    this.isJson = isJson;
  }

  parse(): Error | undefined {
    for (;;) {
      const err = this.key(this.data, 0);
      if (err === undefined) continue;
      if (err === EOF) return undefined;
      if (err === NOT_LIST) return new Error('not a list');
      return err;
    }
  }

  key(data: Values, level: number): Err | undefined {
    try {
      return this.keyInner(data, level);
    } catch (e) {
      if (e instanceof GoPanic) return new Error(`unable to parse key: ${e.message}`);
      throw e;
    }
  }

  private jsonValue(): { value?: unknown; err?: Err; empty: boolean } {
    if (this.emptyVal()) return { empty: true };
    const d = decodeJson(this.sc.rest());
    if (d instanceof Error) return { err: d, empty: false };
    this.sc.discardBytes(d.bytes);
    return { value: d.value, empty: false };
  }

  private keyInner(data: Values, level: number): Err | undefined {
    const { v: k, last, eof } = runesUntil(this.sc, '=[,.', true);
    if (eof) {
      if (k.length === 0) return EOF;
      return new Error(`key ${goQuote(k)} has no value`);
    }
    if (last === '[') {
      const i = this.keyIndex();
      if (typeof i !== 'number') return wrap(i, 'error parsing index');
      let list: unknown[] = [];
      if (Object.prototype.hasOwnProperty.call(data, k)) list = assertList(data[k]);
      const r = this.listItem(list, i, level);
      set(data, k, r.list);
      return r.err;
    }
    if (last === '=') {
      if (this.isJson) {
        const j = this.jsonValue();
        if (j.empty) {
          set(data, k, null);
          return undefined;
        }
        if (j.err !== undefined) return j.err;
        set(data, k, j.value);
        this.emptyVal();
        return undefined;
      }
      const vl = this.valList();
      if (vl.err === undefined) {
        set(data, k, vl.list);
        return undefined;
      }
      if (vl.err === EOF) {
        set(data, k, '');
        return EOF;
      }
      if (vl.err === NOT_LIST) {
        // Go returns the reader's error here, so the end of input after a value is no error.
        set(data, k, this.reader(this.val()));
        return undefined;
      }
      return vl.err;
    }
    if (last === ',') {
      set(data, k, '');
      return new Error(`key ${goQuote(k)} has no value (cannot end with ,)`);
    }
    // '.'
    level++;
    if (level > MAX_NESTED_NAME_LEVEL) {
      return new Error(
        `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
      );
    }
    let inner: Values = {};
    if (Object.prototype.hasOwnProperty.call(data, k)) inner = assertMap(data[k]);
    const e = this.key(inner, level);
    if (e === undefined && Object.keys(inner).length === 0) return new Error(`key map ${goQuote(k)} has no value`);
    if (Object.keys(inner).length !== 0) set(data, k, inner);
    return e;
  }

  private keyIndex(): number | Err {
    const { v, eof } = runesUntil(this.sc, ']', true);
    if (eof) return EOF;
    return atoi(v);
  }

  private listItem(list: unknown[], i: number, level: number): { list: unknown[]; err?: Err } {
    if (i < 0) return { list, err: new Error(`negative ${i} index not allowed`) };
    const { v: k, last, eof } = runesUntil(this.sc, '[.=', true);
    if (k.length > 0) return { list, err: new Error(`unexpected data at end of array index: ${quoteRunes(k)}`) };
    if (eof) return { list, err: EOF };
    if (last === '=') {
      if (this.isJson) {
        const j = this.jsonValue();
        if (j.empty) return setIndex(list, i, null);
        if (j.err !== undefined) return { list, err: j.err };
        const r = setIndex(list, i, j.value);
        if (r.err) return r;
        this.emptyVal();
        return r;
      }
      const vl = this.valList();
      if (vl.err === undefined) return setIndex(list, i, vl.list);
      if (vl.err === EOF) return setIndex(list, i, '');
      if (vl.err === NOT_LIST) {
        return setIndex(list, i, this.reader(this.val()));
      }
      return { list, err: vl.err };
    }
    if (last === '[') {
      const nextI = this.keyIndex();
      if (typeof nextI !== 'number') return { list, err: wrap(nextI, 'error parsing index') };
      let crt: unknown[] = [];
      if (list.length > i) crt = assertList(list[i]);
      const r = this.listItem(crt, nextI, level);
      if (r.err !== undefined) return { list, err: r.err };
      return setIndex(list, i, r.list);
    }
    // '.'
    let inner: Values = {};
    if (list.length > i) {
      const cur = list[i];
      if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && !(cur instanceof GoInt)) {
        inner = cur as Values;
      } else {
        list[i] = inner;
      }
    }
    const e = this.key(inner, level);
    if (e !== undefined) return { list, err: e };
    return setIndex(list, i, inner);
  }

  /** Consumes blanks and a comma: true at a comma or the end (an empty value). */
  private emptyVal(): boolean {
    for (;;) {
      const r = this.sc.read();
      if (r === undefined || r === ',') return true;
      if (!isSpace(r)) {
        this.sc.unread();
        return false;
      }
    }
  }

  private val(): string {
    return runesUntil(this.sc, ',', true).v;
  }

  private valList(): { list: unknown[]; err?: Err } {
    const r = this.sc.read();
    if (r === undefined) return { list: [], err: EOF };
    if (r !== '{') {
      this.sc.unread();
      return { list: [], err: NOT_LIST };
    }
    const list: unknown[] = [];
    for (;;) {
      const { v, last, eof } = runesUntil(this.sc, ',}', true);
      if (eof) return { list, err: new Error("list must terminate with '}'") };
      if (last === '}') {
        const n = this.sc.read();
        if (n !== undefined && n !== ',') this.sc.unread();
        list.push(this.reader(v));
        return { list };
      }
      list.push(this.reader(v));
    }
  }
}

class LiteralParser {
  private readonly sc: Scanner;
  private readonly data: Values;
  constructor(s: string, data: Values) {
    this.sc = new Scanner(s);
    this.data = data;
  }
  parse(): Error | undefined {
    for (;;) {
      const err = this.key(this.data, 0);
      if (err === undefined) continue;
      if (err === EOF) return undefined;
      return err as Error;
    }
  }
  key(data: Values, level: number): Err | undefined {
    try {
      return this.keyInner(data, level);
    } catch (e) {
      if (e instanceof GoPanic) return new Error(`unable to parse key: ${e.message}`);
      throw e;
    }
  }
  private keyInner(data: Values, level: number): Err | undefined {
    const { v: key, last, eof } = runesUntil(this.sc, '=[.', false);
    if (eof) {
      if (key.length === 0) return EOF;
      return new Error(`key ${goQuote(key)} has no value`);
    }
    if (last === '=') {
      set(data, key, runesUntil(this.sc, '', false).v);
      return undefined;
    }
    if (last === '.') {
      level++;
      if (level > MAX_NESTED_NAME_LEVEL) {
        return new Error(
          `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
        );
      }
      let inner: Values = {};
      if (Object.prototype.hasOwnProperty.call(data, key)) inner = assertMap(data[key]);
      const e = this.key(inner, level);
      if (e === undefined && Object.keys(inner).length === 0) return new Error(`key map ${goQuote(key)} has no value`);
      if (Object.keys(inner).length !== 0) set(data, key, inner);
      return e;
    }
    const i = this.keyIndex();
    if (typeof i !== 'number') return wrap(i, 'error parsing index');
    let list: unknown[] = [];
    if (Object.prototype.hasOwnProperty.call(data, key)) list = assertList(data[key]);
    const r = this.listItem(list, i, level);
    set(data, key, r.list);
    return r.err;
  }
  private keyIndex(): number | Err {
    const { v, eof } = runesUntil(this.sc, ']', false);
    if (eof) return EOF;
    return atoi(v);
  }
  private listItem(list: unknown[], i: number, level: number): { list: unknown[]; err?: Err } {
    if (i < 0) return { list, err: new Error(`negative ${i} index not allowed`) };
    const { v: key, last, eof } = runesUntil(this.sc, '[.=', false);
    if (key.length > 0) return { list, err: new Error(`unexpected data at end of array index: ${quoteRunes(key)}`) };
    if (eof) return { list, err: EOF };
    if (last === '=') return setIndex(list, i, runesUntil(this.sc, '', false).v);
    if (last === '.') {
      let inner: Values = {};
      if (list.length > i) {
        const cur = list[i];
        if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && !(cur instanceof GoInt)) {
          inner = cur as Values;
        } else list[i] = inner;
      }
      const e = this.key(inner, level);
      if (e !== undefined) return { list, err: e };
      return setIndex(list, i, inner);
    }
    const nextI = this.keyIndex();
    if (typeof nextI !== 'number') return { list, err: wrap(nextI, 'error parsing index') };
    let crt: unknown[] = [];
    if (list.length > i) crt = assertList(list[i]);
    const r = this.listItem(crt, nextI, level);
    if (r.err !== undefined) return { list, err: r.err };
    return setIndex(list, i, r.list);
  }
}

/** strvals.typedVal: `true`/`false`/`null` (any case), `0`, int64 without a leading zero; else a string. */
export function typedVal(v: string, st: boolean): unknown {
  if (st) return v;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  if (l === 'null') return null;
  if (v === '0') return new GoInt('int64', 0n);
  if (v.length !== 0 && v[0] !== '0' && /^[+-]?[0-9]+$/.test(v)) {
    const n = BigInt(v);
    if (n <= (1n << 63n) - 1n && n >= -(1n << 63n)) return new GoInt('int64', n);
  }
  return v;
}

function check(err: Error | undefined): void {
  if (err !== undefined) throw err;
}

/** strvals.ParseInto (`--set`). */
export function parseInto(s: string, dest: Values): void {
  check(new Parser(s, dest, (rs) => typedVal(rs, false), false).parse());
}

/** strvals.ParseIntoString (`--set-string`). */
export function parseIntoString(s: string, dest: Values): void {
  check(new Parser(s, dest, (rs) => typedVal(rs, true), false).parse());
}

/** strvals.ParseIntoFile (`--set-file`): the reader gets the path and returns the value. */
export function parseIntoFile(s: string, dest: Values, reader: RunesValueReader): void {
  check(new Parser(s, dest, reader, false).parse());
}

/** strvals.ParseJSON (`--set-json` in key=value form): numbers are float64. */
export function parseJson(s: string, dest: Values): void {
  check(new Parser(s, dest, (rs) => typedVal(rs, false), true).parse());
}

/** strvals.ParseLiteralInto (`--set-literal`): the value is the rest of the string, no escapes. */
export function parseLiteralInto(s: string, dest: Values): void {
  check(new LiteralParser(s, dest).parse());
}

/** strvals.Parse: a new map. */
export function parse(s: string): Values {
  const v: Values = {};
  parseInto(s, v);
  return v;
}
