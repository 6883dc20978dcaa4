// Helm 3.18.0's template functions (pkg/engine/funcs.go and the late-bound ones of engine.go): Sprig without env and
// expandenv, plus toToml, fromToml, toYaml, toYamlPretty, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray,
// include, tpl, required, fail, lookup and getHostByName (DNS disabled, as `helm template` runs).
import { marshal, unmarshal } from '../sprig/json.ts';
import { sprigFuncs, type SprigOptions } from '../sprig/index.ts';
import type { Template } from '../template/exec.ts';
import { goQuote } from '../template/fmt.ts';
import { GoFunc, isMap, type FuncMap } from '../template/values.ts';
import { fromToml, toToml } from './toml.ts';
import { fromYaml, fromYamlArray, toYaml, toYamlPretty } from './yaml.ts';

/** The `lookup` backend: the object (or list) as a JSON-like map; `{}` when there is none. */
export type LookupFn = (apiVersion: string, kind: string, namespace: string, name: string) => Record<string, unknown>;

const WARN_START = 'HELM_ERR_START';
const WARN_END = 'HELM_ERR_END';
const RECURSION_MAX = 1000;

/** Wraps a `required`/`fail` message so that the engine can find it in the final error (warnWrap). */
export function warnWrap(warn: string): string {
  return WARN_START + warn + WARN_END;
}

/** The message inside warn delimiters of an error text, as Helm's warnRegex finds it. */
export function warnMessage(text: string): string | undefined {
  // Go's `HELM_ERR_START((?s).*)HELM_ERR_END`: greedy, across lines.
  const m = /HELM_ERR_START([\s\S]*)HELM_ERR_END/.exec(text);
  return m === null ? undefined : m[1];
}

function typeOfJson(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return 'object';
}

/** funcs.go's funcMap: Sprig (without env/expandenv) and Helm's value functions. */
export function helmFuncMap(sprig: SprigOptions = {}): FuncMap {
  const f: FuncMap = sprigFuncs(sprig);
  delete f['env'];
  delete f['expandenv'];
  const A = 'any' as const;
  const S = 'string' as const;
  const extra: FuncMap = {
    toToml: new GoFunc([A], (v: unknown) => toToml(v), { typeName: 'func(interface {}) string' }),
    fromToml: new GoFunc([S], (s: string) => fromToml(s), { typeName: 'func(string) map[string]interface {}' }),
    toYaml: new GoFunc([A], (v: unknown) => toYaml(v), { typeName: 'func(interface {}) string' }),
    toYamlPretty: new GoFunc([A], (v: unknown) => toYamlPretty(v), { typeName: 'func(interface {}) string' }),
    fromYaml: new GoFunc([S], (s: string) => fromYaml(s), { typeName: 'func(string) map[string]interface {}' }),
    fromYamlArray: new GoFunc([S], (s: string) => fromYamlArray(s), { typeName: 'func(string) []interface {}' }),
    toJson: new GoFunc(
      [A],
      (v: unknown) => {
        try {
          return marshal(v, true);
        } catch {
          return '';
        }
      },
      { typeName: 'func(interface {}) string' },
    ),
    mustToJson: new GoFunc([A], (v: unknown) => marshal(v, true), { typeName: 'func(interface {}) (string, error)' }),
    fromJson: new GoFunc(
      [S],
      (s: string) => {
        try {
          const v = unmarshal(s);
          if (v === null) return {};
          if (!isMap(v))
            return { Error: `json: cannot unmarshal ${typeOfJson(v)} into Go value of type map[string]interface {}` };
          return v;
        } catch (e) {
          return { Error: (e as Error).message };
        }
      },
      { typeName: 'func(string) map[string]interface {}' },
    ),
    fromJsonArray: new GoFunc(
      [S],
      (s: string) => {
        try {
          const v = unmarshal(s);
          if (v === null) return [];
          if (!Array.isArray(v))
            return [`json: cannot unmarshal ${typeOfJson(v)} into Go value of type []interface {}`];
          return v;
        } catch (e) {
          return [(e as Error).message];
        }
      },
      { typeName: 'func(string) []interface {}' },
    ),
    lookup: new GoFunc([S, S, S, S], () => ({}), {
      typeName: 'func(string, string, string, string) (map[string]interface {}, error)',
    }),
  };
  return Object.assign(f, extra);
}

/** What the late-bound functions need: strictness, lint mode, the lookup backend. */
export interface EngineFuncOptions {
  strict: boolean;
  lintMode?: boolean;
  lookup?: LookupFn;
}

function includeFun(t: Template, includedNames: Map<string, number>): GoFunc {
  return new GoFunc(
    ['string', 'any'],
    (name: string, data: unknown) => {
      const v = includedNames.get(name);
      if (v !== undefined) {
        if (v > RECURSION_MAX) {
          throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
        }
        includedNames.set(name, v + 1);
      } else includedNames.set(name, 1);
      try {
        return t.executeTemplate(name, data);
      } catch (e) {
        // Go stops at 1000 nested includes; a JavaScript stack smaller than that ends the recursion here instead.
        if (e instanceof RangeError) {
          throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`, {
            cause: e,
          });
        }
        throw e;
      } finally {
        includedNames.set(name, (includedNames.get(name) ?? 1) - 1);
      }
    },
    { typeName: 'func(string, interface {}) (string, error)' },
  );
}

function tplFun(parent: Template, includedNames: Map<string, number>, strict: boolean): GoFunc {
  return new GoFunc(
    ['string', 'any'],
    (tpl: string, vals: unknown) => {
      const t = parent.clone();
      t.option(strict ? 'missingkey=error' : 'missingkey=zero');
      t.funcs({ include: includeFun(t, includedNames), tpl: tplFun(t, includedNames, strict) });
      const nt = t.new(parent.name);
      try {
        nt.parse(tpl);
      } catch (e) {
        throw new Error(`cannot parse template ${goQuote(tpl)}: ${(e as Error).message}`, { cause: e });
      }
      let out: string;
      try {
        out = nt.execute(vals);
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        throw new Error(`error during tpl function execution for ${goQuote(tpl)}: ${e.message}`, { cause: e });
      }
      return out.split('<no value>').join('');
    },
    { typeName: 'func(string, interface {}) (string, error)' },
  );
}

/** Installs Helm's late-bound functions on the root template of a render (initFunMap). */
export function initFunMap(t: Template, opts: EngineFuncOptions, sprig: SprigOptions = {}): void {
  const f = helmFuncMap(sprig);
  const includedNames = new Map<string, number>();
  f['include'] = includeFun(t, includedNames);
  f['tpl'] = tplFun(t, includedNames, opts.strict);
  f['required'] = new GoFunc(
    ['string', 'any'],
    (warn: string, val: unknown) => {
      if (val === null || val === undefined || val === '') {
        if (opts.lintMode ?? false) return '';
        throw new Error(warnWrap(warn));
      }
      return val;
    },
    { typeName: 'func(string, interface {}) (interface {}, error)' },
  );
  f['fail'] = new GoFunc(
    ['string'],
    (msg: string) => {
      if (opts.lintMode ?? false) return '';
      throw new Error(warnWrap(msg));
    },
    { typeName: 'func(string) (string, error)' },
  );
  const lookup = opts.lookup;
  if (lookup !== undefined && !(opts.lintMode ?? false)) {
    f['lookup'] = new GoFunc(['string', 'string', 'string', 'string'], lookup, {
      typeName: 'func(string, string, string, string) (map[string]interface {}, error)',
    });
  }
  f['getHostByName'] = new GoFunc(['string'], () => '', { typeName: 'func(string) string' });
  t.funcs(f);
}
