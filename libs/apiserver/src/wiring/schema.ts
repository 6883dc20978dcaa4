/**
 * The server's view of `@flux-ts/schema`: structural-schema validation, defaulting and pruning of custom
 * resources. Compiled schemas are cached per schema object (the registry keeps one object per CRD version).
 */
import { checkStructural, formatFieldErrorBody, StructuralSchema, type JSONSchemaProps } from '@flux-ts/schema';
import { isObj, setOwn, type Obj } from '../util.ts';

/** One field error (maps to a Status cause). */
export interface SchemaFieldError {
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueTypeInvalid`… */
  type: string;
  field: string;
  message: string;
}

const compiled = new WeakMap<Obj, StructuralSchema>();
const compile = (schema: Obj): StructuralSchema => {
  let s = compiled.get(schema);
  if (!s) {
    s = new StructuralSchema(schema as JSONSchemaProps);
    compiled.set(schema, s);
  }
  return s;
};

/** Validate a value against an OpenAPI v3 structural schema. */
export const validateSchema = (schema: Obj, value: unknown, rootPath = ''): SchemaFieldError[] =>
  compile(schema)
    .validate(value, rootPath === '' ? {} : { rootPath })
    .map((e) => ({ type: e.type, field: e.field, message: formatFieldErrorBody(e) }));

/**
 * Replace an object's content in place, keeping its `metadata` object (callers hold references to it). Keys are
 * copied as own properties: a `__proto__` key stays data (`Object.assign` would set the prototype).
 */
const replaceContents = (target: Obj, value: unknown): void => {
  const metadata = target['metadata'];
  for (const k of Object.keys(target)) delete target[k];
  if (isObj(value)) for (const [k, v] of Object.entries(value)) setOwn(target, k, v);
  if (metadata !== undefined) target['metadata'] = metadata;
};

/** Apply `default` values from the schema (in place). */
export const applySchemaDefaults = (schema: Obj, value: Obj): void => {
  replaceContents(value, compile(schema).applyDefaults(value));
};

/** Drop fields the schema does not declare (in place). Returns the dotted paths removed. */
export const pruneSchema = (schema: Obj, value: Obj, isResourceRoot = true): string[] => {
  const r = compile(schema).prune(value, { isResourceRoot });
  replaceContents(value, r.value);
  return r.pruned;
};

/** Structural-schema checks of a CRD version's schema (`rootPath` like `spec.versions[0].schema.openAPIV3Schema`). */
export const checkCrdSchema = (schema: Obj, rootPath: string): SchemaFieldError[] =>
  checkStructural(schema as JSONSchemaProps, { rootPath }).map((e) => ({
    type: e.type,
    field: e.field,
    message: formatFieldErrorBody(e),
  }));
