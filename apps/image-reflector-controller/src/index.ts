export { main, imageReflectorControllerNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { imageReflectorControllerFlags, imageReflectorControllerFeatureGates } from './flags.ts';
export { createImageReflectorController, ImageReflectorControllerName } from './controller.ts';
export type {
  ImageReflectorController,
  ImageReflectorControllerConfig,
  ImageReflectorControllerDeps,
} from './controller.ts';
export * from './imagerepository/index.ts';
export * from './imagepolicy/index.ts';
export { TagStore } from './storage/tag-store.ts';
export type { RepoIdentity, TagReader } from './storage/tag-store.ts';
export { EcrTokenCache } from './registry/ecr-token-cache.ts';
export type { EcrClientConfig, EcrTokenCacheOptions } from './registry/ecr-token-cache.ts';
export { parseImageReference, registryClientFor } from './registry/options.ts';
export type { ImageRepositoryRef, RegistryAccess } from './registry/options.ts';
export {
  SemVerPolicy,
  AlphabeticalPolicy,
  NumericalPolicy,
  RegexFilter,
  policerFromSpec,
  parseFluxVersion,
} from './policy/policy.ts';
export type { Policer } from './policy/policy.ts';
/** The bin's process preamble (private TMPDIR, exit with the supervising parent), re-exported for the bin. */
export { superviseControllerProcess } from '@flux-ts/runtime';
