/**
 * `x-kubernetes-validations` (CEL) with @bufbuild/cel: compiling rules, converting unstructured values the way
 * apiextensions' UnstructuredToVal does (integer → int, number → double, declared property names escaped), and
 * evaluating with `self` bound. `oldSelf` is never bound (create semantics).
 */
import { celEnv, celFunc, celMethod, CelScalar, isCelError, listType, parse, plan } from '@bufbuild/cel';
import type { CelEnv, CelInput, CelList, CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { isJsonInteger } from './go-format.ts';
import type { JSONSchemaProps, ValidationRule } from './types.ts';

type Program = (ctx: { self: CelInput }) => CelResult;

/** A compiled rule: either the programs or the reason it did not compile. */
export type CompiledRule =
  | { readonly ok: true; readonly rule: ValidationRule; readonly program: Program; readonly message?: Program }
  | { readonly ok: false; readonly rule: ValidationRule; readonly error: string };

function listValues(l: CelList): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < l.size; i++) out.push(l.get(i));
  return out;
}

function compareCel(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload');
}

/** A subset of the Kubernetes CEL libraries (lists, regex) on top of the standard library and strings. */
function kubernetesFuncs() {
  const dynList = listType(CelScalar.DYN);
  return [
    celMethod('isSorted', dynList, [], CelScalar.BOOL, function () {
      const v = listValues(this);
      for (let i = 1; i < v.length; i++) if (compareCel(v[i - 1], v[i]) > 0) return false;
      return true;
    }),
    celMethod('indexOf', dynList, [CelScalar.DYN], CelScalar.INT, function (x) {
      const v = listValues(this);
      return BigInt(v.findIndex((e) => compareSafe(e, x)));
    }),
    celMethod('lastIndexOf', dynList, [CelScalar.DYN], CelScalar.INT, function (x) {
      const v = listValues(this);
      let idx = -1;
      v.forEach((e, i) => {
        if (compareSafe(e, x)) idx = i;
      });
      return BigInt(idx);
    }),
    celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (re) {
      return findAll(this, re, 1)[0] ?? '';
    }),
    celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (re) {
      return findAll(this, re, -1);
    }),
    celMethod(
      'findAll',
      CelScalar.STRING,
      [CelScalar.STRING, CelScalar.INT],
      listType(CelScalar.STRING),
      function (re, n) {
        return findAll(this, re, Number(n));
      },
    ),
    celFunc('isSorted', [dynList], CelScalar.BOOL, (l) => {
      const v = listValues(l);
      for (let i = 1; i < v.length; i++) if (compareCel(v[i - 1], v[i]) > 0) return false;
      return true;
    }),
  ];
}

function compareSafe(a: unknown, b: unknown): boolean {
  try {
    return compareCel(a, b) === 0;
  } catch {
    return false;
  }
}

// RE2JS only exposes boolean matching, so find/findAll use a JS RegExp (u flag); Go-only syntax fails the call.
function findAll(s: string, pattern: string, n: number): string[] {
  const re = new RegExp(pattern, 'gu');
  const out: string[] = [];
  for (const m of s.matchAll(re)) {
    if (n >= 0 && out.length >= n) break;
    out.push(m[0]);
  }
  return out;
}

/** Creates the CEL environment used for every rule of one StructuralSchema. */
export function newCelEnv(): CelEnv {
  return celEnv({ funcs: [...strings, ...kubernetesFuncs()] });
}

const RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** The CEL name of a declared property (apiextensions escaping), or undefined when CEL cannot access it. */
export function escapePropertyName(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  const escaped = name
    .replaceAll('__', '__underscores__')
    .replaceAll('.', '__dot__')
    .replaceAll('-', '__dash__')
    .replaceAll('/', '__slash__');
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(escaped) ? escaped : undefined;
}

/**
 * Converts an unstructured value to a CEL input following the schema (UnstructuredToVal): objects become maps,
 * integral numbers in int64 range `int`, others `double`. Without a schema every field is kept.
 */
export function toCel(v: unknown, s?: JSONSchemaProps): CelInput {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return isJsonInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const m = new Map<string, CelInput>();
    const props = s?.properties;
    const ap = s?.additionalProperties;
    const embedded = s?.['x-kubernetes-embedded-resource'] === true;
    for (const [k, val] of Object.entries(obj)) {
      if (props !== undefined && Object.hasOwn(props, k)) {
        const name = escapePropertyName(k);
        if (name !== undefined) m.set(name, toCel(val, props[k]));
      } else if (embedded && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) {
        m.set(k, toCel(val, undefined));
      } else if (typeof ap === 'object') {
        m.set(k, toCel(val, ap));
      } else if (props === undefined) {
        m.set(k, toCel(val, undefined));
      }
    }
    return m;
  }
  return null;
}

function compileOne(env: CelEnv, expr: string): Program {
  return plan(env, parse(expr)) as unknown as Program;
}

/** Compiles a rule (and its messageExpression); never throws. */
export function compileRule(env: CelEnv, rule: ValidationRule): CompiledRule {
  if (typeof rule?.rule !== 'string') return { ok: false, rule, error: 'rule must be a string' };
  let program: Program;
  try {
    program = compileOne(env, rule.rule);
  } catch (err) {
    return { ok: false, rule, error: err instanceof Error ? err.message : String(err) };
  }
  if (typeof rule.messageExpression === 'string' && rule.messageExpression.length > 0) {
    try {
      return { ok: true, rule, program, message: compileOne(env, rule.messageExpression) };
    } catch (err) {
      return { ok: false, rule, error: `messageExpression: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return { ok: true, rule, program };
}

/** The outcome of evaluating one rule. */
export type RuleOutcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly message: string }
  | { readonly kind: 'error'; readonly error: string };

// cel-go words some runtime errors differently from @bufbuild/cel; map the common ones to cel-go's text.
function celErrorText(msg: string): string {
  const m = /^field not found: (.*)$/.exec(msg);
  if (m) return `no such key: ${m[1]}`;
  return msg;
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.trim().length > 0 ? rule.message.trim() : rule.rule.trim();
}

/** Evaluates a compiled rule against `self`; never throws. */
export function evalRule(c: CompiledRule & { ok: true }, self: CelInput): RuleOutcome {
  let r: CelResult;
  try {
    r = c.program({ self });
  } catch (err) {
    return {
      kind: 'error',
      error: `${err instanceof Error ? err.message : String(err)} evaluating rule: ${ruleErrorString(c.rule)}`,
    };
  }
  if (isCelError(r))
    return { kind: 'error', error: `${celErrorText(r.message)} evaluating rule: ${ruleErrorString(c.rule)}` };
  if (r === true) return { kind: 'pass' };
  if (typeof r !== 'boolean')
    return { kind: 'error', error: `rule did not evaluate to a bool: ${ruleErrorString(c.rule)}` };
  const fallback =
    c.rule.message !== undefined && c.rule.message.length > 0
      ? c.rule.message.trim()
      : `failed rule: ${ruleErrorString(c.rule)}`;
  if (c.message !== undefined) {
    try {
      const m = c.message({ self });
      if (typeof m === 'string' && m.trim().length > 0 && !m.includes('\n')) return { kind: 'fail', message: m.trim() };
    } catch {
      // fall back to the static message, as the apiserver does when messageExpression fails
    }
  }
  return { kind: 'fail', message: fallback };
}
