/**
 * Pieces shared by the five source-controller kinds: API group, categories, printer columns, the common
 * status fields, the ACL type of older versions and the helpers of the normalizers.
 */
import { Type, type TProperties } from '@sinclair/typebox';
import { StringMap, type LegacyField, type PrinterColumn } from '../define.ts';
import { Artifact, Condition, ReconcileRequestStatus } from '../meta/index.ts';

/** The API group of source-controller. */
export const SourceGroup = 'source.toolkit.fluxcd.io';
/** The current (storage) version of the source API. */
export const SourceVersion = 'v1';
/** `source.toolkit.fluxcd.io/v1`. */
export const SourceGroupVersion = `${SourceGroup}/${SourceVersion}`;
/** The CRD categories of every source kind (`kubectl get fluxcd-sources`). */
export const SourceCategories = ['all', 'fluxcd', 'fluxcd-sources'] as const;

/** The deprecation warning of a legacy version, worded like upstream's. */
export const sourceDeprecationWarning = (version: string, kind: string): string =>
  `${version} ${kind} is deprecated, upgrade to ${SourceVersion}`;

/** Printer columns `Ready` and `Status` (from the Ready condition) and `Age`. */
export const readyColumn: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
/** The Ready condition's message. */
export const statusColumn: PrinterColumn = {
  name: 'Status',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].message',
};
/** Creation time. */
export const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** A `meta.LocalObjectReference` with a field-specific description. */
export const localRef = (description: string) =>
  Type.Object({ name: Type.String({ description: 'Name of the referent.' }) }, { description });

/** The `status.artifact` schema of sources: `meta.Artifact` plus the `checksum` of the beta versions. */
export const sourceArtifact = (description: string) =>
  Type.Object(
    {
      ...Artifact.properties,
      checksum: Type.Optional(
        Type.String({
          description: 'Deprecated (v1beta1, v1beta2): SHA256 checksum of the artifact; replaced by digest.',
        }),
      ),
    },
    { description },
  );

/** The fields every source status has: observedGeneration, conditions, lastHandledReconcileAt. */
export const commonStatusProperties = (kind: string) => ({
  observedGeneration: Type.Optional(
    Type.Integer({
      description: `ObservedGeneration is the last observed generation of the ${kind} object.`,
      format: 'int64',
    }),
  ),
  conditions: Type.Optional(Type.Array(Condition, { description: `Conditions holds the conditions for the ${kind}.` })),
  ...ReconcileRequestStatus,
});

/** A status object schema with upstream's `default: {observedGeneration: -1}`. */
export const statusObject = <T extends TProperties>(props: T, description: string) =>
  Type.Object(props, { description, default: { observedGeneration: -1 } });

/** `acl.AccessFrom` of the beta APIs (and HelmRepository v1): namespace selectors allowed to reference the object. */
export const AccessFrom = Type.Object(
  {
    namespaceSelectors: Type.Array(
      Type.Object(
        {
          matchLabels: Type.Optional(
            StringMap({
              description:
                'MatchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
            }),
          ),
        },
        {
          description:
            'NamespaceSelector selects the namespaces to which this ACL applies. An empty map of MatchLabels matches all namespaces in a cluster.',
        },
      ),
      {
        description:
          'NamespaceSelectors is the list of namespace selectors to which this ACL applies. Items in this list are evaluated using a logical OR operation.',
      },
    ),
  },
  {
    description:
      'AccessFrom specifies an Access Control List for allowing cross-namespace references to this object. NOTE: Not implemented, provisional as of https://github.com/fluxcd/flux2/pull/2092',
  },
);

/** The legacy `status` fields every source kind shares. */
export const artifactChecksumLegacy = (paths: readonly string[]): LegacyField[] =>
  paths.map((path) => ({
    path,
    versions: ['v1beta1', 'v1beta2'],
    handling: 'mapped to the digest field as sha256:<checksum> when digest is unset, then dropped',
  }));

// ---------------------------------------------------------------------------------------------
// Normalizer helpers

/** A mutable JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether a value is a plain JSON object. */
export const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Copies a stored object, checks its shape and sets apiVersion/kind to the current API. Returns the copy
 * and its spec; `warnings` receives a line when the object was of a legacy version.
 */
export function beginNormalize(kind: string, obj: unknown, warnings: string[]): { out: JsonObject; spec: JsonObject } {
  if (!isObject(obj)) {
    throw new Error(`failed to normalize ${kind}: expected an object, got ${obj === null ? 'null' : typeof obj}`);
  }
  const out = structuredClone(obj);
  if (out['spec'] === undefined) out['spec'] = {};
  const spec = out['spec'];
  if (!isObject(spec)) throw new Error(`failed to normalize ${kind}: spec must be an object`);
  const apiVersion = typeof out['apiVersion'] === 'string' ? out['apiVersion'] : '';
  if (apiVersion !== SourceGroupVersion) {
    const version = apiVersion.startsWith(`${SourceGroup}/`) ? apiVersion.slice(SourceGroup.length + 1) : '';
    warnings.push(
      version === ''
        ? `apiVersion: '${apiVersion}' set to ${SourceGroupVersion}`
        : `apiVersion: ${sourceDeprecationWarning(version, kind)} (mapped to ${SourceGroupVersion})`,
    );
  }
  out['apiVersion'] = SourceGroupVersion;
  out['kind'] = kind;
  if (!isObject(out['metadata'])) out['metadata'] = {};
  return { out, spec };
}

/** Drops `parent[key]` (when present) and records `<path>: ignored: <why>`. */
export function dropField(parent: JsonObject, key: string, path: string, why: string, warnings: string[]): void {
  if (!Object.hasOwn(parent, key)) return;
  delete parent[key];
  warnings.push(`${path}: ignored: ${why}`);
}

/** Maps the beta `checksum` of an artifact to `digest` (when unset) and drops it. */
export function normalizeArtifactChecksum(artifact: unknown, path: string, warnings: string[]): void {
  if (!isObject(artifact) || !Object.hasOwn(artifact, 'checksum')) return;
  const checksum = artifact['checksum'];
  delete artifact['checksum'];
  if (artifact['digest'] === undefined && typeof checksum === 'string' && checksum !== '') {
    artifact['digest'] = `sha256:${checksum}`;
    warnings.push(`${path}.checksum: mapped to ${path}.digest`);
  } else {
    warnings.push(`${path}.checksum: ignored: replaced by ${path}.digest`);
  }
}
