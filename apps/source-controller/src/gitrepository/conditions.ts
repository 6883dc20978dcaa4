import {
  ArtifactInStorageCondition,
  ArtifactOutdatedCondition,
  FetchFailedCondition,
  IncludeUnavailableCondition,
  ReadyCondition,
  ReconcilingCondition,
  SourceVerifiedCondition,
  StalledCondition,
  StorageOperationFailedCondition,
} from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The GitRepository condition table (source-controller `gitRepositoryReadyCondition`): the types this reconciler
 * owns, the order in which they are summarized into Ready (priority order) and which of them are abnormal-true.
 * Only the summarizer sets Ready and Stalled; steps set or clear the others.
 */
export const gitRepositoryReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    IncludeUnavailableCondition,
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
    IncludeUnavailableCondition,
    ArtifactOutdatedCondition,
    ArtifactInStorageCondition,
    SourceVerifiedCondition,
    StalledCondition,
    ReconcilingCondition,
  ]),
  negativePolarity: Object.freeze([
    StorageOperationFailedCondition,
    FetchFailedCondition,
    IncludeUnavailableCondition,
    ArtifactOutdatedCondition,
    StalledCondition,
    ReconcilingCondition,
  ]),
});

/** The failure conditions whose recovery is announced with a `Succeeded` event (`gitRepositoryFailConditions`). */
export const gitRepositoryFailConditions: readonly string[] = Object.freeze([
  FetchFailedCondition,
  IncludeUnavailableCondition,
  StorageOperationFailedCondition,
]);

/** GitRepository reasons used by the reconciler beyond the shared source reasons (upstream string values). */
export const GitReasons = Object.freeze({
  GitOperationSucceeded: 'GitOperationSucceeded',
  GitOperationFailed: 'GitOperationFailed',
  EmptyGitRepository: 'EmptyGitRepository',
  InvalidVerificationMode: 'InvalidVerificationMode',
  InvalidGitObject: 'InvalidGitObject',
  InvalidTagSignature: 'InvalidTagSignature',
  InvalidCommitSignature: 'InvalidCommitSignature',
  IncludeChange: 'IncludeChange',
  IllegalPath: 'IllegalPath',
  CopyFailure: 'CopyFailure',
  NotFound: 'NotFound',
  NoArtifact: 'NoArtifact',
  SourceIgnoreError: 'SourceIgnoreError',
  ArtifactVerificationFailed: 'ArtifactVerificationFailed',
});
