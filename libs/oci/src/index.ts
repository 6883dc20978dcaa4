/** OCI distribution client: references, registry v2 API (tags, manifests, blobs; pull and push), registry auth. */
export { RegistryClient, MAX_MANIFEST_SIZE, computeDigest, isLocalRegistry } from './client.ts';
export type { RegistryClientOptions } from './client.ts';
/** A tiny single-layer image pushed under tags (the demo's `push-image`, tests and benchmarks). */
export { pushImage } from './push-image.ts';
/** Image references as go-containerregistry parses them. */
export { parseReference, parseRepository, formatReference, DEFAULT_REGISTRY, DEFAULT_TAG } from './reference.ts';
export type { Reference } from './reference.ts';
/** Registry credentials: .dockerconfigjson lookup and ECR (`provider: aws`). */
export { dockerConfigCredentials } from './docker-config.ts';
export type { RegistryCredentials } from './docker-config.ts';
export { ecrCredentials, parseEcrRegistry } from './ecr.ts';
export type { EcrClientLike, EcrCredentials } from './ecr.ts';
/** Errors with distribution error codes; never carrying credentials. */
export { RegistryError, parseDistributionErrors } from './errors.ts';
export type { DistributionErrorEntry } from './errors.ts';
/** `WWW-Authenticate` challenges. */
export { parseWwwAuthenticate } from './challenge.ts';
export type { AuthChallenge } from './challenge.ts';
/** Manifest and descriptor types and media types. */
export {
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPES,
} from './manifest.ts';
export type { OciManifest, OciDescriptor } from './manifest.ts';
/** Cosign signatures with a public key (classic `.sig` tag layout): verify, and sign for tests and demos. */
export {
  CosignSignatureAnnotation,
  CosignSignatureType,
  CosignSimpleSigningMediaType,
  checkCosignClaims,
  cosignPayload,
  cosignPublicKey,
  cosignSignatureTag,
  pushCosignSignature,
  verifyCosignSignature,
  verifyCosignSignatures,
} from './cosign.ts';
export type { CosignPayload, CosignSignOptions, CosignVerification, CosignVerifyOptions } from './cosign.ts';
