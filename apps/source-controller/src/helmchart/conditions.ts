import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  BuildFailedCondition,
  FetchFailedCondition,
  ReadyCondition,
  ReconcilingCondition,
  SourceVerifiedCondition,
  StalledCondition,
  StorageOperationFailedCondition,
} from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The HelmChart condition table (source-controller `helmChartReadyCondition`): the types this reconciler owns, the
 * order in which they are summarized into Ready, and which are abnormal-true.
 */
export const helmChartReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    BuildFailedCondition,
    ArtifactOutdatedCondition,
    ArtifactInStorageCondition,
    SourceVerifiedCondition,
    ReadyCondition,
    ReconcilingCondition,
    StalledCondition,
  ]),
  summarize: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    BuildFailedCondition,
    ArtifactOutdatedCondition,
    ArtifactInStorageCondition,
    SourceVerifiedCondition,
    StalledCondition,
    ReconcilingCondition,
  ]),
  negativePolarity: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    BuildFailedCondition,
    ArtifactOutdatedCondition,
    StalledCondition,
    ReconcilingCondition,
  ]),
});

/** The failure conditions whose recovery is announced again (`helmChartFailConditions`). */
export const helmChartFailConditions: readonly string[] = Object.freeze([
  BuildFailedCondition,
  FetchFailedCondition,
  StorageOperationFailedCondition,
]);
