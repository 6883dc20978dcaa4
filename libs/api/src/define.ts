/**
 * The shape every Flux kind is declared in, and the helpers that turn a declaration into a CRD.
 *
 * One `KindDefinition` per kind is the single source of truth: TypeScript types come from its TypeBox
 * schemas (`Static<typeof …>`), the CRD YAML in deploy/crds is rendered from it, and `validate()` checks
 * objects against the same OpenAPI schema the API server enforces.
 */
import { Type, type Static, type TSchema, type TObject, type TProperties, type TUnsafe } from '@sinclair/typebox';

/** A CRD printer column (`additionalPrinterColumns`), as `kubectl get` shows it. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
  readonly format?: string;
}

/** One served version of a kind. Every version of a kind shares one schema (`conversion: None`). */
export interface KindVersion {
  /** Version name, e.g. `v1`, `v1beta2`. */
  readonly name: string;
  /** Exactly one version of a kind is the storage version. */
  readonly storage: boolean;
  /** Legacy versions are served with `deprecated: true` and this warning. */
  readonly deprecationWarning?: string;
}

/**
 * A field accepted for compatibility with an older API version but not part of the current upstream
 * API. `normalize()` maps it to its current equivalent or drops it with a warning; nothing is silent.
 */
export interface LegacyField {
  /** Dotted path, `[]` for array items, e.g. `spec.patchesStrategicMerge`. */
  readonly path: string;
  /** The API versions that had the field. */
  readonly versions: readonly string[];
  /** What happens to it: `mapped to spec.patches`, or `ignored: <why>`. */
  readonly handling: string;
}

/** The outcome of mapping a stored object (of any served version) to the current API. */
export interface NormalizeResult<T> {
  readonly object: T;
  /** One line per legacy field that was mapped or ignored, naming the field path. */
  readonly warnings: readonly string[];
}

/** A Flux kind: names, versions, schemas, printer columns and the legacy mapping. */
export interface KindDefinition<TSpec extends TSchema = TSchema, TStatus extends TSchema = TSchema> {
  readonly group: string;
  readonly kind: string;
  /** The controller that reconciles the kind (the CRD's `app.kubernetes.io/component` label). */
  readonly component:
    | 'source-controller'
    | 'kustomize-controller'
    | 'helm-controller'
    | 'notification-controller'
    | 'image-reflector-controller'
    | 'image-automation-controller'
    | 'source-watcher';
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Short description of the kind, put on the root of the OpenAPI schema. */
  readonly description: string;
  /** Current version first; legacy versions after it. */
  readonly versions: readonly KindVersion[];
  readonly spec: TSpec;
  readonly status: TStatus;
  /** Whether `spec` is required on the object (true for every Flux kind). */
  readonly specRequired: boolean;
  readonly printerColumns: readonly PrinterColumn[];
  readonly legacyFields: readonly LegacyField[];
}

// ---------------------------------------------------------------------------------------------
// Schema helpers that keep the OpenAPI output *structural* (no anyOf/patternProperties at the top
// of a type), as Kubernetes requires for CRDs.

/** A string restricted to a fixed set (`enum`), typed as the union of its members. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** `map[string]string` (labels, annotations, substitutions). */
export const StringMap = (options: { description?: string } = {}): TUnsafe<Record<string, string>> =>
  Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' }, ...options });

/** `intstr.IntOrString`. */
export const IntOrString = (options: { description?: string } = {}): TUnsafe<number | string> =>
  Type.Unsafe<number | string>({ 'x-kubernetes-int-or-string': true, ...options });

/** An object whose content is not described (`x-kubernetes-preserve-unknown-fields`), e.g. Helm values. */
export const FreeForm = (options: { description?: string } = {}): TUnsafe<Record<string, unknown>> =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...options });

/** `apiextensionsv1.JSON`: any JSON value (`x-kubernetes-preserve-unknown-fields` without a type). */
export const AnyJSON = (options: { description?: string } = {}): TUnsafe<unknown> =>
  Type.Unsafe<unknown>({ 'x-kubernetes-preserve-unknown-fields': true, ...options });

/** A map from string keys to the given value schema (`additionalProperties`). */
export const MapOf = <T extends TSchema>(
  value: T,
  options: { description?: string } = {},
): TUnsafe<Record<string, Static<T>>> =>
  Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...options });

/** An object schema; a thin alias so kind files read the same way. */
export const Obj = <T extends TProperties>(props: T, options: Record<string, unknown> = {}): TObject<T> =>
  Type.Object(props, options);

/**
 * A copy of a schema with its own description (e.g. a shared reference type used for a specific field).
 * Keeps the schema's static type, so exported schemas stay nameable in declarations.
 */
export const Described = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description });

// ---------------------------------------------------------------------------------------------
// Rendering

/** Returns a plain JSON copy of a TypeBox schema: TypeBox's symbol keys and `$id`s are dropped. */
export function toOpenAPI(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** The OpenAPI v3 schema of a whole object of the kind (`apiVersion`, `kind`, `metadata`, `spec`, `status`). */
export function objectSchema(def: KindDefinition): Record<string, unknown> {
  return {
    description: def.description,
    type: 'object',
    properties: {
      apiVersion: {
        description:
          'APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
        type: 'string',
      },
      kind: {
        description:
          'Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        type: 'string',
      },
      metadata: { type: 'object' },
      spec: toOpenAPI(def.spec),
      status: toOpenAPI(def.status),
    },
    ...(def.specRequired ? { required: ['spec'] } : {}),
  };
}

/** Renders the `apiextensions.k8s.io/v1` CustomResourceDefinition of a kind. */
export function toCRD(def: KindDefinition): Record<string, unknown> {
  const schema = objectSchema(def);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${def.group}`,
      labels: { 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/component': def.component },
      // Like upstream's CRDs: a Kustomization applying them must not run post-build substitution on `${…}` in descriptions.
      annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' },
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: def.listKind,
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
        ...(def.categories.length > 0 ? { categories: [...def.categories] } : {}),
      },
      scope: def.scope,
      ...(def.versions.length > 1 ? { conversion: { strategy: 'None' } } : {}),
      versions: def.versions.map((v) => ({
        name: v.name,
        served: true,
        storage: v.storage,
        ...(v.deprecationWarning !== undefined ? { deprecated: true, deprecationWarning: v.deprecationWarning } : {}),
        ...(def.printerColumns.length > 0
          ? { additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })) }
          : {}),
        schema: { openAPIV3Schema: schema },
        subresources: { status: {} },
      })),
    },
  };
}

/**
 * Lists the field paths a schema declares, dotted, with `[]` for array items:
 * `spec.ref.branch`, `spec.include[].repository.name`. Used to prove that a kind covers the
 * reference's field table.
 */
export function schemaFieldPaths(schema: unknown, prefix = ''): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const props = n['properties'];
    if (props !== null && typeof props === 'object') {
      for (const [key, child] of Object.entries(props as Record<string, unknown>)) {
        const p = path === '' ? key : `${path}.${key}`;
        out.push(p);
        walk(child, p);
      }
    }
    const items = n['items'];
    if (items !== undefined) walk(items, `${path}[]`);
    const additional = n['additionalProperties'];
    if (additional !== null && typeof additional === 'object') walk(additional, `${path}{}`);
  };
  walk(schema, prefix);
  return out;
}
