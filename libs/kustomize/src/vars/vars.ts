/** kustomize `vars`: `$(VAR)` references expanded in the var-reference field specs. */
import type { ResId, SelectOptions } from '../patches/index.ts';
import type { KObject } from '../resource.ts';
import { effectiveNamespace, resIdOf } from '../patches/index.ts';
import { getFieldValue } from '../replacements/index.ts';
import type { VarRefFieldSpec } from './default-specs.ts';
import { DEFAULT_VAR_REFERENCE_FIELD_SPECS } from './default-specs.ts';

/** One `vars` entry. */
export interface Var {
  name: string;
  objref: { apiVersion?: string; group?: string; version?: string; kind?: string; name?: string; namespace?: string };
  fieldref?: { fieldpath?: string };
}

/** The result of {@link resolveVarsDetailed}. */
export interface ResolvedVars {
  resources: KObject[];
  /** Values of each var. */
  values: Record<string, unknown>;
  /** Vars never referenced (kustomize logs "well-defined vars that were never replaced"). */
  unused: string[];
}

const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const objrefGv = (ref: Var['objref']): { group?: string; version?: string } => {
  if (ref.apiVersion !== undefined && ref.apiVersion !== '') {
    const slash = ref.apiVersion.indexOf('/');
    return slash < 0
      ? { group: '', version: ref.apiVersion }
      : { group: ref.apiVersion.slice(0, slash), version: ref.apiVersion.slice(slash + 1) };
  }
  return { group: ref.group, version: ref.version };
};

/** Go's `%v` of a kustomize Var: `{NAME Kind.version.group {fieldpath}}`. */
const fmtVar = (v: Var): string => {
  const { group, version } = objrefGv(v.objref);
  return `{${v.name} ${v.objref.kind || '[noKind]'}.${version || '[noVer]'}.${group || '[noGrp]'} {${v.fieldref?.fieldpath || 'metadata.name'}}}`;
};

const matchesObjref = (id: ResId, v: Var, options: SelectOptions): boolean => {
  const { group, version } = objrefGv(v.objref);
  if (group !== undefined && group !== id.group) return false;
  if (version !== undefined && version !== '' && version !== id.version) return false;
  if (v.objref.kind && v.objref.kind !== id.kind) return false;
  if ((v.objref.name ?? '') !== id.name) return false;
  if (
    v.objref.namespace &&
    effectiveNamespace({ ...id, namespace: v.objref.namespace }, options) !== effectiveNamespace(id, options)
  )
    return false;
  return true;
};

/**
 * Kubernetes `$(VAR)` expansion (k8s.io third_party expansion, as kustomize uses it): `$$` is a literal `$`,
 * unknown variables are left as `$(NAME)`. A string that is exactly one reference to a non-string value yields
 * that value (so `$(PORT)` can become a number).
 */
export const expandVarRefs = (
  input: string,
  lookup: (name: string) => { found: boolean; value: unknown },
  count?: (name: string) => void,
): unknown => {
  const whole = /^\$\(([^)]*)\)$/.exec(input);
  if (whole) {
    const r = lookup(whole[1] as string);
    if (r.found) {
      count?.(whole[1] as string);
      if (typeof r.value !== 'string') return r.value;
    }
  }
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1] as string;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      const r = lookup(name);
      if (r.found) {
        count?.(name);
        out += typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
      } else out += `$(${name})`;
      i = close + 1;
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
};

const specApplies = (spec: VarRefFieldSpec, id: ResId): boolean =>
  (!spec.kind || spec.kind === id.kind) &&
  (!spec.group || spec.group === id.group) &&
  (!spec.version || spec.version === id.version);

const expandAt = (node: unknown, path: readonly string[], expand: (s: string) => unknown): unknown => {
  if (Array.isArray(node)) return node.map((item) => expandAt(item, path, expand));
  if (path.length === 0) {
    if (typeof node === 'string') return expand(node);
    if (isObject(node))
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, typeof v === 'string' ? expand(v) : v]));
    return node;
  }
  if (!isObject(node)) return node;
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(node, head)) return node;
  return { ...node, [head]: expandAt(node[head], rest, expand) };
};

/** Resolves `vars` and expands `$(VAR)` references; also reports values and unused vars. */
export const resolveVarsDetailed = (
  resources: readonly KObject[],
  vars: readonly Var[],
  fieldSpecs: readonly VarRefFieldSpec[] = DEFAULT_VAR_REFERENCE_FIELD_SPECS,
  options: SelectOptions = {},
): ResolvedVars => {
  const values: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const v of vars) {
    if (seen.has(v.name)) throw new Error(`var '${v.name}' already encountered`);
    seen.add(v.name);
    const matched = resources.filter((r) =>
      [resIdOf(r), ...(options.previousIds?.(r) ?? [])].some((id) => matchesObjref(id, v, options)),
    );
    if (matched.length > 1)
      throw new Error(`found ${matched.length} resId matches for var ${fmtVar(v)} (unable to disambiguate)`);
    const target = matched[0];
    if (target === undefined)
      throw new Error(`var '${fmtVar(v)}' cannot be mapped to a field in the set of known resources`);
    const fieldPath = v.fieldref?.fieldpath || 'metadata.name';
    const value = getFieldValue(target, fieldPath);
    if (value === undefined) throw new Error(`failed to resolve var ${v.name}: field ${fieldPath} not found`);
    if (isObject(value) || Array.isArray(value))
      throw new Error(`failed to resolve var ${v.name}: field ${fieldPath} is not a scalar`);
    values[v.name] = value;
  }
  const counts = new Map<string, number>();
  const lookup = (name: string) => ({ found: Object.hasOwn(values, name), value: values[name] });
  const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const expand = (s: string): unknown => expandVarRefs(s, lookup, count);
  const out = resources.map((r) => {
    const id = resIdOf(r);
    let cur: unknown = r;
    for (const spec of fieldSpecs) {
      if (!specApplies(spec, id)) continue;
      cur = expandAt(
        cur,
        spec.path.split('/').filter((p) => p !== ''),
        expand,
      );
    }
    return cur as KObject;
  });
  return { resources: out, values, unused: Object.keys(values).filter((n) => !counts.has(n)) };
};

/** Resolves kustomize `vars` against the resources and returns new resources with `$(VAR)` expanded. */
export const resolveVars = (
  resources: readonly KObject[],
  vars: readonly Var[],
  fieldSpecs: readonly VarRefFieldSpec[] = DEFAULT_VAR_REFERENCE_FIELD_SPECS,
  options: SelectOptions = {},
): KObject[] => resolveVarsDetailed(resources, vars, fieldSpecs, options).resources;
