import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  FetchFailedCondition,
  ReadyCondition,
  ReconcilingCondition,
  StalledCondition,
  SourceVerifiedCondition,
  StorageOperationFailedCondition,
} from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The OCIRepository condition table (source-controller `ociRepositoryReadyCondition`): the types this reconciler
 * owns, the order in which they are summarized into Ready, and which are abnormal-true.
 */
export const ociRepositoryReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
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
    ArtifactOutdatedCondition,
    ArtifactInStorageCondition,
    SourceVerifiedCondition,
    StalledCondition,
    ReconcilingCondition,
  ]),
  negativePolarity: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    ArtifactOutdatedCondition,
    StalledCondition,
    ReconcilingCondition,
  ]),
});

/** The failure conditions whose recovery is announced with a `Succeeded` event (`ociRepositoryFailConditions`). */
export const ociRepositoryFailConditions: readonly string[] = Object.freeze([
  FetchFailedCondition,
  StorageOperationFailedCondition,
]);
