/**
 * String constants shared by all Flux controllers (fluxcd/pkg `apis/meta`, `apis/acl`, and the condition
 * types of the source API). Values are byte-identical to upstream.
 */

/** Condition types used by Flux kinds. */
export const ConditionTypes = {
  /** Normal-polarity summary condition of every reconciled kind. */
  ReadyCondition: 'Ready',
  /** Abnormal-true: present (True) only while a reconciliation is in progress. */
  ReconcilingCondition: 'Reconciling',
  /** Abnormal-true: present (True) only when reconciliation cannot proceed without a spec change. */
  StalledCondition: 'Stalled',
  /** Health of the applied resources (Kustomization). */
  HealthyCondition: 'Healthy',
  /** Sources: the artifact file exists in storage. */
  ArtifactInStorageCondition: 'ArtifactInStorage',
  /** Sources (abnormal-true): a new artifact is about to replace the current one. */
  ArtifactOutdatedCondition: 'ArtifactOutdated',
  /** Sources: the signature of the source was verified (only when verification is configured). */
  SourceVerifiedCondition: 'SourceVerified',
  /** Sources (abnormal-true): fetching from the origin failed. */
  FetchFailedCondition: 'FetchFailed',
  /** HelmChart (abnormal-true): building the chart failed. */
  BuildFailedCondition: 'BuildFailed',
  /** Sources (abnormal-true): a storage operation failed. */
  StorageOperationFailedCondition: 'StorageOperationFailed',
  /** GitRepository (abnormal-true): an included repository is not available. */
  IncludeUnavailableCondition: 'IncludeUnavailable',
} as const;

/** Every condition type listed in {@link ConditionTypes}. */
export type ConditionType = (typeof ConditionTypes)[keyof typeof ConditionTypes];

export const {
  ReadyCondition,
  ReconcilingCondition,
  StalledCondition,
  HealthyCondition,
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  SourceVerifiedCondition,
  FetchFailedCondition,
  BuildFailedCondition,
  StorageOperationFailedCondition,
  IncludeUnavailableCondition,
} = ConditionTypes;

/** Generic condition reasons of fluxcd/pkg `apis/meta` (plus `AccessDenied` of `apis/acl`). */
export const Reasons = {
  SucceededReason: 'Succeeded',
  FailedReason: 'Failed',
  ProgressingReason: 'Progressing',
  ProgressingWithRetryReason: 'ProgressingWithRetry',
  SuspendedReason: 'Suspended',
  DependencyNotReadyReason: 'DependencyNotReady',
  InvalidPathReason: 'InvalidPath',
  InvalidURLReason: 'InvalidURL',
  InsecureConnectionsDisallowedReason: 'InsecureConnectionsDisallowed',
  UnsupportedConnectionTypeReason: 'UnsupportedConnectionType',
  PruneFailedReason: 'PruneFailed',
  ArtifactFailedReason: 'ArtifactFailed',
  BuildFailedReason: 'BuildFailed',
  HealthCheckFailedReason: 'HealthCheckFailed',
  HealthCheckCanceledReason: 'HealthCheckCanceled',
  ReconciliationSucceededReason: 'ReconciliationSucceeded',
  ReconciliationFailedReason: 'ReconciliationFailed',
  InvalidCELExpressionReason: 'InvalidCELExpression',
  FeatureGateDisabledReason: 'FeatureGateDisabled',
  /** fluxcd/pkg `apis/acl`: a cross-namespace reference was denied. */
  AccessDeniedReason: 'AccessDenied',
} as const;

/** Every reason listed in {@link Reasons}. */
export type Reason = (typeof Reasons)[keyof typeof Reasons];

export const {
  SucceededReason,
  FailedReason,
  ProgressingReason,
  ProgressingWithRetryReason,
  SuspendedReason,
  DependencyNotReadyReason,
  InvalidPathReason,
  InvalidURLReason,
  InsecureConnectionsDisallowedReason,
  UnsupportedConnectionTypeReason,
  PruneFailedReason,
  ArtifactFailedReason,
  BuildFailedReason,
  HealthCheckFailedReason,
  HealthCheckCanceledReason,
  ReconciliationSucceededReason,
  ReconciliationFailedReason,
  InvalidCELExpressionReason,
  FeatureGateDisabledReason,
  AccessDeniedReason,
} = Reasons;

/** Annotation keys read by every Flux controller. */
export const Annotations = {
  /** Requests an immediate reconcile when its value differs from `status.lastHandledReconcileAt`. */
  ReconcileRequestAnnotation: 'reconcile.fluxcd.io/requestedAt',
  /** HelmRelease: one-off forced install/upgrade (must equal requestedAt). */
  ForceRequestAnnotation: 'reconcile.fluxcd.io/forceAt',
  /** HelmRelease: reset of the failure counters (must equal requestedAt). */
  ResetRequestAnnotation: 'reconcile.fluxcd.io/resetAt',
} as const;

export const { ReconcileRequestAnnotation, ForceRequestAnnotation, ResetRequestAnnotation } = Annotations;

/** Prefix of annotations copied into the metadata of every event an object emits (`event.toolkit.fluxcd.io/<key>`). */
export const EventMetadataAnnotationPrefix = 'event.toolkit.fluxcd.io/';

/** Label keys and values used across controllers. */
export const Labels = {
  /** Set to {@link LabelValueWatchEnabled} on a Secret/ConfigMap so changes to it trigger reconciles of its users. */
  LabelKeyWatch: 'reconcile.fluxcd.io/watch',
  LabelValueWatchEnabled: 'Enabled',
  /** Shard key for `--watch-label-selector` sharding. */
  ShardingKeyLabel: 'sharding.fluxcd.io/key',
} as const;

export const { LabelKeyWatch, LabelValueWatchEnabled, ShardingKeyLabel } = Labels;

/** The finalizer every Flux controller puts on the objects it reconciles. */
export const SourceFinalizer = 'finalizers.fluxcd.io';
/** Alias of {@link SourceFinalizer}: the one Flux finalizer name. */
export const FluxFinalizer = SourceFinalizer;
