import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  FetchFailedCondition,
  ReadyCondition,
  ReconcilingCondition,
  StalledCondition,
  StorageOperationFailedCondition,
} from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The Bucket condition table (source-controller `bucketReadyCondition`): the types this reconciler
 * owns, the order in which they are summarized into Ready, and which are abnormal-true.
 */
export const bucketReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    ArtifactOutdatedCondition,
    ArtifactInStorageCondition,
    ReadyCondition,
    ReconcilingCondition,
    StalledCondition,
  ]),
  summarize: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    ArtifactOutdatedCondition,
    ArtifactInStorageCondition,
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

/** The failure conditions whose recovery is announced with a `Succeeded` event (`bucketFailConditions`). */
export const bucketFailConditions: readonly string[] = Object.freeze([
  FetchFailedCondition,
  StorageOperationFailedCondition,
]);
