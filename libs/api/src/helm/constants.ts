/**
 * Condition types, reasons, annotations and labels of the `helm.toolkit.fluxcd.io` group, byte-identical to
 * upstream helm-controller (`api/v2/condition_types.go`, `api/v2/annotations.go`, `api/v2/helmrelease_types.go`).
 *
 * Grouped in `as const` objects so they cannot collide with the generic reasons of `meta`; the values shared
 * with fluxcd/pkg `apis/meta` are taken from `../meta`.
 */
import { Annotations, Reasons } from '../meta/index.ts';

/** The API group of the HelmRelease kind. */
export const HelmGroup = 'helm.toolkit.fluxcd.io' as const;

/** The current (storage) API version of the HelmRelease kind. */
export const HelmGroupVersion = 'helm.toolkit.fluxcd.io/v2' as const;

/** Condition types a HelmRelease sets besides the generic `Ready`/`Reconciling`/`Stalled`. */
export const HelmReleaseConditions = {
  /** Outcome of the last install/upgrade. */
  Released: 'Released',
  /** Outcome of the Helm tests of the current release. */
  TestSuccess: 'TestSuccess',
  /** True after a failed release was rolled back or uninstalled, until the next release completes. */
  Remediated: 'Remediated',
  /** Whether the cluster state drifted from the release manifest. */
  Drifted: 'Drifted',
} as const;

/** Reasons a HelmRelease's conditions carry (upstream `v2.*Reason`). */
export const HelmReleaseReasons = {
  InstallSucceeded: 'InstallSucceeded',
  InstallFailed: 'InstallFailed',
  UpgradeSucceeded: 'UpgradeSucceeded',
  UpgradeFailed: 'UpgradeFailed',
  TestSucceeded: 'TestSucceeded',
  TestFailed: 'TestFailed',
  RollbackSucceeded: 'RollbackSucceeded',
  RollbackFailed: 'RollbackFailed',
  UninstallSucceeded: 'UninstallSucceeded',
  UninstallFailed: 'UninstallFailed',
  /** The chart artifact could not be fetched or verified. */
  ArtifactFailed: 'ArtifactFailed',
  /** The Helm configuration (client, storage, values) could not be initialised. */
  InitFailed: 'InitFailed',
  /** The last release could not be read from the Helm storage. */
  GetLastReleaseFailed: 'GetLastReleaseFailed',
  /** Stalled: install/upgrade retries are exhausted. */
  RetriesExceeded: 'RetriesExceeded',
  /** Stalled: a rollback was needed but there is no release to roll back to. */
  MissingRollbackTarget: 'MissingRollbackTarget',
  DependencyNotReady: Reasons.DependencyNotReadyReason,
  /** Ready=False while the HelmChart of the release has no ready artifact (upstream's literal "HelmChartNotReady"). */
  HelmChartNotReady: 'HelmChartNotReady',
  /** Ready=False while a chartRef source (OCIRepository, ExternalArtifact) is not ready (upstream's literal "SourceNotReady"). */
  SourceNotReady: 'SourceNotReady',
  /** Ready=False when the client of the release's cluster cannot be built (upstream's literal "RESTClientError"). */
  RESTClientError: 'RESTClientError',
  /** Ready=False when the release storage cannot be read (upstream's literal "StateError"). */
  StateError: 'StateError',
  /** Ready=False when an OCIRepository revision does not fit the chart version (upstream's literal "ChartMutateError"). */
  ChartMutateError: 'ChartMutateError',
  /** Ready=False when the values of `valuesFrom` cannot be composed (upstream's literal "ValuesError"). */
  ValuesError: 'ValuesError',
  /** TestSuccess=False after a release that is still to be tested (upstream's literal "Pending"). */
  TestPending: 'Pending',
  /** Released=False after a release stuck in a pending state was unlocked (upstream's literal "PendingRelease"). */
  PendingRelease: 'PendingRelease',
  DriftDetected: 'DriftDetected',
  NoDriftDetected: 'NoDriftDetected',
  /** Event after drift correction put the release's objects back (upstream's literal "DriftCorrected"). */
  DriftCorrected: 'DriftCorrected',
  /** Warning event when drift correction failed, in whole or in part (upstream's literal "DriftCorrectionFailed"). */
  DriftCorrectionFailed: 'DriftCorrectionFailed',
  ReconciliationSucceeded: Reasons.ReconciliationSucceededReason,
  ReconciliationFailed: Reasons.ReconciliationFailedReason,
  Progressing: Reasons.ProgressingReason,
  ProgressingWithRetry: Reasons.ProgressingWithRetryReason,
} as const;

/** Annotations read on a HelmRelease itself. */
export const HelmReleaseAnnotations = {
  /** One-off forced install/upgrade; must equal `reconcile.fluxcd.io/requestedAt`; tracked in `status.lastHandledForceAt`. */
  ForceRequest: Annotations.ForceRequestAnnotation,
  /** Resets the failure counters; must equal `reconcile.fluxcd.io/requestedAt`; tracked in `status.lastHandledResetAt`. */
  ResetRequest: Annotations.ResetRequestAnnotation,
} as const;

/** Label/annotation on rendered objects that excludes them from drift detection (value `disabled`). */
export const HelmDriftDetectionMetadataKey = 'helm.toolkit.fluxcd.io/driftDetection' as const;
/** The value of `HelmDriftDetectionMetadataKey` that disables drift detection for an object. */
export const HelmDriftDetectionDisabledValue = 'disabled' as const;

/** Origin labels the post-renderer puts on every object of a release. */
export const HelmOwnerLabels = {
  Name: 'helm.toolkit.fluxcd.io/name',
  Namespace: 'helm.toolkit.fluxcd.io/namespace',
} as const;

/** Keys helm-controller puts into event metadata (`<group>/<key>`). */
export const HelmEventMetadata = {
  Revision: 'helm.toolkit.fluxcd.io/revision',
  AppVersion: 'helm.toolkit.fluxcd.io/app-version',
  OCIDigest: 'helm.toolkit.fluxcd.io/oci-digest',
  Token: 'helm.toolkit.fluxcd.io/token',
} as const;

/** `spec.driftDetection.mode` values; `disabled` is what an unset field means. */
export const HelmDriftDetectionModes = { Enabled: 'enabled', Warn: 'warn', Disabled: 'disabled' } as const;

/** `spec.install.crds` / `spec.upgrade.crds` policies. */
export const HelmCRDsPolicies = { Skip: 'Skip', Create: 'Create', CreateReplace: 'CreateReplace' } as const;

/** `spec.{install,upgrade}.strategy.name` values. */
export const HelmReleaseStrategies = {
  RemediateOnFailure: 'RemediateOnFailure',
  RetryOnFailure: 'RetryOnFailure',
} as const;

/** `spec.upgrade.remediation.strategy` values. */
export const HelmRemediationStrategies = { Rollback: 'rollback', Uninstall: 'uninstall' } as const;

/** `status.lastAttemptedReleaseAction` values. */
export const HelmReleaseActions = { Install: 'install', Upgrade: 'upgrade' } as const;
