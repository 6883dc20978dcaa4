// `crds:` files (kustomize's LoadConfigFromCRDs): a map of OpenAPI definition names to `{ Schema, Dependencies }`
// (the Go openapi-gen format, JSON or YAML). Properties of definitions that look like Kubernetes types (they have
// `kind`, `apiVersion` and `metadata`), followed through `$ref`s to other definitions of the same file, give field
// specs to the builtin transformers:
// - `x-kubernetes-annotation` → commonAnnotations, `x-kubernetes-label-selector` → commonLabels,
//   `x-kubernetes-identity` → namePrefix;
// - `x-kubernetes-object-ref-api-version` + `x-kubernetes-object-ref-kind` (+ `x-kubernetes-object-ref-name-key`,
//   default `name`) → a nameReference from that kind to `<property>/<name key>`.
// The referring kind is the definition name's last dot-separated segment (no group or version), as in kustomize.
// They give no strategic-merge information (kustomize does not read patch strategies from them).
import { parse } from 'yaml';
import type { FieldSpec } from './field-specs.ts';
import { isMap, KustomizeError, type KObject } from './resource.ts';
import { emptyConfig, type TransformerConfig } from './transformer-config.ts';

type Definitions = Record<string, KObject>;

const propsOf = (def: KObject | undefined): Record<string, KObject> => {
  const schema = def && isMap(def['Schema']) ? def['Schema'] : undefined;
  const props = schema && isMap(schema['properties']) ? schema['properties'] : {};
  return Object.fromEntries(Object.entries(props).filter(([, v]) => isMap(v))) as Record<string, KObject>;
};

const looksLikeK8sType = (def: KObject): boolean => {
  const p = propsOf(def);
  return 'kind' in p && 'apiVersion' in p && 'metadata' in p;
};

const ext = (prop: KObject, name: string): string | undefined => {
  const v = prop[name];
  return typeof v === 'string' ? v : undefined;
};

function loadInto(cfg: TransformerConfig, kind: string, defs: Definitions, typeName: string, path: string[]): void {
  const def = defs[typeName];
  if (def === undefined) return;
  const spec = (p: string[]): FieldSpec => ({ kind, path: p.join('/'), create: false });
  for (const [name, prop] of Object.entries(propsOf(def))) {
    const here = [...path, name];
    if (ext(prop, 'x-kubernetes-annotation') !== undefined) cfg.commonAnnotations.push(spec(here));
    if (ext(prop, 'x-kubernetes-label-selector') !== undefined) cfg.commonLabels.push(spec(here));
    if (ext(prop, 'x-kubernetes-identity') !== undefined) cfg.namePrefix.push(spec(here));
    const version = ext(prop, 'x-kubernetes-object-ref-api-version');
    const refKind = ext(prop, 'x-kubernetes-object-ref-kind');
    if (version !== undefined && refKind !== undefined) {
      const key = ext(prop, 'x-kubernetes-object-ref-name-key') ?? 'name';
      cfg.nameReference.push({ target: { kind: refKind, version }, referrers: [spec([...here, key])] });
    }
    const ref = ext(prop, '$ref');
    if (ref !== undefined && ref !== '') loadInto(cfg, kind, defs, ref, here);
  }
}

/** Parses one `crds:` file into transformer field specs. `paths` is the whole `crds` list (for messages). */
export function loadCrdConfig(text: string, file: string, paths: readonly string[]): TransformerConfig {
  const fail = (cause: string): never => {
    throw new KustomizeError(
      `loading CRDs [${paths.join(' ')}]: unable to parse open API definition from '${file}': ${cause}`,
    );
  };
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text, { version: '1.1' });
  } catch (err) {
    return fail((err as Error).message);
  }
  const cfg = emptyConfig();
  if (doc === null || doc === undefined) return cfg;
  if (!isMap(doc as KObject)) {
    return fail(
      'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type accumulator.nameToApiMap',
    );
  }
  const defs = doc as Definitions;
  for (const v of Object.values(defs)) {
    if (!isMap(v)) {
      const t = Array.isArray(v)
        ? 'array'
        : typeof v === 'number'
          ? 'number'
          : typeof v === 'boolean'
            ? 'bool'
            : 'string';
      fail(
        `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${t} into Go value of type accumulator.OpenAPIDefinition`,
      );
    }
  }
  for (const name of Object.keys(defs).sort()) {
    const def = defs[name] as KObject;
    if (!looksLikeK8sType(def)) continue;
    const segs = name.split('.');
    loadInto(cfg, segs[segs.length - 1] ?? name, defs, name, []);
  }
  return cfg;
}
