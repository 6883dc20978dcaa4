/**
 * Condition types, reasons, annotations and labels of the `kustomize.toolkit.fluxcd.io` group, byte-identical
 * to upstream kustomize-controller (`api/v1/condition_types.go`, `api/v1/kustomization_types.go`).
 *
 * Grouped in `as const` objects so they cannot collide with the generic reasons of `meta`; the values shared
 * with fluxcd/pkg `apis/meta` are taken from `../meta`.
 */
import { ConditionTypes, Reasons } from '../meta/index.ts';

/** The API group of the Kustomization kind. */
export const KustomizeGroup = 'kustomize.toolkit.fluxcd.io' as const;

/** The current (storage) API version of the Kustomization kind. */
export const KustomizeGroupVersion = 'kustomize.toolkit.fluxcd.io/v1' as const;

/** Condition types a Kustomization sets besides the generic `Ready`/`Reconciling`/`Stalled`. */
export const KustomizationConditions = {
  /** Outcome of the health assessment of the applied objects. */
  Healthy: ConditionTypes.HealthyCondition,
} as const;

/** Reasons a Kustomization's conditions carry (upstream `kustomizev1.*Reason`). */
export const KustomizationReasons = {
  ReconciliationSucceeded: Reasons.ReconciliationSucceededReason,
  ReconciliationFailed: Reasons.ReconciliationFailedReason,
  /** Garbage collection of objects removed from the source failed. */
  PruneFailed: Reasons.PruneFailedReason,
  /** The source artifact could not be fetched or verified. */
  ArtifactFailed: Reasons.ArtifactFailedReason,
  /** kustomize build, decryption or substitution failed. */
  BuildFailed: Reasons.BuildFailedReason,
  /** An applied object did not become healthy within the timeout. */
  HealthCheckFailed: Reasons.HealthCheckFailedReason,
  /** A new source revision arrived while health checks were running (feature gate `CancelHealthCheckOnNewRevision`). */
  HealthCheckCanceled: Reasons.HealthCheckCanceledReason,
  /** A `dependsOn` entry is not Ready. */
  DependencyNotReady: Reasons.DependencyNotReadyReason,
  Progressing: Reasons.ProgressingReason,
  ProgressingWithRetry: Reasons.ProgressingWithRetryReason,
} as const;

/** `spec.deletionPolicy` values; `MirrorPrune` is what an unset field means. */
export const KustomizationDeletionPolicies = {
  MirrorPrune: 'MirrorPrune',
  Delete: 'Delete',
  WaitForTermination: 'WaitForTermination',
  Orphan: 'Orphan',
} as const;

/** `spec.postBuild.substituteStrategy` values; `WithVariables` is what an unset field means. */
export const KustomizationSubstituteStrategies = {
  WithVariables: 'WithVariables',
  Always: 'Always',
} as const;

/** Annotation / label keys read on the objects a Kustomization applies (reference §4). */
export const KustomizeAnnotations = {
  /** Server-side apply policy: `Override` (default), `Merge`, `IfNotPresent`, `Ignore`. */
  SSA: 'kustomize.toolkit.fluxcd.io/ssa',
  /** `enabled`: recreate the object on immutable-field errors. */
  Force: 'kustomize.toolkit.fluxcd.io/force',
  /** `disabled`: never garbage-collect the object. */
  Prune: 'kustomize.toolkit.fluxcd.io/prune',
  /** `disabled`: neither apply nor prune the object. */
  Reconcile: 'kustomize.toolkit.fluxcd.io/reconcile',
  /** `disabled`: skip `postBuild` variable substitution for the object. */
  Substitute: 'kustomize.toolkit.fluxcd.io/substitute',
  /** `disabled`: skip SOPS decryption for the object. */
  Decrypt: 'kustomize.toolkit.fluxcd.io/decrypt',
} as const;

/**
 * Values of the annotations in `KustomizeAnnotations` (upstream `EnabledValue`, `DisabledValue`, `MergeValue`…).
 * Upstream compares `enabled`/`disabled` case-insensitively, so docs' `Enabled`/`Disabled` also match.
 */
export const KustomizeAnnotationValues = {
  Enabled: 'enabled',
  Disabled: 'disabled',
  Override: 'Override',
  Merge: 'Merge',
  IfNotPresent: 'IfNotPresent',
  Ignore: 'Ignore',
} as const;

/** Owner labels kustomize-controller puts on every object it applies (and requires before pruning). */
export const KustomizeOwnerLabels = {
  Name: 'kustomize.toolkit.fluxcd.io/name',
  Namespace: 'kustomize.toolkit.fluxcd.io/namespace',
} as const;

/** Keys kustomize-controller puts into event metadata (`<group>/<key>`). */
export const KustomizeEventMetadata = {
  Revision: 'kustomize.toolkit.fluxcd.io/revision',
  OriginRevision: 'kustomize.toolkit.fluxcd.io/originRevision',
  CommitStatus: 'kustomize.toolkit.fluxcd.io/commit_status',
  Token: 'kustomize.toolkit.fluxcd.io/token',
} as const;
