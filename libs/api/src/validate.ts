/**
 * Structural validation of whole objects of the Flux kinds with Kubernetes field paths: the `@flux-ts/api/validate`
 * entry, kept out of the package's main entry so that the controllers, which never validate objects themselves, do
 * not load @flux-ts/schema and its CEL engine at start (issue 22).
 */
import { StructuralSchema, type FieldError } from '@flux-ts/schema';
import type { KindDefinition } from './define.ts';
import { findEntry, kindEntries, kindSchema, parseApiVersion } from './registry.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Validates objects of the Flux kinds like the kube-apiserver does on create: the kind must be served,
 * `metadata.name` (or `generateName`) must be set, CRD defaults are applied, then the structural schema
 * (types, required, enums, patterns, formats, CEL rules) is checked. Schemas are compiled once per instance.
 */
export class KindValidator {
  readonly #schemas = new Map<KindDefinition, StructuralSchema>();

  /** Returns the field errors of an object; an empty list when it is valid. */
  validate(obj: unknown): FieldError[] {
    if (!isRecord(obj)) {
      return [{ type: 'FieldValueTypeInvalid', field: '<root>', badValue: obj, detail: 'must be an object' }];
    }
    const apiVersion = obj['apiVersion'];
    const kind = obj['kind'];
    const errors: FieldError[] = [];
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      errors.push({ type: 'FieldValueRequired', field: 'apiVersion', detail: 'apiVersion must be set' });
    }
    if (typeof kind !== 'string' || kind === '') {
      errors.push({ type: 'FieldValueRequired', field: 'kind', detail: 'kind must be set' });
    }
    if (errors.length > 0 || typeof apiVersion !== 'string' || typeof kind !== 'string') return errors;

    const entry = findEntry(apiVersion, kind);
    if (entry === undefined) {
      const { group, version } = parseApiVersion(apiVersion);
      const sameKind = kindEntries.find((e) => e.definition.group === group && e.definition.kind === kind);
      if (sameKind !== undefined) {
        return [
          {
            type: 'FieldValueNotSupported',
            field: 'apiVersion',
            badValue: apiVersion,
            detail: `no matches for kind "${kind}" in version "${apiVersion}"; served versions: ${sameKind.definition.versions
              .map((v) => `${group}/${v.name}`)
              .join(', ')}`,
          },
        ];
      }
      return [
        {
          type: 'FieldValueNotSupported',
          field: 'kind',
          badValue: kind,
          detail: `no matches for kind "${kind}" in version "${group === '' ? version : apiVersion}"`,
        },
      ];
    }

    const metadata = obj['metadata'];
    const name = isRecord(metadata) ? metadata['name'] : undefined;
    const generateName = isRecord(metadata) ? metadata['generateName'] : undefined;
    if ((typeof name !== 'string' || name === '') && (typeof generateName !== 'string' || generateName === '')) {
      errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
    }
    const schema = this.#schema(entry.definition);
    errors.push(...schema.validate(schema.applyDefaults(obj)));
    return errors;
  }

  #schema(def: KindDefinition): StructuralSchema {
    let schema = this.#schemas.get(def);
    if (schema === undefined) {
      schema = new StructuralSchema(kindSchema(def));
      this.#schemas.set(def, schema);
    }
    return schema;
  }
}

/**
 * Validates one object of a Flux kind (see {@link KindValidator}); unknown kinds and versions give an error
 * on `kind` or `apiVersion`. Compiles the kind's schema on each call: use a KindValidator for many objects.
 */
export function validate(obj: unknown): FieldError[] {
  return new KindValidator().validate(obj);
}
