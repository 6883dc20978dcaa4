/** Field semantics of a custom resource from its CRD's structural OpenAPI v3 schema. */
import type { FieldTypeInfo, TypeInfo, TypeInfoTable } from './types.ts';
import { typeInfoFromTable } from './types.ts';
import { objectMetaTable } from './builtin.ts';

type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

const fieldInfo = (schema: Schema): FieldTypeInfo | undefined => {
  const info: FieldTypeInfo = {};
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') {
    info.list = { listType };
    const keys = schema['x-kubernetes-list-map-keys'];
    if (listType === 'map' && Array.isArray(keys)) {
      info.list.keys = keys.filter((k): k is string => typeof k === 'string');
      const items = schema['items'];
      const props = isSchema(items) && isSchema(items['properties']) ? items['properties'] : undefined;
      const defaults: Record<string, unknown> = {};
      for (const k of info.list.keys) {
        const p = props?.[k];
        if (isSchema(p) && p['default'] !== undefined) defaults[k] = p['default'];
      }
      if (Object.keys(defaults).length > 0) info.list.keyDefaults = defaults;
    }
  }
  const mapType = schema['x-kubernetes-map-type'];
  if (mapType === 'atomic' || mapType === 'granular') info.mapType = mapType;
  if (isSchema(schema['additionalProperties']) || schema['additionalProperties'] === true) info.isMap = true;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) info.preserveUnknownFields = true;
  return Object.keys(info).length === 0 ? undefined : info;
};

const walk = (schema: Schema, path: string[], out: Record<string, FieldTypeInfo>, depth: number): void => {
  if (depth > 64) return; // structural schemas are finite trees; guard against pathological input anyway
  const info = fieldInfo(schema);
  if (info !== undefined) {
    const key = path.join('.');
    out[key] = { ...info, ...out[key] };
  }
  const props = schema['properties'];
  if (isSchema(props)) {
    for (const [name, child] of Object.entries(props)) {
      if (isSchema(child)) walk(child, [...path, name], out, depth + 1);
    }
  }
  const additional = schema['additionalProperties'];
  if (isSchema(additional)) walk(additional, [...path, '*'], out, depth + 1);
  // list items are addressed by the list's own path
  const items = schema['items'];
  if (isSchema(items)) walk(items, path, out, depth + 1);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const alts = schema[key];
    if (Array.isArray(alts)) for (const alt of alts) if (isSchema(alt)) walk(alt, path, out, depth + 1);
  }
};

/**
 * The field semantics of a custom resource from `x-kubernetes-list-type`, `x-kubernetes-list-map-keys`
 * and `x-kubernetes-map-type` in its `openAPIV3Schema`, plus the ObjectMeta rules every object shares.
 * CRDs carry no strategic-merge-patch metadata: the server answers 415 to such patches.
 */
export const crdTypeInfo = (openAPIV3Schema: unknown, objectMeta: TypeInfoTable = objectMetaTable): TypeInfo => {
  const out: Record<string, FieldTypeInfo> = {};
  if (isSchema(openAPIV3Schema)) walk(openAPIV3Schema, [], out, 0);
  // a list item path equals its list path; the walk records the list's rule first, keep it
  return typeInfoFromTable(objectMeta, out);
};
