// The Go value model the template engine works on. JavaScript values stand for Go values:
//   undefined → an invalid reflect.Value ("no value"); null → a nil interface{};
//   string → string; boolean → bool; bigint → int; number → float64;
//   GoInt / GoFloat → the other numeric kinds; JsonNumber → encoding/json's json.Number;
//   arrays → []interface{}; plain objects and Maps → map[string]interface{} (a named map type with GO_TYPE);
//   GoFunc → a func value; GoStruct → a struct value with fields and methods.

/** Go's signed and unsigned integer kinds. */
export type GoIntKind =
  'int' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'uintptr';

const INT_BITS: Record<GoIntKind, number> = {
  int: 64,
  int8: 8,
  int16: 16,
  int32: 32,
  int64: 64,
  uint: 64,
  uint8: 8,
  uint16: 16,
  uint32: 32,
  uint64: 64,
  uintptr: 64,
};

/** An integer of a Go kind other than `int` (which is a plain bigint). */
export class GoInt {
  readonly type: GoIntKind;
  readonly value: bigint;
  constructor(type: GoIntKind, value: bigint) {
    this.type = type;
    this.value = value;
  }
}

/** A float32 (float64 is a plain number). */
export class GoFloat {
  readonly type: 'float32' | 'float64';
  readonly value: number;
  constructor(type: 'float32' | 'float64', value: number) {
    this.type = type;
    this.value = type === 'float32' ? Math.fround(value) : value;
  }
}

/** A complex128 (template constants such as `1i` or `1+2i`). */
export class GoComplex {
  readonly re: number;
  readonly im: number;
  constructor(re: number, im: number) {
    this.re = re;
    this.im = im;
  }
}

/** encoding/json's json.Number: a string kind with a String method (what Helm 3.18.0 gives numbers of values files). */
export class JsonNumber {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Parameter types a function in a {@link FuncMap} declares; `value` is reflect.Value (receives nil and no value). */
export type ParamType =
  | 'any'
  | 'value'
  | 'string'
  | 'bool'
  | 'float64'
  | GoIntKind
  | 'map[string]interface {}'
  | '[]interface {}'
  | 'time.Time'
  | 'sprig.certificate';

/** Parameter types that can hold nil (a nil map or slice); an untyped nil becomes their zero value. */
export function canBeNil(t: ParamType): boolean {
  return t === 'map[string]interface {}' || t === '[]interface {}';
}

/** The zero value of a nil-able parameter type (an empty map or slice stands for the nil one). */
export function nilOf(t: ParamType): unknown {
  return t === '[]interface {}' ? [] : {};
}

/** Whether a value of v's type is assignable to a parameter of type t (a named map type to its underlying map). */
export function assignable(v: unknown, t: ParamType): boolean {
  const n = typeName(v);
  if (n === t) return true;
  if (t === 'map[string]interface {}') return isMap(v) && !n.startsWith('map[');
  return false;
}

/** A Go function value: its signature decides how template arguments are converted, as Go's reflection does. */
export class GoFunc {
  readonly params: readonly ParamType[];
  readonly variadic: ParamType | undefined;
  readonly fn: (...args: never[]) => unknown;
  readonly typeName: string;
  constructor(
    params: readonly ParamType[],
    fn: (...args: never[]) => unknown,
    opts: { variadic?: ParamType; typeName?: string } = {},
  ) {
    this.params = params;
    this.fn = fn;
    this.variadic = opts.variadic;
    const names = params.map(paramTypeName);
    if (opts.variadic !== undefined) names.push(`...${paramTypeName(opts.variadic)}`);
    this.typeName = opts.typeName ?? `func(${names.join(', ')}) interface {}`;
  }
}

/** Go's functions map for {@link GoFunc}s, as `template.FuncMap`. */
export type FuncMap = Record<string, GoFunc>;

/** A struct value: ordered exported fields and methods (called by `.Name args…`). */
export class GoStruct {
  readonly typeName: string;
  readonly fields: ReadonlyMap<string, unknown>;
  readonly methods: Readonly<Record<string, GoFunc>>;
  /** Names of embedded struct fields, whose fields and methods are promoted (`struct { chart.Metadata; … }`). */
  readonly embedded: readonly string[];
  /**
   * The methods have pointer receivers: the executor calls them and prints a Stringer through them (the value is
   * addressable there), fmt of the value itself does not use String (as `printf "%v"` of a copy).
   */
  readonly pointerMethods: boolean;
  constructor(
    typeName: string,
    fields: ReadonlyMap<string, unknown>,
    methods: Readonly<Record<string, GoFunc>> = {},
    opts: { embedded?: readonly string[]; pointerMethods?: boolean; json?: () => unknown } = {},
  ) {
    this.typeName = typeName;
    this.fields = fields;
    this.methods = methods;
    this.embedded = opts.embedded ?? [];
    this.pointerMethods = opts.pointerMethods ?? false;
    this.json = opts.json;
  }

  /** What encoding/json marshals instead of the fields (json tags, omitempty, embedded structs flattened). */
  readonly json: (() => unknown) | undefined;

  /** The struct holding a promoted field or method (this one, or an embedded one, depth first). */
  promoted(name: string): GoStruct | undefined {
    if (this.fields.has(name) || Object.prototype.hasOwnProperty.call(this.methods, name)) return this;
    for (const e of this.embedded) {
      const v = this.fields.get(e);
      if (v instanceof GoStruct) {
        const p = v.promoted(name);
        if (p !== undefined) return p;
      }
    }
    return undefined;
  }
}

/** Symbol naming the Go type of a map (default `map[string]interface {}`), e.g. `chartutil.Values`. */
export const GO_TYPE: unique symbol = Symbol.for('flux-ts.helm.goType');

/**
 * Symbol holding the methods of a named map or slice type (a `Record<string, GoFunc>`), e.g. Helm's `engine.files`
 * (map[string][]byte with Get, Glob…) or `chartutil.VersionSet` ([]string with Has). Methods win over map keys.
 */
export const GO_METHODS: unique symbol = Symbol.for('flux-ts.helm.goMethods');

/** The methods of a value: a struct's, or those of a named map or slice type. */
export function methodsOf(v: unknown): Readonly<Record<string, GoFunc>> | undefined {
  if (v instanceof GoStruct) return v.methods;
  if (typeof v === 'object' && v !== null) return (v as { [GO_METHODS]?: Record<string, GoFunc> })[GO_METHODS];
  return undefined;
}

/** A value of static type interface{} holding a non-nil value (map elements, slice elements); internal to exec. */
export class Boxed {
  readonly v: unknown;
  constructor(v: unknown) {
    this.v = v;
  }
}

/** Go reflect kinds, reduced to what templates see. */
export type Kind =
  | 'invalid'
  | 'interface'
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'complex'
  | 'string'
  | 'slice'
  | 'map'
  | 'func'
  | 'struct'
  | 'bytes';

/** A Go map: a plain object or a Map. */
export type GoMap = Record<string, unknown> | Map<string, unknown>;

/** Whether v is a Go map in the model. */
export function isMap(v: unknown): v is GoMap {
  if (v instanceof Map) return true;
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** The entries of a Go map sorted as Go's fmtsort (and range) sorts string keys: bytewise. */
export function sortedEntries(m: GoMap): [string, unknown][] {
  const entries: [string, unknown][] = m instanceof Map ? [...m.entries()] : Object.entries(m);
  return entries.sort((a, b) => compareGoStrings(a[0], b[0]));
}

/** Compares two strings by their UTF-8 bytes, as Go does. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 order except for surrogates against U+E000..U+FFFF; compare code points.
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** Map lookup; `has` tells a missing key from a present nil. */
export function mapGet(m: GoMap, key: string): { has: boolean; value: unknown } {
  if (m instanceof Map) return { has: m.has(key), value: m.get(key) };
  return Object.prototype.hasOwnProperty.call(m, key) ? { has: true, value: m[key] } : { has: false, value: undefined };
}

/** Number of entries of a Go map. */
export function mapLen(m: GoMap): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/** Go's name of a parameter type. */
export function paramTypeName(p: ParamType): string {
  if (p === 'any') return 'interface {}';
  if (p === 'value') return 'reflect.Value';
  return p;
}

/** The reflect kind of a model value (Boxed and null are interface kind). */
export function kindOf(v: unknown): Kind {
  if (v === undefined) return 'invalid';
  if (v === null || v instanceof Boxed) return 'interface';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    default:
  }
  if (v instanceof GoInt) return v.type.startsWith('u') ? 'uint' : 'int';
  if (v instanceof GoFloat) return 'float';
  if (v instanceof GoComplex) return 'complex';
  if (v instanceof JsonNumber) return 'string';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof GoFunc) return 'func';
  if (v instanceof GoStruct) return 'struct';
  if (isMap(v)) return 'map';
  return 'struct';
}

/** Go's `%T` / reflect.Type.String() of a model value. */
export function typeName(v: unknown): string {
  if (v === undefined) return '<nil>';
  if (v === null || v instanceof Boxed) return 'interface {}';
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
  if (v instanceof JsonNumber) return 'json.Number';
  if (Array.isArray(v)) return (v as { [GO_TYPE]?: string })[GO_TYPE] ?? '[]interface {}';
  if (v instanceof Uint8Array) return '[]uint8';
  if (v instanceof GoFunc) return v.typeName;
  if (v instanceof GoStruct) return v.typeName;
  if (isMap(v)) {
    const t = (v as { [GO_TYPE]?: string })[GO_TYPE];
    return t ?? 'map[string]interface {}';
  }
  return (v as object).constructor?.name ?? 'struct {}';
}

/** The dynamic value inside an interface: Boxed → its value, nil interface → no value (reflect indirectInterface). */
export function indirectInterface(v: unknown): unknown {
  if (v instanceof Boxed) return v.v;
  if (v === null) return undefined;
  return v;
}

/** Unwraps Boxed only (keeps a nil interface as null). */
export function unbox(v: unknown): unknown {
  return v instanceof Boxed ? v.v : v;
}

/** Signed integer value of an int-kind model value. */
export function intValue(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof GoInt) return v.value;
  throw new Error('not an integer');
}

/** Float value of a float-kind model value. */
export function floatValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.value;
  throw new Error('not a float');
}

/** String value of a string-kind model value (reflect.Value.String()). */
export function stringValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.value;
  throw new Error('not a string');
}

/** Whether the integer n fits the Go integer kind. */
export function fitsInt(kind: GoIntKind, n: bigint): boolean {
  const bits = INT_BITS[kind];
  if (kind.startsWith('u')) return n >= 0n && n < 1n << BigInt(bits);
  const lim = 1n << BigInt(bits - 1);
  return n >= -lim && n < lim;
}

/** Makes an integer of the given Go kind (int is a plain bigint). */
export function makeInt(kind: GoIntKind, n: bigint): unknown {
  return kind === 'int' ? n : new GoInt(kind, n);
}

/** Length of a string in UTF-8 bytes (Go's len of a string). */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
