/**
 * Kustomization (`kustomize.toolkit.fluxcd.io/v1`, legacy `v1beta1`/`v1beta2`): builds a kustomize overlay from a
 * source artifact and applies it with server-side apply. Field names, enums, patterns and defaults follow
 * upstream kustomize-controller v1.9 (`api/v1/kustomization_types.go`, `config/crd/bases/…kustomizations.yaml`).
 */
import { CloneType, Type, type Static } from '@sinclair/typebox';
import { AnyJSON, Obj, StringEnum, StringMap, type KindDefinition, type NormalizeResult } from '../define.ts';
import {
  Condition,
  Duration,
  KubeConfigReference,
  LocalObjectReference,
  NamespacedObjectKindReference,
  ReconcileRequestStatus,
  type FluxObject,
} from '../meta/index.ts';
import { KustomizeGroup } from './constants.ts';
import {
  CustomHealthCheck,
  DriftIgnoreRule,
  foldLegacyPatches,
  HistorySnapshot,
  KustomizeImage,
  KustomizeJSON6902Patch,
  KustomizePatch,
  ResourceInventory,
} from './kustomize-types.ts';

// ---------------------------------------------------------------------------------------------
// Spec

/** `CrossNamespaceSourceReference` of a Kustomization. */
export const KustomizationSourceReference = Obj(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of the referent.' })),
    kind: StringEnum(['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact'] as const, {
      description: 'Kind of the referent.',
    }),
    name: Type.String({ description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({
        description:
          'Namespace of the referent, defaults to the namespace of the Kubernetes resource object that contains the reference.',
      }),
    ),
  },
  { description: 'Reference of the source where the kustomization file is.' },
);

/** `DependencyReference`: another Kustomization that must be Ready first. */
export const KustomizationDependencyReference = Obj(
  {
    name: Type.String({ description: 'Name of the referent.' }),
    namespace: Type.Optional(
      Type.String({ description: 'Namespace of the referent, defaults to the namespace of the Kustomization.' }),
    ),
    readyExpr: Type.Optional(
      Type.String({
        description:
          'ReadyExpr is a CEL expression (variables `dep`, `self`) that replaces the built-in readiness check of the dependency.',
      }),
    ),
  },
  { description: 'DependencyReference defines a Kustomization dependency on another Kustomization resource.' },
);

/** `spec.postBuild.substituteFrom[]` item. */
export const SubstituteReference = Obj(
  {
    kind: StringEnum(['Secret', 'ConfigMap'] as const, {
      description: "Kind of the values referent, valid values are ('Secret', 'ConfigMap').",
    }),
    name: Type.String({
      minLength: 1,
      maxLength: 253,
      description: 'Name of the values referent. Should reside in the same namespace as the referring resource.',
    }),
    optional: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Optional tolerates the absence of the referenced resource (treated as present but empty).',
      }),
    ),
  },
  { description: 'SubstituteReference contains a reference to a resource containing the variables name and value.' },
);

/** The desired state of a Kustomization (all served versions). */
export const KustomizationSpec = Obj(
  {
    commonMetadata: Type.Optional(
      Obj(
        {
          annotations: Type.Optional(StringMap({ description: "Annotations to be added to the object's metadata." })),
          labels: Type.Optional(StringMap({ description: "Labels to be added to the object's metadata." })),
        },
        {
          description: 'CommonMetadata specifies the common labels and annotations that are applied to all resources.',
        },
      ),
    ),
    dependsOn: Type.Optional(
      Type.Array(KustomizationDependencyReference, {
        description: 'DependsOn lists Kustomizations that must be ready before this Kustomization can be reconciled.',
      }),
    ),
    decryption: Type.Optional(
      Obj(
        {
          provider: StringEnum(['sops'] as const, { description: 'Provider is the name of the decryption engine.' }),
          serviceAccountName: Type.Optional(
            Type.String({
              description:
                'ServiceAccountName is the name of the service account used to authenticate with KMS services from cloud providers.',
            }),
          ),
          secretRef: Type.Optional(
            CloneType(LocalObjectReference, {
              description: 'The secret name containing the private OpenPGP keys used for decryption.',
            }),
          ),
        },
        { description: 'Decrypt Kubernetes secrets before applying them on the cluster.' },
      ),
    ),
    interval: Duration({
      description: 'The interval at which to reconcile the Kustomization (Go duration, e.g. 5m, 1h30m).',
    }),
    retryInterval: Type.Optional(
      Duration({
        description: 'The interval at which to retry a previously failed reconciliation. Defaults to Interval.',
      }),
    ),
    kubeConfig: Type.Optional(
      CloneType(KubeConfigReference, {
        description: 'The KubeConfig for reconciling the Kustomization on a remote cluster.',
      }),
    ),
    path: Type.Optional(
      Type.String({
        description:
          "Path to the directory containing the kustomization.yaml file, or the set of plain YAMLs a kustomization.yaml should be generated for. Defaults to 'None', which translates to the root path of the SourceRef.",
      }),
    ),
    postBuild: Type.Optional(
      Obj(
        {
          substitute: Type.Optional(
            StringMap({
              description:
                'Substitute holds a map of key/value pairs substituted into ${var} references of the built manifests.',
            }),
          ),
          substituteFrom: Type.Optional(
            Type.Array(SubstituteReference, {
              description: 'SubstituteFrom holds references to ConfigMaps and Secrets containing the variables.',
            }),
          ),
          substituteStrategy: Type.Optional(
            StringEnum(['WithVariables', 'Always'] as const, {
              description:
                "SubstituteStrategy: 'WithVariables' (default) substitutes only when at least one variable is defined, 'Always' always runs substitution.",
            }),
          ),
        },
        {
          description:
            'PostBuild describes which actions to perform on the YAML manifest generated by building the kustomize overlay.',
        },
      ),
    ),
    prune: Type.Optional(
      Type.Boolean({
        description:
          'Prune enables garbage collection. Required upstream; flux-ts accepts its absence (legacy manifests) and normalizes it to false with a warning.',
      }),
    ),
    deletionPolicy: Type.Optional(
      StringEnum(['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan'] as const, {
        description:
          "DeletionPolicy controls garbage collection when this Kustomization is deleted. Defaults to 'MirrorPrune'.",
      }),
    ),
    healthChecks: Type.Optional(
      Type.Array(NamespacedObjectKindReference, {
        description: 'A list of resources to be included in the health assessment.',
      }),
    ),
    namePrefix: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'NamePrefix will prefix the names of all managed resources.',
      }),
    ),
    nameSuffix: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'NameSuffix will suffix the names of all managed resources.',
      }),
    ),
    patches: Type.Optional(
      Type.Array(KustomizePatch, {
        description:
          'Strategic merge and JSON patches, defined as inline YAML objects, capable of targeting objects based on kind, label and annotation selectors.',
      }),
    ),
    images: Type.Optional(
      Type.Array(KustomizeImage, {
        description:
          'Images is a list of (image name, new name, new tag or digest) for changing image names, tags or digests.',
      }),
    ),
    serviceAccountName: Type.Optional(
      Type.String({
        description: 'The name of the Kubernetes service account to impersonate when reconciling this Kustomization.',
      }),
    ),
    sourceRef: KustomizationSourceReference,
    suspend: Type.Optional(
      Type.Boolean({
        description: 'This flag tells the controller to suspend subsequent kustomize executions. Defaults to false.',
      }),
    ),
    targetNamespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'TargetNamespace sets or overrides the namespace in the kustomization.yaml file.',
      }),
    ),
    timeout: Type.Optional(
      Duration({
        description:
          'Timeout for validation, apply and health checking operations. Defaults to Interval minus 30s (at least 30s).',
      }),
    ),
    force: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Force instructs the controller to recreate resources when patching fails due to an immutable field change.',
      }),
    ),
    wait: Type.Optional(
      Type.Boolean({
        description:
          'Wait instructs the controller to check the health of all the reconciled resources. When enabled, the HealthChecks are ignored.',
      }),
    ),
    components: Type.Optional(
      Type.Array(Type.String(), { description: 'Components specifies relative paths to kustomize Components.' }),
    ),
    ignoreMissingComponents: Type.Optional(
      Type.Boolean({
        description:
          'IgnoreMissingComponents drops Components paths not found in the source before running kustomize build.',
      }),
    ),
    buildMetadata: Type.Optional(
      Type.Array(StringEnum(['originAnnotations', 'transformerAnnotations'] as const), {
        description: 'BuildMetadata enables kustomize build metadata annotations on the generated objects.',
      }),
    ),
    healthCheckExprs: Type.Optional(
      Type.Array(CustomHealthCheck, {
        description: 'HealthCheckExprs is a list of CEL health check expressions for custom resources.',
      }),
    ),
    ignore: Type.Optional(
      Type.Array(DriftIgnoreRule, {
        description: 'Ignore is a list of rules for JSON pointer paths excluded from drift detection and apply.',
      }),
    ),

    // --- legacy fields (v1beta1/v1beta2), see KustomizationDefinition.legacyFields ---
    validation: Type.Optional(
      StringEnum(['none', 'client', 'server'] as const, {
        description: 'Deprecated (v1beta1/v1beta2): not used; server-side apply always validates.',
      }),
    ),
    patchesStrategicMerge: Type.Optional(
      Type.Array(AnyJSON(), {
        description: 'Deprecated (v1beta1/v1beta2): strategic merge patches; normalized into patches.',
      }),
    ),
    patchesJson6902: Type.Optional(
      Type.Array(KustomizeJSON6902Patch, {
        description: 'Deprecated (v1beta1/v1beta2): JSON 6902 patches; normalized into patches.',
      }),
    ),
  },
  {
    description:
      'KustomizationSpec defines the configuration to calculate the desired state from a Source using Kustomize.',
  },
);

// ---------------------------------------------------------------------------------------------
// Status

/** The observed state of a Kustomization. */
export const KustomizationStatus = Obj(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'ObservedGeneration is the last reconciled generation.' }),
    ),
    conditions: Type.Optional(Type.Array(Condition)),
    ...ReconcileRequestStatus,
    lastAppliedRevision: Type.Optional(Type.String({ description: 'The last successfully applied revision.' })),
    lastAppliedOriginRevision: Type.Optional(
      Type.String({ description: 'The last successfully applied origin revision.' }),
    ),
    lastAttemptedRevision: Type.Optional(
      Type.String({ description: 'LastAttemptedRevision is the revision of the last reconciliation attempt.' }),
    ),
    inventory: Type.Optional(
      CloneType(ResourceInventory, {
        description:
          'Inventory contains the list of Kubernetes resource object references that have been successfully applied.',
      }),
    ),
    history: Type.Optional(
      Type.Array(HistorySnapshot, {
        description: 'History contains a set of snapshots of the last reconciliation attempts (at most 5).',
      }),
    ),

    // --- legacy (v1beta1) ---
    snapshot: Type.Optional(
      Obj(
        {
          checksum: Type.String({ description: 'The manifests sha1 checksum.' }),
          entries: Type.Array(
            Obj({
              namespace: Type.Optional(Type.String({ description: 'The namespace of this entry.' })),
              kinds: StringMap({ description: 'The list of Kubernetes kinds.' }),
            }),
            { description: 'A list of Kubernetes kinds grouped by namespace.' },
          ),
        },
        {
          description: 'Deprecated (v1beta1): the last successfully applied revision metadata; replaced by inventory.',
        },
      ),
    ),
  },
  {
    description: 'KustomizationStatus defines the observed state of a kustomization.',
    default: { observedGeneration: -1 },
  },
);

/** `spec` of a Kustomization. */
export type KustomizationSpec = Static<typeof KustomizationSpec>;
/** `status` of a Kustomization. */
export type KustomizationStatus = Static<typeof KustomizationStatus>;

/** A whole Kustomization object (any served version once normalized to the current one). */
export interface Kustomization extends FluxObject<KustomizationSpec, KustomizationStatus> {
  kind: 'Kustomization';
}

// ---------------------------------------------------------------------------------------------
// Definition

/** The Kustomization kind: names, versions, schemas, printer columns and legacy mapping. */
export const KustomizationDefinition: KindDefinition<typeof KustomizationSpec, typeof KustomizationStatus> = {
  group: KustomizeGroup,
  kind: 'Kustomization',
  component: 'kustomize-controller',
  listKind: 'KustomizationList',
  plural: 'kustomizations',
  singular: 'kustomization',
  scope: 'Namespaced',
  shortNames: ['ks'],
  categories: ['all', 'fluxcd', 'fluxcd-appliers'],
  description: 'Kustomization is the Schema for the kustomizations API.',
  versions: [
    { name: 'v1', storage: true },
    { name: 'v1beta2', storage: false, deprecationWarning: 'v1beta2 Kustomization is deprecated, upgrade to v1' },
    { name: 'v1beta1', storage: false, deprecationWarning: 'v1beta1 Kustomization is deprecated, upgrade to v1' },
  ],
  spec: KustomizationSpec,
  status: KustomizationStatus,
  specRequired: true,
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
  ],
  legacyFields: [
    {
      path: 'spec.validation',
      versions: ['v1beta1', 'v1beta2'],
      handling: 'ignored: server-side apply always validates',
    },
    {
      path: 'spec.patchesStrategicMerge',
      versions: ['v1beta1', 'v1beta2'],
      handling:
        'mapped to spec.patches: each object becomes a patch without target (YAML), placed before the existing patches',
    },
    {
      path: 'spec.patchesJson6902',
      versions: ['v1beta1', 'v1beta2'],
      handling:
        'mapped to spec.patches: operations serialised as a YAML list with the same target, placed after the existing patches',
    },
    {
      path: 'spec.prune',
      versions: ['v1beta1', 'v1beta2', 'v1'],
      handling: 'required upstream, optional here so legacy manifests validate: a missing value is normalized to false',
    },
    {
      path: 'status.snapshot',
      versions: ['v1beta1'],
      handling: 'ignored: replaced by status.inventory, which the controller rebuilds',
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Normalization

/** Controller-side defaults of fields the CRD leaves unset (upstream `Get…()` helpers). */
export const KustomizationDefaults = {
  deletionPolicy: 'MirrorPrune',
  substituteStrategy: 'WithVariables',
  /** `spec.timeout` when unset: interval − 30s, never below 30s. */
  minTimeoutSeconds: 30,
  timeoutOffsetSeconds: 30,
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Maps a Kustomization of any served version (`v1`, `v1beta2`, `v1beta1`) to the current `v1` shape: legacy
 * fields are mapped to their replacement or dropped, each with one warning naming the field path. The input is
 * not modified. Throws if `obj` is not an object with a `spec` object.
 */
export function normalizeKustomization(obj: unknown): NormalizeResult<Kustomization> {
  if (!isRecord(obj) || !isRecord(obj['spec'])) {
    throw new Error('failed to normalize Kustomization: object has no spec');
  }
  const out = structuredClone(obj) as Record<string, unknown>;
  const spec = out['spec'] as Record<string, unknown>;
  const warnings: string[] = [];

  const apiVersion = typeof out['apiVersion'] === 'string' ? out['apiVersion'] : '';
  const version = apiVersion.startsWith(`${KustomizeGroup}/`) ? apiVersion.slice(KustomizeGroup.length + 1) : '';
  if (version !== 'v1') {
    const deprecation = KustomizationDefinition.versions.find((v) => v.name === version)?.deprecationWarning;
    warnings.push(
      deprecation !== undefined
        ? `apiVersion: ${deprecation} (mapped to ${KustomizeGroup}/v1)`
        : `apiVersion: '${apiVersion}' is not a served version of Kustomization, set to ${KustomizeGroup}/v1`,
    );
  }
  out['apiVersion'] = `${KustomizeGroup}/v1`;
  out['kind'] = 'Kustomization';
  if (!isRecord(out['metadata'])) out['metadata'] = {};

  if ('validation' in spec) {
    warnings.push(`spec.validation: '${String(spec['validation'])}' ignored: server-side apply always validates`);
    delete spec['validation'];
  }

  warnings.push(...foldLegacyPatches(spec, 'spec').warnings);

  if (typeof spec['prune'] !== 'boolean') {
    warnings.push('spec.prune: missing (required upstream) set to false');
    spec['prune'] = false;
  }

  const status = out['status'];
  if (isRecord(status) && 'snapshot' in status) {
    warnings.push('status.snapshot: ignored: replaced by status.inventory, rebuilt on the next reconciliation');
    delete status['snapshot'];
  }

  return { object: out as unknown as Kustomization, warnings };
}
