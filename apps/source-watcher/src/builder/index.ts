/** The ArtifactGenerator artifact builder: copy operations, content hash, storage. */
export { buildArtifact, type BuildArtifactInput } from './builder.ts';
export {
  CopyValidationError,
  applyCopyOperation,
  applyCopyOperations,
  containsGlobChars,
  globDestination,
  isTarball,
  parseCopyDestination,
  parseCopySource,
  shouldExclude,
  validateCopyOperation,
  type SourceDirs,
} from './copy.ts';
export { adler32, dirFiles, dirHash, hashDir } from './dirhash.ts';
