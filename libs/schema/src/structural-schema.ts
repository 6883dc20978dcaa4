/**
 * The structural schema engine: kube-openapi value validation, apiextensions list-type / embedded-resource
 * checks and CEL rules, defaulting and pruning, with per-node compilation cached in a WeakMap owned by the
 * instance (no module-level state).
 */
import type { CelEnv } from '@bufbuild/cel';
import { compileRule, evalRule, newCelEnv, toCel, type CompiledRule } from './cel.ts';
import { formatChecker } from './formats.ts';
import { goFloat, goNumber, goQuote, isJsonInteger } from './go-format.ts';
import { compilePattern, type CompiledPattern } from './regex.ts';
import type { FieldError, JSONSchemaProps } from './types.ts';

type Kind = 'null' | 'string' | 'boolean' | 'integer' | 'number' | 'array' | 'object';

interface CompiledNode {
  readonly types: readonly string[];
  readonly typeName: string;
  readonly nullable: boolean;
  /** The format after the apiserver stripped unsupported ones ('' when ignored). */
  readonly format: string;
  readonly formatCheck: ((s: string) => boolean) | undefined;
  readonly pattern: CompiledPattern | undefined;
  rules: CompiledRule[] | undefined;
}

/** Options of {@link StructuralSchema.validate}. */
export interface ValidateOptions {
  /**
   * Field path the value sits at (e.g. `spec` when validating only the spec). Errors about the root itself
   * and errors the apiserver reports without a path use it; the apiserver leaves it nil, printed `<nil>`.
   */
  rootPath?: string;
  /** Skip `x-kubernetes-validations` (CEL) rules. */
  skipCEL?: boolean;
}

/** Options of {@link StructuralSchema.prune}. */
export interface PruneOptions {
  /** The value is a whole resource: apiVersion, kind and metadata at the root are kept (as the apiserver does). */
  isResourceRoot?: boolean;
}

/** The result of pruning: the pruned copy and the dotted paths of the removed fields. */
export interface PruneResult {
  value: unknown;
  pruned: string[];
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSchema(v: unknown): v is JSONSchemaProps {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSchemaMap(v: unknown): v is Record<string, JSONSchemaProps> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'integer';
    case 'number':
      return isJsonInteger(v) ? 'integer' : 'number';
    case 'object':
      return Array.isArray(v) ? 'array' : 'object';
    default:
      return 'string';
  }
}

function hasOwn(o: object | undefined, k: string): boolean {
  return o !== undefined && Object.hasOwn(o, k);
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** JSON with sorted keys, like Go's json.Marshal of map[string]interface{} (JSON.stringify keeps insertion order). */
function canonicalJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// Hand-written: util.isDeepStrictEqual would treat 1 and 1n as different, Go's enum comparison does not.
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return Number(a) === Number(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Deep copy of a JSON value (runtime.DeepCopyJSONValue); unlike structuredClone it never throws. */
/**
 * Sets an own data property: a `__proto__` key is data (as in Go's maps), never the object's prototype, which
 * `out[k] = v` on a fresh object would set.
 */
function setOwn(o: object, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

export function deepCopyJSON<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopyJSON) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, deepCopyJSON(x));
    return out as T;
  }
  return v;
}

// swag.IsFloat64AJSONInteger: integral within a small epsilon.
function isFloatAJSONInteger(f: number): boolean {
  if (!Number.isFinite(f)) return false;
  if (Number.isInteger(f)) return true;
  return Math.abs(f - Math.round(f)) < 1e-9;
}

// field.TooLong / field.TooMany wording of apimachinery >= 1.32 (TooLongMaxLength now delegates to TooLong).
const tooLongDetail = (n: number): string => `may not be more than ${n} ${n === 1 ? 'byte' : 'bytes'}`;
const tooManyDetail = (n: number): string => `must have at most ${n} ${n === 1 ? 'item' : 'items'}`;

/** Builds field.Path strings and maps kube-openapi names to apiserver field paths. */
class PathCtx {
  readonly root: string;
  readonly rootGiven: boolean;
  constructor(rootPath: string | undefined) {
    this.rootGiven = rootPath !== undefined && rootPath !== '';
    this.root = this.rootGiven ? (rootPath as string) : '<nil>';
  }
  /** field path for a kube-openapi error name (`spec.x`, `.key` at root additionalProperties, `[0]`). */
  field(name: string): string {
    if (name === '' || name === '.') return this.root;
    const p = name.startsWith('.') ? name.slice(1) : name;
    return this.rootGiven ? `${this.root}.${p}` : p;
  }
  /** field path for a field.Path-style relative path ('' is the root). */
  path(p: string): string {
    if (p === '') return this.root;
    if (!this.rootGiven) return p;
    return p.startsWith('[') ? `${this.root}${p}` : `${this.root}.${p}`;
  }
}

const child = (p: string, k: string): string => (p === '' ? k : `${p}.${k}`);
const index = (p: string, i: number): string => `${p}[${i}]`;
const key = (p: string, k: string): string => `${p}[${k}]`;

/** A CRD structural schema compiled once and applied to many objects. */
export class StructuralSchema {
  readonly schema: JSONSchemaProps;
  readonly #nodes = new WeakMap<object, CompiledNode>();
  #cel: CelEnv | undefined;

  constructor(schema: JSONSchemaProps) {
    this.schema = isSchema(schema) ? schema : {};
  }

  #node(s: JSONSchemaProps): CompiledNode {
    let c = this.#nodes.get(s);
    if (c !== undefined) return c;
    const intOrString = s['x-kubernetes-int-or-string'] === true;
    const types = intOrString ? ['integer', 'string'] : typeof s.type === 'string' && s.type !== '' ? [s.type] : [];
    const check = typeof s.format === 'string' ? formatChecker(s.format) : undefined;
    c = {
      types,
      typeName: types.join(','),
      nullable: s.nullable === true,
      format: check !== undefined ? (s.format as string) : '',
      formatCheck: check,
      pattern: typeof s.pattern === 'string' && s.pattern !== '' ? compilePattern(s.pattern) : undefined,
      rules: undefined,
    };
    this.#nodes.set(s, c);
    return c;
  }

  #rules(s: JSONSchemaProps): CompiledRule[] {
    const c = this.#node(s);
    if (c.rules === undefined) {
      const list = Array.isArray(s['x-kubernetes-validations']) ? s['x-kubernetes-validations'] : [];
      this.#cel ??= newCelEnv();
      const env = this.#cel;
      c.rules = list.map((r) => compileRule(env, r));
    }
    return c.rules;
  }

  // ------------------------------------------------------------------------------------------------
  // validation

  /** Validates a value like the apiserver validates a custom resource (create); never throws. */
  validate(value: unknown, opts: ValidateOptions = {}): FieldError[] {
    const ctx = new PathCtx(opts.rootPath);
    const errs: FieldError[] = [];
    try {
      this.#validateNode(this.schema, value, '', ctx, errs);
      this.#validateEmbedded(this.schema, value, '', ctx, errs);
      this.#validateLists(this.schema, value, '', ctx, errs);
      if (opts.skipCEL !== true) {
        const blocking = errs.some(
          (e) =>
            e.type === 'FieldValueNotSupported' ||
            e.type === 'FieldValueRequired' ||
            e.type === 'FieldValueTooLong' ||
            e.type === 'FieldValueTooMany' ||
            e.type === 'FieldValueTypeInvalid',
        );
        if (blocking) {
          if (this.#hasRules(this.schema, new Set())) {
            errs.push({
              type: 'FieldValueInvalid',
              field: ctx.root,
              badValue: null,
              detail:
                'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
            });
          }
        } else {
          this.#validateCEL(this.schema, value, '', ctx, errs);
        }
      }
    } catch (err) {
      errs.push({
        type: 'FieldValueInvalid',
        field: ctx.root,
        badValue: '',
        detail: `internal error: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    return errs;
  }

  #hasRules(s: JSONSchemaProps | undefined, seen: Set<object>): boolean {
    if (!isSchema(s) || seen.has(s)) return false;
    seen.add(s);
    if (Array.isArray(s['x-kubernetes-validations']) && s['x-kubernetes-validations'].length > 0) return true;
    if (isSchemaMap(s.properties) && Object.values(s.properties).some((p) => this.#hasRules(p, seen))) return true;
    if (isSchema(s.additionalProperties) && this.#hasRules(s.additionalProperties, seen)) return true;
    return isSchema(s.items) && this.#hasRules(s.items, seen);
  }

  // kube-openapi SchemaValidator.Validate: type, allOf/anyOf/oneOf/not, string, format, number, slice, enum, object.
  #validateNode(s: JSONSchemaProps, data: unknown, path: string, ctx: PathCtx, out: FieldError[]): void {
    if (!isSchema(s)) return;
    const c = this.#node(s);
    const k = kindOf(data);
    this.#checkType(c, k, path, ctx, out);
    if (k === 'null') {
      this.#checkEnum(s, data, path, ctx, out);
      return;
    }
    this.#checkSchemaProps(s, data, path, ctx, out);
    if (k === 'string') {
      const str = data as string;
      this.#checkString(s, c, str, path, ctx, out);
      if (c.formatCheck !== undefined && !c.formatCheck(str)) {
        out.push({
          type: 'FieldValueTypeInvalid',
          field: ctx.field(path),
          badValue: str,
          detail: `${path} in body must be of type ${c.format}: ${goQuote(str)}`,
        });
      }
    } else if (k === 'integer' || k === 'number') {
      this.#checkNumber(s, Number(data), k === 'integer', path, ctx, out);
    } else if (k === 'array') {
      this.#checkSlice(s, data as unknown[], path, ctx, out);
    }
    this.#checkEnum(s, data, path, ctx, out);
    if (k === 'object') this.#checkObject(s, data as Record<string, unknown>, path, ctx, out);
  }

  #typeError(path: string, ctx: PathCtx, typeName: string, value: string): FieldError {
    return {
      type: 'FieldValueTypeInvalid',
      field: ctx.field(path),
      badValue: value,
      detail: `${path} in body must be of type ${typeName}: ${goQuote(value)}`,
    };
  }

  #checkType(c: CompiledNode, k: Kind, path: string, ctx: PathCtx, out: FieldError[]): void {
    const T = c.types;
    if (T.length === 0 && c.format === '') return;
    if (k === 'null') {
      if (T.length > 0 && !T.includes('null') && !c.nullable) out.push(this.#typeError(path, ctx, c.typeName, 'null'));
      return;
    }
    const dataFormat = k === 'integer' ? 'int64' : k === 'number' ? 'float64' : '';
    const isIntFloat = k === 'integer' && T.includes('number');
    if (
      k !== 'string' &&
      k !== 'array' &&
      c.format !== '' &&
      !(T.includes(k) || dataFormat === c.format || isIntFloat)
    ) {
      out.push(this.#typeError(path, ctx, c.format, dataFormat));
      return;
    }
    if (!(T.includes('number') || T.includes('integer')) && c.format !== '' && (k === 'string' || k === 'array'))
      return;
    if (!(T.includes(k) || isIntFloat)) out.push(this.#typeError(path, ctx, c.typeName, k));
  }

  #composite(ctx: PathCtx, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field: ctx.root, badValue: '', detail };
  }

  #checkSchemaProps(s: JSONSchemaProps, data: unknown, path: string, ctx: PathCtx, out: FieldError[]): void {
    // kube-openapi keeps the failures of the branch with the most passed checks; we keep the one with the fewest errors.
    if (Array.isArray(s.anyOf) && s.anyOf.length > 0) {
      let best: FieldError[] | undefined;
      let ok = false;
      for (const sub of s.anyOf) {
        const r: FieldError[] = [];
        this.#validateNode(sub, data, path, ctx, r);
        if (r.length === 0) {
          ok = true;
          best = undefined;
          break;
        }
        if (best === undefined || r.length < best.length) best = r;
      }
      if (!ok) out.push(this.#composite(ctx, `${goQuote(path)} must validate at least one schema (anyOf)`));
      if (best !== undefined) out.push(...best);
    }
    if (Array.isArray(s.oneOf) && s.oneOf.length > 0) {
      let best: FieldError[] | undefined;
      let validated = 0;
      for (const sub of s.oneOf) {
        const r: FieldError[] = [];
        this.#validateNode(sub, data, path, ctx, r);
        if (r.length === 0) {
          validated++;
          best = undefined;
          continue;
        }
        if (validated === 0 && (best === undefined || r.length < best.length)) best = r;
      }
      if (validated !== 1) {
        const more = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
        out.push(this.#composite(ctx, `${goQuote(path)} must validate one and only one schema (oneOf). ${more}`));
        if (best !== undefined) out.push(...best);
      }
    }
    if (Array.isArray(s.allOf) && s.allOf.length > 0) {
      let validated = 0;
      for (const sub of s.allOf) {
        const r: FieldError[] = [];
        this.#validateNode(sub, data, path, ctx, r);
        if (r.length === 0) validated++;
        out.push(...r);
      }
      if (validated !== s.allOf.length) {
        const more = validated === 0 ? '. None validated' : '';
        out.push(this.#composite(ctx, `${goQuote(path)} must validate all the schemas (allOf)${more}`));
      }
    }
    if (isSchema(s.not)) {
      const r: FieldError[] = [];
      this.#validateNode(s.not, data, path, ctx, r);
      if (r.length === 0) out.push(this.#composite(ctx, `${goQuote(path)} must not validate the schema (not)`));
    }
  }

  #checkString(s: JSONSchemaProps, c: CompiledNode, data: string, path: string, ctx: PathCtx, out: FieldError[]): void {
    if (typeof s.maxLength === 'number' && data.length > s.maxLength && codePointLength(data) > s.maxLength) {
      out.push({
        type: 'FieldValueTooLong',
        field: ctx.field(path),
        badValue: data,
        detail: tooLongDetail(s.maxLength),
      });
      return;
    }
    if (typeof s.minLength === 'number' && codePointLength(data) < s.minLength) {
      out.push({
        type: 'FieldValueInvalid',
        field: ctx.field(path),
        badValue: data,
        detail: `${path} in body should be at least ${s.minLength} chars long`,
      });
      return;
    }
    const p = c.pattern;
    if (p !== undefined) {
      if (!p.ok) {
        out.push({
          type: 'FieldValueInvalid',
          field: ctx.field(path),
          badValue: data,
          detail: `${path} in body should match '${s.pattern}, but pattern is invalid: ${p.error}'`,
        });
      } else if (!p.re.test(data)) {
        out.push({
          type: 'FieldValueInvalid',
          field: ctx.field(path),
          badValue: data,
          detail: `${path} in body should match '${s.pattern}'`,
        });
      }
    }
  }

  #checkNumber(s: JSONSchemaProps, data: number, isInt: boolean, path: string, ctx: PathCtx, out: FieldError[]): void {
    const invalid = (detail: string): FieldError => ({
      type: 'FieldValueInvalid',
      field: ctx.field(path),
      badValue: data,
      detail,
    });
    const bound = (b: number): string => (isInt ? goNumber(Math.trunc(b)) : goFloat(b));
    if (typeof s.multipleOf === 'number') {
      const f = s.multipleOf;
      if (f < 0) {
        out.push({
          type: 'FieldValueInvalid',
          field: ctx.field(path),
          badValue: f,
          detail: `factor MultipleOf declared for ${path} must be positive: ${goNumber(f)}`,
        });
      } else if (isInt && f >= 1) {
        const fi = Math.trunc(f);
        if (data % fi !== 0) out.push(invalid(`${path} in body should be a multiple of ${goNumber(fi)}`));
      } else if (f > 0) {
        const mult = f < 1 ? (1 / f) * data : data / f;
        if (!isFloatAJSONInteger(mult)) out.push(invalid(`${path} in body should be a multiple of ${goFloat(f)}`));
      }
    }
    if (typeof s.minimum === 'number') {
      const ex = s.exclusiveMinimum === true;
      const b = isInt ? Math.trunc(s.minimum) : s.minimum;
      if (ex ? data <= b : data < b) {
        out.push(invalid(`${path} in body should be greater than ${ex ? '' : 'or equal to '}${bound(s.minimum)}`));
      }
    }
    if (typeof s.maximum === 'number') {
      const ex = s.exclusiveMaximum === true;
      const b = isInt ? Math.trunc(s.maximum) : s.maximum;
      if (ex ? data >= b : data > b) {
        out.push(invalid(`${path} in body should be less than ${ex ? '' : 'or equal to '}${bound(s.maximum)}`));
      }
    }
  }

  #checkSlice(s: JSONSchemaProps, data: unknown[], path: string, ctx: PathCtx, out: FieldError[]): void {
    if (isSchema(s.items)) {
      for (let i = 0; i < data.length; i++) this.#validateNode(s.items, data[i], `${path}[${i}]`, ctx, out);
    }
    if (typeof s.minItems === 'number' && data.length < s.minItems) {
      out.push({
        type: 'FieldValueInvalid',
        field: ctx.field(path),
        badValue: data.length,
        detail: `${path} in body should have at least ${s.minItems} items`,
      });
    }
    if (typeof s.maxItems === 'number' && data.length > s.maxItems) {
      out.push({
        type: 'FieldValueTooMany',
        field: ctx.field(path),
        badValue: data.length,
        detail: tooManyDetail(s.maxItems),
      });
    }
    if (s.uniqueItems === true) {
      const seen = new Set<string>();
      for (const v of data) {
        const j = canonicalJSON(v);
        if (seen.has(j)) {
          out.push({
            type: 'FieldValueInvalid',
            field: ctx.field(path),
            badValue: '',
            detail: `${path} in body shouldn't contain duplicates`,
          });
          break;
        }
        seen.add(j);
      }
    }
  }

  #checkEnum(s: JSONSchemaProps, data: unknown, path: string, ctx: PathCtx, out: FieldError[]): void {
    if (!Array.isArray(s.enum) || s.enum.length === 0) return;
    if (data !== null && data !== undefined && s.enum.some((e) => jsonEqual(e, data))) return;
    const values = s.enum.map((v) => goQuote(typeof v === 'string' ? v : canonicalJSON(v)));
    out.push({
      type: 'FieldValueNotSupported',
      field: ctx.field(path),
      badValue: data ?? null,
      detail: `supported values: ${values.join(', ')}`,
    });
  }

  #checkObject(s: JSONSchemaProps, data: Record<string, unknown>, path: string, ctx: PathCtx, out: FieldError[]): void {
    // an `undefined` property is absent (as after a JSON round trip)
    const keys = Object.keys(data).filter((k) => data[k] !== undefined);
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) {
      out.push({
        type: 'FieldValueInvalid',
        field: ctx.field(path),
        badValue: keys.length,
        detail: `${path} in body should have at least ${s.minProperties} properties`,
      });
      return;
    }
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) {
      out.push({
        type: 'FieldValueTooMany',
        field: ctx.field(path),
        badValue: keys.length,
        detail: tooManyDetail(s.maxProperties),
      });
      return;
    }
    const props = isSchemaMap(s.properties) ? s.properties : undefined;
    const ap = s.additionalProperties;
    if (ap === false) {
      for (const k of keys) {
        if (!hasOwn(props, k)) {
          out.push({
            type: 'FieldValueInvalid',
            field: ctx.field(path),
            badValue: k,
            detail: `${path}.${k} in body is a forbidden property`,
          });
        }
      }
    } else if (isSchema(ap)) {
      for (const k of keys) if (!hasOwn(props, k)) this.#validateNode(ap, data[k], `${path}.${k}`, ctx, out);
    }
    if (props !== undefined) {
      for (const [p, ps] of Object.entries(props)) {
        if (Object.hasOwn(data, p) && data[p] !== undefined)
          this.#validateNode(ps, data[p], path === '' ? p : `${path}.${p}`, ctx, out);
      }
    }
    if (Array.isArray(s.required)) {
      for (const r of s.required) {
        if (typeof r === 'string' && (!Object.hasOwn(data, r) || data[r] === undefined)) {
          out.push({ type: 'FieldValueRequired', field: ctx.field(`${path}.${r}`), badValue: '', detail: '' });
        }
      }
    }
  }

  // apiextensions objectmeta.Validate: embedded resources need apiVersion and kind.
  #validateEmbedded(s: JSONSchemaProps | undefined, x: unknown, p: string, ctx: PathCtx, out: FieldError[]): void {
    if (!isSchema(s)) return;
    if (Array.isArray(x)) {
      x.forEach((v, i) => this.#validateEmbedded(s.items, v, index(p, i), ctx, out));
      return;
    }
    if (!isPlainObject(x)) return;
    if (s['x-kubernetes-embedded-resource'] === true) {
      for (const f of ['apiVersion', 'kind'] as const) {
        if (!Object.hasOwn(x, f)) {
          out.push({
            type: 'FieldValueRequired',
            field: ctx.path(child(p, f)),
            badValue: '',
            detail: 'must not be empty',
          });
        } else if (typeof x[f] !== 'string') {
          out.push({
            type: 'FieldValueInvalid',
            field: ctx.path(child(p, f)),
            badValue: x[f],
            detail: 'must be a string',
          });
        } else if (x[f] === '') {
          out.push({
            type: 'FieldValueInvalid',
            field: ctx.path(child(p, f)),
            badValue: '',
            detail: 'must not be empty',
          });
        }
      }
    }
    const props = isSchemaMap(s.properties) ? s.properties : undefined;
    for (const [k, v] of Object.entries(x)) {
      if (props !== undefined && hasOwn(props, k)) this.#validateEmbedded(props[k], v, child(p, k), ctx, out);
      else if (isSchema(s.additionalProperties)) this.#validateEmbedded(s.additionalProperties, v, key(p, k), ctx, out);
    }
  }

  // apiextensions listtype.ValidateListSetsAndMaps.
  #validateLists(s: JSONSchemaProps | undefined, x: unknown, p: string, ctx: PathCtx, out: FieldError[]): void {
    if (!isSchema(s)) return;
    if (Array.isArray(x)) {
      const lt = s['x-kubernetes-list-type'];
      if (lt === 'set') {
        for (const i of nonUniqueIndices(x))
          out.push({ type: 'FieldValueDuplicate', field: ctx.path(index(p, i)), badValue: x[i], detail: '' });
      } else if (lt === 'map') {
        this.#validateListMap(s, x, p, ctx, out);
      }
      if (isSchema(s.items)) x.forEach((v, i) => this.#validateLists(s.items, v, index(p, i), ctx, out));
      return;
    }
    if (!isPlainObject(x)) return;
    if (isSchema(s.additionalProperties)) {
      for (const [k, v] of Object.entries(x)) this.#validateLists(s.additionalProperties, v, key(p, k), ctx, out);
    }
    if (isSchemaMap(s.properties)) {
      for (const [k, v] of Object.entries(x)) {
        if (hasOwn(s.properties, k)) this.#validateLists(s.properties[k], v, child(p, k), ctx, out);
      }
    }
  }

  #validateListMap(s: JSONSchemaProps, x: unknown[], p: string, ctx: PathCtx, out: FieldError[]): void {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== null && v !== undefined && !isPlainObject(v)) {
        out.push({
          type: 'FieldValueInvalid',
          field: ctx.path(index(p, i)),
          badValue: v,
          detail: 'must be an object for an array of list-type map',
        });
        return;
      }
    }
    if (x.length <= 1) return;
    const mapKeys = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
    const keys = x.map((v) => {
      const k: Record<string, unknown> = {};
      if (isPlainObject(v)) for (const f of mapKeys) if (Object.hasOwn(v, f)) k[f] = v[f];
      return k;
    });
    for (const i of nonUniqueIndices(keys))
      out.push({ type: 'FieldValueDuplicate', field: ctx.path(index(p, i)), badValue: keys[i], detail: '' });
  }

  // apiextensions cel.Validator: rules at each node, then properties / additionalProperties / items.
  #validateCEL(s: JSONSchemaProps | undefined, x: unknown, p: string, ctx: PathCtx, out: FieldError[]): void {
    if (!isSchema(s) || x === null || x === undefined) return;
    const list = s['x-kubernetes-validations'];
    if (Array.isArray(list) && list.length > 0) {
      const typeName = typeof s.type === 'string' ? s.type : '';
      let self: ReturnType<typeof toCel> | undefined;
      for (const r of this.#rules(s)) {
        if (!r.ok) {
          out.push({
            type: 'FieldValueInvalid',
            field: ctx.path(p),
            badValue: typeName,
            detail: `rule compile error: ${r.error}`,
          });
          continue;
        }
        // the resource root is treated as an embedded resource (apiVersion, kind, metadata visible to CEL)
        self ??= toCel(x, p === '' ? { ...s, 'x-kubernetes-embedded-resource': true } : s);
        const res = evalRule(r, self);
        if (res.kind === 'error') {
          out.push({ type: 'FieldValueInvalid', field: ctx.path(p), badValue: typeName, detail: res.error });
        } else if (res.kind === 'fail') {
          const fp =
            typeof r.rule.fieldPath === 'string' && r.rule.fieldPath !== '' ? joinFieldPath(p, r.rule.fieldPath) : p;
          out.push(errorForReason(r.rule.reason, ctx.path(fp), typeName, res.message));
        }
      }
    }
    if (Array.isArray(x)) {
      if (isSchema(s.items)) x.forEach((v, i) => this.#validateCEL(s.items, v, index(p, i), ctx, out));
      return;
    }
    if (!isPlainObject(x)) return;
    const props = isSchemaMap(s.properties) ? s.properties : undefined;
    for (const [k, v] of Object.entries(x)) {
      if (props !== undefined && hasOwn(props, k)) this.#validateCEL(props[k], v, child(p, k), ctx, out);
      else if (isSchema(s.additionalProperties)) this.#validateCEL(s.additionalProperties, v, key(p, k), ctx, out);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // defaulting

  /**
   * Returns a copy with defaults applied like the apiserver's defaulting decoder: first non-nullable nulls
   * without a default are dropped (PruneNonNullableNullsWithoutDefaults), then defaults fill absent (or
   * non-nullable null) properties of present objects, array items and additionalProperties values.
   */
  applyDefaults(value: unknown): unknown {
    const x = deepCopyJSON(value);
    pruneNonNullableNulls(x, this.schema);
    applyDefault(x, this.schema);
    return x;
  }

  // ------------------------------------------------------------------------------------------------
  // pruning

  /** Returns a copy without the fields the schema does not specify, and the dotted paths removed. */
  prune(value: unknown, opts: PruneOptions = {}): PruneResult {
    const pruned: string[] = [];
    const root: JSONSchemaProps =
      opts.isResourceRoot === true ? { ...this.schema, 'x-kubernetes-embedded-resource': true } : this.schema;
    const v = pruneValue(value, root, '', pruned);
    return { value: v, pruned };
  }
}

function errorForReason(reason: string | undefined, field: string, typeName: string, detail: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, badValue: '', detail };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, badValue: '', detail };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, badValue: typeName, detail: '' };
    default:
      return { type: 'FieldValueInvalid', field, badValue: typeName, detail };
  }
}

/** Joins a rule's relative `fieldPath` (`.a.b`, `['x']`, `[0]`) onto a field path. */
function joinFieldPath(base: string, fp: string): string {
  let p = base;
  const re = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(fp)) !== null) {
    last = re.lastIndex;
    if (m[1] !== undefined) p = child(p, m[1]);
    else if (m[2] !== undefined) p = child(p, m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) p = index(p, Number(m[3]));
  }
  return last === fp.length ? p : base;
}

function nonUniqueIndices(items: readonly unknown[]): number[] {
  if (items.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  items.forEach((x, i) => {
    const k = Array.isArray(x) || isPlainObject(x) ? `c:${canonicalJSON(x)}` : `s:${typeof x}:${canonicalJSON(x)}`;
    const times = seen.get(k);
    if (times === undefined) seen.set(k, 1);
    else {
      seen.set(k, times + 1);
      if (times === 1) out.push(i);
    }
  });
  return out;
}

function schemaForField(k: string, s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  if (!isSchema(s)) return undefined;
  if (isSchemaMap(s.properties) && hasOwn(s.properties, k)) return s.properties[k];
  return isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
}

const hasDefault = (s: JSONSchemaProps | undefined): boolean =>
  s !== undefined && s.default !== undefined && s.default !== null;

function pruneNonNullableNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (Array.isArray(x)) {
    const items = isSchema(s) && isSchema(s.items) ? s.items : undefined;
    for (const v of x) pruneNonNullableNulls(v, items);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const [k, v] of Object.entries(x)) {
    const sub = schemaForField(k, s);
    if (v === null && sub !== undefined && sub.nullable !== true && !hasDefault(sub)) delete x[k];
    else pruneNonNullableNulls(v, sub);
  }
}

function isNonNullableNull(v: unknown, s: JSONSchemaProps | undefined): boolean {
  return v === null && s !== undefined && s.nullable !== true;
}

function applyDefault(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!isSchema(s)) return;
  if (Array.isArray(x)) {
    const items = isSchema(s.items) ? s.items : undefined;
    if (items === undefined) return;
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && hasDefault(items)) x[i] = deepCopyJSON(items.default);
      applyDefault(x[i], items);
    }
    return;
  }
  if (!isPlainObject(x)) return;
  const props = isSchemaMap(s.properties) ? s.properties : undefined;
  if (props !== undefined) {
    for (const [k, prop] of Object.entries(props)) {
      if (!isSchema(prop) || !hasDefault(prop)) continue;
      if (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop)) setOwn(x, k, deepCopyJSON(prop.default));
    }
  }
  const ap = isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const k of Object.keys(x)) {
    if (props !== undefined && hasOwn(props, k)) applyDefault(x[k], props[k]);
    else if (ap !== undefined) {
      if (isNonNullableNull(x[k], ap) && hasDefault(ap)) x[k] = deepCopyJSON(ap.default);
      applyDefault(x[k], ap);
    }
  }
}

const prunedChild = (p: string, k: string): string => (p === '' ? k : `${p}.${k}`);

function pruneValue(x: unknown, s: JSONSchemaProps | undefined, p: string, pruned: string[]): unknown {
  const sch = isSchema(s) ? s : undefined;
  if (sch !== undefined && sch['x-kubernetes-preserve-unknown-fields'] === true) return skipPrune(x, sch, p, pruned);
  if (Array.isArray(x)) return x.map((v, i) => pruneValue(v, sch?.items, `${p}[${i}]`, pruned));
  if (!isPlainObject(x)) return x;
  const out: Record<string, unknown> = {};
  if (sch === undefined) {
    for (const k of Object.keys(x)) pruned.push(prunedChild(p, k));
    return out;
  }
  const embedded = sch['x-kubernetes-embedded-resource'] === true;
  const props = isSchemaMap(sch.properties) ? sch.properties : undefined;
  for (const [k, v] of Object.entries(x)) {
    if (embedded && META_FIELDS.has(k)) setOwn(out, k, v);
    else if (props !== undefined && hasOwn(props, k))
      setOwn(out, k, pruneValue(v, props[k], prunedChild(p, k), pruned));
    else if (sch.additionalProperties !== undefined) {
      const ap = isSchema(sch.additionalProperties) ? sch.additionalProperties : undefined;
      setOwn(out, k, pruneValue(v, ap, prunedChild(p, k), pruned));
    } else pruned.push(prunedChild(p, k));
  }
  return out;
}

function skipPrune(x: unknown, s: JSONSchemaProps, p: string, pruned: string[]): unknown {
  if (Array.isArray(x)) {
    const items = isSchema(s.items) ? s.items : undefined;
    return items === undefined ? x : x.map((v, i) => skipPrune(v, items, `${p}[${i}]`, pruned));
  }
  if (!isPlainObject(x)) return x;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const props = isSchemaMap(s.properties) ? s.properties : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (embedded && META_FIELDS.has(k)) setOwn(out, k, v);
    else if (props !== undefined && hasOwn(props, k))
      setOwn(out, k, pruneValue(v, props[k], prunedChild(p, k), pruned));
    else if (s.additionalProperties !== undefined) {
      const ap = isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
      setOwn(out, k, pruneValue(v, ap, prunedChild(p, k), pruned));
    } else setOwn(out, k, v);
  }
  return out;
}
