/**
 * Structural schemas of the built-in kinds, derived from the model metadata @kubernetes/client-node ships
 * (`attributeTypeMap`: JSON name and type of every field, generated from the Kubernetes OpenAPI). The server uses
 * them to drop (and, under Strict field validation, reject) unknown fields of built-in objects at any depth, as
 * the typed decoding of a real API server does, and to publish useful OpenAPI v3 schemas (`kubectl explain`).
 */
import * as k8s from '@kubernetes/client-node';
import type { Obj } from './util.ts';

interface Attribute {
  baseName: string;
  type: string;
  format?: string;
}

const models = k8s as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>;

const capitalize = (s: string): string => (s === '' ? s : `${s[0]!.toUpperCase()}${s.slice(1)}`);

/** Class names client-node uses for a kind (`CoreV1Event`, `EventsV1Event`, `V1Deployment`). */
const classCandidates = (group: string, version: string, kind: string): string[] => {
  const ver = capitalize(version);
  const prefix = group === '' ? 'Core' : capitalize(group.split('.')[0] as string);
  return [`${prefix}${ver}${kind}`, `${ver}${kind}`];
};

const PRESERVE: Obj = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Go type names of scalar schema nodes (for decode error messages), kept outside the schema objects. */
const goTypes = new WeakMap<Obj, string>();
/** Go struct names of object schema nodes (`DeploymentSpec`). */
const structNames = new WeakMap<Obj, string>();

const typeSchema = (type: string, format: string | undefined, stack: string[]): Obj => {
  const t = type.trim();
  if (t === 'string') return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
  if (t === 'Date') return { type: 'string', format: 'date-time' };
  if (t === 'number') {
    const n: Obj = format === 'double' ? { type: 'number' } : { type: 'integer' };
    goTypes.set(n, format === 'double' ? 'float64' : format === 'int64' ? 'int64' : 'int32');
    return n;
  }
  if (t === 'boolean') return { type: 'boolean' };
  if (t === 'IntOrString') return { 'x-kubernetes-int-or-string': true };
  if (t === 'any' || t === 'object') return PRESERVE;
  const arr = t.match(/^Array<(.+)>$/);
  if (arr) return { type: 'array', items: typeSchema(arr[1] as string, undefined, stack) };
  const map = t.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1] as string, undefined, stack) };
  return classSchema(t, stack) ?? PRESERVE;
};

const classSchema = (name: string, stack: string[]): Obj | undefined => {
  const model = models[name];
  if (!model?.attributeTypeMap) return undefined;
  // recursive types (JSONSchemaProps) stay open below the first level
  if (stack.includes(name)) return PRESERVE;
  const properties: Obj = {};
  for (const a of model.attributeTypeMap) properties[a.baseName] = typeSchema(a.type, a.format, [...stack, name]);
  const out: Obj = { type: 'object', properties };
  structNames.set(out, name.replace(/^(?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?/, ''));
  return out;
};

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;

/**
 * The first scalar type mismatch of a built-in object, worded like Go's encoding/json
 * (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`), or undefined.
 */
export const builtinDecodeError = (schema: Obj, value: unknown): string | undefined => {
  const walk = (s: Obj, v: unknown, path: string, struct: string): string | undefined => {
    if (v === null || v === undefined) return undefined;
    const t = s['type'];
    const where = `Go struct field ${struct}.${path}`;
    if (t === 'integer' || t === 'number') {
      if (typeof v !== 'number')
        return `json: cannot unmarshal ${jsonType(v)} into ${where} of type ${goTypes.get(s) ?? 'int32'}`;
      if (t === 'integer' && !Number.isInteger(v))
        return `json: cannot unmarshal number ${v} into ${where} of type ${goTypes.get(s) ?? 'int32'}`;
      return undefined;
    }
    if (t === 'string')
      return typeof v === 'string' ? undefined : `json: cannot unmarshal ${jsonType(v)} into ${where} of type string`;
    if (t === 'boolean')
      return typeof v === 'boolean' ? undefined : `json: cannot unmarshal ${jsonType(v)} into ${where} of type bool`;
    if (t === 'array' && Array.isArray(v) && typeof s['items'] === 'object') {
      for (const x of v) {
        const e = walk(s['items'] as Obj, x, path, struct);
        if (e) return e;
      }
      return undefined;
    }
    if (t === 'object' && typeof v === 'object' && !Array.isArray(v)) {
      const props = s['properties'] as Obj | undefined;
      const ap = s['additionalProperties'] as Obj | undefined;
      const name = structNames.get(s) ?? struct;
      for (const [k, x] of Object.entries(v as Obj)) {
        const field = props?.[k] as Obj | undefined;
        const ps = field ?? ap;
        if (!ps) continue;
        // Go names struct fields in the path, not map keys
        const e = walk(ps, x, field ? (path === '' ? k : `${path}.${k}`) : path, name);
        if (e) return e;
      }
    }
    return undefined;
  };
  return walk(schema, value, '', structNames.get(schema) ?? '');
};

const cache = new Map<string, Obj | null>();

/** The schema of a built-in kind, or undefined when client-node has no model for it. */
export const builtinSchema = (group: string, version: string, kind: string): Obj | undefined => {
  const key = `${group}/${version}/${kind}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let schema: Obj | undefined;
  for (const c of classCandidates(group, version, kind)) {
    schema = classSchema(c, []);
    if (schema) break;
  }
  if (schema && group === 'apiextensions.k8s.io') {
    // the CRD's own openAPIV3Schema is free-form JSON Schema
    schema = openSchemaProps(schema);
  }
  cache.set(key, schema ?? null);
  return schema;
};

const openSchemaProps = (s: Obj): Obj => {
  const walk = (x: unknown): unknown => {
    if (typeof x !== 'object' || x === null) return x;
    if (Array.isArray(x)) return x.map(walk);
    const o = x as Obj;
    const out: Obj = {};
    for (const [k, v] of Object.entries(o)) out[k] = k === 'openAPIV3Schema' ? PRESERVE : walk(v);
    return out;
  };
  return walk(s) as Obj;
};
