/** Condition and event reasons shared by the source-controller kinds (`api/v1/condition_types.go`). */
export const SourceReasons = {
  URLInvalidReason: 'URLInvalid',
  AuthenticationFailedReason: 'AuthenticationFailed',
  VerificationError: 'VerificationError',
  DirCreationFailedReason: 'DirectoryCreationFailed',
  StatOperationFailedReason: 'StatOperationFailed',
  ReadOperationFailedReason: 'ReadOperationFailed',
  AcquireLockFailedReason: 'AcquireLockFailed',
  InvalidPathReason: 'InvalidPath',
  ArchiveOperationFailedReason: 'ArchiveOperationFailed',
  SymlinkUpdateFailedReason: 'SymlinkUpdateFailed',
  ArtifactUpToDateReason: 'ArtifactUpToDate',
  CacheOperationFailedReason: 'CacheOperationFailed',
  /** Event when a stored artifact's digest no longer matches its file. */
  ArtifactVerificationFailedReason: 'ArtifactVerificationFailed',
  PatchOperationFailedReason: 'PatchOperationFailed',
  InvalidSTSConfigurationReason: 'InvalidSTSConfiguration',
  InvalidProviderConfigurationReason: 'InvalidProviderConfiguration',
  /** Loading `.sourceignore` patterns failed (upstream's literal reason). */
  SourceIgnoreErrorReason: 'SourceIgnoreError',
  /** HelmChart Stalled reason for an unresolvable chart reference. */
  InvalidChartReferenceReason: 'InvalidChartReference',
  /** Event reason when a new artifact was stored. */
  NewArtifactReason: 'NewArtifact',
  /** ArtifactOutdated reasons. */
  NewRevisionReason: 'NewRevision',
  NewChartReason: 'NewChart',
  /** Garbage collection event reasons. */
  GarbageCollectionSucceededReason: 'GarbageCollectionSucceeded',
  GarbageCollectionFailedReason: 'GarbageCollectionFailed',
} as const;
