/**
 * @flux-ts/artifact — source-controller artifact storage (layout, reproducible tarballs, digests,
 * locks, retention), the artifact file server, ignore rules and the consumer-side fetcher.
 */
export {
  DEFAULT_DIGEST_ALGORITHM,
  DigestAlgorithms,
  createDigester,
  digestFile,
  isDigestAlgorithm,
  parseDigest,
  type DigestAlgorithm,
  type Digester,
  type ParsedDigest,
} from './digest.ts';
export {
  ArchiveLimitError,
  ArtifactDigestMismatchError,
  ArtifactDownloadError,
  ArtifactError,
  ArtifactErrorCodes,
  ArtifactNotFoundError,
  InvalidArtifactPathError,
  UnsafeArchiveError,
  redactUrl,
  type ArtifactErrorCode,
} from './errors.ts';
export {
  DEFAULT_EXCLUDED_PATTERNS,
  SOURCE_IGNORE_FILE,
  VCS_PATTERNS,
  buildSourceIgnoreFilter,
  createIgnoreFilter,
  loadSourceIgnoreLayers,
  readPatterns,
  type IgnoreFilter,
  type IgnoreLayer,
} from './ignore.ts';
export { TarModes, reproducibleTar, type ReproducibleTarOptions } from './tarball.ts';
export {
  GC_TIMEOUT_MS,
  GC_WALK_LIMIT,
  Storage,
  type ArchiveOptions,
  type Artifact,
  type GarbageCollectOptions,
  type StorageOptions,
  type StoredArtifact,
  type WriteOptions,
} from './storage.ts';
export { buildArtifactServer, type ArtifactServerOptions } from './server.ts';
export {
  DEFAULT_HTTP_RETRIES,
  DEFAULT_MAX_FILES,
  DEFAULT_MAX_UNTAR_SIZE,
  fetchArtifact,
  type FetchArtifactOptions,
  type FetchArtifactResult,
} from './fetch.ts';
export { ConfinedFs, FS_SECURITY_CONSTRAINT, FsSecurityError, type ConfinedFsOptions } from './confined-fs.ts';
