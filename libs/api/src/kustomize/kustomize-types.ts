/**
 * Types shared by Kustomization and HelmRelease post-renderers (upstream fluxcd/pkg `apis/kustomize`), the
 * resource inventory and the reconciliation history, plus the mapping of the deprecated
 * `patchesStrategicMerge`/`patchesJson6902` lists to `patches`.
 */
import { CloneType, Type, type Static } from '@sinclair/typebox';
import { stringify as yamlStringify } from 'yaml';
import { AnyJSON, Obj, StringEnum, StringMap } from '../define.ts';

/** `kustomize.Selector`: selects objects by GVK, name, namespace and label/annotation selector strings. */
export const KustomizeSelector = Obj(
  {
    group: Type.Optional(Type.String({ description: 'Group is the API group to select resources from.' })),
    version: Type.Optional(Type.String({ description: 'Version of the API Group to select resources from.' })),
    kind: Type.Optional(Type.String({ description: 'Kind of the API Group to select resources from.' })),
    namespace: Type.Optional(Type.String({ description: 'Namespace to select resources from.' })),
    name: Type.Optional(Type.String({ description: 'Name to match resources with.' })),
    annotationSelector: Type.Optional(
      Type.String({ description: 'AnnotationSelector is a label selector expression matched against annotations.' }),
    ),
    labelSelector: Type.Optional(
      Type.String({ description: 'LabelSelector is a label selector expression matched against labels.' }),
    ),
  },
  { description: 'Selector specifies a set of resources; a resource must match all set conditions.' },
);

/** `kustomize.Patch`: an inline strategic-merge or JSON6902 patch and the objects it targets. */
export const KustomizePatch = Obj(
  {
    patch: Type.String({
      description:
        'Patch contains an inline StrategicMerge patch or an inline JSON6902 patch with an array of operation objects.',
    }),
    target: Type.Optional(
      CloneType(KustomizeSelector, {
        description: 'Target points to the resources that the patch document should be applied to.',
      }),
    ),
  },
  {
    description:
      'Patch contains an inline StrategicMerge or JSON6902 patch, and the target the patch should be applied to.',
  },
);

/** `kustomize.Image`: image name/tag/digest override. */
export const KustomizeImage = Obj(
  {
    name: Type.String({ description: 'Name is a tag-less image name.' }),
    newName: Type.Optional(Type.String({ description: 'NewName is the value used to replace the original name.' })),
    newTag: Type.Optional(Type.String({ description: 'NewTag is the value used to replace the original tag.' })),
    digest: Type.Optional(
      Type.String({
        description:
          'Digest is the value used to replace the original image tag. If digest is present NewTag value is ignored.',
      }),
    ),
  },
  {
    description:
      'Image contains an image name, a new name, a new tag or digest, which will replace the original name and tag.',
  },
);

/** `kustomize.JSON6902`: one RFC 6902 operation (legacy `patchesJson6902`). */
export const KustomizeJSON6902Operation = Obj(
  {
    op: StringEnum(['test', 'remove', 'add', 'replace', 'move', 'copy'] as const, {
      description: 'Op indicates the operation to perform.',
    }),
    path: Type.String({ description: 'Path is the JSON pointer the operation is performed at.' }),
    from: Type.Optional(Type.String({ description: 'From is the JSON pointer source of move/copy.' })),
    value: Type.Optional(AnyJSON({ description: 'Value contains a valid JSON structure.' })),
  },
  { description: 'JSON6902 is a JSON6902 operation object.' },
);

/** `kustomize.JSON6902Patch`: legacy `patchesJson6902` item. */
export const KustomizeJSON6902Patch = Obj(
  {
    patch: Type.Array(KustomizeJSON6902Operation, {
      description: 'Patch contains the JSON6902 patch document with an array of operation objects.',
    }),
    target: CloneType(KustomizeSelector, {
      description: 'Target points to the resources that the patch document should be applied to.',
    }),
  },
  {
    description:
      'JSON6902Patch contains a JSON6902 patch and the target the patch should be applied to (deprecated: use patches).',
  },
);

/** `kustomize.CustomHealthCheck`: CEL health expressions for a custom resource kind. */
export const CustomHealthCheck = Obj(
  {
    apiVersion: Type.String({ description: 'APIVersion of the custom resource under evaluation.' }),
    kind: Type.Optional(Type.String({ description: 'Kind of the custom resource under evaluation.' })),
    current: Type.String({
      description:
        'Current is the CEL expression that determines if the status of the custom resource has reached the desired state.',
    }),
    inProgress: Type.Optional(
      Type.String({
        description:
          'InProgress is the CEL expression that determines if the status of the custom resource has not yet reached the desired state.',
      }),
    ),
    failed: Type.Optional(
      Type.String({
        description:
          'Failed is the CEL expression that determines if the status of the custom resource has failed to reach the desired state.',
      }),
    ),
  },
  { description: 'CustomHealthCheck defines the health check for custom resources.' },
);

/** A drift-ignore rule: JSON pointers to leave alone on the selected objects. */
export const DriftIgnoreRule = Obj(
  {
    paths: Type.Array(Type.String(), {
      description:
        'Paths is a list of JSON Pointer (RFC 6901) paths to be excluded from consideration in a Kubernetes object.',
    }),
    target: Type.Optional(
      CloneType(KustomizeSelector, {
        description: 'Target selects the objects the rule applies to; all objects when unset.',
      }),
    ),
  },
  { description: 'IgnoreRule defines a rule to selectively disregard specific changes during drift detection.' },
);

/** `status.inventory`: the objects applied by the last successful reconciliation. */
export const ResourceInventory = Obj(
  {
    entries: Type.Array(
      Obj(
        {
          id: Type.String({
            description:
              "ID is the string representation of the Kubernetes resource object's metadata, in the format '<namespace>_<name>_<group>_<kind>'.",
          }),
          v: Type.String({ description: "Version is the API version of the Kubernetes resource object's kind." }),
        },
        { description: 'ResourceRef contains the information necessary to locate a resource within a cluster.' },
      ),
      { description: 'Entries of Kubernetes resource object references.' },
    ),
  },
  { description: 'ResourceInventory contains a list of Kubernetes resource object references that have been applied.' },
);

/** `meta.History` item: a summary of the reconciliations of one desired-state digest. */
export const HistorySnapshot = Obj(
  {
    digest: Type.String({
      description: 'Digest is the checksum in the format `<algo>:<hex>` of the resources in this snapshot.',
    }),
    firstReconciled: Type.String({
      format: 'date-time',
      description: 'FirstReconciled is the time when this revision was first reconciled to the cluster.',
    }),
    lastReconciled: Type.String({
      format: 'date-time',
      description: 'LastReconciled is the time when this revision was last reconciled to the cluster.',
    }),
    lastReconciledDuration: Type.String({
      description: 'LastReconciledDuration is time it took to reconcile the resources in this revision.',
    }),
    lastReconciledStatus: Type.String({
      description: 'LastReconciledStatus is the status of the last reconciliation.',
    }),
    totalReconciliations: Type.Integer({
      format: 'int64',
      description: 'TotalReconciliations is the total number of reconciliations that have occurred for this snapshot.',
    }),
    metadata: Type.Optional(
      StringMap({ description: 'Metadata contains additional information about the snapshot, e.g. `revision`.' }),
    ),
  },
  { description: 'Snapshot represents a point-in-time record of a group of resources reconciliation.' },
);

/** `kustomize.Patch`. */
export type KustomizePatch = Static<typeof KustomizePatch>;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The result of folding legacy patch lists into `patches`. */
export interface LegacyPatchesResult {
  /** The new `patches` list, or undefined when there was nothing to fold. */
  readonly patches: unknown[] | undefined;
  readonly warnings: readonly string[];
}

/**
 * Folds the deprecated `patchesStrategicMerge` and `patchesJson6902` of `holder` (a Kustomization spec or a
 * post-renderer's `kustomize`) into `patches`, deleting the legacy keys from `holder`. Strategic-merge objects
 * become untargeted patches (YAML) placed before the existing patches, JSON6902 operation lists become
 * targeted patches (YAML) placed after them: the order kustomize applied the three lists in. `path` prefixes
 * the warnings (e.g. `spec`).
 */
export function foldLegacyPatches(holder: Record<string, unknown>, path: string): LegacyPatchesResult {
  const warnings: string[] = [];
  const before: unknown[] = [];
  const after: unknown[] = [];
  let touched = false;
  if ('patchesStrategicMerge' in holder) {
    touched = true;
    const items = Array.isArray(holder['patchesStrategicMerge']) ? holder['patchesStrategicMerge'] : [];
    for (const item of items) before.push({ patch: yamlStringify(item) });
    warnings.push(
      `${path}.patchesStrategicMerge: ${items.length} patch(es) mapped to ${path}.patches (strategic merge, no target)`,
    );
    delete holder['patchesStrategicMerge'];
  }
  if ('patchesJson6902' in holder) {
    touched = true;
    const items = Array.isArray(holder['patchesJson6902']) ? holder['patchesJson6902'] : [];
    for (const item of items) {
      const p = isRecord(item) ? item : {};
      const patch: Record<string, unknown> = { patch: yamlStringify(Array.isArray(p['patch']) ? p['patch'] : []) };
      if (isRecord(p['target'])) patch['target'] = p['target'];
      after.push(patch);
    }
    warnings.push(
      `${path}.patchesJson6902: ${items.length} patch(es) mapped to ${path}.patches (JSON6902 operations with target)`,
    );
    delete holder['patchesJson6902'];
  }
  if (!touched) return { patches: undefined, warnings };
  const existing = Array.isArray(holder['patches']) ? (holder['patches'] as unknown[]) : [];
  const patches = [...before, ...existing, ...after];
  if (patches.length > 0) holder['patches'] = patches;
  return { patches, warnings };
}
